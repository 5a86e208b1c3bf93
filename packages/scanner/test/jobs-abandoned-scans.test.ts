import { openStore, type Store } from "@plumbline/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ABANDONED_SCAN_AFTER_MS, closeAbandonedScans } from "../src/jobs/abandoned-scans.js";

const now = new Date("2026-12-03T12:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms);

describe("closeAbandonedScans", () => {
  let store: Store;

  beforeAll(async () => {
    store = await openStore({ dataDir: "memory://" });
  }, 60_000);
  afterAll(async () => store?.close());

  it("fails worker scans running past the limit and leaves recent and inline scans alone", async () => {
    const old = ago(ABANDONED_SCAN_AFTER_MS + 60_000);
    const abandoned = await store.createScan({
      trigger: "schedule",
      kind: "inventory",
      startedAt: old,
    });
    const evaluation = await store.createScan({
      trigger: "schedule",
      kind: "evaluation",
      owner: "retail",
      startedAt: old,
    });
    const recent = await store.createScan({
      trigger: "schedule",
      kind: "inventory",
      startedAt: ago(60_000),
    });
    const inline = await store.createScan({ trigger: "cli", startedAt: old });

    const closed = await closeAbandonedScans(store, now);

    expect(closed.sort()).toEqual([abandoned.id, evaluation.id].sort());
    expect((await store.getScan(abandoned.id))?.status).toBe("failed");
    expect((await store.getScan(abandoned.id))?.finishedAt).toEqual(now);
    expect((await store.getScan(recent.id))?.status).toBe("running");
    expect((await store.getScan(inline.id))?.status).toBe("running");
    expect(await closeAbandonedScans(store, now)).toEqual([]);
  });
});
