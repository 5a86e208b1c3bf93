import type { Provider } from "@plumbline/rules";
import { type StoreDatabase, tables } from "@plumbline/store";
import { desc, ne, sql } from "drizzle-orm";

/** The latest collection of an account. */
export interface LatestCollection {
  provider: Provider;
  account: string;
  status: "complete" | "partial" | "failed";
  reason: string | null;
  resources: number;
  scanId: string;
  collectedAt: Date;
}

const sa = tables.scanAccounts;
const scans = tables.scans;

/**
 * The latest collection of every account ever collected, keyed `provider|account` (lower case).
 * Evaluation scans only copy the statuses they used, so they are left out.
 */
export async function latestCollections(db: StoreDatabase): Promise<Map<string, LatestCollection>> {
  const collectedAt =
    sql<Date>`coalesce(${sa.finishedAt}, ${scans.finishedAt}, ${scans.startedAt})`.mapWith(
      scans.startedAt,
    );
  const rows = await db
    .selectDistinctOn([sa.provider, sa.account], {
      provider: sa.provider,
      account: sa.account,
      status: sa.status,
      reason: sa.reason,
      resources: sa.resources,
      scanId: sa.scanId,
      collectedAt,
    })
    .from(sa)
    .innerJoin(scans, sql`${scans.id} = ${sa.scanId}`)
    .where(ne(scans.kind, "evaluation"))
    .orderBy(sa.provider, sa.account, desc(collectedAt));
  return new Map(rows.map((row) => [`${row.provider}|${row.account.toLowerCase()}`, row]));
}
