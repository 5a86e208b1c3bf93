import { readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { openStore, type Store } from "@plumbline/store";
import { createTestDatabase, type TestDatabase } from "@plumbline/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJobQueues, enqueueScanNow, type JobQueues } from "../src/jobs/index.js";
import {
  AWS_ACCOUNT,
  createEstate,
  SUBSCRIPTION,
  type TemporaryEstate,
} from "./collectors-support.js";
import {
  deletePrefix,
  policyFrom,
  REDIS_URL,
  startPipelineRound,
  uniquePrefix,
  waitFor,
} from "./jobs-support.js";

const policy = policyFrom(`
version: 1
tenants:
  - id: acme
    accounts:
      azure: [${SUBSCRIPTION}]
      aws: ["${AWS_ACCOUNT}"]
    regions:
      allowed: [westeurope, swedencentral, germanywestcentral, eu-west-1]
    models:
      allow:
        - { format: OpenAI, name: gpt-4o, version: "2024-08-06" }
sources:
  aws:
    regions: [eu-west-1]
schedule:
  cron: "0 3 * * *"
notifications:
  slack: { webhookUrlEnv: SLACK_WEBHOOK_URL, minSeverity: low }
`);

/**
 * The top-level keys of one JSON object, in order and with repeats: `JSON.parse` keeps only the
 * last of a repeated key, which is exactly what this test must see past.
 */
function topLevelKeys(line: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let index = 0;
  while (index < line.length) {
    const char = line[index];
    if (char === '"') {
      let end = index + 1;
      while (line[end] !== '"') end += line[end] === "\\" ? 2 : 1;
      const after = line.slice(end + 1).trimStart();
      if (depth === 1 && after.startsWith(":")) {
        keys.push(JSON.parse(line.slice(index, end + 1)) as string);
      }
      index = end + 1;
      continue;
    }
    if (char === "{" || char === "[") depth += 1;
    if (char === "}" || char === "]") depth -= 1;
    index += 1;
  }
  return keys;
}

/** The keys a log line holds more than once. */
function repeatedKeys(line: string): string[] {
  const keys = topLevelKeys(line);
  return [...new Set(keys.filter((key, index) => keys.indexOf(key) !== index))];
}

describe("the worker's structured logs", () => {
  const lines: string[] = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => lines.push(line.trim()) });
  const prefix = uniquePrefix("log-fields");
  let database: TestDatabase;
  let store: Store;
  let estate: TemporaryEstate;
  let queues: JobQueues;
  let receiver: Server;
  let webhookUrl: string;
  let stopRound: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    database = await createTestDatabase("log_fields");
    store = await openStore({ url: database.url });
    estate = await createEstate({ withCases: true });
    queues = createJobQueues({ connection: REDIS_URL, prefix });
    receiver = createServer((request, response) => {
      request.resume();
      request.on("end", () => response.writeHead(200).end("ok"));
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const { port } = receiver.address() as AddressInfo;
    webhookUrl = `http://127.0.0.1:${port}/services/T000/B000/secret`;
  });

  afterAll(async () => {
    await stopRound?.();
    await queues?.close();
    await deletePrefix(prefix);
    await new Promise((resolve) => receiver?.close(resolve));
    await store?.close();
    await estate?.remove();
    await database?.drop();
  });

  /** The parsed lines with a message, once every line was checked to parse. */
  const logged = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const has = (fields: Record<string, unknown>) =>
    logged().some((line) => Object.entries(fields).every(([key, value]) => line[key] === value));

  /** Starts the emulator over the estate as it is now, and workers over it. */
  async function startRound(): Promise<void> {
    await stopRound?.();
    const stop = await startPipelineRound({
      estateDir: estate.dir,
      policy,
      store,
      logger,
      prefix,
      webhookUrl,
    });
    stopRound = async () => {
      await stop();
      stopRound = undefined;
    };
  }

  it("bind each field once on every line of inventory, evaluation, discovery and alerts", async () => {
    // The first round is the baseline; a storage account opened to the public after it makes
    // the second round alert, so the notify job delivers a batch.
    await startRound();
    await enqueueScanNow(queues, policy, { requestedBy: "test" });
    await waitFor("the baseline of acme", () => has({ msg: "job done", job: "evaluate" }), 30_000);
    await waitFor("the discovery round", () => has({ msg: "job done", job: "discover" }), 30_000);
    const document = join(estate.dir, "azure/stdemo01.json");
    const raw = JSON.parse(await readFile(document, "utf8"));
    raw.properties.publicNetworkAccess = "Enabled";
    raw.properties.networkAcls.defaultAction = "Allow";
    await writeFile(document, JSON.stringify(raw));
    await startRound();
    await enqueueScanNow(queues, policy, { accounts: [SUBSCRIPTION], requestedBy: "test" });
    await waitFor("the alert", () => has({ msg: "alert batch delivered" }), 30_000);

    const repeated = lines
      .map((line) => ({ line, keys: repeatedKeys(line) }))
      .filter((entry) => entry.keys.length > 0);
    expect(repeated).toEqual([]);
    // The lines still carry each field, from whichever logger bound it first.
    expect(has({ msg: "inventory started", job: "inventory", provider: "aws" })).toBe(true);
    expect(has({ msg: "inventory done", provider: "azure", account: SUBSCRIPTION })).toBe(true);
    expect(has({ msg: "evaluation started", job: "evaluate", owner: "acme" })).toBe(true);
    expect(has({ msg: "owner evaluation recorded", job: "evaluate", owner: "acme" })).toBe(true);
    expect(has({ msg: "owner evaluation recorded", job: "discover", owner: null })).toBe(true);
    expect(has({ msg: "alert batch delivered", job: "notify", channel: "slack" })).toBe(true);
  }, 90_000);
});
