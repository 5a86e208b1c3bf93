import { createTestDatabase } from "@plumbline/testing";
import { openStore, type Store } from "../../src/index.js";

/** An open store, the server URL behind it when there is one, and how to clean up after it. */
export interface OpenedStore {
  store: Store;
  url: string | undefined;
  dispose(): Promise<void>;
}

/** The two drivers the store runs on; suites run once on each (`describe.each`). */
export const storeVariants: { driver: string; open(): Promise<OpenedStore> }[] = [
  {
    driver: "PGlite in memory",
    open: async () => ({
      store: await openStore({ dataDir: undefined }),
      url: undefined,
      dispose: async () => undefined,
    }),
  },
  {
    driver: "PostgreSQL",
    open: async () => {
      const database = await createTestDatabase("store");
      try {
        return {
          store: await openStore({ url: database.url }),
          url: database.url,
          dispose: database.drop,
        };
      } catch (error) {
        await database.drop();
        throw error;
      }
    },
  },
];
