import { tables } from "@plumbline/store";
import { and, desc, type SQL, sql } from "drizzle-orm";
import {
  type AccessScope,
  accountCondition,
  accountVisible,
  ownerCondition,
} from "../auth/access-scope.js";
import { type ApiContext, type ApiInstance, authOf } from "../context.js";
import { UNMAPPED_TENANT } from "../contract/common.js";
import { DRIFT_KINDS, driftListResponseSchema, driftQuerySchema } from "../contract/drift.js";
import { badRequest } from "../errors.js";
import {
  decodeCursor,
  encodeCursor,
  encodeResourceRef,
  enumValues,
  listValues,
} from "../http/identifiers.js";
import { likePattern } from "../read/finding-query.js";
import { driftEventView } from "../read/views.js";
import { bearerSecurity, errorResponses } from "./route-schema.js";

const de = tables.driftEvents;
const r = tables.resources;
const DAY_MS = 86_400_000;

function instant(name: string, text: string | undefined, fallback: Date): Date {
  if (text === undefined) return fallback;
  const parsed = new Date(text);
  if (Number.isNaN(parsed.getTime())) throw badRequest(`${name}: "${text}" is not an instant`);
  return parsed;
}

function inList(column: SQL, values: readonly string[]): SQL {
  return sql`${column} in (${sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  )})`;
}

/**
 * The route key of the stored resource an event is about, or null. A finding event is visible
 * through its owner, yet its subject may sit in another owner's account (a data-flow stage
 * reaching across): the ref follows the resource page's own rule, the account's visibility.
 */
function resourceRefOf(
  event: { provider: "azure" | "aws" | null; subjectKey: string },
  resourceAccount: string | null,
  scope: AccessScope,
  context: ApiContext,
): string | null {
  if (event.provider === null || resourceAccount === null) return null;
  if (!accountVisible(scope, context.policy, event.provider, resourceAccount)) return null;
  return encodeResourceRef({ provider: event.provider, key: event.subjectKey });
}

export function registerDriftRoutes(app: ApiInstance, context: ApiContext): void {
  app.get(
    "/api/v1/drift",
    {
      config: { access: "read" },
      schema: {
        tags: ["drift"],
        summary: "Drift events over a time range, newest first, one keyset page at a time",
        security: bearerSecurity,
        querystring: driftQuerySchema,
        response: { 200: driftListResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { scope } = authOf(request);
      const query = request.query;
      const to = instant("to", query.to, context.clock());
      const from = instant("from", query.from, new Date(to.getTime() - 30 * DAY_MS));
      const conditions: (SQL | undefined)[] = [sql`${de.at} >= ${from}`, sql`${de.at} < ${to}`];
      if (!scope.all) {
        // Resource events are visible through their account; finding events through their owner.
        const byOwner = ownerCondition(scope, de.tenant) ?? sql`true`;
        const byAccount = accountCondition(scope, de.provider, de.account) ?? sql`true`;
        conditions.push(sql`(${byOwner} or (${de.control} is null and ${byAccount}))`);
      }
      const tenants = listValues(query.tenant);
      if (tenants !== undefined) {
        const named = tenants.filter((tenant) => tenant !== UNMAPPED_TENANT);
        const parts: SQL[] = [];
        if (named.length > 0) parts.push(inList(sql`${de.tenant}`, named));
        if (named.length < tenants.length) parts.push(sql`${de.tenant} is null`);
        conditions.push(sql`(${sql.join(parts, sql` or `)})`);
      }
      const controls = listValues(query.control);
      if (controls !== undefined) conditions.push(inList(sql`${de.control}`, controls));
      const kinds = enumValues("kind", query.kind, DRIFT_KINDS);
      if (kinds !== undefined) conditions.push(inList(sql`${de.kind}::text`, kinds));
      const severities = enumValues("severity", query.severity, [
        "low",
        "medium",
        "high",
        "critical",
      ] as const);
      if (severities !== undefined) conditions.push(inList(sql`${de.severity}::text`, severities));
      const accounts = listValues(query.account);
      if (accounts !== undefined) {
        conditions.push(
          inList(
            sql`lower(${de.account})`,
            accounts.map((a) => a.toLowerCase()),
          ),
        );
      }
      const regions = listValues(query.region);
      if (regions !== undefined) conditions.push(inList(sql`${de.region}`, regions));
      const text = query.q?.trim();
      if (text) conditions.push(sql`${de.resource} ilike ${likePattern(text)}`);
      const tag = "drift";
      if (query.cursor !== undefined) {
        const [at, id] = decodeCursor(tag, query.cursor, 2);
        conditions.push(sql`(${de.at}, ${de.id}) < (${String(at)}::timestamptz, ${Number(id)})`);
      }

      const rows = await context.store.database
        .select({
          event: de,
          atKey: sql<string>`${de.at}::text`,
          // Resource events carry the resource key as their subject; so do most finding events.
          resourceAccount: sql<
            string | null
          >`(select ${r.account} from ${r} where ${r.provider} = ${de.provider} and ${r.key} = ${de.subjectKey})`,
        })
        .from(de)
        .where(and(...conditions))
        .orderBy(desc(de.at), desc(de.id))
        .limit(query.limit + 1);
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        items: page.map((row) =>
          driftEventView(row.event, resourceRefOf(row.event, row.resourceAccount, scope, context)),
        ),
        nextCursor:
          rows.length > query.limit && last !== undefined
            ? encodeCursor(tag, [last.atKey, last.event.id])
            : null,
      };
    },
  );
}
