import type {
  AccountCollection,
  CanonicalResource,
  Finding,
  OwnerId,
  Provider,
} from "@plumbline/rules";
import { and, asc, desc, eq, inArray, isNull, ne, or, type SQL, sql } from "drizzle-orm";
import {
  type Connection,
  connect,
  countAppliedMigrations,
  type StoreDatabase,
  type StoreOptions,
  selectRows,
} from "./connection.js";
import { hashContent } from "./content-hash.js";
import {
  type DriftEventRecord,
  type EvaluationRecord,
  type EvaluationRecordResult,
  findingColumnsOf,
  findingOf,
  insertResourceEvents,
  type LatestCollection,
  type OwnerEvaluationRecord,
  type OwnerEvaluationResult,
  type OwnerHistory,
  type ResourceEventInput,
  readCollectedAccounts,
  readLatestCollections,
  readOwnerHistory,
  readResources,
  readScanDriftEvents,
  readUnseenResourceKeys,
  recordEvaluation,
  recordOwnerEvaluation,
  toCanonicalResource,
} from "./drift-store.js";
import {
  type CloudCallCounts,
  findings,
  resourceSnapshots,
  resources,
  scanAccounts,
  scans,
} from "./schema.js";
import { StoreError, toStoreError } from "./store-error.js";

/** Where a scan stands: `running` until finished, then how completely it collected. */
export type ScanStatus = "running" | "complete" | "partial" | "failed";

/** The state a scan can finish in. */
export type FinishedScanStatus = Exclude<ScanStatus, "running">;

/** What starts a scan. */
export interface CreateScanInput {
  /** Why the scan runs: `cli`, `schedule`, `api`, or any short word the caller chooses. */
  trigger: string;
  /** Hash of the policy file the scan evaluates against, to tell which policy a verdict used. */
  policyHash?: string | null;
  /** When the scan started; now when left out. */
  startedAt?: Date;
  /** What the scan does; `full` when left out. */
  kind?: ScanKind;
  /** The owner an `evaluation` scan evaluates (a tenant id or `platform`); null otherwise. */
  owner?: OwnerId;
}

/**
 * `full` collects and evaluates everything inline, `inventory` collects one account, `evaluation`
 * evaluates one owner over the latest inventory.
 */
export type ScanKind = "full" | "inventory" | "evaluation";

/** One account's collection within a scan, with its owner and timing. */
export interface ScanAccountRecord extends AccountCollection {
  /** Tenant id, `platform`, or null for an account the policy does not map. */
  owner: OwnerId;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** A scan with the collection result of each of its accounts. */
export interface ScanRecord {
  id: string;
  startedAt: Date;
  /** Null while the scan runs. */
  finishedAt: Date | null;
  status: ScanStatus;
  trigger: string;
  policyHash: string | null;
  kind: ScanKind;
  /** The owner an `evaluation` scan evaluated; null for other scans. */
  owner: OwnerId;
  /** Requests made to the clouds, when the scan recorded them. */
  cloudCalls: CloudCallCounts | null;
  /** Ordered by provider, then account. */
  accounts: ScanAccountRecord[];
}

/** When an account's collection ran. */
export interface AccountTiming {
  startedAt?: Date | null;
  /** Now when left out. */
  finishedAt?: Date | null;
}

/** What one writeResources call changed. */
export interface WriteResourcesResult {
  /** Resources stored (a key given twice in one call counts once). */
  written: number;
  /** Resources that are new or whose content changed, each given a snapshot. */
  changed: number;
}

/** Which resources a scan left unseen, to be marked deleted. */
export interface UnseenResourceScope {
  provider: Provider;
  account: string;
  /**
   * Only resources in these canonical regions (the regions collected completely); every
   * region of the account when left out.
   */
  regions?: string[];
}

/** Which resources to stream, and in pages of how many. */
export interface StreamResourcesOptions {
  /**
   * Only the resources whose latest sighting was this scan. Left out: the current inventory,
   * every resource not marked deleted.
   */
  scanId?: string;
  /** Resources per page; 500 when left out. */
  batchSize?: number;
}

/** One content a resource has had, captured by the scan that first saw it. */
export interface ResourceSnapshot {
  /** SHA-256 (hex) of the RFC 8785 canonical JSON of `raw`. */
  contentHash: string;
  raw: Record<string, unknown>;
  /** Null once that scan has been deleted. */
  scanId: string | null;
  capturedAt: Date;
}

/** What a migrate call did. */
export interface MigrationResult {
  /** Migrations applied by this call; 0 when the schema was already current. */
  applied: number;
  /** Migrations the database now records as applied. */
  total: number;
}

/**
 * Plumbline's database: scans, the collected inventory with its history, and findings.
 * Every method throws StoreError on failure.
 */
export interface Store {
  /** Which driver holds the data. */
  readonly driver: "postgres" | "pglite";
  /**
   * The drizzle database, for packages that run their own queries over the tables of
   * `schema.ts` (the API's read models, drift and the outbox).
   */
  readonly database: StoreDatabase;
  /** Applies pending migrations; openStore has already done so once. */
  migrate(): Promise<MigrationResult>;
  createScan(input: CreateScanInput): Promise<{ id: string; startedAt: Date }>;
  /** Records (or replaces) how one account was collected in a scan. */
  recordAccountCollection(
    scanId: string,
    owner: OwnerId,
    collection: AccountCollection,
    timing?: AccountTiming,
  ): Promise<void>;
  /**
   * Stores the current state of resources seen in a scan, one row per (provider, key), and a
   * snapshot of each one whose content hash is new. Written in slices of 500, each atomic on
   * its own: a failure leaves the slices before it stored.
   */
  writeResources(
    scanId: string,
    resources: CanonicalResource[],
    /** When the scan saw them (default: now); a replayed scan passes its own clock. */
    seenAt?: Date,
  ): Promise<WriteResourcesResult>;
  /**
   * Marks deleted the resources of one account that this scan did not see. Call it only for
   * what the scan collected completely. Returns how many were marked.
   */
  markUnseenResourcesDeleted(scanId: string, scope: UnseenResourceScope): Promise<number>;
  /** Every content the resource has had, oldest first; empty for a key never stored. */
  listResourceSnapshots(provider: Provider, key: string): Promise<ResourceSnapshot[]>;
  /** Pages through resources in (provider, key) order without holding them all in memory. */
  streamResources(options?: StreamResourcesOptions): AsyncIterable<CanonicalResource[]>;
  /**
   * Stores findings; a finding whose identity the scan already has replaces it. Two findings
   * with one identity in the same call are a conflict, and nothing is written.
   */
  writeFindings(scanId: string, findings: Finding[]): Promise<void>;
  /**
   * Pages through a scan's findings ordered by tenant (unmapped first), control, resource,
   * compared byte by byte; 500 per page when batchSize is left out.
   */
  streamFindings(scanId: string, batchSize?: number): AsyncIterable<Finding[]>;
  /** Records how the scan ended and, when given, the calls it made to the clouds. */
  finishScan(
    scanId: string,
    status: FinishedScanStatus,
    finishedAt: Date,
    cloudCalls?: CloudCallCounts,
  ): Promise<void>;
  /** The scan, or null when there is none with that id. */
  getScan(scanId: string): Promise<ScanRecord | null>;
  /** The most recently started scan, or null before the first. */
  latestScan(): Promise<ScanRecord | null>;
  /** An owner's finding state, with what the drift diff needs to know of its past. */
  readOwnerHistory(owner: OwnerId): Promise<OwnerHistory>;
  /**
   * Writes one owner's evaluation in one transaction: the scan's findings, the owner's finding
   * state, the drift events and the outbox row of the alerts they call for.
   */
  recordEvaluation(record: EvaluationRecord): Promise<EvaluationRecordResult>;
  /**
   * Records one owner's evaluation from the findings its scan stored with writeFindings, diffing
   * them against the owner's state a slice of identities at a time, so that memory holds one
   * slice: the owner's new state, the stale findings carried on, the drift events and the outbox
   * row of the alerts they call for, in one transaction.
   */
  recordOwnerEvaluation(record: OwnerEvaluationRecord): Promise<OwnerEvaluationResult>;
  /** The latest collection of every account, from inventory and full scans. */
  latestCollections(): Promise<LatestCollection[]>;
  /** Keys of inventory resources of the account that its latest collection did not see. */
  listUnseenResourceKeys(
    collection: Pick<LatestCollection, "provider" | "account" | "scanId">,
  ): Promise<string[]>;
  /** The stored, not deleted, resources with these keys. */
  readResources(provider: Provider, keys: readonly string[]): Promise<CanonicalResource[]>;
  /** Every account any scan has collected. */
  listCollectedAccounts(): Promise<{ provider: Provider; account: string }[]>;
  /**
   * Marks deleted the resources of one account that this scan did not see, like
   * markUnseenResourcesDeleted, and returns them as they were last stored.
   */
  removeUnseenResources(
    scanId: string,
    scope: UnseenResourceScope,
    /** When the scan found them gone (default: now). */
    at?: Date,
  ): Promise<CanonicalResource[]>;
  /** The drift events a scan recorded, in the order they were recorded. */
  listScanDriftEvents(scanId: string): Promise<DriftEventRecord[]>;
  /** Records the resource events of one collection; returns how many. */
  recordResourceEvents(
    scanId: string | null,
    batchId: string,
    events: readonly ResourceEventInput[],
  ): Promise<number>;
  close(): Promise<void>;
}

/** Rows per statement: bounds the size of one jsonb parameter and of one transaction. */
const writeBatchSize = 500;
const defaultPageSize = 500;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function assertScanId(scanId: string, operation: string): void {
  if (!uuidPattern.test(scanId)) {
    throw new StoreError("not-found", operation);
  }
}

function assertPageSize(size: number, operation: string): void {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(
      `Cannot ${operation}: batch size must be a positive integer, got ${size}.`,
    );
  }
}

function* chunk<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) {
    yield items.slice(start, start + size);
  }
}

function identify(provider: Provider, key: string): string {
  return `${provider}\u0000${key}`;
}

type ResourceRow = typeof resources.$inferSelect;
type FindingRow = typeof findings.$inferSelect;
type ScanRow = typeof scans.$inferSelect;
type ScanAccountRow = typeof scanAccounts.$inferSelect;

function toScanAccount(row: ScanAccountRow): ScanAccountRecord {
  return {
    provider: row.provider,
    account: row.account,
    owner: row.owner,
    status: row.status,
    reason: row.reason,
    resources: row.resources,
    skippedRegions: row.skippedRegions,
    completeRegions: row.completeRegions,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}

/** Keeps the last of several resources with the same identity, in first-seen order. */
function dedupeResources(batch: CanonicalResource[]): CanonicalResource[] {
  const byIdentity = new Map<string, CanonicalResource>();
  for (const resource of batch) {
    byIdentity.set(identify(resource.provider, resource.key), resource);
  }
  return [...byIdentity.values()];
}

/** Whether two findings share (tenant, control, subject key), which a scan holds once. */
function hasRepeatedIdentity(batch: Finding[]): boolean {
  const identities = new Set(
    batch.map((finding) => JSON.stringify([finding.tenant, finding.control, finding.subjectKey])),
  );
  return identities.size < batch.length;
}

// The keyset of streamFindings; it must match findings_stream_idx expression for expression.
const findingOrder = [
  sql`(coalesce(${findings.tenant}, '') collate "C")`,
  sql`(${findings.control} collate "C")`,
  sql`(${findings.resource} collate "C")`,
  sql`${findings.id}`,
];

/** The keyset condition for the findings that follow `row` in streamFindings order. */
function placeAfterFinding(row: FindingRow): SQL {
  const keyset = sql.join(findingOrder, sql`, `);
  return sql`(${keyset}) > (${row.tenant ?? ""}, ${row.control}, ${row.resource}, ${row.id})`;
}

class DatabaseStore implements Store {
  constructor(private readonly connection: Connection) {}

  get driver(): "postgres" | "pglite" {
    return this.connection.driver;
  }

  get database(): StoreDatabase {
    return this.connection.db;
  }

  private get db() {
    return this.connection.db;
  }

  async migrate(): Promise<MigrationResult> {
    try {
      const before = await countAppliedMigrations(this.db);
      await this.connection.migrate();
      const after = await countAppliedMigrations(this.db);
      return { applied: after - before, total: after };
    } catch (error) {
      throw toStoreError(error, "apply database migrations", "migration");
    }
  }

  async createScan(input: CreateScanInput): Promise<{ id: string; startedAt: Date }> {
    try {
      const [row] = await this.db
        .insert(scans)
        .values({
          startedAt: input.startedAt ?? new Date(),
          trigger: input.trigger,
          policyHash: input.policyHash ?? null,
          kind: input.kind ?? "full",
          owner: input.owner ?? null,
        })
        .returning({ id: scans.id, startedAt: scans.startedAt });
      if (row === undefined) {
        throw new StoreError("unknown", "create a scan");
      }
      return row;
    } catch (error) {
      throw toStoreError(error, "create a scan");
    }
  }

  async recordAccountCollection(
    scanId: string,
    owner: OwnerId,
    collection: AccountCollection,
    timing: AccountTiming = {},
  ): Promise<void> {
    const operation = "record an account's collection";
    assertScanId(scanId, operation);

    const row = {
      scanId,
      provider: collection.provider,
      account: collection.account,
      owner,
      status: collection.status,
      reason: collection.reason,
      resources: collection.resources,
      skippedRegions: collection.skippedRegions,
      completeRegions: collection.completeRegions,
      startedAt: timing.startedAt ?? null,
      finishedAt: timing.finishedAt === undefined ? new Date() : timing.finishedAt,
    };

    try {
      await this.db
        .insert(scanAccounts)
        .values(row)
        .onConflictDoUpdate({
          target: [scanAccounts.scanId, scanAccounts.provider, scanAccounts.account],
          set: {
            owner: row.owner,
            status: row.status,
            reason: row.reason,
            resources: row.resources,
            skippedRegions: row.skippedRegions,
            completeRegions: row.completeRegions,
            startedAt: row.startedAt,
            finishedAt: row.finishedAt,
          },
        });
    } catch (error) {
      throw toStoreError(error, operation);
    }
  }

  async writeResources(
    scanId: string,
    batch: CanonicalResource[],
    seenAt = new Date(),
  ): Promise<WriteResourcesResult> {
    const operation = "write resources";
    assertScanId(scanId, operation);

    const result: WriteResourcesResult = { written: 0, changed: 0 };
    // One upsert per slice; a key repeated within one statement would make it fail.
    for (const slice of chunk(dedupeResources(batch), writeBatchSize)) {
      try {
        result.changed += await this.writeResourceSlice(scanId, slice, seenAt);
        result.written += slice.length;
      } catch (error) {
        throw toStoreError(error, operation);
      }
    }
    return result;
  }

  private async writeResourceSlice(
    scanId: string,
    slice: CanonicalResource[],
    seenAt: Date,
  ): Promise<number> {
    const payload = slice.map((resource) => ({
      provider: resource.provider,
      key: resource.key,
      id: resource.id,
      account: resource.account,
      type: resource.type,
      region: resource.region,
      location: resource.location,
      name: resource.name,
      tags: resource.tags,
      raw: resource.raw,
      references: resource.references,
      parent_key: resource.parentKey,
      content_hash: hashContent(resource.raw),
    }));

    // One statement per slice, its rows passed as a single jsonb parameter: building a
    // 500-row insert through the query builder cost more than the database spent running it.
    // Every part of the statement sees the table as it was before it, so `previous` holds the
    // hashes stored until now; the row lock keeps a concurrent writer out of that window.
    // Limitation: two writers storing the same new resource at the same moment both see no
    // stored hash, so its first content can be snapshotted twice.
    const [row] = await selectRows<{ changed: number }>(
      this.db,
      sql`
        with input as (
          select * from jsonb_to_recordset(${JSON.stringify(payload)}::jsonb) as given(
            provider provider, key text, id text, account text, type text, region text,
            location text, name text, tags jsonb, raw jsonb, "references" jsonb,
            parent_key text, content_hash text)
        ),
        previous as (
          select stored.provider, stored.key, stored.content_hash
          from resources stored
          join input on input.provider = stored.provider and input.key = stored.key
          for update of stored
        ),
        upserted as (
          insert into resources (provider, key, id, account, type, region, location, name, tags,
            raw, "references", parent_key, content_hash, first_seen, last_seen, last_scan_id,
            deleted_at)
          select provider, key, id, account, type, region, location, name, tags, raw,
            "references", parent_key, content_hash, ${seenAt.toISOString()}::timestamptz,
            ${seenAt.toISOString()}::timestamptz, ${scanId}::uuid, null
          from input
          on conflict (provider, key) do update set
            id = excluded.id, account = excluded.account, type = excluded.type,
            region = excluded.region, location = excluded.location, name = excluded.name,
            tags = excluded.tags, raw = excluded.raw, "references" = excluded."references",
            parent_key = excluded.parent_key, content_hash = excluded.content_hash,
            last_seen = excluded.last_seen, last_scan_id = excluded.last_scan_id,
            deleted_at = null
        ),
        captured as (
          insert into resource_snapshots
            (provider, resource_key, content_hash, raw, scan_id, captured_at)
          select input.provider, input.key, input.content_hash, input.raw, ${scanId}::uuid,
            ${seenAt.toISOString()}::timestamptz
          from input
          left join previous on previous.provider = input.provider and previous.key = input.key
          where previous.content_hash is distinct from input.content_hash
          returning 1
        )
        select count(*)::int as changed from captured`,
    );
    return row?.changed ?? 0;
  }

  async markUnseenResourcesDeleted(scanId: string, scope: UnseenResourceScope): Promise<number> {
    return (await this.removeUnseenResources(scanId, scope)).length;
  }

  async listResourceSnapshots(provider: Provider, key: string): Promise<ResourceSnapshot[]> {
    try {
      return await this.db
        .select({
          contentHash: resourceSnapshots.contentHash,
          raw: resourceSnapshots.raw,
          scanId: resourceSnapshots.scanId,
          capturedAt: resourceSnapshots.capturedAt,
        })
        .from(resourceSnapshots)
        .where(
          and(eq(resourceSnapshots.provider, provider), eq(resourceSnapshots.resourceKey, key)),
        )
        .orderBy(asc(resourceSnapshots.capturedAt), asc(resourceSnapshots.id));
    } catch (error) {
      throw toStoreError(error, "read the resource's history");
    }
  }

  async *streamResources(options: StreamResourcesOptions = {}): AsyncIterable<CanonicalResource[]> {
    const operation = "read resources";
    const pageSize = options.batchSize ?? defaultPageSize;
    assertPageSize(pageSize, operation);
    if (options.scanId !== undefined) {
      assertScanId(options.scanId, operation);
    }

    const scope =
      options.scanId === undefined
        ? isNull(resources.deletedAt)
        : eq(resources.lastScanId, options.scanId);
    let after: { provider: Provider; key: string } | undefined;
    for (;;) {
      const position =
        after === undefined
          ? undefined
          : sql`(${resources.provider}, ${resources.key}) > (${after.provider}, ${after.key})`;
      let page: ResourceRow[];
      try {
        page = await this.db
          .select()
          .from(resources)
          .where(and(scope, position))
          .orderBy(resources.provider, resources.key)
          .limit(pageSize);
      } catch (error) {
        throw toStoreError(error, operation);
      }

      const last = page.at(-1);
      if (last === undefined) {
        return;
      }
      yield page.map(toCanonicalResource);
      if (page.length < pageSize) {
        return;
      }
      after = { provider: last.provider, key: last.key };
    }
  }

  async writeFindings(scanId: string, batch: Finding[]): Promise<void> {
    const operation = "write findings";
    assertScanId(scanId, operation);
    if (hasRepeatedIdentity(batch)) {
      throw new StoreError("conflict", operation);
    }

    for (const slice of chunk(batch, writeBatchSize)) {
      const payload = slice.map(findingColumnsOf);
      try {
        // Rows travel as one jsonb parameter, as in writeResourceSlice and for the same reason;
        // jsonb keeps an evidence item's absent `actual` absent and a null one null.
        await this.db.execute(sql`
          insert into findings (scan_id, tenant, control, subject_key, resource, provider,
            account, type, region, status, severity, message, evidence, waiver, stale,
            stale_reason)
          select ${scanId}::uuid, tenant, control, subject_key, resource, provider, account,
            type, region, status, severity, message, evidence, waiver, stale, stale_reason
          from jsonb_to_recordset(${JSON.stringify(payload)}::jsonb) as given(
            tenant text, control text, subject_key text, resource text, provider provider,
            account text, type text, region text, status verdict, severity severity,
            message text, evidence jsonb, waiver jsonb, stale boolean, stale_reason text)
          on conflict (scan_id, tenant, control, subject_key) do update set
            resource = excluded.resource, provider = excluded.provider,
            account = excluded.account, type = excluded.type, region = excluded.region,
            status = excluded.status, severity = excluded.severity,
            message = excluded.message, evidence = excluded.evidence, waiver = excluded.waiver,
            stale = excluded.stale, stale_reason = excluded.stale_reason`);
      } catch (error) {
        throw toStoreError(error, operation);
      }
    }
  }

  async *streamFindings(scanId: string, batchSize = defaultPageSize): AsyncIterable<Finding[]> {
    const operation = "read findings";
    assertPageSize(batchSize, operation);
    assertScanId(scanId, operation);

    let after: FindingRow | undefined;
    for (;;) {
      const position = after === undefined ? undefined : placeAfterFinding(after);
      let page: FindingRow[];
      try {
        page = await this.db
          .select()
          .from(findings)
          .where(and(eq(findings.scanId, scanId), position))
          .orderBy(...findingOrder)
          .limit(batchSize);
      } catch (error) {
        throw toStoreError(error, operation);
      }

      after = page.at(-1);
      if (after === undefined) {
        return;
      }
      yield page.map(findingOf);
      if (page.length < batchSize) {
        return;
      }
    }
  }

  async finishScan(
    scanId: string,
    status: FinishedScanStatus,
    finishedAt: Date,
    cloudCalls?: CloudCallCounts,
  ): Promise<void> {
    const operation = "finish the scan";
    assertScanId(scanId, operation);

    let updated: { id: string }[];
    try {
      updated = await this.db
        .update(scans)
        .set(cloudCalls === undefined ? { status, finishedAt } : { status, finishedAt, cloudCalls })
        .where(eq(scans.id, scanId))
        .returning({ id: scans.id });
    } catch (error) {
      throw toStoreError(error, operation);
    }
    if (updated.length === 0) {
      throw new StoreError("not-found", operation);
    }
  }

  async getScan(scanId: string): Promise<ScanRecord | null> {
    if (!uuidPattern.test(scanId)) {
      return null;
    }
    try {
      const [scan] = await this.db.select().from(scans).where(eq(scans.id, scanId));
      return scan === undefined ? null : await this.withAccounts(scan);
    } catch (error) {
      throw toStoreError(error, "read the scan");
    }
  }

  async latestScan(): Promise<ScanRecord | null> {
    try {
      const [scan] = await this.db
        .select()
        .from(scans)
        .orderBy(desc(scans.startedAt), desc(scans.id))
        .limit(1);
      return scan === undefined ? null : await this.withAccounts(scan);
    } catch (error) {
      throw toStoreError(error, "read the latest scan");
    }
  }

  private async withAccounts(scan: ScanRow): Promise<ScanRecord> {
    const accounts = await this.db
      .select()
      .from(scanAccounts)
      .where(eq(scanAccounts.scanId, scan.id))
      .orderBy(scanAccounts.provider, scanAccounts.account);
    return { ...scan, accounts: accounts.map(toScanAccount) };
  }

  async readOwnerHistory(owner: OwnerId): Promise<OwnerHistory> {
    try {
      return await readOwnerHistory(this.db, owner);
    } catch (error) {
      throw toStoreError(error, "read the owner's finding state");
    }
  }

  async recordEvaluation(record: EvaluationRecord): Promise<EvaluationRecordResult> {
    const operation = "record the evaluation";
    assertScanId(record.scanId, operation);
    try {
      return await recordEvaluation(this.db, record);
    } catch (error) {
      throw toStoreError(error, operation);
    }
  }

  async recordOwnerEvaluation(record: OwnerEvaluationRecord): Promise<OwnerEvaluationResult> {
    const operation = "record the evaluation";
    assertScanId(record.scanId, operation);
    const size = record.chunkSize ?? 1;
    assertPageSize(size, operation);
    try {
      return await recordOwnerEvaluation(this.db, record);
    } catch (error) {
      throw toStoreError(error, operation);
    }
  }

  async latestCollections(): Promise<LatestCollection[]> {
    try {
      return await readLatestCollections(this.db);
    } catch (error) {
      throw toStoreError(error, "read the latest collections");
    }
  }

  async listUnseenResourceKeys(
    collection: Pick<LatestCollection, "provider" | "account" | "scanId">,
  ): Promise<string[]> {
    try {
      return await readUnseenResourceKeys(this.db, collection);
    } catch (error) {
      throw toStoreError(error, "read the resources a collection did not see");
    }
  }

  async readResources(provider: Provider, keys: readonly string[]): Promise<CanonicalResource[]> {
    try {
      return await readResources(this.db, provider, keys);
    } catch (error) {
      throw toStoreError(error, "read resources");
    }
  }

  async listCollectedAccounts(): Promise<{ provider: Provider; account: string }[]> {
    try {
      return await readCollectedAccounts(this.db);
    } catch (error) {
      throw toStoreError(error, "read the collected accounts");
    }
  }

  async removeUnseenResources(
    scanId: string,
    scope: UnseenResourceScope,
    at = new Date(),
  ): Promise<CanonicalResource[]> {
    const operation = "mark unseen resources deleted";
    assertScanId(scanId, operation);
    if (scope.regions?.length === 0) {
      return [];
    }
    const conditions = [
      eq(resources.provider, scope.provider),
      eq(resources.account, scope.account),
      isNull(resources.deletedAt),
      or(isNull(resources.lastScanId), ne(resources.lastScanId, scanId)),
    ];
    if (scope.regions !== undefined) {
      conditions.push(inArray(resources.region, scope.regions));
    }
    try {
      const marked = await this.db
        .update(resources)
        .set({ deletedAt: at })
        .where(and(...conditions))
        .returning();
      return marked.map(toCanonicalResource);
    } catch (error) {
      throw toStoreError(error, operation);
    }
  }

  async listScanDriftEvents(scanId: string): Promise<DriftEventRecord[]> {
    if (!uuidPattern.test(scanId)) {
      return [];
    }
    try {
      return await readScanDriftEvents(this.db, scanId);
    } catch (error) {
      throw toStoreError(error, "read the scan's drift events");
    }
  }

  async recordResourceEvents(
    scanId: string | null,
    batchId: string,
    events: readonly ResourceEventInput[],
  ): Promise<number> {
    try {
      return await insertResourceEvents(this.db, scanId, batchId, events);
    } catch (error) {
      throw toStoreError(error, "record resource events");
    }
  }

  async close(): Promise<void> {
    try {
      await this.connection.close();
    } catch (error) {
      throw toStoreError(error, "close the database");
    }
  }
}

/** Opens the database, brings its schema up to date, and returns the store over it. */
export async function openStore(options: StoreOptions): Promise<Store> {
  let connection: Connection;
  try {
    connection = await connect(options);
  } catch (error) {
    throw toStoreError(error, "open the database", "connection");
  }

  const store = new DatabaseStore(connection);
  try {
    await store.migrate();
  } catch (error) {
    await connection.close().catch(() => undefined);
    // The server is first reached here; say so rather than blame the migrations.
    if (error instanceof StoreError && error.kind === "connection") {
      throw new StoreError("connection", "open the database", { cause: error.cause });
    }
    throw error;
  }
  return store;
}
