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

type AccountCounts = { complete: number; partial: number; failed: number };

type CollectedAccount = { provider: "azure" | "aws"; account: string };

/** The kind a scan is shown as: the `discover` job's evaluation has no owner and its own name. */
function kindOf(row: ScanRow): "full" | "inventory" | "evaluation" | "discovery" {
  return row.kind === "evaluation" && row.owner === null ? "discovery" : row.kind;
}

/** The condition of the list's `kind` filter on stored rows. */
function kindCondition(kind: ReturnType<typeof kindOf>): SQL {
  if (kind === "discovery") return sql`(${scans.kind} = 'evaluation' and ${scans.owner} is null)`;
  if (kind === "evaluation") {
    return sql`(${scans.kind} = 'evaluation' and ${scans.owner} is not null)`;
  }
  return eq(scans.kind, kind);
}

function summaryOf(row: ScanRow, accounts: AccountCounts, collected: CollectedAccount | null) {
  return {
    id: row.id,
    kind: kindOf(row),
    owner: row.owner,
    // An inventory scan collects one account; its row is written when the collection ends.
    account: row.kind === "inventory" ? collected : null,
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

  /** Per scan: counts of visible accounts by collection status, and the first visible account. */
  async function visibleAccounts(scope: AccessScope, scanIds: string[]) {
    const result = new Map<string, { counts: AccountCounts; first: CollectedAccount | null }>();
    for (const id of scanIds) {
      result.set(id, { counts: { complete: 0, partial: 0, failed: 0 }, first: null });
    }
    if (scanIds.length === 0) return result;
    const rows = await db
      .select({ scanId: sa.scanId, provider: sa.provider, account: sa.account, status: sa.status })
      .from(sa)
      .where(and(inArray(sa.scanId, scanIds), ownerCondition(scope, sa.owner)))
      .orderBy(asc(sa.provider), asc(sa.account));
    for (const row of rows) {
      const entry = result.get(row.scanId);
      if (entry === undefined) continue;
      entry.counts[row.status] += 1;
      entry.first ??= { provider: row.provider, account: row.account };
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
      if (query.kind !== undefined) conditions.push(kindCondition(query.kind));
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
      const accounts = await visibleAccounts(
        scope,
        page.map((row) => row.scan.id),
      );
      const last = page.at(-1);
      return {
        items: page.map((row) => {
          const visible = accounts.get(row.scan.id);
          return summaryOf(
            row.scan,
            visible?.counts ?? { complete: 0, partial: 0, failed: 0 },
            visible?.first ?? null,
          );
        }),
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
        scan: summaryOf(
          row,
          counts,
          accounts[0] === undefined
            ? null
            : { provider: accounts[0].provider, account: accounts[0].account },
        ),
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
