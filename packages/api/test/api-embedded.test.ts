import { openStore, type Store } from "@plumbline/store";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiInstance, createApi } from "../src/index.js";
import { bearer } from "./support/api-fixture.js";
import { NOW, type SeededEstate, seedEstate } from "./support/seed.js";

let store: Store;
let estate: SeededEstate;
let app: ApiInstance;

beforeAll(async () => {
  store = await openStore({ dataDir: "memory" });
  estate = await seedEstate(store);
  app = await createApi({
    store,
    policy: estate.policy,
    logger: pino({ level: "silent" }),
    clock: () => NOW,
  });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await store?.close();
});

describe("over the embedded store", () => {
  it("answers every read route as over PostgreSQL", async () => {
    const headers = bearer(estate.tokens.admin);
    const findings = (
      await app.inject({ url: "/api/v1/findings?limit=2&sort=-statusSince", headers })
    ).json();
    expect(findings.total).toBe(9);
    const next = await app.inject({
      url: `/api/v1/findings?limit=2&sort=-statusSince&cursor=${findings.nextCursor}`,
      headers,
    });
    expect(next.json().items).toHaveLength(2);
    const resource = (
      await app.inject({ url: "/api/v1/resources?provider=azure&limit=1", headers })
    ).json().items[0];
    for (const url of [
      "/api/v1/me",
      "/api/v1/tenants",
      "/api/v1/posture",
      `/api/v1/findings/${findings.items[0].id}`,
      `/api/v1/resources/${resource.ref}`,
      `/api/v1/resources/${resource.ref}/diff`,
      "/api/v1/drift",
      "/api/v1/controls",
      "/api/v1/waivers",
      "/api/v1/scans",
      `/api/v1/scans/${estate.scanIds.first}`,
      "/api/v1/dataflow/retail",
      "/api/v1/notifications",
      "/api/v1/exports/sarif",
      "/api/v1/tokens",
      "/api/v1/access-log",
      "/readyz",
      "/metrics",
    ]) {
      const response = await app.inject({ url, headers });
      expect(response.statusCode, `${url}: ${response.body.slice(0, 200)}`).toBe(200);
    }
  });
});
