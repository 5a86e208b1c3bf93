import { ownersOfAccount, type Policy } from "@plumbline/rules";
import { tables } from "@plumbline/store";
import { and, asc, eq, type SQL, sql } from "drizzle-orm";
import { accountCondition, accountVisible } from "../auth/access-scope.js";
import { type ApiContext, type ApiInstance, authOf } from "../context.js";
import { UNMAPPED_TENANT } from "../contract/common.js";
import {
  diffQuerySchema,
  diffResponseSchema,
  resourceDetailResponseSchema,
  resourceListQuerySchema,
  resourceListResponseSchema,
  resourceParamsSchema,
  snapshotParamsSchema,
  snapshotResponseSchema,
} from "../contract/resources.js";
import { badRequest, notFound } from "../errors.js";
import {
  decodeCursor,
  decodeResourceRef,
  encodeCursor,
  encodeResourceRef,
  enumValues,
  listValues,
  type ResourceIdentity,
} from "../http/identifiers.js";
import { findingsAbout, likePattern } from "../read/finding-query.js";
import { diffJson } from "../read/json-diff.js";
import { isoOrNull } from "../read/views.js";
import { bearerSecurity, errorResponses } from "./route-schema.js";

const r = tables.resources;
const snapshots = tables.resourceSnapshots;

const summaryColumns = {
  provider: r.provider,
  key: r.key,
  resourceId: r.id,
  name: r.name,
  type: r.type,
  account: r.account,
  region: r.region,
  location: r.location,
  tags: r.tags,
  firstSeen: r.firstSeen,
  lastSeen: r.lastSeen,
  deletedAt: r.deletedAt,
};

type SummaryRow = {
  [K in keyof typeof summaryColumns]: (typeof r.$inferSelect)[K extends "resourceId" ? "id" : K];
};

function summaryView(row: SummaryRow, policy: Policy) {
  return {
    ...row,
    ref: encodeResourceRef(row),
    owners: ownersOfAccount(policy, row.provider, row.account),
    firstSeen: row.firstSeen.toISOString(),
    lastSeen: row.lastSeen.toISOString(),
    deletedAt: isoOrNull(row.deletedAt),
  };
}

/** Every (provider, account) pair the policy gives to one of the owners. */
function accountsOfOwners(policy: Policy, owners: readonly string[]): SQL[] {
  const wanted = new Set(owners);
  return [policy.platform, ...policy.tenants].flatMap((owner) =>
    owner === null || !wanted.has(owner.id)
      ? []
      : (["azure", "aws"] as const).flatMap((provider) =>
          owner.accounts[provider].map((account) => sql`(${provider}, ${account.toLowerCase()})`),
        ),
  );
}

function tenantCondition(policy: Policy, tenants: string[]): SQL {
  const pair = sql`(${r.provider}::text, lower(${r.account}))`;
  const named = accountsOfOwners(
    policy,
    tenants.filter((tenant) => tenant !== UNMAPPED_TENANT),
  );
  const parts: SQL[] = [];
  if (named.length > 0) parts.push(sql`${pair} in (${sql.join(named, sql`, `)})`);
  if (tenants.includes(UNMAPPED_TENANT)) {
    const all = accountsOfOwners(policy, [
      ...(policy.platform === null ? [] : [policy.platform.id]),
      ...policy.tenants.map((tenant) => tenant.id),
    ]);
    parts.push(all.length === 0 ? sql`true` : sql`${pair} not in (${sql.join(all, sql`, `)})`);
  }
  return parts.length === 0 ? sql`false` : sql`(${sql.join(parts, sql` or `)})`;
}

export function registerResourceRoutes(app: ApiInstance, context: ApiContext): void {
  const db = context.store.database;

  /** The resource a ref names, when it exists and its account is in scope. */
  async function visibleResource(
    ref: string,
    request: Parameters<typeof authOf>[0],
  ): Promise<ResourceIdentity & { account: string }> {
    const { scope } = authOf(request);
    const identity = decodeResourceRef(ref);
    if (identity === null) throw notFound("the resource");
    const [row] = await db
      .select({ account: r.account })
      .from(r)
      .where(and(eq(r.provider, identity.provider), eq(r.key, identity.key)));
    if (
      row === undefined ||
      !accountVisible(scope, context.policy, identity.provider, row.account)
    ) {
      throw notFound("the resource");
    }
    return { ...identity, account: row.account };
  }

  async function snapshotList(identity: ResourceIdentity) {
    const rows = await db
      .select({
        id: snapshots.id,
        contentHash: snapshots.contentHash,
        capturedAt: snapshots.capturedAt,
        scanId: snapshots.scanId,
      })
      .from(snapshots)
      .where(
        and(eq(snapshots.provider, identity.provider), eq(snapshots.resourceKey, identity.key)),
      )
      .orderBy(asc(snapshots.capturedAt), asc(snapshots.id));
    return rows.map((row) => ({ ...row, capturedAt: row.capturedAt.toISOString() }));
  }

  async function snapshotRaw(identity: ResourceIdentity, id: number) {
    const [row] = await db
      .select({ raw: snapshots.raw })
      .from(snapshots)
      .where(
        and(
          eq(snapshots.id, id),
          eq(snapshots.provider, identity.provider),
          eq(snapshots.resourceKey, identity.key),
        ),
      );
    if (row === undefined) throw notFound(`snapshot ${id}`);
    return row.raw;
  }

  app.get(
    "/api/v1/resources",
    {
      config: { access: "read" },
      schema: {
        tags: ["resources"],
        summary: "Inventoried resources in scope, one keyset page at a time",
        security: bearerSecurity,
        querystring: resourceListQuerySchema,
        response: { 200: resourceListResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { scope } = authOf(request);
      const query = request.query;
      const conditions: (SQL | undefined)[] = [accountCondition(scope, r.provider, r.account)];
      const tenants = listValues(query.tenant);
      if (tenants !== undefined) conditions.push(tenantCondition(context.policy, tenants));
      const providers = enumValues("provider", query.provider, ["azure", "aws"] as const);
      if (providers !== undefined) {
        conditions.push(
          sql`${r.provider}::text in (${sql.join(
            providers.map((p) => sql`${p}`),
            sql`, `,
          )})`,
        );
      }
      for (const [column, text, lower] of [
        [r.account, query.account, true],
        [r.type, query.type, false],
        [r.region, query.region, false],
      ] as const) {
        const values = listValues(text);
        if (values === undefined) continue;
        const target = lower ? sql`lower(${column})` : sql`${column}`;
        const list = values.map((value) => sql`${lower ? value.toLowerCase() : value}`);
        conditions.push(sql`${target} in (${sql.join(list, sql`, `)})`);
      }
      const text = query.q?.trim();
      if (text) {
        const pattern = likePattern(text);
        conditions.push(sql`(${r.id} ilike ${pattern} or ${r.name} ilike ${pattern})`);
      }
      if (query.deleted === "exclude") conditions.push(sql`${r.deletedAt} is null`);
      if (query.deleted === "only") conditions.push(sql`${r.deletedAt} is not null`);
      const tag = "resources";
      if (query.cursor !== undefined) {
        const [provider, key] = decodeCursor(tag, query.cursor, 2);
        conditions.push(
          sql`(${r.provider}::text, ${r.key} collate "C") > (${String(provider)}, ${String(key)})`,
        );
      }
      const rows = await db
        .select(summaryColumns)
        .from(r)
        .where(and(...conditions))
        .orderBy(sql`${r.provider}::text`, sql`${r.key} collate "C"`)
        .limit(query.limit + 1);
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        items: page.map((row) => summaryView(row, context.policy)),
        nextCursor:
          rows.length > query.limit && last !== undefined
            ? encodeCursor(tag, [last.provider, last.key])
            : null,
      };
    },
  );

  app.get(
    "/api/v1/resources/:ref",
    {
      config: { access: "read" },
      schema: {
        tags: ["resources"],
        summary: "One resource with its raw document, snapshot history and current findings",
        security: bearerSecurity,
        params: resourceParamsSchema,
        response: { 200: resourceDetailResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const identity = await visibleResource(request.params.ref, request);
      const [row] = await db
        .select({
          ...summaryColumns,
          raw: r.raw,
          references: r.references,
          parentKey: r.parentKey,
          contentHash: r.contentHash,
        })
        .from(r)
        .where(and(eq(r.provider, identity.provider), eq(r.key, identity.key)));
      if (row === undefined) throw notFound("the resource");
      const fs = tables.findingState;
      const findings = await findingsAbout(
        db,
        and(eq(fs.provider, identity.provider), eq(fs.subjectKey, identity.key)) ?? sql`false`,
        authOf(request).scope,
      );
      return {
        resource: {
          ...summaryView(row, context.policy),
          raw: row.raw,
          references: row.references,
          parentKey: row.parentKey,
          contentHash: row.contentHash,
        },
        snapshots: await snapshotList(identity),
        findings,
      };
    },
  );

  app.get(
    "/api/v1/resources/:ref/snapshots/:snapshotId",
    {
      config: { access: "read" },
      schema: {
        tags: ["resources"],
        summary: "One snapshot of a resource with its raw document",
        security: bearerSecurity,
        params: snapshotParamsSchema,
        response: { 200: snapshotResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const identity = await visibleResource(request.params.ref, request);
      const list = await snapshotList(identity);
      const summary = list.find((snapshot) => snapshot.id === request.params.snapshotId);
      if (summary === undefined) throw notFound(`snapshot ${request.params.snapshotId}`);
      return { ...summary, raw: await snapshotRaw(identity, summary.id) };
    },
  );

  app.get(
    "/api/v1/resources/:ref/diff",
    {
      config: { access: "read" },
      schema: {
        tags: ["resources"],
        summary: "What changed in a resource's document between two snapshots",
        security: bearerSecurity,
        params: resourceParamsSchema,
        querystring: diffQuerySchema,
        response: { 200: diffResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const identity = await visibleResource(request.params.ref, request);
      const list = await snapshotList(identity);
      const byId = (id: number) => {
        const found = list.find((snapshot) => snapshot.id === id);
        if (found === undefined) throw notFound(`snapshot ${id}`);
        return found;
      };
      const to = request.query.to === undefined ? list.at(-1) : byId(request.query.to);
      if (to === undefined) throw notFound("a snapshot of the resource");
      const toIndex = list.indexOf(to);
      const from =
        request.query.from === undefined ? (list[toIndex - 1] ?? null) : byId(request.query.from);
      if (from !== null && from.id === to.id) throw badRequest("from and to are the same snapshot");
      const after = await snapshotRaw(identity, to.id);
      const before = from === null ? {} : await snapshotRaw(identity, from.id);
      return { from, to, changes: from === null ? [] : diffJson(before, after) };
    },
  );
}
