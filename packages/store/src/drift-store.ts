import {
  type AlertBatch,
  type AlertItem,
  type CanonicalResource,
  type DriftEventKind,
  type Finding,
  type FindingDiffResult,
  type FindingEvent,
  type FindingState,
  findingIdentity,
  type OwnerId,
  type Provider,
  type Severity,
  selectAlerts,
  type VerdictSnapshot,
} from "@plumbline/rules";
import { and, desc, eq, isNull, ne, or, type SQL, sql } from "drizzle-orm";
import { type StoreDatabase, selectRows } from "./connection.js";
import {
  driftEvents,
  findingState,
  findings,
  outbox,
  resources,
  scanAccounts,
  scans,
} from "./schema.js";

/** Rows per statement, as elsewhere in the store. */
const sliceSize = 500;

function* slices<T>(items: readonly T[]): Generator<T[]> {
  for (let start = 0; start < items.length; start += sliceSize) {
    yield items.slice(start, start + sliceSize);
  }
}

/** What the store knows about one owner before an evaluation. */
export interface OwnerHistory {
  /** The owner's current finding state, stale verdicts included. */
  states: FindingState[];
  /** Identities (`findingIdentity`) of the owner that were resolved at least once. */
  resolvedBefore: Set<string>;
  /**
   * Identities whose last opening or closing event left them open, or that have no such event
   * and failed in an earlier scan (the baseline records no events).
   */
  openBefore: Set<string>;
  /** Whether any earlier scan evaluated the owner; the first evaluation is its baseline. */
  evaluatedBefore: boolean;
}

/** The latest collection of an account, from an inventory or full scan. */
export interface LatestCollection {
  scanId: string;
  provider: Provider;
  account: string;
  owner: OwnerId;
  status: "complete" | "partial" | "failed";
  reason: string | null;
  resources: number;
  skippedRegions: string[];
  completeRegions: string[];
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** One drift event to record that is not about a finding: a resource appeared, went or changed. */
export interface ResourceEventInput {
  kind: "appeared" | "disappeared" | "changed";
  /** The owner of the resource's account; null when the policy does not map it. */
  tenant: OwnerId;
  resource: CanonicalResource;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  at: Date;
}

/** A recorded drift event. */
export type DriftEventRecord = typeof driftEvents.$inferSelect;

/** The drift events a scan recorded, in the order they were recorded. */
export async function readScanDriftEvents(
  db: StoreDatabase,
  scanId: string,
): Promise<DriftEventRecord[]> {
  return db
    .select()
    .from(driftEvents)
    .where(eq(driftEvents.scanId, scanId))
    .orderBy(driftEvents.id);
}

/** Everything one owner's evaluation writes, in one transaction. */
export interface EvaluationRecord {
  scanId: string;
  /** The evaluation's batch: its events and its outbox row carry it. */
  batchId: string;
  owner: OwnerId;
  /** When the evaluation is recorded. */
  at: Date;
  /** The owner's state after the evaluation; its findings are the scan's findings. */
  next: FindingState[];
  events: FindingEvent[];
  /** Where alerts go; null when the policy configures no alert channel. */
  alerts: { channel: "slack"; minSeverity: Severity } | null;
}

/** What recordEvaluation wrote. */
export interface EvaluationRecordResult {
  events: number;
  /** Items in the outbox row; 0 when none was written. */
  alerts: number;
}

type StateRow = typeof findingState.$inferSelect;

function ownerIs(
  column: typeof findingState.tenant | typeof driftEvents.tenant | typeof findings.tenant,
  owner: OwnerId,
) {
  return owner === null ? isNull(column) : eq(column, owner);
}

/** The columns a finding row shares with a finding state row. */
type FindingColumns = Pick<
  StateRow,
  | "control"
  | "provider"
  | "account"
  | "tenant"
  | "resource"
  | "subjectKey"
  | "type"
  | "region"
  | "status"
  | "severity"
  | "message"
  | "evidence"
  | "waiver"
  | "stale"
  | "staleReason"
>;

/** A stored finding or finding state row as the rules package reads it. */
export function findingOf(row: FindingColumns): Finding {
  const finding: Finding = {
    control: row.control,
    provider: row.provider,
    account: row.account,
    tenant: row.tenant,
    resource: row.resource,
    subjectKey: row.subjectKey,
    type: row.type,
    region: row.region,
    status: row.status,
    severity: row.severity,
    message: row.message,
    evidence: row.evidence,
  };
  if (row.waiver !== null) finding.waiver = row.waiver;
  if (row.stale) {
    finding.stale = true;
    finding.staleReason = row.staleReason ?? "";
  }
  return finding;
}

function toFindingState(row: StateRow): FindingState {
  return {
    finding: findingOf(row),
    firstSeen: row.firstSeen,
    statusSince: row.statusSince,
    lastEvaluatedAt: row.lastEvaluatedAt,
    lastScanId: row.lastScanId,
  };
}

/** Reads an owner's finding state and the history the diff needs. */
export async function readOwnerHistory(db: StoreDatabase, owner: OwnerId): Promise<OwnerHistory> {
  const rows = await db.select().from(findingState).where(ownerIs(findingState.tenant, owner));
  const resolved = await db
    .selectDistinct({
      tenant: driftEvents.tenant,
      control: driftEvents.control,
      subjectKey: driftEvents.subjectKey,
    })
    .from(driftEvents)
    .where(and(eq(driftEvents.kind, "resolved"), ownerIs(driftEvents.tenant, owner)));
  const evaluatedBefore = rows.length > 0 || (await hasEvaluated(db, owner));
  const open = await selectRows<{ tenant: string | null; control: string; subject_key: string }>(
    db,
    sql`select tenant, control, subject_key from (
      select distinct on (tenant, control, subject_key) tenant, control, subject_key, kind
      from drift_events
      where tenant is not distinct from ${owner} and control is not null
        and kind in ('opened', 'reopened', 'waiver-expired', 'resolved', 'waived')
      order by tenant, control, subject_key, at desc, id desc) latest
    where kind in ('opened', 'reopened', 'waiver-expired')
    union
    -- Failures found by the baseline, which records no events, and neither closed nor reopened.
    select distinct f.tenant, f.control, f.subject_key from findings f
    where f.tenant is not distinct from ${owner} and f.status = 'fail'
      and not exists (select 1 from drift_events e where e.tenant is not distinct from f.tenant
        and e.control = f.control and e.subject_key = f.subject_key
        and e.kind in ('opened', 'reopened', 'waiver-expired', 'resolved', 'waived'))`,
  );
  return {
    states: rows.map(toFindingState),
    resolvedBefore: new Set(
      resolved.map((row) => findingIdentity({ ...row, control: row.control ?? "" })),
    ),
    openBefore: new Set(
      open.map((row) => findingIdentity({ ...row, subjectKey: row.subject_key })),
    ),
    evaluatedBefore,
  };
}

/**
 * Whether a finished scan evaluated the owner before: an evaluation scan of it, or a full scan
 * that recorded one of its accounts (full scans evaluate unmapped accounts every time).
 */
async function hasEvaluated(db: StoreDatabase, owner: OwnerId): Promise<boolean> {
  const ownerMatches =
    owner === null
      ? sql`true`
      : sql`exists (select 1 from scan_accounts a
        where a.scan_id = s.id and a.owner = ${owner})`;
  const [row] = await selectRows<{ found: boolean }>(
    db,
    sql`select exists (
      select 1 from scans s
      where s.status <> 'running' and (
        (s.kind = 'evaluation' and s.owner is not distinct from ${owner})
        or (s.kind = 'full' and ${ownerMatches}))
    ) as found`,
  );
  return row?.found === true;
}

/** The latest collection of every account, from inventory and full scans. */
export async function readLatestCollections(db: StoreDatabase): Promise<LatestCollection[]> {
  const rows = await db
    .selectDistinctOn([scanAccounts.provider, scanAccounts.account], {
      scanId: scanAccounts.scanId,
      provider: scanAccounts.provider,
      account: scanAccounts.account,
      owner: scanAccounts.owner,
      status: scanAccounts.status,
      reason: scanAccounts.reason,
      resources: scanAccounts.resources,
      skippedRegions: scanAccounts.skippedRegions,
      completeRegions: scanAccounts.completeRegions,
      startedAt: scanAccounts.startedAt,
      finishedAt: scanAccounts.finishedAt,
    })
    .from(scanAccounts)
    .innerJoin(scans, eq(scans.id, scanAccounts.scanId))
    .where(ne(scans.kind, "evaluation"))
    .orderBy(
      scanAccounts.provider,
      scanAccounts.account,
      desc(scans.startedAt),
      desc(scanAccounts.finishedAt),
    );
  return rows;
}

/**
 * Keys of the resources still in the inventory of an account that its latest collection did
 * not see (it was partial or failed, so they were not marked deleted).
 */
export async function readUnseenResourceKeys(
  db: StoreDatabase,
  collection: Pick<LatestCollection, "provider" | "account" | "scanId">,
): Promise<string[]> {
  const rows = await db
    .select({ key: resources.key })
    .from(resources)
    .where(
      and(
        eq(resources.provider, collection.provider),
        eq(resources.account, collection.account),
        isNull(resources.deletedAt),
        or(isNull(resources.lastScanId), ne(resources.lastScanId, collection.scanId)),
      ),
    );
  return rows.map((row) => row.key);
}

/** A stored resource row as the rules package reads it. */
export function toCanonicalResource(row: typeof resources.$inferSelect): CanonicalResource {
  return {
    provider: row.provider,
    account: row.account,
    key: row.key,
    id: row.id,
    type: row.type,
    region: row.region,
    location: row.location,
    name: row.name,
    tags: row.tags,
    raw: row.raw,
    references: row.references,
    parentKey: row.parentKey,
  };
}

/** The stored, not deleted, resources with these keys. */
export async function readResources(
  db: StoreDatabase,
  provider: Provider,
  keys: readonly string[],
): Promise<CanonicalResource[]> {
  const found: CanonicalResource[] = [];
  for (const slice of slices([...new Set(keys)])) {
    const rows = await db
      .select()
      .from(resources)
      .where(
        and(
          eq(resources.provider, provider),
          isNull(resources.deletedAt),
          sql`${resources.key} = any(${sql.param(slice)}::text[])`,
        ),
      );
    found.push(...rows.map(toCanonicalResource));
  }
  return found;
}

/** Every account any scan has collected, to tell a baseline collection from a later one. */
export async function readCollectedAccounts(
  db: StoreDatabase,
): Promise<{ provider: Provider; account: string }[]> {
  return db
    .selectDistinct({ provider: scanAccounts.provider, account: scanAccounts.account })
    .from(scanAccounts);
}

/** Records resource events of one collection batch; returns how many. */
export async function insertResourceEvents(
  db: StoreDatabase,
  scanId: string | null,
  batchId: string,
  events: readonly ResourceEventInput[],
): Promise<number> {
  for (const slice of slices(events)) {
    await db.insert(driftEvents).values(
      slice.map((event) => ({
        at: event.at,
        kind: event.kind,
        tenant: event.tenant,
        control: null,
        subjectKey: event.resource.key,
        resource: event.resource.id,
        provider: event.resource.provider,
        account: event.resource.account,
        region: event.resource.region,
        severity: null,
        before: event.before,
        after: event.after,
        scanId,
        batchId,
      })),
    );
  }
  return events.length;
}

/** A finding's values in the columns the scan's findings and the finding state share. */
export function findingColumnsOf(finding: Finding) {
  return {
    tenant: finding.tenant,
    control: finding.control,
    subject_key: finding.subjectKey,
    resource: finding.resource,
    provider: finding.provider,
    account: finding.account,
    type: finding.type,
    region: finding.region,
    status: finding.status,
    severity: finding.severity,
    message: finding.message,
    evidence: finding.evidence,
    waiver: finding.waiver ?? null,
    stale: finding.stale === true,
    stale_reason: finding.staleReason ?? null,
  };
}

function findingRowsOf(scanId: string, states: readonly FindingState[]) {
  return states.map(({ finding }) => ({ scan_id: scanId, ...findingColumnsOf(finding) }));
}

const findingColumns = sql`tenant text, control text, subject_key text, resource text,
  provider provider, account text, type text, region text, status verdict, severity severity,
  message text, evidence jsonb, waiver jsonb, stale boolean, stale_reason text`;

/** Stores these verdicts as the scan's findings, replacing any the scan holds for them. */
async function upsertScanFindings(
  db: StoreDatabase,
  scanId: string,
  states: readonly FindingState[],
): Promise<void> {
  for (const slice of slices(states)) {
    const payload = JSON.stringify(findingRowsOf(scanId, slice));
    await db.execute(sql`
      insert into findings (scan_id, tenant, control, subject_key, resource, provider,
        account, type, region, status, severity, message, evidence, waiver, stale, stale_reason)
      select ${scanId}::uuid, tenant, control, subject_key, resource, provider, account, type,
        region, status, severity, message, evidence, waiver, stale, stale_reason
      from jsonb_to_recordset(${payload}::jsonb) as given(${findingColumns})
      on conflict (scan_id, tenant, control, subject_key) do update set
        resource = excluded.resource, provider = excluded.provider, account = excluded.account,
        type = excluded.type, region = excluded.region, status = excluded.status,
        severity = excluded.severity, message = excluded.message, evidence = excluded.evidence,
        waiver = excluded.waiver, stale = excluded.stale, stale_reason = excluded.stale_reason`);
  }
}

/** Stores these states of the owner, replacing the rows of the same identities. */
async function upsertStates(
  db: StoreDatabase,
  scanId: string,
  states: readonly FindingState[],
): Promise<void> {
  for (const slice of slices(states)) {
    const payload = JSON.stringify(
      slice.map((state) => ({
        ...findingRowsOf(scanId, [state])[0],
        first_seen: state.firstSeen.toISOString(),
        status_since: state.statusSince.toISOString(),
        last_evaluated_at: state.lastEvaluatedAt.toISOString(),
        // A carried verdict still belongs to the scan that last judged it freshly.
        last_scan_id: state.finding.stale === true ? (state.lastScanId ?? null) : scanId,
      })),
    );
    await db.execute(sql`
      insert into finding_state (tenant, control, subject_key, resource, provider, account,
        type, region, status, severity, message, evidence, waiver, stale, stale_reason,
        first_seen, status_since, last_evaluated_at, last_scan_id)
      select tenant, control, subject_key, resource, provider, account, type, region, status,
        severity, message, evidence, waiver, stale, stale_reason, first_seen, status_since,
        last_evaluated_at, last_scan_id
      from jsonb_to_recordset(${payload}::jsonb) as given(${findingColumns},
        first_seen timestamptz, status_since timestamptz, last_evaluated_at timestamptz,
        last_scan_id uuid)
      on conflict (tenant, control, subject_key) do update set
        resource = excluded.resource, provider = excluded.provider, account = excluded.account,
        type = excluded.type, region = excluded.region, status = excluded.status,
        severity = excluded.severity, message = excluded.message, evidence = excluded.evidence,
        waiver = excluded.waiver, stale = excluded.stale, stale_reason = excluded.stale_reason,
        first_seen = excluded.first_seen, status_since = excluded.status_since,
        last_evaluated_at = excluded.last_evaluated_at, last_scan_id = excluded.last_scan_id`);
  }
}

/** Deletes the state rows of these findings of the owner. */
async function deleteStates(
  db: StoreDatabase,
  owner: OwnerId,
  gone: readonly Finding[],
): Promise<void> {
  for (const slice of slices(gone)) {
    const controls = slice.map((finding) => finding.control);
    const subjects = slice.map((finding) => finding.subjectKey);
    await db.execute(sql`
      delete from finding_state
      where ${ownerSql(sql`tenant`, owner)}
        and (control, subject_key) in (
          select * from unnest(${sql.param(controls)}::text[], ${sql.param(subjects)}::text[]))`);
  }
}

/** Records finding events and returns the alert items they call for. */
async function insertFindingEvents(
  db: StoreDatabase,
  record: Pick<EvaluationRecord, "scanId" | "batchId" | "alerts">,
  events: readonly FindingEvent[],
): Promise<{ events: number; alerts: AlertItem[] }> {
  const { scanId, batchId } = record;
  const result = { events: 0, alerts: [] as AlertItem[] };
  for (const slice of slices(events)) {
    const stored = await db
      .insert(driftEvents)
      .values(
        slice.map((event) => ({
          at: event.at,
          kind: event.kind,
          tenant: event.finding.tenant,
          control: event.finding.control,
          subjectKey: event.finding.subjectKey,
          resource: event.finding.resource,
          provider: event.finding.provider,
          account: event.finding.account,
          region: event.finding.region,
          severity: event.finding.severity,
          before: event.before,
          after: event.after,
          scanId,
          batchId,
        })),
      )
      .returning();
    result.events += stored.length;
    if (record.alerts === null) continue;
    const candidates = stored.map((row) => {
      const before = row.before as VerdictSnapshot | null;
      const after = row.after as VerdictSnapshot | null;
      return {
        eventId: row.id,
        kind: row.kind as DriftEventKind,
        tenant: row.tenant,
        control: row.control,
        severity: row.severity,
        resource: row.resource,
        subjectKey: row.subjectKey,
        provider: row.provider,
        account: row.account,
        region: row.region,
        message: after?.message ?? before?.message ?? "",
        before: before?.status ?? null,
        after: after?.status ?? null,
        at: row.at,
        stale: false,
      };
    });
    result.alerts.push(...selectAlerts(candidates, { minSeverity: record.alerts.minSeverity }));
  }
  return result;
}

/** Writes the evaluation's one outbox row, when it has alert items and a channel. */
async function insertAlertBatch(
  db: StoreDatabase,
  record: Pick<EvaluationRecord, "scanId" | "batchId" | "at" | "alerts">,
  items: AlertItem[],
): Promise<void> {
  if (record.alerts === null || items.length === 0) return;
  const { batchId, scanId, at } = record;
  const batch: AlertBatch = { batchId, scanId, createdAt: at.toISOString(), items };
  await db.insert(outbox).values({
    channel: record.alerts.channel,
    batchId,
    createdAt: at,
    payload: batch as unknown as Record<string, unknown>,
  });
}

/**
 * Makes the transaction wait for any other that records an evaluation of the owner, until its
 * end: each then diffs the state the one before it committed.
 */
async function lockOwner(db: StoreDatabase, owner: OwnerId): Promise<void> {
  await db.execute(
    sql`select pg_advisory_xact_lock(hashtextextended(${`finding_state:${owner ?? ""}`}, 0))`,
  );
}

/**
 * Writes one owner's evaluation in a single transaction: the scan's findings, the owner's finding
 * state (replaced whole), the drift events, and the outbox row with the alerts the events call
 * for. Either all of it is stored or none. It holds the whole evaluation in memory:
 * recordOwnerEvaluation is the streaming form the scan pipeline uses.
 */
export async function recordEvaluation(
  db: StoreDatabase,
  record: EvaluationRecord,
): Promise<EvaluationRecordResult> {
  const { scanId, owner } = record;
  return db.transaction(async (tx) => {
    await lockOwner(tx, owner);
    await upsertScanFindings(tx, scanId, record.next);
    // The owner's state is replaced whole: the rows of subjects that are gone disappear with it.
    await tx.delete(findingState).where(ownerIs(findingState.tenant, owner));
    await upsertStates(tx, scanId, record.next);
    const written = await insertFindingEvents(tx, record, record.events);
    await insertAlertBatch(tx, record, written.alerts);
    return { events: written.events, alerts: written.alerts.length };
  });
}

/** A slice of one owner's finding identities, with what the diff needs to know of them. */
export interface OwnerEvaluationChunk {
  /** The owner's stored state of the slice's identities, stale verdicts included. */
  previous: FindingState[];
  /** The scan's findings of the owner in the slice, as stored by writeFindings. */
  current: Finding[];
  /** Identities of `current` that were resolved at least once. */
  resolvedBefore: Set<string>;
  /**
   * Identities of `current` whose last opening or closing event left them open, or, for those
   * stored as unreadable (`error`), that have no such event and failed in an earlier scan.
   */
  openBefore: Set<string>;
  /** No earlier scan evaluated the owner: this evaluation is its baseline. */
  baseline: boolean;
}

/** One owner's evaluation, recorded slice by slice from the findings its scan stored. */
export interface OwnerEvaluationRecord {
  scanId: string;
  /** The evaluation's batch: its events and its outbox row carry it. */
  batchId: string;
  owner: OwnerId;
  /** When the evaluation is recorded. */
  at: Date;
  /** Where alerts go; null when the policy configures no alert channel. */
  alerts: { channel: "slack"; minSeverity: Severity } | null;
  /** Identities per slice; 1000 when left out. */
  chunkSize?: number;
  /**
   * Diffs one slice: the new state of its identities (written as state, and as the scan's
   * findings where carried on stale), the events to record, and the findings whose state ends.
   */
  diff(chunk: OwnerEvaluationChunk): FindingDiffResult;
}

/** What recordOwnerEvaluation wrote. */
export interface OwnerEvaluationResult extends EvaluationRecordResult {
  /** Whether this was the owner's first evaluation, which records no events. */
  baseline: boolean;
}

const defaultChunkSize = 1000;

/** An identity within one owner: the order slices follow. */
interface OwnerIdentity {
  control: string;
  subjectKey: string;
}

function ownerSql(column: SQL, owner: OwnerId): SQL {
  return owner === null ? sql`${column} is null` : sql`${column} = ${owner}`;
}

/** `(control, subject_key)` lies after `after` and up to `upTo`; either bound may be absent. */
function withinSql(after: OwnerIdentity | null, upTo: OwnerIdentity | null): SQL {
  const lower =
    after === null
      ? sql`true`
      : sql`(control, subject_key) > (${after.control}, ${after.subjectKey})`;
  const upper =
    upTo === null
      ? sql`true`
      : sql`(control, subject_key) <= (${upTo.control}, ${upTo.subjectKey})`;
  return sql`${lower} and ${upper}`;
}

/**
 * The last identity of the next slice after `after`: the `size`-th of the scan's findings and
 * the stored state together, in identity order; null when fewer remain, and the slice is the
 * rest. Each side then holds at most `size` rows of the slice. Comparisons run in the
 * database, so both sides follow one collation, the one their unique indexes are ordered by;
 * ordering by the tenant too lets those indexes serve the unmapped owner, whose tenant is null.
 */
async function sliceEnd(
  db: StoreDatabase,
  scanId: string,
  owner: OwnerId,
  after: OwnerIdentity | null,
  size: number,
): Promise<OwnerIdentity | null> {
  const [row] = await selectRows<{ control: string; subject_key: string }>(
    db,
    sql`select control, subject_key from (
      (select tenant, control, subject_key from findings
        where scan_id = ${scanId} and ${ownerSql(sql`tenant`, owner)} and ${withinSql(after, null)}
        order by tenant, control, subject_key limit ${size})
      union all
      (select tenant, control, subject_key from finding_state
        where ${ownerSql(sql`tenant`, owner)} and ${withinSql(after, null)}
        order by tenant, control, subject_key limit ${size})
    ) ids
    order by tenant, control, subject_key offset ${size - 1} limit 1`,
  );
  return row === undefined ? null : { control: row.control, subjectKey: row.subject_key };
}

/** The opening and closing history of these identities of the owner, before this scan. */
async function readChunkHistory(
  db: StoreDatabase,
  scanId: string,
  owner: OwnerId,
  current: readonly Finding[],
): Promise<Pick<OwnerEvaluationChunk, "resolvedBefore" | "openBefore">> {
  const history = { resolvedBefore: new Set<string>(), openBefore: new Set<string>() };
  if (current.length === 0) return history;
  const controls = current.map((finding) => finding.control);
  const subjects = current.map((finding) => finding.subjectKey);
  const event = sql`e.control = ids.control and e.subject_key = ids.subject_key
    and ${ownerSql(sql`e.tenant`, owner)}`;
  const rows = await selectRows<{
    control: string;
    subject_key: string;
    resolved: boolean;
    open: boolean;
  }>(
    db,
    sql`select ids.control, ids.subject_key,
        exists (select 1 from drift_events e where ${event} and e.kind = 'resolved') as resolved,
        coalesce((select e.kind in ('opened', 'reopened', 'waiver-expired') from drift_events e
          where ${event}
            and e.kind in ('opened', 'reopened', 'waiver-expired', 'resolved', 'waived')
          order by e.at desc, e.id desc limit 1),
          -- A baseline records no events, so a failure it found has none; any later opening or
          -- closing records one. An earlier scan's failure without events is that failure.
          -- Only an unreadable finding needs it (the diff asks nothing else), so the scan's
          -- history is searched for those alone, not for every finding that never changed.
          (select exists (select 1 from findings f where f.control = ids.control
              and f.subject_key = ids.subject_key and ${ownerSql(sql`f.tenant`, owner)}
              and f.status = 'fail' and f.scan_id <> ${scanId})
            from finding_state s where s.control = ids.control
              and s.subject_key = ids.subject_key and ${ownerSql(sql`s.tenant`, owner)}
              and s.status = 'error'),
          false) as open
      from unnest(${sql.param(controls)}::text[], ${sql.param(subjects)}::text[])
        as ids(control, subject_key)`,
  );
  for (const row of rows) {
    const identity = findingIdentity({
      tenant: owner,
      control: row.control,
      subjectKey: row.subject_key,
    });
    if (row.resolved) history.resolvedBefore.add(identity);
    if (row.open) history.openBefore.add(identity);
  }
  return history;
}

/**
 * Records one owner's evaluation from the findings its scan already stored with writeFindings,
 * a slice of identities at a time: both the scan's findings and the owner's state are read in
 * identity order, each slice is diffed, and its state, stale findings carried on and events are
 * written before the next is read. Memory holds one slice and the alert items, not the owner's
 * findings. It all happens in one transaction, the outbox row last: either all of it is stored
 * or none. Evaluations of one owner wait for each other, so each diffs the state the one before
 * it wrote.
 */
export async function recordOwnerEvaluation(
  db: StoreDatabase,
  record: OwnerEvaluationRecord,
): Promise<OwnerEvaluationResult> {
  const { scanId, owner } = record;
  const size = record.chunkSize ?? defaultChunkSize;
  return db.transaction(async (tx) => {
    await lockOwner(tx, owner);
    const [stateRow] = await tx
      .select({ found: sql<number>`1` })
      .from(findingState)
      .where(ownerIs(findingState.tenant, owner))
      .limit(1);
    const baseline = stateRow === undefined && !(await hasEvaluated(tx, owner));

    const alerts: AlertItem[] = [];
    let events = 0;
    let after: OwnerIdentity | null = null;
    for (;;) {
      const upTo = await sliceEnd(tx, scanId, owner, after, size);
      const current = await tx
        .select()
        .from(findings)
        .where(
          and(eq(findings.scanId, scanId), ownerIs(findings.tenant, owner), withinSql(after, upTo)),
        )
        .orderBy(findings.tenant, findings.control, findings.subjectKey);
      const previous = await tx
        .select()
        .from(findingState)
        .where(and(ownerIs(findingState.tenant, owner), withinSql(after, upTo)))
        .orderBy(findingState.tenant, findingState.control, findingState.subjectKey);
      if (current.length === 0 && previous.length === 0) break;
      const currentFindings = current.map(findingOf);
      const diff = record.diff({
        previous: previous.map(toFindingState),
        current: currentFindings,
        // A baseline records no events, so the past of its findings does not matter.
        ...(await readChunkHistory(tx, scanId, owner, baseline ? [] : currentFindings)),
        baseline,
      });

      await upsertStates(tx, scanId, diff.next);
      await deleteStates(tx, owner, diff.removed);
      // The scan's fresh findings are stored already; only the verdicts carried on differ.
      await upsertScanFindings(
        tx,
        scanId,
        diff.next.filter((state) => state.finding.stale === true),
      );
      const written = await insertFindingEvents(tx, record, diff.events);
      events += written.events;
      alerts.push(...written.alerts);
      if (upTo === null) break;
      after = upTo;
    }

    await insertAlertBatch(tx, record, alerts);
    return { events, alerts: alerts.length, baseline };
  });
}
