import { type StoreDatabase, tables } from "@plumbline/store";
import { and, count, desc, eq, gte, lt, ne, sql } from "drizzle-orm";
import { type AccessScope, currentOwnerCondition, ownerCondition } from "../auth/access-scope.js";
import { areaOf } from "./finding-query.js";
import { addVerdict, emptyCounts, type VerdictCounts } from "./verdict-counts.js";

/** Days in the posture trend, ending today. */
export const TREND_DAYS = 30;

const DAY_MS = 86_400_000;

/** An owner's posture now and over the trend window. */
export interface OwnerPosture {
  tenant: string | null;
  totals: VerdictCounts;
  openBySeverity: { critical: number; high: number; medium: number; low: number };
  stale: number;
  areas: { area: string; counts: VerdictCounts }[];
  trend: { date: string; counts: VerdictCounts | null }[];
}

function ownerKey(tenant: string | null): string {
  return tenant ?? "\u0000unmapped";
}

function blankPosture(tenant: string | null): OwnerPosture {
  return {
    tenant,
    totals: emptyCounts(),
    openBySeverity: { critical: 0, high: 0, medium: 0, low: 0 },
    stale: 0,
    areas: [],
    trend: [],
  };
}

/** The UTC dates of the trend window, oldest first. */
export function trendDates(now: Date, days = TREND_DAYS): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: days }, (_, index) =>
    new Date(today - (days - 1 - index) * DAY_MS).toISOString().slice(0, 10),
  );
}

/** One owner's verdicts in one evaluation, with when the evaluation finished. */
export interface EvaluationCounts {
  at: Date;
  counts: VerdictCounts;
}

/**
 * The trend of one owner: for each day, the counts of the last evaluation that finished by the
 * end of that day; null before the first one in the window.
 */
export function trendOf(
  evaluations: readonly EvaluationCounts[],
  dates: readonly string[],
): OwnerPosture["trend"] {
  const ordered = [...evaluations].sort((a, b) => a.at.getTime() - b.at.getTime());
  let next = 0;
  let current: VerdictCounts | null = null;
  return dates.map((date) => {
    const endOfDay = Date.parse(`${date}T00:00:00.000Z`) + DAY_MS;
    while (next < ordered.length && (ordered[next]?.at.getTime() ?? 0) < endOfDay) {
      current = ordered[next]?.counts ?? current;
      next += 1;
    }
    return { date, counts: current === null ? null : { ...current } };
  });
}

/**
 * The verdict counts of an owner's last evaluation that started before `moment`, or null. Each
 * candidate scan is probed through the findings identity index (scan, tenant, …).
 */
async function countsBefore(
  db: StoreDatabase,
  tenant: string | null,
  moment: Date,
): Promise<{ scanId: string; counts: VerdictCounts } | null> {
  const f = tables.findings;
  const s = tables.scans;
  const [latest] = await db
    .select({ id: s.id })
    .from(s)
    .where(
      and(
        lt(s.startedAt, moment),
        ne(s.status, "running"),
        sql`exists (select 1 from ${f} where ${f.scanId} = ${s.id} and ${f.tenant} is not distinct from ${tenant})`,
      ),
    )
    .orderBy(desc(s.startedAt))
    .limit(1);
  if (latest === undefined) return null;
  const rows = await db
    .select({ status: f.status, total: count() })
    .from(f)
    .where(and(eq(f.scanId, latest.id), sql`${f.tenant} is not distinct from ${tenant}`))
    .groupBy(f.status);
  const counts = emptyCounts();
  for (const row of rows) addVerdict(counts, row.status, row.total);
  return { scanId: latest.id, counts };
}

/**
 * The posture of every owner with current findings in scope (and of `owners`, even without any):
 * current counts by area from finding_state, and a daily trend from the findings each
 * evaluation recorded (the one current when the window opens included).
 */
export async function computePosture(
  db: StoreDatabase,
  scope: AccessScope,
  owners: readonly (string | null)[],
  now: Date,
  only?: (tenant: string | null) => boolean,
): Promise<OwnerPosture[]> {
  const fs = tables.findingState;
  const byOwner = new Map<string, OwnerPosture>();
  const postureOf = (tenant: string | null): OwnerPosture => {
    let posture = byOwner.get(ownerKey(tenant));
    if (posture === undefined) {
      posture = blankPosture(tenant);
      byOwner.set(ownerKey(tenant), posture);
    }
    return posture;
  };
  for (const owner of owners) postureOf(owner);

  const current = await db
    .select({
      tenant: fs.tenant,
      control: fs.control,
      status: fs.status,
      severity: fs.severity,
      stale: fs.stale,
      total: count(),
    })
    .from(fs)
    .where(currentOwnerCondition(scope, fs.tenant))
    .groupBy(fs.tenant, fs.control, fs.status, fs.severity, fs.stale);
  const areas = new Map<string, Map<string, VerdictCounts>>();
  for (const row of current) {
    const posture = postureOf(row.tenant);
    addVerdict(posture.totals, row.status, row.total);
    if (row.status === "fail" || row.status === "error") {
      posture.openBySeverity[row.severity] += row.total;
    }
    if (row.stale) posture.stale += row.total;
    const ownerAreas = areas.get(ownerKey(row.tenant)) ?? new Map<string, VerdictCounts>();
    areas.set(ownerKey(row.tenant), ownerAreas);
    const area = areaOf(row.control);
    const counts = ownerAreas.get(area) ?? emptyCounts();
    ownerAreas.set(area, counts);
    addVerdict(counts, row.status, row.total);
  }

  const dates = trendDates(now);
  const windowStart = new Date(Date.parse(`${dates[0]}T00:00:00.000Z`));
  const f = tables.findings;
  const s = tables.scans;
  const finishedAt = sql<Date>`coalesce(${s.finishedAt}, ${s.startedAt})`.mapWith(s.startedAt);
  const recorded = await db
    .select({ scanId: f.scanId, tenant: f.tenant, status: f.status, finishedAt, total: count() })
    .from(f)
    .innerJoin(s, sql`${s.id} = ${f.scanId}`)
    .where(
      and(gte(s.startedAt, windowStart), ne(s.status, "running"), ownerCondition(scope, f.tenant)),
    )
    .groupBy(f.scanId, f.tenant, f.status, s.finishedAt, s.startedAt);
  const evaluations = new Map<string, Map<string, EvaluationCounts>>();
  for (const row of recorded) {
    const ofOwner = evaluations.get(ownerKey(row.tenant)) ?? new Map<string, EvaluationCounts>();
    evaluations.set(ownerKey(row.tenant), ofOwner);
    const evaluation = ofOwner.get(row.scanId) ?? { at: row.finishedAt, counts: emptyCounts() };
    ofOwner.set(row.scanId, evaluation);
    addVerdict(evaluation.counts, row.status, row.total);
  }

  const result = [...byOwner.values()].filter((posture) => only?.(posture.tenant) ?? true);
  // The evaluation current when the window opens carries the trend until the first one inside.
  for (const posture of result) {
    const before = await countsBefore(db, posture.tenant, windowStart);
    if (before === null) continue;
    const ofOwner =
      evaluations.get(ownerKey(posture.tenant)) ?? new Map<string, EvaluationCounts>();
    evaluations.set(ownerKey(posture.tenant), ofOwner);
    ofOwner.set(before.scanId, { at: new Date(windowStart.getTime() - 1), counts: before.counts });
  }
  for (const posture of result) {
    const key = ownerKey(posture.tenant);
    posture.areas = [...(areas.get(key) ?? new Map<string, VerdictCounts>()).entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([area, counts]) => ({ area, counts }));
    posture.trend = trendOf([...(evaluations.get(key)?.values() ?? [])], dates);
  }
  return result;
}
