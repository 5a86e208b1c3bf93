import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type EstateSettings, type RunningEmulator, startEmulator } from "@plumbline/emulator";
import { type Provider, parsePolicy } from "@plumbline/rules";
import { openStore, type Store, tables } from "@plumbline/store";
import { createTestDatabase } from "@plumbline/testing";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { and, eq } from "drizzle-orm";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCloudAccess } from "../src/pipeline/cloud-access.js";
import { runInventory } from "../src/pipeline/run-inventory.js";
import { runOwnerEvaluation } from "../src/pipeline/run-owner-evaluation.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const logger = pino({ level: "silent" });
const now = new Date("2026-12-03T00:00:00Z");

const hub = "00000000-0000-0000-0000-00000000a0ff";
const retailAzure = "00000000-0000-0000-0000-00000000a001";
const wealthAzure = "00000000-0000-0000-0000-00000000a002";
const accounts: { provider: Provider; id: string }[] = [
  { provider: "azure", id: hub },
  { provider: "azure", id: retailAzure },
  { provider: "azure", id: wealthAzure },
  { provider: "aws", id: "111122223333" },
  { provider: "aws", id: "444455556666" },
];

const policy = parsePolicy(
  await readFile(join(root, "examples/plumbline.yaml"), "utf8"),
  "plumbline.yaml",
  { now },
).policy;

describe("inventory and owner evaluation jobs over the example estate", () => {
  let database: { url: string; drop(): Promise<void> };
  let store: Store;
  let estate: string;
  const emulators: RunningEmulator[] = [];

  beforeAll(async () => {
    database = await createTestDatabase("pipeline");
    store = await openStore({ url: database.url });
    estate = await mkdtemp(join(tmpdir(), "plumbline-pipeline-estate-"));
    await cp(join(root, "examples/estate"), estate, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(emulators.map((emulator) => emulator.close()));
    await store?.close();
    await database?.drop();
    await rm(estate, { recursive: true, force: true });
  });

  /** The clouds as they stand now in the estate folder, with optional faults. */
  async function clouds(settings?: EstateSettings) {
    const emulator = await startEmulator({ estateDir: estate, ...(settings ? { settings } : {}) });
    emulators.push(emulator);
    return createCloudAccess({
      policy,
      logger,
      estate: emulator,
      sleep: () => Promise.resolve(),
      retry: {
        aws: new ConfiguredRetryStrategy(2, () => 10),
        azure: { maxRetries: 1, retryDelayInMs: 10, maxRetryDelayInMs: 20 },
      },
    });
  }

  async function eventsOf(batchOrScan: { batchId?: string; scanId?: string }) {
    const condition =
      batchOrScan.batchId !== undefined
        ? eq(tables.driftEvents.batchId, batchOrScan.batchId)
        : eq(tables.driftEvents.scanId, batchOrScan.scanId ?? "");
    const rows = await store.database
      .select()
      .from(tables.driftEvents)
      .where(condition)
      .orderBy(tables.driftEvents.id);
    return rows.map((row) => [row.kind, row.control, row.resource.split("/").at(-1)]);
  }

  it("records a baseline inventory and evaluation without events", async () => {
    const cloud = await clouds();
    for (const account of accounts) {
      const result = await runInventory({ policy, account, cloud, store, trigger: "test", logger });
      expect(result.collections.map((collection) => collection.status)).toEqual(["complete"]);
      expect(await eventsOf({ scanId: result.scanId })).toEqual([]);
    }

    const inventory = await store.latestScan();
    expect(inventory).toMatchObject({ kind: "inventory", owner: null, status: "complete" });
    expect(inventory?.cloudCalls?.calls).toBeGreaterThan(0);

    const retail = await runOwnerEvaluation({
      policy,
      owner: "retail",
      store,
      now,
      trigger: "test",
      logger,
    });

    expect(retail.events).toBe(0);
    expect(retail.alerts).toBe(0);
    expect(retail.verdicts.fail).toBeGreaterThan(0);
    const scan = await store.getScan(retail.scanId);
    expect(scan).toMatchObject({ kind: "evaluation", owner: "retail", status: "complete" });
    expect(scan?.accounts.map((row) => [row.account, row.owner, row.status])).toEqual([
      [retailAzure, "retail", "complete"],
      ["111122223333", "retail", "complete"],
    ]);
    const findings = [];
    for await (const page of store.streamFindings(retail.scanId)) findings.push(...page);
    expect(new Set(findings.map((finding) => finding.tenant))).toEqual(new Set(["retail"]));
    const total = Object.values(retail.verdicts).reduce((sum, count) => sum + count, 0);
    expect(findings).toHaveLength(total);

    // The platform references the retail accounts' keys; evaluating it writes only its own rows.
    const platform = await runOwnerEvaluation({
      policy,
      owner: "platform",
      store,
      now,
      trigger: "test",
      logger,
    });
    expect(platform.events).toBe(0);
    expect((await store.readOwnerHistory("retail")).states).toHaveLength(total);
  }, 120_000);

  it("records resource events at inventory and finding events with alerts at evaluation", async () => {
    const tools = join(estate, "azure/retail/rg-retail-app/stretailtools.json");
    const document = JSON.parse(await readFile(tools, "utf8"));
    document.properties.publicNetworkAccess = "Enabled";
    await writeFile(tools, JSON.stringify(document));
    await rm(join(estate, "azure/retail/rg-retail-keys/kv-retail-legacy.json"));
    const cloud = await clouds();

    const inventory = await runInventory({
      policy,
      account: { provider: "azure", id: retailAzure },
      cloud,
      store,
      trigger: "test",
      logger,
    });
    expect(await eventsOf({ scanId: inventory.scanId })).toEqual([
      ["changed", null, "stretailtools"],
      ["disappeared", null, "KV-Retail-Legacy"],
    ]);

    const retail = await runOwnerEvaluation({
      policy,
      owner: "retail",
      store,
      now,
      trigger: "test",
      logger,
    });
    expect(await eventsOf({ batchId: retail.batchId })).toEqual([
      ["opened", "network.public-access-disabled", "stretailtools"],
      ["resolved", "keys.vault-recoverable", "KV-Retail-Legacy"],
      ["resolved", "network.private-endpoint", "KV-Retail-Legacy"],
      ["resolved", "network.public-access-disabled", "KV-Retail-Legacy"],
    ]);
    expect(retail).toMatchObject({ events: 4, alerts: 3 });
    const [row] = await store.database
      .select()
      .from(tables.outbox)
      .where(eq(tables.outbox.batchId, retail.batchId));
    expect(row?.payload).toMatchObject({ batchId: retail.batchId, scanId: retail.scanId });
    expect(row?.payload.items).toHaveLength(3);

    const wealth = await runOwnerEvaluation({
      policy,
      owner: "wealth",
      store,
      now,
      trigger: "test",
      logger,
    });
    expect(wealth.events).toBe(0);
  }, 120_000);

  it("turns a failed collection into a failed account and carries its findings on as stale", async () => {
    const before = await store.readOwnerHistory("retail");
    const cloud = await clouds({
      faults: [{ operation: "resourceGraph", kind: "server-error", account: retailAzure }],
    });

    const inventory = await runInventory({
      policy,
      account: { provider: "azure", id: retailAzure },
      cloud,
      store,
      trigger: "test",
      logger,
    });
    expect(inventory.collections).toMatchObject([{ status: "failed", reason: expect.any(String) }]);
    expect(await eventsOf({ scanId: inventory.scanId })).toEqual([]);

    const retail = await runOwnerEvaluation({
      policy,
      owner: "retail",
      store,
      now,
      trigger: "test",
      logger,
    });

    expect(retail.events).toBe(0);
    const after = await store.readOwnerHistory("retail");
    expect(after.states).toHaveLength(before.states.length);
    const azureStates = after.states
      .filter((state) => state.finding.account === retailAzure)
      .sort((left, right) => left.finding.control.localeCompare(right.finding.control));
    expect(azureStates.length).toBeGreaterThan(0);
    // Account-level checks are judged afresh: they say themselves what could not be collected.
    const accountKey = `/subscriptions/${retailAzure}`;
    expect(
      azureStates
        .filter((state) => state.finding.subjectKey === accountKey)
        .map((state) => [state.finding.control, state.finding.status, state.finding.stale]),
    ).toEqual([
      ["network.egress-firewall-logged", "error", undefined],
      ["tenancy.account-dedicated", "pass", undefined],
    ]);
    for (const state of azureStates.filter((one) => one.finding.subjectKey !== accountKey)) {
      expect(state.finding.stale).toBe(true);
      expect(state.finding.staleReason).toContain(`azure account ${retailAzure} was not collected`);
      const previous = before.states.find(
        (old) =>
          old.finding.control === state.finding.control &&
          old.finding.subjectKey === state.finding.subjectKey,
      );
      expect(state.finding.status).toBe(previous?.finding.status);
    }
    const deleted = await store.database
      .select()
      .from(tables.resources)
      .where(and(eq(tables.resources.account, retailAzure)));
    expect(deleted.filter((resource) => resource.deletedAt !== null).map((r) => r.name)).toEqual([
      "KV-Retail-Legacy",
    ]);
  }, 120_000);
});
