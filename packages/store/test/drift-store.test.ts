import { randomUUID } from "node:crypto";
import type { Finding, FindingEvent, FindingState } from "@plumbline/rules";
import { findingIdentity } from "@plumbline/rules";
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EvaluationRecord, type Store, tables } from "../src/index.js";
import { makeBucket, makeFinding, makeRunTag } from "./support/sample-data.js";
import { storeVariants } from "./support/store-variants.js";

const earlier = new Date("2026-12-01T08:00:00Z");
const at = new Date("2026-12-03T08:00:00Z");

function stateOf(finding: Finding, since = earlier): FindingState {
  return { finding, firstSeen: since, statusSince: since, lastEvaluatedAt: since };
}

function opened(finding: Finding): FindingEvent {
  return {
    kind: "opened",
    finding,
    before: { status: "pass", message: "was fine", evidence: [] },
    after: { status: finding.status, message: finding.message, evidence: finding.evidence },
    at,
  };
}

describe.each(storeVariants)("drift records on $driver", ({ open }) => {
  let store: Store;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    ({ store, dispose } = await open());
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await dispose?.();
  });

  async function evaluation(owner: string, overrides: Partial<EvaluationRecord> = {}) {
    const scan = await store.createScan({ trigger: "test", kind: "evaluation", owner });
    const record: EvaluationRecord = {
      scanId: scan.id,
      batchId: randomUUID(),
      owner,
      at,
      next: [],
      events: [],
      alerts: { channel: "slack", minSeverity: "high" },
      ...overrides,
    };
    return { scan, record };
  }

  async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
    const all: T[] = [];
    for await (const page of pages) all.push(...page);
    return all;
  }

  it("writes findings, state, events and the alert batch of an evaluation together", async () => {
    const owner = `tenant-${makeRunTag()}`;
    const failing = makeFinding(owner, "kv-open");
    const carried: Finding = {
      ...makeFinding(owner, "kv-carried"),
      stale: true,
      staleReason: "azure account sub-x was not collected completely (partial): page 2 failed",
    };
    const { scan, record } = await evaluation(owner, {
      next: [stateOf(failing, at), { ...stateOf(carried), lastScanId: null }],
      events: [opened(failing)],
    });

    expect(await store.readOwnerHistory(owner)).toEqual({
      states: [],
      resolvedBefore: new Set(),
      openBefore: new Set(),
      evaluatedBefore: false,
    });
    expect(await store.recordEvaluation(record)).toEqual({ events: 1, alerts: 1 });
    await store.finishScan(scan.id, "complete", at);

    expect(await collect(store.streamFindings(scan.id))).toStrictEqual([carried, failing]);
    const history = await store.readOwnerHistory(owner);
    expect(history.evaluatedBefore).toBe(true);
    // Opened by its event; the stale failure, with no event, counts as failing since the baseline.
    expect(history.openBefore).toEqual(
      new Set([findingIdentity(failing), findingIdentity(carried)]),
    );
    expect(history.states).toHaveLength(2);
    expect(history.states.find((state) => state.finding.stale === true)).toEqual({
      ...stateOf(carried),
      lastScanId: null,
    });
    expect(history.states.find((state) => state.finding.stale !== true)).toEqual({
      ...stateOf(failing, at),
      lastScanId: scan.id,
    });

    const [row] = await store.database
      .select()
      .from(tables.outbox)
      .where(eq(tables.outbox.batchId, record.batchId));
    expect(row?.channel).toBe("slack");
    expect(row?.payload).toMatchObject({
      batchId: record.batchId,
      scanId: scan.id,
      createdAt: at.toISOString(),
      items: [
        {
          kind: "opened",
          tenant: owner,
          control: "keys.vault-purge-protection",
          severity: "high",
          resource: failing.resource,
          before: "pass",
          after: "fail",
          message: failing.message,
        },
      ],
    });
  });

  it("writes no outbox row when no event calls for an alert or no channel is configured", async () => {
    const owner = `tenant-${makeRunTag()}`;
    const low: Finding = { ...makeFinding(owner, "kv-low"), severity: "low" };
    const first = await evaluation(owner, { next: [stateOf(low)], events: [opened(low)] });
    const high = makeFinding(owner, "kv-high");
    const second = await evaluation(owner, {
      next: [stateOf(high)],
      events: [opened(high)],
      alerts: null,
    });

    expect(await store.recordEvaluation(first.record)).toEqual({ events: 1, alerts: 0 });
    expect(await store.recordEvaluation(second.record)).toEqual({ events: 1, alerts: 0 });
    const rows = await store.database
      .select()
      .from(tables.outbox)
      .where(inArray(tables.outbox.batchId, [first.record.batchId, second.record.batchId]));
    expect(rows).toEqual([]);
  });

  it("replaces an owner's state, remembers resolutions, and leaves other owners alone", async () => {
    const owner = `tenant-${makeRunTag()}`;
    const neighbour = `tenant-${makeRunTag()}`;
    const gone = makeFinding(owner, "kv-gone");
    const kept = makeFinding(owner, "kv-kept");
    const other = makeFinding(neighbour, "kv-other");
    await store.recordEvaluation((await evaluation(neighbour, { next: [stateOf(other)] })).record);
    await store.recordEvaluation(
      (await evaluation(owner, { next: [stateOf(gone), stateOf(kept)] })).record,
    );

    const { record } = await evaluation(owner, {
      next: [stateOf(kept)],
      events: [
        {
          kind: "resolved",
          finding: gone,
          before: { status: "fail", message: gone.message, evidence: gone.evidence },
          after: null,
          at,
        },
      ],
    });
    await store.recordEvaluation(record);

    const history = await store.readOwnerHistory(owner);
    expect(history.states.map((state) => state.finding.resource)).toEqual([kept.resource]);
    expect(history.resolvedBefore).toEqual(new Set([findingIdentity(gone)]));
    // Failing since the first evaluation, which recorded no event, and never closed.
    expect(history.openBefore).toEqual(new Set([findingIdentity(kept)]));
    expect((await store.readOwnerHistory(neighbour)).states).toHaveLength(1);
  });

  it("stores nothing of an evaluation whose outbox row cannot be written", async () => {
    const owner = `tenant-${makeRunTag()}`;
    const before = makeFinding(owner, "kv-before");
    const first = await evaluation(owner, { next: [stateOf(before)], events: [opened(before)] });
    await store.recordEvaluation(first.record);

    const after = makeFinding(owner, "kv-after");
    // The same batch id again: the outbox refuses it, so the whole evaluation must roll back.
    const second = await evaluation(owner, {
      batchId: first.record.batchId,
      next: [stateOf(after)],
      events: [opened(after)],
    });
    const failure = await store.recordEvaluation(second.record).catch((error) => error);

    expect(failure).toMatchObject({ name: "StoreError", kind: "conflict" });
    const history = await store.readOwnerHistory(owner);
    expect(history.states.map((state) => state.finding.resource)).toEqual([before.resource]);
    expect(await collect(store.streamFindings(second.scan.id))).toEqual([]);
    const events = await store.database
      .select()
      .from(tables.driftEvents)
      .where(eq(tables.driftEvents.batchId, first.record.batchId));
    expect(events).toHaveLength(1);
  });

  it("tells the latest collection of each account and the resources it did not see", async () => {
    const account = String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
    const seen = makeBucket(account, `seen-${account}`, "eu-west-1");
    const unseen = makeBucket(account, `unseen-${account}`, "eu-west-1");
    const collection = {
      provider: "aws" as const,
      account,
      status: "complete" as const,
      reason: null,
      resources: 2,
      skippedRegions: [],
      completeRegions: ["eu-west-1"],
    };
    const first = await store.createScan({ trigger: "test", kind: "inventory" });
    await store.writeResources(first.id, [seen, unseen]);
    await store.recordAccountCollection(first.id, "retail", collection);
    const second = await store.createScan({
      trigger: "test",
      kind: "inventory",
      startedAt: new Date(Date.now() + 1_000),
    });
    await store.writeResources(second.id, [seen]);
    await store.recordAccountCollection(second.id, "retail", {
      ...collection,
      status: "partial",
      reason: "page 2 failed",
      resources: 1,
    });
    // An evaluation copies the collection status; it is not a collection of its own.
    const copy = await store.createScan({
      trigger: "test",
      kind: "evaluation",
      owner: "retail",
      startedAt: new Date(Date.now() + 2_000),
    });
    await store.recordAccountCollection(copy.id, "retail", collection);

    const latest = (await store.latestCollections()).find((row) => row.account === account);
    expect(latest).toMatchObject({ scanId: second.id, status: "partial", reason: "page 2 failed" });
    expect(
      await store.listUnseenResourceKeys({ provider: "aws", account, scanId: second.id }),
    ).toEqual([unseen.key]);
    expect(await store.listCollectedAccounts()).toContainEqual({ provider: "aws", account });
    expect(await store.readResources("aws", [seen.key, unseen.key, "arn:aws:s3:::none"])).toEqual(
      expect.arrayContaining([seen, unseen]),
    );

    expect(await store.removeUnseenResources(second.id, { provider: "aws", account })).toEqual([
      unseen,
    ]);
    expect(await store.readResources("aws", [unseen.key])).toEqual([]);
  });

  it("records resource events with their before and after values", async () => {
    const account = String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
    const bucket = makeBucket(account, `b-${account}`, "eu-west-1");
    const batchId = randomUUID();
    expect(
      await store.recordResourceEvents(null, batchId, [
        {
          kind: "appeared",
          tenant: "retail",
          resource: bucket,
          before: null,
          after: { region: "eu-west-1" },
          at,
        },
      ]),
    ).toBe(1);
    const rows = await store.database
      .select()
      .from(tables.driftEvents)
      .where(eq(tables.driftEvents.batchId, batchId));
    expect(rows).toMatchObject([
      {
        kind: "appeared",
        tenant: "retail",
        control: null,
        subjectKey: bucket.key,
        resource: bucket.id,
        provider: "aws",
        account,
        region: "eu-west-1",
        severity: null,
        before: null,
        after: { region: "eu-west-1" },
        at,
      },
    ]);
  });
});
