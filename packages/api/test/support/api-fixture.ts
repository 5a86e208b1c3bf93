import { openStore, type Store } from "@plumbline/store";
import { createTestDatabase } from "@plumbline/testing";
import { pino } from "pino";
import { type ApiInstance, type ApiOptions, createApi } from "../../src/index.js";
import { NOW, type SeededEstate, seedEstate } from "./seed.js";

/** A seeded database with an API over it, for one test file. */
export interface ApiFixture extends SeededEstate {
  app: ApiInstance;
  store: Store;
  url: string;
  close(): Promise<void>;
}

/** Creates a database, seeds the estate and builds the API at the seeded moment. */
export async function startApiFixture(
  prefix: string,
  options: Partial<Pick<ApiOptions, "triggerScan" | "dashboardDir" | "channelsWithWebhook">> = {},
): Promise<ApiFixture> {
  const database = await createTestDatabase(prefix);
  const store = await openStore({ url: database.url });
  const estate = await seedEstate(store);
  const app = await createApi({
    store,
    policy: estate.policy,
    logger: pino({ level: "silent" }),
    clock: () => NOW,
    // The seeded estate alerts on Slack, as a server whose environment holds the webhook URL.
    channelsWithWebhook: ["slack"],
    ...options,
  });
  await app.ready();
  return {
    ...estate,
    app,
    store,
    url: database.url,
    async close() {
      await app.close();
      await store.close();
      await database.drop();
    },
  };
}

/** The headers of a request made with a bearer secret. */
export function bearer(secret: string): { authorization: string } {
  return { authorization: `Bearer ${secret}` };
}
