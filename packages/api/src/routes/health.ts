import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { sql } from "drizzle-orm";
import type { ApiContext, ApiInstance } from "../context.js";
import { healthResponseSchema, readyResponseSchema } from "../contract/health.js";
import type { ApiMetrics } from "../metrics/metrics.js";

/** How many migrations the installed store package ships, from its migration journal. */
async function shippedMigrations(): Promise<number | null> {
  try {
    const entry = createRequire(import.meta.url).resolve("@plumbline/store");
    const journal = join(dirname(entry), "..", "drizzle", "meta", "_journal.json");
    const parsed = JSON.parse(await readFile(journal, "utf8")) as { entries?: unknown[] };
    return Array.isArray(parsed.entries) ? parsed.entries.length : null;
  } catch {
    return null;
  }
}

export function registerHealthRoutes(
  app: ApiInstance,
  context: ApiContext,
  metrics: ApiMetrics,
): void {
  app.get(
    "/healthz",
    {
      config: { access: "public" },
      schema: {
        tags: ["operations"],
        summary: "The process is up",
        security: [],
        response: { 200: healthResponseSchema },
      },
    },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/readyz",
    {
      config: { access: "public" },
      schema: {
        tags: ["operations"],
        summary: "The database is reachable and every migration is applied",
        security: [],
        response: { 200: readyResponseSchema, 503: readyResponseSchema },
      },
    },
    async (_request, reply) => {
      let database = false;
      let migrations = false;
      try {
        await context.store.database.execute(sql`select 1`);
        database = true;
        const result = (await context.store.database.execute(
          sql`select count(*)::int as applied from drizzle.__drizzle_migrations`,
        )) as unknown as { rows: { applied: number }[] };
        const expected = await shippedMigrations();
        migrations = expected !== null && Number(result.rows[0]?.applied ?? -1) >= expected;
      } catch (error) {
        context.logger.warn({ err: error }, "readiness check failed");
      }
      const ready = database && migrations;
      return reply
        .code(ready ? 200 : 503)
        .send({ status: ready ? "ready" : "not-ready", checks: { database, migrations } });
    },
  );

  // Limitation: /metrics needs no token; its counts span every owner, so expose it only to the
  // monitoring network.
  app.get(
    "/metrics",
    { config: { access: "public" }, schema: { hide: true } },
    async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
}
