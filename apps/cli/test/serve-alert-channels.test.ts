import { Writable } from "node:stream";
import { createTestDatabase, type TestDatabase } from "@plumbline/testing";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { CommandIo } from "../src/commands/command-io.js";
import { type RunningServer, startServer } from "../src/commands/serve.js";
import { fromRoot, runCommand } from "./support/harness.js";

/** The example policy alerts on Slack through the URL in `SLACK_WEBHOOK_URL`. */
const policy = fromRoot("examples/plumbline.yaml");
const webhookUrl = "https://hooks.slack.com/services/T0000/B0000/not-a-real-secret";

let database: TestDatabase;
let admin: string;
const servers: RunningServer[] = [];

function io(): CommandIo {
  return {
    stdout: new Writable({ write: (_chunk, _encoding, done) => done() }),
    stderr: new Writable({ write: (_chunk, _encoding, done) => done() }),
    env: { PLUMBLINE_LOG_LEVEL: "silent", DATABASE_URL: database.url },
    logger: pino({ level: "silent" }),
    clock: () => new Date(),
    interactive: false,
  };
}

/** Serves the example policy with the environment as the test set it. */
async function serve(): Promise<{
  get(path: string): Promise<Response>;
  reset(): Promise<Response>;
}> {
  const server = await startServer({ policy, port: "0", host: "127.0.0.1" }, io());
  if (server === null) throw new Error("the example policy did not load");
  servers.push(server);
  const headers = { authorization: `Bearer ${admin}` };
  return {
    get: (path) => fetch(`${server.url}${path}`, { headers }),
    reset: () =>
      fetch(`${server.url}/api/v1/notifications/slack/reset`, { method: "POST", headers }),
  };
}

beforeAll(async () => {
  database = await createTestDatabase("cli_alert_channels");
  const created = await runCommand(
    ["token", "create", "--role", "admin", "--all", "--expires", "2099-01-01"],
    { DATABASE_URL: database.url },
  );
  expect(created.code).toBe(0);
  admin = created.stdout.trim();
});

afterEach(async () => {
  vi.unstubAllEnvs();
  for (const server of servers.splice(0)) await server.close();
});

afterAll(async () => {
  await database?.drop();
});

describe("plumbline serve and the Slack channel of its policy", () => {
  it("lists Slack as not-configured while its webhook variable is unset, and resets it", async () => {
    vi.stubEnv("SLACK_WEBHOOK_URL", "");
    const api = await serve();

    const listed = await api.get("/api/v1/notifications");
    const reset = await api.reset();

    const slack = {
      channel: "slack",
      configured: false,
      state: "not-configured",
      reason: "SLACK_WEBHOOK_URL is not set in the server's environment",
      changedAt: null,
      lastDeliveredAt: null,
      pending: 0,
      oldestPendingAt: null,
    };
    expect(await listed.json()).toEqual({ channels: [slack] });
    expect(reset.status).toBe(200);
    expect(await reset.json()).toEqual(slack);
  });

  it("lists Slack as ok once the variable holds a URL, never showing the URL", async () => {
    vi.stubEnv("SLACK_WEBHOOK_URL", webhookUrl);
    const api = await serve();

    const listed = await (await api.get("/api/v1/notifications")).text();
    const reset = await api.reset();
    const resetBody = await reset.text();

    const slack = {
      channel: "slack",
      configured: true,
      state: "ok",
      reason: null,
      changedAt: null,
      lastDeliveredAt: null,
      pending: 0,
      oldestPendingAt: null,
    };
    expect(JSON.parse(listed)).toEqual({ channels: [slack] });
    expect(reset.status).toBe(200);
    expect(JSON.parse(resetBody)).toEqual(slack);
    for (const body of [listed, resetBody]) {
      expect(body).not.toContain("hooks.slack.com");
    }
  });
});
