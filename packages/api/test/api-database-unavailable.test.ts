import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { fileURLToPath } from "node:url";
import { loadPolicyFile, type Policy } from "@plumbline/rules";
import { openStore, type Store } from "@plumbline/store";
import { createTestDatabase, type TestDatabase } from "@plumbline/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiInstance, createApi, createApiToken } from "../src/index.js";
import { bearer } from "./support/api-fixture.js";

const NOW = new Date("2026-12-03T12:00:00.000Z");
const examplePolicy = fileURLToPath(new URL("../../../examples/plumbline.yaml", import.meta.url));

async function loadExamplePolicy(): Promise<Policy> {
  return (await loadPolicyFile(examplePolicy, { now: NOW })).policy;
}

/**
 * A TCP relay in front of the real PostgreSQL, so a test can make the database unreachable the
 * way a network fault or a stopped server does: closing it refuses every new connection.
 */
async function startRelay(target: URL): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("relay has no port");
  const url = new URL(target);
  url.hostname = "127.0.0.1";
  url.port = String(address.port);
  return {
    url: url.toString(),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

const unavailable = {
  error: { code: "unavailable", message: "the database is unavailable; try again later" },
};

/** Text a 503 must not carry: stack frames, SQL, driver or connection detail. */
const leaks = ["    at ", "select", "ECONNREFUSED", "127.0.0.1", "postgres", "drizzle", "stack"];

describe("a database that cannot be reached", () => {
  let database: TestDatabase;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let store: Store;
  let app: ApiInstance;
  let secret: string;

  beforeAll(async () => {
    database = await createTestDatabase("api_db_unavailable");
    relay = await startRelay(new URL(database.url));
    store = await openStore({ url: relay.url });
    const policy = await loadExamplePolicy();
    secret = (
      await createApiToken(store.database, { name: "ops", role: "admin", scope: null, now: NOW })
    ).secret;
    app = await createApi({ store, policy, logger: pino({ level: "silent" }), clock: () => NOW });
    await app.ready();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await store?.close();
    await relay?.close();
    await database?.drop();
  });

  it("answers routes with 503 unavailable, and readiness with its own 503", async () => {
    const before = await app.inject({ url: "/api/v1/me", headers: bearer(secret) });
    expect(before.statusCode).toBe(200);
    expect((await app.inject({ url: "/readyz" })).statusCode).toBe(200);

    await relay.close();

    for (const url of ["/api/v1/me", "/api/v1/findings", "/api/v1/exports/csv"]) {
      const response = await app.inject({ url, headers: bearer(secret) });
      expect(response.statusCode, url).toBe(503);
      expect(response.json(), url).toEqual(unavailable);
      for (const leak of leaks) expect(response.body, `${url} leaks ${leak}`).not.toContain(leak);
    }
    const ready = await app.inject({ url: "/readyz" });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({
      status: "not-ready",
      checks: { database: false, migrations: false },
    });
    expect((await app.inject({ url: "/healthz" })).statusCode).toBe(200);
  }, 30_000);
});

describe("a database dropped while the API runs", () => {
  let database: TestDatabase;
  let store: Store;
  let app: ApiInstance;
  let secret: string;

  beforeAll(async () => {
    database = await createTestDatabase("api_db_dropped");
    store = await openStore({ url: database.url });
    const policy = await loadExamplePolicy();
    secret = (
      await createApiToken(store.database, { name: "ops", role: "auditor", scope: null, now: NOW })
    ).secret;
    app = await createApi({ store, policy, logger: pino({ level: "silent" }), clock: () => NOW });
    await app.ready();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await store?.close();
    await database?.drop();
  });

  it("answers 503 unavailable instead of 500 once the server refuses the session", async () => {
    expect((await app.inject({ url: "/api/v1/me", headers: bearer(secret) })).statusCode).toBe(200);

    await database.drop();

    const response = await app.inject({ url: "/api/v1/me", headers: bearer(secret) });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual(unavailable);
    expect((await app.inject({ url: "/readyz" })).json()).toEqual({
      status: "not-ready",
      checks: { database: false, migrations: false },
    });
  }, 30_000);
});
