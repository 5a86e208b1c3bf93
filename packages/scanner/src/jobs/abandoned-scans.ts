import { type Store, tables } from "@plumbline/store";
import { and, eq, inArray, lt } from "drizzle-orm";
import { jobCatalogue } from "./catalogue.js";

/**
 * How long a worker's scan may stay `running` before it is taken as abandoned: twice the longest
 * job timeout, so a job that runs long and is then retried is never cut short.
 */
export const ABANDONED_SCAN_AFTER_MS =
  2 * Math.max(jobCatalogue.inventory.timeoutMs, jobCatalogue.evaluate.timeoutMs);

/**
 * Marks the worker scans (inventory and evaluation) that have been `running` since before
 * `now - ABANDONED_SCAN_AFTER_MS` as failed: their worker died mid-job, and its retry recorded a
 * scan of its own. Returns the ids it closed.
 *
 * Limitation: a worker killed mid-job leaves its scan `running` until the next round's discovery
 * closes it as failed (after twice the longest job timeout); its retry records a scan of its own.
 */
export async function closeAbandonedScans(store: Store, now: Date): Promise<string[]> {
  const cutoff = new Date(now.getTime() - ABANDONED_SCAN_AFTER_MS);
  const closed = await store.database
    .update(tables.scans)
    .set({ status: "failed", finishedAt: now })
    .where(
      and(
        eq(tables.scans.status, "running"),
        inArray(tables.scans.kind, ["inventory", "evaluation"]),
        lt(tables.scans.startedAt, cutoff),
      ),
    )
    .returning({ id: tables.scans.id });
  return closed.map((row) => row.id);
}
