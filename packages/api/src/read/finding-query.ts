import { controlById, type Evidence, type WaiverApplied } from "@plumbline/rules";
import { type StoreDatabase, tables } from "@plumbline/store";
import { and, count, eq, type SQL, sql } from "drizzle-orm";
import { type AccessScope, currentOwnerCondition } from "../auth/access-scope.js";
import { UNMAPPED_TENANT } from "../contract/common.js";
import type { FINDING_SORTS } from "../contract/findings.js";
import {
  decodeCursor,
  encodeCursor,
  encodeFindingId,
  encodeResourceRef,
  enumValues,
  listValues,
} from "../http/identifiers.js";

const fs = tables.findingState;

/** How the finding list and the exports may be ordered. */
export type FindingSort = (typeof FINDING_SORTS)[number];

/** The filters of the finding list, as the query string gives them. */
export interface FindingFilterInput {
  tenant?: string | undefined;
  control?: string | undefined;
  area?: string | undefined;
  status?: string | undefined;
  severity?: string | undefined;
  region?: string | undefined;
  account?: string | undefined;
  provider?: string | undefined;
  stale?: "true" | "false" | undefined;
  q?: string | undefined;
}

/** A current finding as the API returns it. */
export interface FindingView {
  id: string;
  tenant: string | null;
  control: string;
  controlTitle: string;
  area: string;
  subjectKey: string;
  resource: string;
  resourceRef: string | null;
  provider: "azure" | "aws" | null;
  account: string | null;
  type: string | null;
  region: string | null;
  status: "pass" | "fail" | "error" | "waived" | "not-applicable";
  severity: "low" | "medium" | "high" | "critical";
  message: string;
  evidence: Evidence[];
  waiver: WaiverApplied | null;
  stale: boolean;
  staleReason: string | null;
  firstSeen: string;
  statusSince: string;
  lastEvaluatedAt: string;
  lastScanId: string | null;
}

const VERDICTS = ["pass", "fail", "error", "waived", "not-applicable"] as const;
const SEVERITIES = ["low", "medium", "high", "critical"] as const;
const PROVIDERS = ["azure", "aws"] as const;

/** The area of a control: its id up to the dot. */
export function areaOf(control: string): string {
  return control.split(".")[0] ?? control;
}

function inList(column: SQL | typeof fs.control, values: readonly string[]): SQL {
  return sql`${column} in (${sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  )})`;
}

/** `%` and `_` are wildcards of LIKE; a search for them means the characters themselves. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/** The conditions of the filters and of the token's scope over finding_state. */
export function findingConditions(filters: FindingFilterInput, scope: AccessScope): SQL[] {
  const conditions: SQL[] = [currentOwnerCondition(scope, fs.tenant)];

  const tenants = listValues(filters.tenant);
  if (tenants !== undefined) {
    const named = tenants.filter((tenant) => tenant !== UNMAPPED_TENANT);
    const parts: SQL[] = [];
    if (named.length > 0) parts.push(inList(sql`${fs.tenant}`, named));
    if (named.length < tenants.length) parts.push(sql`${fs.tenant} is null`);
    conditions.push(sql`(${sql.join(parts, sql` or `)})`);
  }
  const controls = listValues(filters.control);
  if (controls !== undefined) conditions.push(inList(fs.control, controls));
  const areas = listValues(filters.area);
  if (areas !== undefined) conditions.push(inList(sql`split_part(${fs.control}, '.', 1)`, areas));
  const statuses = enumValues("status", filters.status, VERDICTS);
  if (statuses !== undefined) conditions.push(inList(sql`${fs.status}::text`, statuses));
  const severities = enumValues("severity", filters.severity, SEVERITIES);
  if (severities !== undefined) conditions.push(inList(sql`${fs.severity}::text`, severities));
  const providers = enumValues("provider", filters.provider, PROVIDERS);
  if (providers !== undefined) conditions.push(inList(sql`${fs.provider}::text`, providers));
  const regions = listValues(filters.region);
  if (regions !== undefined) conditions.push(inList(sql`${fs.region}`, regions));
  const accounts = listValues(filters.account);
  if (accounts !== undefined) {
    conditions.push(
      inList(
        sql`lower(${fs.account})`,
        accounts.map((a) => a.toLowerCase()),
      ),
    );
  }
  if (filters.stale !== undefined) conditions.push(eq(fs.stale, filters.stale === "true"));
  const text = filters.q?.trim();
  if (text !== undefined && text.length > 0) {
    const pattern = likePattern(text);
    conditions.push(
      sql`(${fs.resource} ilike ${pattern} or ${fs.message} ilike ${pattern} or ${fs.control} ilike ${pattern})`,
    );
  }
  return conditions;
}

const severityRank = sql`(case ${fs.severity} when 'critical' then 0 when 'high' then 1 when 'medium' then 2 else 3 end)`;

/** The leading sort key of each order; numeric keys compare as numeric, text keys in "C". */
const sortKeys: Record<FindingSort, { key: SQL; numeric: boolean }> = {
  severity: { key: severityRank, numeric: true },
  "-severity": { key: sql`(-${severityRank})`, numeric: true },
  statusSince: { key: sql`extract(epoch from ${fs.statusSince})`, numeric: true },
  "-statusSince": { key: sql`(-extract(epoch from ${fs.statusSince}))`, numeric: true },
  tenant: { key: sql`(coalesce(${fs.tenant}, '') collate "C")`, numeric: false },
  control: { key: sql`(${fs.control} collate "C")`, numeric: false },
  resource: { key: sql`(${fs.resource} collate "C")`, numeric: false },
};

/** Ties are broken by the identity, so that the order is total and a keyset can resume it. */
const identityOrder = [
  sql`(coalesce(${fs.tenant}, '') collate "C")`,
  sql`(${fs.control} collate "C")`,
  sql`(${fs.subjectKey} collate "C")`,
];

const findingColumns = {
  tenant: fs.tenant,
  control: fs.control,
  subjectKey: fs.subjectKey,
  resource: fs.resource,
  provider: fs.provider,
  account: fs.account,
  type: fs.type,
  region: fs.region,
  status: fs.status,
  severity: fs.severity,
  message: fs.message,
  evidence: fs.evidence,
  waiver: fs.waiver,
  stale: fs.stale,
  staleReason: fs.staleReason,
  firstSeen: fs.firstSeen,
  statusSince: fs.statusSince,
  lastEvaluatedAt: fs.lastEvaluatedAt,
  lastScanId: fs.lastScanId,
  // An inventoried subject links to its resource page; accounts and stages have none.
  inventoried: sql<boolean>`exists (select 1 from ${tables.resources} r where r.provider = ${fs.provider} and r.key = ${fs.subjectKey})`,
};

type FindingRow = {
  [K in keyof typeof findingColumns]: K extends "inventoried"
    ? boolean
    : (typeof fs.$inferSelect)[Exclude<K, "inventoried"> & keyof typeof fs.$inferSelect];
};

/** A row of finding_state as the API shows it. */
export function toFindingView(row: FindingRow): FindingView {
  return {
    id: encodeFindingId(row),
    tenant: row.tenant,
    control: row.control,
    controlTitle: controlById(row.control)?.title ?? row.control,
    area: areaOf(row.control),
    subjectKey: row.subjectKey,
    resource: row.resource,
    resourceRef:
      row.inventoried && row.provider !== null
        ? encodeResourceRef({ provider: row.provider, key: row.subjectKey })
        : null,
    provider: row.provider,
    account: row.account,
    type: row.type,
    region: row.region,
    status: row.status,
    severity: row.severity,
    message: row.message,
    evidence: row.evidence,
    waiver: row.waiver,
    stale: row.stale,
    staleReason: row.staleReason,
    firstSeen: row.firstSeen.toISOString(),
    statusSince: row.statusSince.toISOString(),
    lastEvaluatedAt: row.lastEvaluatedAt.toISOString(),
    lastScanId: row.lastScanId,
  };
}

/** One page of the finding list. */
export interface FindingPage {
  items: FindingView[];
  nextCursor: string | null;
}

/** The options of one page of current findings. */
export interface FindingPageOptions {
  filters: FindingFilterInput;
  scope: AccessScope;
  sort: FindingSort;
  limit: number;
  cursor?: string | undefined;
}

/** One page of current findings in keyset order. */
export async function queryFindingPage(
  db: StoreDatabase,
  options: FindingPageOptions,
): Promise<FindingPage> {
  const { key, numeric } = sortKeys[options.sort];
  const tag = `findings:${options.sort}`;
  const conditions = findingConditions(options.filters, options.scope);
  if (options.cursor !== undefined) {
    const [value, tenant, control, subjectKey] = decodeCursor(tag, options.cursor, 4);
    const leading = numeric ? sql`${String(value)}::numeric` : sql`${String(value)}`;
    conditions.push(
      sql`(${key}, ${sql.join(identityOrder, sql`, `)}) > (${leading}, ${String(tenant)}, ${String(control)}, ${String(subjectKey)})`,
    );
  }
  const rows = await db
    .select({ ...findingColumns, sortKey: sql<string>`(${key})::text` })
    .from(fs)
    .where(and(...conditions))
    .orderBy(key, ...identityOrder)
    .limit(options.limit + 1);

  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > options.limit && last !== undefined
      ? encodeCursor(tag, [last.sortKey, last.tenant ?? "", last.control, last.subjectKey])
      : null;
  return { items: page.map(toFindingView), nextCursor };
}

/** How many current findings match the filters within the scope. */
export async function countFindings(
  db: StoreDatabase,
  filters: FindingFilterInput,
  scope: AccessScope,
): Promise<number> {
  const [row] = await db
    .select({ total: count() })
    .from(fs)
    .where(and(...findingConditions(filters, scope)));
  return row?.total ?? 0;
}

/** Every matching current finding in order, a page at a time, for the exports. */
export async function* iterateFindings(
  db: StoreDatabase,
  options: Omit<FindingPageOptions, "limit" | "cursor">,
  pageSize = 500,
): AsyncGenerator<FindingView[]> {
  let cursor: string | undefined;
  do {
    const page = await queryFindingPage(db, { ...options, limit: pageSize, cursor });
    if (page.items.length > 0) yield page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

/** The current findings with one of these subject keys (any control), within the scope. */
export async function findingsAbout(
  db: StoreDatabase,
  where: SQL,
  scope: AccessScope,
): Promise<FindingView[]> {
  const rows = await db
    .select(findingColumns)
    .from(fs)
    .where(and(where, currentOwnerCondition(scope, fs.tenant)))
    .orderBy(severityRank, ...identityOrder);
  return rows.map(toFindingView);
}
