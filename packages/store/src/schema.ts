import {
  driftEventKinds,
  type Evidence,
  type ResourceReference,
  type WaiverApplied,
} from "@plumbline/rules";
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";

/** Requests a scan made to the clouds, by service (`resource-graph`, `config`, `arm`, …). */
export interface CloudCallCounts {
  calls: number;
  throttled: number;
  byService: Record<string, { calls: number; throttled: number }>;
}

export const providerEnum = pgEnum("provider", ["azure", "aws"]);

export const scanStatusEnum = pgEnum("scan_status", ["running", "complete", "partial", "failed"]);

export const collectionStatusEnum = pgEnum("collection_status", ["complete", "partial", "failed"]);

export const verdictEnum = pgEnum("verdict", ["pass", "fail", "error", "waived", "not-applicable"]);

export const severityEnum = pgEnum("severity", ["low", "medium", "high", "critical"]);

/**
 * What a scan row records: `full` collects and evaluates everything inline (`plumbline scan`),
 * `inventory` collects one account (a worker job), `evaluation` evaluates one owner over the
 * latest inventory (a worker job).
 */
export const scanKindEnum = pgEnum("scan_kind", ["full", "inventory", "evaluation"]);

export const driftEventKindEnum = pgEnum("drift_event_kind", driftEventKinds);

export const channelStateEnum = pgEnum("channel_state", ["ok", "broken"]);

export const tokenRoleEnum = pgEnum("token_role", ["admin", "auditor"]);

const moment = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** One run of the pipeline: collection of some accounts, then evaluation. */
export const scans = pgTable(
  "scans",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    startedAt: moment("started_at").notNull(),
    finishedAt: moment("finished_at"),
    status: scanStatusEnum("status").notNull().default("running"),
    trigger: text("trigger").notNull(),
    policyHash: text("policy_hash"),
    kind: scanKindEnum("kind").notNull().default("full"),
    /** The owner an `evaluation` scan evaluated: a tenant id or `platform`; null otherwise. */
    owner: text("owner"),
    /** Requests made to the clouds during the scan, and how many of them were throttled. */
    cloudCalls: jsonb("cloud_calls").$type<CloudCallCounts>(),
  },
  (table) => [index("scans_started_at_idx").on(table.startedAt, table.id)],
);

/** How completely each account was collected in a scan, and whom it belongs to. */
export const scanAccounts = pgTable(
  "scan_accounts",
  {
    scanId: uuid("scan_id")
      .notNull()
      .references(() => scans.id, { onDelete: "cascade" }),
    provider: providerEnum("provider").notNull(),
    account: text("account").notNull(),
    owner: text("owner"),
    status: collectionStatusEnum("status").notNull(),
    reason: text("reason"),
    resources: integer("resources").notNull(),
    skippedRegions: text("skipped_regions").array().notNull(),
    completeRegions: text("complete_regions").array().notNull(),
    startedAt: moment("started_at"),
    finishedAt: moment("finished_at"),
  },
  (table) => [primaryKey({ columns: [table.scanId, table.provider, table.account] })],
);

/** The current state of every resource ever collected, one row per (provider, key). */
export const resources = pgTable(
  "resources",
  {
    provider: providerEnum("provider").notNull(),
    key: text("key").notNull(),
    id: text("id").notNull(),
    account: text("account").notNull(),
    type: text("type").notNull(),
    region: text("region"),
    location: text("location"),
    name: text("name").notNull(),
    tags: jsonb("tags").$type<Record<string, string>>().notNull(),
    // Limitation: jsonb keeps the content of a document, not its text: key order and
    // duplicate keys are lost, and a string holding U+0000 is refused, failing its whole slice.
    raw: jsonb("raw").$type<Record<string, unknown>>().notNull(),
    references: jsonb("references").$type<ResourceReference[]>().notNull(),
    parentKey: text("parent_key"),
    contentHash: text("content_hash").notNull(),
    firstSeen: moment("first_seen").notNull(),
    lastSeen: moment("last_seen").notNull(),
    // Limitation: only the latest sighting is kept, so the full set of resources an older scan
    // saw cannot be listed; snapshots keep each content change, not each sighting.
    lastScanId: uuid("last_scan_id").references(() => scans.id, { onDelete: "set null" }),
    deletedAt: moment("deleted_at"),
  },
  (table) => [
    primaryKey({ columns: [table.provider, table.key] }),
    index("resources_last_scan_idx").on(table.lastScanId, table.provider, table.key),
    index("resources_account_idx").on(table.provider, table.account),
  ],
);

/** Every distinct content a resource has had: written when its hash changes. */
export const resourceSnapshots = pgTable(
  "resource_snapshots",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    provider: providerEnum("provider").notNull(),
    resourceKey: text("resource_key").notNull(),
    contentHash: text("content_hash").notNull(),
    raw: jsonb("raw").$type<Record<string, unknown>>().notNull(),
    scanId: uuid("scan_id").references(() => scans.id, { onDelete: "set null" }),
    capturedAt: moment("captured_at").notNull(),
  },
  (table) => [
    index("resource_snapshots_key_idx").on(table.provider, table.resourceKey, table.capturedAt),
  ],
);

/** Verdicts of a scan; a finding's identity within a scan is (tenant, control, subject key). */
export const findings = pgTable(
  "findings",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    scanId: uuid("scan_id")
      .notNull()
      .references(() => scans.id, { onDelete: "cascade" }),
    tenant: text("tenant"),
    control: text("control").notNull(),
    subjectKey: text("subject_key").notNull(),
    resource: text("resource").notNull(),
    provider: providerEnum("provider"),
    account: text("account"),
    type: text("type"),
    region: text("region"),
    status: verdictEnum("status").notNull(),
    severity: severityEnum("severity").notNull(),
    message: text("message").notNull(),
    evidence: jsonb("evidence").$type<Evidence[]>().notNull(),
    waiver: jsonb("waiver").$type<WaiverApplied>(),
    /** Carried on from an earlier scan because its account was not collected completely. */
    stale: boolean("stale").notNull().default(false),
    staleReason: text("stale_reason"),
  },
  (table) => [
    // Doubles as the index on scan_id; null tenants (unmapped accounts) collide like any other.
    unique("findings_identity_key")
      .on(table.scanId, table.tenant, table.control, table.subjectKey)
      .nullsNotDistinct(),
    index("findings_history_idx").on(table.tenant, table.control, table.subjectKey),
    // Matches the keyset order of streamFindings; "C" keeps that order the same on every server.
    index("findings_stream_idx").on(
      table.scanId,
      sql`(coalesce(${table.tenant}, '') collate "C")`,
      sql`(${table.control} collate "C")`,
      sql`(${table.resource} collate "C")`,
      table.id,
    ),
  ],
);

/**
 * The current verdict of every finding identity (tenant, control, subject key): what the last
 * evaluation of its owner said, or, while its account could not be collected completely, what
 * the last complete one said, marked stale. A subject that is gone from a complete collection
 * loses its row; its history stays in `findings` and `drift_events`.
 */
export const findingState = pgTable(
  "finding_state",
  {
    tenant: text("tenant"),
    control: text("control").notNull(),
    subjectKey: text("subject_key").notNull(),
    resource: text("resource").notNull(),
    provider: providerEnum("provider"),
    account: text("account"),
    type: text("type"),
    region: text("region"),
    status: verdictEnum("status").notNull(),
    severity: severityEnum("severity").notNull(),
    message: text("message").notNull(),
    evidence: jsonb("evidence").$type<Evidence[]>().notNull(),
    waiver: jsonb("waiver").$type<WaiverApplied>(),
    stale: boolean("stale").notNull().default(false),
    staleReason: text("stale_reason"),
    /** When the identity was first evaluated. */
    firstSeen: moment("first_seen").notNull(),
    /** When the current status began. */
    statusSince: moment("status_since").notNull(),
    lastEvaluatedAt: moment("last_evaluated_at").notNull(),
    lastScanId: uuid("last_scan_id").references(() => scans.id, { onDelete: "set null" }),
  },
  (table) => [
    unique("finding_state_identity_key")
      .on(table.tenant, table.control, table.subjectKey)
      .nullsNotDistinct(),
    index("finding_state_list_idx").on(table.status, table.severity),
    index("finding_state_account_idx").on(table.provider, table.account),
  ],
);

/**
 * What changed between two evaluations or collections, in the order it was recorded. Finding
 * events carry the finding identity; resource events (`appeared`, `disappeared`, `changed`)
 * carry the resource key as `subject_key` and no control.
 */
export const driftEvents = pgTable(
  "drift_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    at: moment("at").notNull(),
    kind: driftEventKindEnum("kind").notNull(),
    tenant: text("tenant"),
    control: text("control"),
    subjectKey: text("subject_key").notNull(),
    resource: text("resource").notNull(),
    provider: providerEnum("provider"),
    account: text("account"),
    region: text("region"),
    severity: severityEnum("severity"),
    before: jsonb("before"),
    after: jsonb("after"),
    scanId: uuid("scan_id").references(() => scans.id, { onDelete: "set null" }),
    /** The evaluation or collection that recorded the event; one alert batch each. */
    batchId: uuid("batch_id").notNull(),
  },
  (table) => [
    index("drift_events_at_idx").on(table.at, table.id),
    index("drift_events_identity_idx").on(table.tenant, table.control, table.subjectKey, table.at),
    index("drift_events_batch_idx").on(table.batchId),
  ],
);

/**
 * Alerts waiting to be sent, written in the same transaction as the events they announce, so
 * none is lost; the notify job sends a row and then marks it delivered.
 */
export const outbox = pgTable(
  "outbox",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    channel: text("channel").notNull(),
    batchId: uuid("batch_id").notNull(),
    createdAt: moment("created_at").notNull(),
    /** The alert items of the batch, as the notifier renders them; never a webhook URL. */
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: moment("next_attempt_at"),
    lastError: text("last_error"),
    deliveredAt: moment("delivered_at"),
  },
  (table) => [
    unique("outbox_batch_key").on(table.channel, table.batchId),
    index("outbox_pending_idx").on(table.channel, table.deliveredAt, table.id),
  ],
);

/** The health of each alert channel: broken after a refusal that retrying cannot fix. */
export const notificationChannels = pgTable("notification_channels", {
  channel: text("channel").primaryKey(),
  state: channelStateEnum("state").notNull().default("ok"),
  reason: text("reason"),
  changedAt: moment("changed_at").notNull(),
  lastDeliveredAt: moment("last_delivered_at"),
});

/** API bearer tokens; only a hash of the secret is kept. A null scope means every owner. */
export const apiTokens = pgTable("api_tokens", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  tokenHash: text("token_hash").notNull().unique(),
  role: tokenRoleEnum("role").notNull(),
  scope: text("scope").array(),
  createdAt: moment("created_at").notNull(),
  expiresAt: moment("expires_at"),
  revokedAt: moment("revoked_at"),
  lastUsedAt: moment("last_used_at"),
});

/** Every API request: who (token id), what (route) and how it ended. Rows are never changed. */
export const accessLog = pgTable(
  "access_log",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    at: moment("at").notNull(),
    tokenId: uuid("token_id"),
    method: text("method").notNull(),
    route: text("route").notNull(),
    status: integer("status").notNull(),
    outcome: text("outcome").notNull(),
    durationMs: integer("duration_ms").notNull(),
  },
  (table) => [index("access_log_at_idx").on(table.at, table.id)],
);
