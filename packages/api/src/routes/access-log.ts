import { tables } from "@plumbline/store";
import { and, desc, eq, type SQL, sql } from "drizzle-orm";
import type { ApiContext, ApiInstance } from "../context.js";
import { accessLogQuerySchema, accessLogResponseSchema } from "../contract/access-log.js";
import { decodeCursor, encodeCursor } from "../http/identifiers.js";
import { bearerSecurity, errorResponses } from "./route-schema.js";

const log = tables.accessLog;

export function registerAccessLogRoutes(app: ApiInstance, context: ApiContext): void {
  app.get(
    "/api/v1/access-log",
    {
      config: { access: "admin" },
      schema: {
        tags: ["access"],
        summary: "API requests, newest first (admin)",
        security: bearerSecurity,
        querystring: accessLogQuerySchema,
        response: { 200: accessLogResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const query = request.query;
      const conditions: (SQL | undefined)[] = [];
      if (query.tokenId !== undefined) conditions.push(eq(log.tokenId, query.tokenId));
      if (query.status !== undefined) conditions.push(eq(log.status, query.status));
      const tag = "access-log";
      if (query.cursor !== undefined) {
        const [id] = decodeCursor(tag, query.cursor, 1);
        conditions.push(sql`${log.id} < ${Number(id)}`);
      }
      // Rows are appended in order, so the identity orders them by time.
      const rows = await context.store.database
        .select()
        .from(log)
        .where(and(...conditions))
        .orderBy(desc(log.id))
        .limit(query.limit + 1);
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        items: page.map((row) => ({ ...row, at: row.at.toISOString() })),
        nextCursor:
          rows.length > query.limit && last !== undefined ? encodeCursor(tag, [last.id]) : null,
      };
    },
  );
}
