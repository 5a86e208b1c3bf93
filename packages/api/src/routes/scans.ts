import { tables } from "@plumbline/store";
import { and, asc, count, desc, eq, inArray, type SQL, sql } from "drizzle-orm";
import { type AccessScope, ownerCondition, ownerVisible } from "../auth/access-scope.js";
import { type ApiContext, type ApiInstance, authOf } from "../context.js";
import { idParamsSchema } from "../contract/common.js";
import {
  scanDetailResponseSchema,
  scanListQuerySchema,
  scanListResponseSchema,
  triggerScanBodySchema,
  triggerScanResponseSchema,
} from "../contract/scans.js";
import { ApiError, badRequest, notFound } from "../errors.js";
import { decodeCursor, encodeCursor } from "../http/identifiers.js";
import { addVerdict, emptyCounts } from "../read/verdict-counts.js";
import { isoOrNull } from "../read/views.js";
import { bearerSecurity, errorResponses } from "./route-schema.js";

const scans = tables.scans;
const sa = tables.scanAccounts;

/** A scan is visible when it evaluated an owner in scope or collected one of its accounts. */
function scanCondition(scope: AccessScope): SQL | undefined {
  if (scope.all) return undefined;
  const evaluated = ownerCondition(scope, scans.owner) ?? sql`true`;
  const collected = ownerCondition(scope, sa.owner) ?? sql`true`;
  return sql`((${scans.kind} = 'evaluation' and ${evaluated}) or exists (select 1 from ${sa} where ${sa.scanId} = ${scans.id} and ${collected}))`;
}

type ScanRow = typeof scans.$inferSelect;

function summaryOf(row: ScanRow, accounts: { complete: number; partial: number; failed: number }) {
  return {
    id: row.id,
    kind: row.kind,
    owner: row.owner,
    status: row.status,
    trigger: row.trigger,
    startedAt: row.startedAt.toISOString(),
    finishedAt: isoOrNull(row.finishedAt),
    durationMs: row.finishedAt === null ? null : row.finishedAt.getTime() - row.startedAt.getTime(),
    cloudCalls: row.cloudCalls,
    accounts,
  };
}

export function registerScanRoutes(app: ApiInstance, context: ApiContext): void {
  const db = context.store.database;

  /** Counts of visible accounts per scan and collection status. */
  async function accountCounts(scope: AccessScope, scanIds: string[]) {
    const result = new Map<string, { complete: number; partial: number; failed: number }>();
    for (const id of scanIds) result.set(id, { complete: 0, partial: 0, failed: 0 });
    if (scanIds.length === 0) return result;
    const rows = await db
      .select({ scanId: sa.scanId, status: sa.status, total: count() })
      .from(sa)
      .where(and(inArray(sa.scanId, scanIds), ownerCondition(scope, sa.owner)))
      .groupBy(sa.scanId, sa.status);
    for (const row of rows) {
      const counts = result.get(row.scanId);
      if (counts !== undefined) counts[row.status] += row.total;
    }
    return result;
  }

  app.get(
    "/api/v1/scans",
    {
      config: { access: "read" },
      schema: {
        tags: ["scans"],
        summary: "Scans, newest first, one keyset page at a time",
        security: bearerSecurity,
        querystring: scanListQuerySchema,
        response: { 200: scanListResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { scope } = authOf(request);
      const query = request.query;
      const conditions: (SQL | undefined)[] = [scanCondition(scope)];
      if (query.kind !== undefined) conditions.push(eq(scans.kind, query.kind));
      if (query.status !== undefined) conditions.push(eq(scans.status, query.status));
      const tag = "scans";
      if (query.cursor !== undefined) {
        const [startedAt, id] = decodeCursor(tag, query.cursor, 2);
        conditions.push(
          sql`(${scans.startedAt}, ${scans.id}) < (${String(startedAt)}::timestamptz, ${String(id)}::uuid)`,
        );
      }
      const rows = await db
        .select({ scan: scans, startedKey: sql<string>`${scans.startedAt}::text` })
        .from(scans)
        .where(and(...conditions))
        .orderBy(desc(scans.startedAt), desc(scans.id))
        .limit(query.limit + 1);
      const page = rows.slice(0, query.limit);
      const counts = await accountCounts(
        scope,
        page.map((row) => row.scan.id),
      );
      const last = page.at(-1);
      return {
        items: page.map((row) =>
          summaryOf(row.scan, counts.get(row.scan.id) ?? { complete: 0, partial: 0, failed: 0 }),
        ),
        nextCursor:
          rows.length > query.limit && last !== undefined
            ? encodeCursor(tag, [last.startedKey, last.scan.id])
            : null,
      };
    },
  );

  app.get(
    "/api/v1/scans/:id",
    {
      config: { access: "read" },
      schema: {
        tags: ["scans"],
        summary: "One scan with the collection status of each account in scope",
        security: bearerSecurity,
        params: idParamsSchema,
        response: { 200: scanDetailResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { scope } = authOf(request);
      if (
        !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(request.params.id)
      ) {
        throw notFound("the scan");
      }
      const [row] = await db
        .select()
        .from(scans)
        .where(and(eq(scans.id, request.params.id), scanCondition(scope)));
      if (row === undefined) throw notFound("the scan");
      const accounts = (
        await db
          .select()
          .from(sa)
          .where(eq(sa.scanId, row.id))
          .orderBy(asc(sa.provider), asc(sa.account))
      ).filter((account) => ownerVisible(scope, account.owner));
      const f = tables.findings;
      const verdicts = await db
        .select({ status: f.status, total: count() })
        .from(f)
        .where(and(eq(f.scanId, row.id), ownerCondition(scope, f.tenant)))
        .groupBy(f.status);
      const findings = emptyCounts();
      for (const verdict of verdicts) addVerdict(findings, verdict.status, verdict.total);
      const counts = { complete: 0, partial: 0, failed: 0 };
      for (const account of accounts) counts[account.status] += 1;
      return {
        scan: summaryOf(row, counts),
        accounts: accounts.map((account) => ({
          provider: account.provider,
          account: account.account,
          owner: account.owner,
          status: account.status,
          reason: account.reason,
          resources: account.resources,
          skippedRegions: account.skippedRegions,
          completeRegions: account.completeRegions,
          startedAt: isoOrNull(account.startedAt),
          finishedAt: isoOrNull(account.finishedAt),
        })),
        findings,
      };
    },
  );

  app.post(
    "/api/v1/scans",
    {
      config: { access: "admin" },
      schema: {
        tags: ["scans"],
        summary: "Queue a scan of every account, or of the accounts named (admin)",
        security: bearerSecurity,
        body: triggerScanBodySchema,
        response: { 202: triggerScanResponseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { token } = authOf(request);
      if (context.triggerScan === undefined) {
        throw new ApiError(503, "queue_unavailable", "no job queue is configured (REDIS_URL)");
      }
      const known = new Set(
        [context.policy.platform, ...context.policy.tenants].flatMap((owner) =>
          owner === null ? [] : [...owner.accounts.azure, ...owner.accounts.aws],
        ),
      );
      const accounts = request.body?.accounts;
      const unknown = (accounts ?? []).filter(
        (account) => !known.has(account.toLowerCase()) && !known.has(account),
      );
      if (unknown.length > 0) {
        throw badRequest(`accounts not in the policy: ${unknown.join(", ")}`);
      }
      const result = await context.triggerScan({
        ...(accounts === undefined ? {} : { accounts }),
        requestedBy: `${token.name} (${token.id})`,
      });
      context.logger.info({ tokenId: token.id, jobs: result.jobIds.length }, "scan requested");
      return reply.code(202).send({ jobIds: result.jobIds });
    },
  );
}
