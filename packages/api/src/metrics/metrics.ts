import { tables } from "@plumbline/store";
import { sql } from "drizzle-orm";
import type { FastifyReply, FastifyRequest } from "fastify";
import { collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { declaredOwnerCondition, declaredOwnersOf } from "../auth/access-scope.js";
import type { ApiContext } from "../context.js";
import { routePattern } from "../http/access-log.js";

/** The Prometheus registry of one API instance and the request observer that feeds it. */
export interface ApiMetrics {
  registry: Registry;
  observeRequest(request: FastifyRequest, reply: FastifyReply): void;
}

interface Row {
  [column: string]: unknown;
}

async function rows(context: ApiContext, query: ReturnType<typeof sql>): Promise<Row[]> {
  const result = (await context.store.database.execute(query)) as unknown as { rows: Row[] };
  return result.rows;
}

/**
 * Metrics read from the store when scraped (scans, durations, cloud calls, current findings),
 * plus the API's own request durations. Each instance has its own registry.
 */
export function createMetrics(context: ApiContext): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "plumbline_api_" });
  const scans = tables.scans;

  new Gauge({
    name: "plumbline_scans",
    help: "Scans recorded in the store, by kind and status",
    labelNames: ["kind", "status"],
    registers: [registry],
    async collect() {
      this.reset();
      const result = await rows(
        context,
        sql`select ${scans.kind} as kind, ${scans.status} as status, count(*)::int as total from ${scans} group by 1, 2`,
      );
      for (const row of result) {
        this.set({ kind: String(row.kind), status: String(row.status) }, Number(row.total));
      }
    },
  });

  new Gauge({
    name: "plumbline_scan_duration_seconds_total",
    help: "Time spent in finished scans, by kind",
    labelNames: ["kind"],
    registers: [registry],
    async collect() {
      this.reset();
      const result = await rows(
        context,
        sql`select ${scans.kind} as kind, coalesce(sum(extract(epoch from ${scans.finishedAt} - ${scans.startedAt})), 0)::float8 as seconds from ${scans} where ${scans.finishedAt} is not null group by 1`,
      );
      for (const row of result) this.set({ kind: String(row.kind) }, Number(row.seconds));
    },
  });

  new Gauge({
    name: "plumbline_last_scan_duration_seconds",
    help: "Duration of the latest finished scan, by kind",
    labelNames: ["kind"],
    registers: [registry],
    async collect() {
      this.reset();
      const result = await rows(
        context,
        sql`select distinct on (${scans.kind}) ${scans.kind} as kind, extract(epoch from ${scans.finishedAt} - ${scans.startedAt})::float8 as seconds from ${scans} where ${scans.finishedAt} is not null order by ${scans.kind}, ${scans.startedAt} desc`,
      );
      for (const row of result) this.set({ kind: String(row.kind) }, Number(row.seconds));
    },
  });

  const cloudQuery = sql`select service.key as service, sum((service.value->>'calls')::bigint)::float8 as calls, sum((service.value->>'throttled')::bigint)::float8 as throttled from ${scans}, jsonb_each(${scans.cloudCalls}->'byService') as service where ${scans.cloudCalls} is not null group by 1`;
  new Gauge({
    name: "plumbline_cloud_calls_total",
    help: "Requests scans made to the clouds, by service",
    labelNames: ["service"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await rows(context, cloudQuery)) {
        this.set({ service: String(row.service) }, Number(row.calls));
      }
    },
  });
  new Gauge({
    name: "plumbline_cloud_throttled_total",
    help: "Cloud requests that were throttled, by service",
    labelNames: ["service"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await rows(context, cloudQuery)) {
        this.set({ service: String(row.service) }, Number(row.throttled));
      }
    },
  });

  const fs = tables.findingState;
  const declared = declaredOwnerCondition(declaredOwnersOf(context.policy), fs.tenant);
  new Gauge({
    name: "plumbline_findings",
    help: "Current findings of the policy's owners and unmapped accounts, by verdict and severity",
    labelNames: ["status", "severity"],
    registers: [registry],
    async collect() {
      this.reset();
      const result = await rows(
        context,
        sql`select ${fs.status} as status, ${fs.severity} as severity, count(*)::int as total from ${fs} where ${declared} group by 1, 2`,
      );
      for (const row of result) {
        this.set({ status: String(row.status), severity: String(row.severity) }, Number(row.total));
      }
    },
  });

  const requests = new Histogram({
    name: "plumbline_api_request_duration_seconds",
    help: "API request durations, by method, route pattern and status",
    labelNames: ["method", "route", "status"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  return {
    registry,
    observeRequest(request, reply) {
      requests.observe(
        { method: request.method, route: routePattern(request), status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    },
  };
}
