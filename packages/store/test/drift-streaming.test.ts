import { randomUUID } from "node:crypto";
import {
  type CollectionOutcome,
  diffFindings,
  type Finding,
  type OwnerId,
  type Verdict,
} from "@plumbline/rules";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OwnerEvaluationChunk, Store } from "../src/index.js";
import { makeFinding, makeRunTag } from "./support/sample-data.js";
import { storeVariants } from "./support/store-variants.js";

const first = new Date("2026-12-01T08:00:00Z");
const second = new Date("2026-12-02T08:00:00Z");
const third = new Date("2026-12-03T08:00:00Z");

const partial: CollectionOutcome = {
  provider: "azure",
  account: "sub-partial",
  status: "partial",
  reason: "page 2 failed",
};
const staleReason =
  "azure account sub-partial was not collected completely (partial): page 2 failed";

function vault(owner: OwnerId, name: string, status: Verdict, account?: string): Finding {
  const finding = { ...makeFinding(owner, name), status };
  return account === undefined ? finding : { ...finding, account };
}

function nameOf(resource: string): string {
  return resource.split("/").at(-1) ?? resource;
}

describe.each(storeVariants)("streamed drift records on $driver", ({ open }) => {
  let store: Store;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    ({ store, dispose } = await open());
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await dispose?.();
  });

  /** One evaluation scan of the owner: its findings stored, then its drift recorded. */
  async function evaluate(
    owner: OwnerId,
    findings: Finding[],
    options: { at: Date; chunkSize: number; batchId?: string },
  ) {
    const scan = await store.createScan({
      trigger: "test",
      kind: "evaluation",
      owner,
      startedAt: options.at,
    });
    await store.writeFindings(scan.id, findings);
    const chunks: OwnerEvaluationChunk[] = [];
    const recorded = store.recordOwnerEvaluation({
      scanId: scan.id,
      batchId: options.batchId ?? randomUUID(),
      owner,
      at: options.at,
      alerts: { channel: "slack", minSeverity: "high" },
      chunkSize: options.chunkSize,
      diff: (chunk) => {
        chunks.push(chunk);
        return diffFindings({ ...chunk, collections: [partial], at: options.at });
      },
    });
    const result = await recorded.catch(() => null);
    if (result === null) return { scan, result, chunks, failure: await recorded.catch((e) => e) };
    await store.finishScan(scan.id, "complete", options.at);
    return { scan, result, chunks, failure: null };
  }

  async function scanFindings(scanId: string) {
    const all: Finding[] = [];
    for await (const page of store.streamFindings(scanId)) all.push(...page);
    return all
      .map((finding) => [nameOf(finding.resource), finding.status, finding.staleReason ?? null])
      .sort();
  }

  async function stateOf(owner: OwnerId) {
    const { states } = await store.readOwnerHistory(owner);
    return states
      .map((state) => [
        nameOf(state.finding.resource),
        state.finding.status,
        state.finding.staleReason ?? null,
        state.firstSeen.toISOString(),
        state.statusSince.toISOString(),
      ])
      .sort();
  }

  async function eventsOf(scanId: string) {
    const rows = await store.listScanDriftEvents(scanId);
    return rows.map((row) => [row.kind, nameOf(row.resource)]).sort();
  }

  /** A baseline, then a second evaluation that changes, drops, carries on and adds findings. */
  async function twoEvaluations(owner: OwnerId, chunkSize: number) {
    const baseline = await evaluate(
      owner,
      [
        vault(owner, "kv-a", "fail"),
        vault(owner, "kv-b", "pass"),
        vault(owner, "kv-c", "fail"),
        vault(owner, "kv-d", "fail", "sub-partial"),
        vault(owner, "kv-e", "fail"),
      ],
      { at: first, chunkSize },
    );
    const next = await evaluate(
      owner,
      [
        vault(owner, "kv-a", "fail"),
        vault(owner, "kv-b", "fail"),
        vault(owner, "kv-e", "pass"),
        vault(owner, "kv-f", "fail"),
      ],
      { at: second, chunkSize },
    );
    return { baseline, next };
  }

  it.each([
    { owner: `tenant-${makeRunTag()}`, label: "a tenant" },
    { owner: null, label: "the unmapped accounts" },
  ])("records $label slice by slice as one diff of the whole owner would", async ({ owner }) => {
    const { baseline, next } = await twoEvaluations(owner, 2);

    expect(baseline.result).toEqual({ events: 0, alerts: 0, baseline: true });
    expect(baseline.chunks.length).toBeGreaterThan(2);
    for (const chunk of [...baseline.chunks, ...next.chunks]) {
      expect(chunk.current.length).toBeLessThanOrEqual(2);
      expect(chunk.previous.length).toBeLessThanOrEqual(2);
    }
    expect(next.result).toEqual({ events: 4, alerts: 2, baseline: false });
    expect(await eventsOf(next.scan.id)).toEqual([
      ["opened", "kv-b"],
      ["opened", "kv-f"],
      ["resolved", "kv-c"],
      ["resolved", "kv-e"],
    ]);
    expect(await scanFindings(next.scan.id)).toEqual([
      ["kv-a", "fail", null],
      ["kv-b", "fail", null],
      ["kv-d", "fail", staleReason],
      ["kv-e", "pass", null],
      ["kv-f", "fail", null],
    ]);
    const state = await stateOf(owner);
    expect(state).toEqual([
      ["kv-a", "fail", null, first.toISOString(), first.toISOString()],
      ["kv-b", "fail", null, first.toISOString(), second.toISOString()],
      ["kv-d", "fail", staleReason, first.toISOString(), first.toISOString()],
      ["kv-e", "pass", null, first.toISOString(), second.toISOString()],
      ["kv-f", "fail", null, second.toISOString(), second.toISOString()],
    ]);

    // One slice holding the whole owner records exactly the same.
    const whole = `tenant-${makeRunTag()}`;
    const unsliced = await twoEvaluations(whole, 1000);
    expect(unsliced.next.chunks).toHaveLength(1);
    expect(await stateOf(whole)).toEqual(state);
    expect(await eventsOf(unsliced.next.scan.id)).toEqual(await eventsOf(next.scan.id));
    expect(await scanFindings(unsliced.next.scan.id)).toEqual(await scanFindings(next.scan.id));
  });

  it("hands the diff the past of each finding in its slice", async () => {
    const owner = `tenant-${makeRunTag()}`;
    await twoEvaluations(owner, 2);
    // kv-e was resolved and kv-b is open: failing again, kv-e reopens and kv-b, unreadable for
    // a while, fails again without a new event.
    await evaluate(owner, [vault(owner, "kv-b", "error"), vault(owner, "kv-e", "fail")], {
      at: third,
      chunkSize: 1,
    });
    const fourth = await evaluate(
      owner,
      [vault(owner, "kv-b", "fail"), vault(owner, "kv-e", "fail")],
      { at: new Date("2026-12-04T08:00:00Z"), chunkSize: 1 },
    );
    const kv = (name: string) => JSON.stringify([owner, "keys.vault-purge-protection", name]);
    const facts = fourth.chunks.map((chunk) => ({
      current: chunk.current.map((finding) => nameOf(finding.resource)),
      resolved: [...chunk.resolvedBefore],
      open: [...chunk.openBefore],
    }));
    const key = (name: string) => makeFinding(owner, name).subjectKey;
    expect(facts).toEqual([
      { current: ["kv-b"], resolved: [], open: [kv(key("kv-b"))] },
      { current: [], resolved: [], open: [] },
      { current: ["kv-e"], resolved: [kv(key("kv-e"))], open: [kv(key("kv-e"))] },
    ]);
  });

  it("keeps a failure found by the baseline open through an outage, until it passes", async () => {
    const owner = `tenant-${makeRunTag()}`;
    const day = (n: number) => new Date(Date.UTC(2026, 11, n, 8));
    const once = async (status: Verdict, n: number) =>
      evaluate(owner, [vault(owner, "kv-a", status), vault(owner, "kv-z", "pass")], {
        at: day(n),
        chunkSize: 1,
      });

    expect((await once("fail", 1)).result).toMatchObject({ baseline: true, events: 0 });
    // The baseline recorded no event, yet the failure it found is open.
    expect((await store.readOwnerHistory(owner)).openBefore.size).toBe(1);
    await once("error", 2);
    const failsAgain = await once("fail", 3);
    expect(failsAgain.chunks[0]?.openBefore.size).toBe(1);
    expect(await eventsOf(failsAgain.scan.id)).toEqual([]);

    await once("error", 4);
    const fixed = await once("pass", 5);
    expect(await eventsOf(fixed.scan.id)).toEqual([["resolved", "kv-a"]]);
    // Resolved, it is no longer open: failing once more reopens it.
    const again = await once("fail", 6);
    expect(await eventsOf(again.scan.id)).toEqual([["reopened", "kv-a"]]);
  });

  it("stores nothing of a streamed evaluation whose outbox row cannot be written", async () => {
    const owner = `tenant-${makeRunTag()}`;
    const { next } = await twoEvaluations(owner, 2);
    const stateBefore = await stateOf(owner);
    const batchId = (await store.listScanDriftEvents(next.scan.id))[0]?.batchId;

    // The same batch id again: the outbox refuses it, so every slice must roll back.
    const failed = await evaluate(
      owner,
      [vault(owner, "kv-a", "pass"), vault(owner, "kv-g", "fail")],
      { at: third, chunkSize: 1, ...(batchId === undefined ? {} : { batchId }) },
    );

    expect(batchId).toBeDefined();
    expect(failed.failure).toMatchObject({ name: "StoreError", kind: "conflict" });
    expect(failed.chunks.length).toBeGreaterThan(1);
    expect(await stateOf(owner)).toEqual(stateBefore);
    expect(await eventsOf(failed.scan.id)).toEqual([]);
    // The findings the scan stored stay, but no verdict was carried on into them.
    expect(await scanFindings(failed.scan.id)).toEqual([
      ["kv-a", "pass", null],
      ["kv-g", "fail", null],
    ]);
  });
});
