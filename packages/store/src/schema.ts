import type { Evidence, ResourceReference, WaiverApplied } from "@plumbline/rules";
import { sql } from "drizzle-orm";
import {
  bigint,
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

export const providerEnum = pgEnum("provider", ["azure", "aws"]);

export const scanStatusEnum = pgEnum("scan_status", ["running", "complete", "partial", "failed"]);

export const collectionStatusEnum = pgEnum("collection_status", ["complete", "partial", "failed"]);

export const verdictEnum = pgEnum("verdict", ["pass", "fail", "error", "waived", "not-applicable"]);

export const severityEnum = pgEnum("severity", ["low", "medium", "high", "critical"]);

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
