import { readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Policy } from "@plumbline/rules";
import { openStore, type Store, tables } from "@plumbline/store";
import { createTestDatabase } from "@plumbline/testing";
import { and, eq, isNotNull } from "drizzle-orm";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createJobQueues,
  enqueueScanNow,
  type JobQueues,
  syncJobSchedulers,
} from "../src/jobs/index.js";
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

function casePolicy(schedule: string, extra = ""): Policy {
  return policyFrom(`
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
  cron: "${schedule}"
${extra}`);
}

/** A stand-in for Slack's incoming webhook that accepts every message. */
async function startReceiver(): Promise<{ url: string; bodies: string[]; server: Server }> {
  const bodies: string[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on("end", () => {
      bodies.push(body);
      response.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/services/T000/B000/secret`, bodies, server };
}

describe("scheduled jobs over the real pipeline", () => {
  const logger = pino({ level: "silent" });
  const prefix = uniquePrefix("pipeline");
  let database: { url: string; drop(): Promise<void> };
  let store: Store;
  let estate: TemporaryEstate;
  let queues: JobQueues;
  const stops: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    database = await createTestDatabase("jobs");
    store = await openStore({ url: database.url });
    estate = await createEstate({ withCases: true });
    queues = createJobQueues({ connection: REDIS_URL, prefix });
  });

  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  afterAll(async () => {
    await queues?.close();
    await deletePrefix(prefix);
    await store?.close();
    await estate?.remove();
    await database?.drop();
  });

  /** Starts the emulator on the estate as it is now, and workers over it. */
  async function startRound(policy: Policy, slack: { webhookUrl: string } | null = null) {
    const round = { estateDir: estate.dir, policy, store, logger, prefix };
    stops.push(await startPipelineRound(slack === null ? round : { ...round, ...slack }));
  }

  const { scans, scanAccounts, findingState, outbox } = tables;

  async function evaluationsOf(owner: string | null) {
    const rows = await store.database
      .select({ owner: scans.owner, status: scans.status })
      .from(scans)
      .where(eq(scans.kind, "evaluation"));
    return rows.filter((r) => r.owner === owner && r.status !== "running");
  }

  it("inventories both accounts on schedule, then evaluates their owner and the unmapped", async () => {
    const policy = casePolicy("*/2 * * * * *");
    await syncJobSchedulers(queues, policy);
    await startRound(policy);

    await waitFor(
      "a complete scheduled inventory of both accounts",
      async () => {
        const rows = await store.database
          .select({ account: scanAccounts.account, status: scans.status, trigger: scans.trigger })
          .from(scans)
          .innerJoin(scanAccounts, eq(scanAccounts.scanId, scans.id))
          .where(eq(scans.kind, "inventory"));
        return [SUBSCRIPTION, AWS_ACCOUNT].every((account) =>
          rows.some(
            (r) => r.account === account && r.status === "complete" && r.trigger === "schedule",
          ),
        );
      },
      30_000,
    );
    await waitFor(
      "an evaluation of acme and of the unmapped accounts",
      async () =>
        (await evaluationsOf("acme")).length > 0 && (await evaluationsOf(null)).length > 0,
      30_000,
    );

    const state = await store.database
      .select({ tenant: findingState.tenant })
      .from(findingState)
      .where(eq(findingState.tenant, "acme"));
    expect(state.length).toBeGreaterThan(10);
    // The schedule stays for the next test to replace.
    await syncJobSchedulers(queues, casePolicy("0 3 * * *"));
  });

  it("sends one Slack message when a manual round opens a finding", async () => {
    const receiver = await startReceiver();
    stops.push(() => new Promise((resolve) => receiver.server.close(resolve)));
    const policy = casePolicy(
      "0 3 * * *",
      "notifications:\n  slack: { webhookUrlEnv: SLACK_WEBHOOK_URL, minSeverity: low }\n",
    );
    const evaluatedBefore = (await evaluationsOf("acme")).length;

    // The storage account that passed the public-access control now accepts public traffic.
    const document = join(estate.dir, "azure/stdemo01.json");
    const raw = JSON.parse(await readFile(document, "utf8"));
    raw.properties.publicNetworkAccess = "Enabled";
    raw.properties.networkAcls.defaultAction = "Allow";
    await writeFile(document, JSON.stringify(raw));
    await startRound(policy, { webhookUrl: receiver.url });

    await enqueueScanNow(queues, policy, { accounts: [SUBSCRIPTION], requestedBy: "test" });
    await waitFor("the alert message", () => receiver.bodies.length > 0, 30_000);

    expect(receiver.bodies).toHaveLength(1);
    expect(receiver.bodies[0]).toContain("stdemo01");
    expect((await evaluationsOf("acme")).length).toBe(evaluatedBefore + 1);
    const delivered = () =>
      store.database
        .select({ batchId: outbox.batchId })
        .from(outbox)
        .where(and(eq(outbox.channel, "slack"), isNotNull(outbox.deliveredAt)));
    await waitFor("the batch to be marked delivered", async () => (await delivered()).length > 0);
    expect(await delivered()).toHaveLength(1);
    expect(receiver.bodies).toHaveLength(1);
  });
});
