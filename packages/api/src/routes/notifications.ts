import { tables } from "@plumbline/store";
import { and, count, eq, isNull, min } from "drizzle-orm";
import { type ApiContext, type ApiInstance, authOf } from "../context.js";
import {
  channelParamsSchema,
  channelSchema,
  notificationsResponseSchema,
} from "../contract/notifications.js";
import { notFound } from "../errors.js";
import { isoOrNull } from "../read/views.js";
import { bearerSecurity, errorResponses } from "./route-schema.js";

export function registerNotificationRoutes(app: ApiInstance, context: ApiContext): void {
  app.get(
    "/api/v1/notifications",
    {
      config: { access: "read" },
      schema: {
        tags: ["scans"],
        summary: "The state of each alert channel and its pending alerts",
        security: bearerSecurity,
        response: { 200: notificationsResponseSchema, ...errorResponses },
      },
    },
    async () => {
      const db = context.store.database;
      const outbox = tables.outbox;
      const states = await db.select().from(tables.notificationChannels);
      const pending = await db
        .select({ channel: outbox.channel, total: count(), oldest: min(outbox.createdAt) })
        .from(outbox)
        .where(isNull(outbox.deliveredAt))
        .groupBy(outbox.channel);
      const configured = new Set(context.policy.notifications.slack === null ? [] : ["slack"]);
      const channels = [
        ...new Set([
          ...configured,
          ...states.map((row) => row.channel),
          ...pending.map((row) => row.channel),
        ]),
      ].sort();
      // Limitation: alert batches hold items of every owner, so channels show counts only and
      // any token may read them; the alerts themselves are not served.
      return {
        channels: channels.map((channel) => {
          const state = states.find((row) => row.channel === channel);
          const queued = pending.find((row) => row.channel === channel);
          return {
            channel,
            configured: configured.has(channel),
            state: state?.state ?? ("ok" as const),
            reason: state?.reason ?? null,
            changedAt: isoOrNull(state?.changedAt ?? null),
            lastDeliveredAt: isoOrNull(state?.lastDeliveredAt ?? null),
            pending: queued?.total ?? 0,
            oldestPendingAt: isoOrNull(queued?.oldest ?? null),
          };
        }),
      };
    },
  );

  app.post(
    "/api/v1/notifications/:channel/reset",
    {
      config: { access: "admin" },
      schema: {
        tags: ["scans"],
        summary: "Mark a broken alert channel usable again once its webhook is fixed (admin)",
        security: bearerSecurity,
        params: channelParamsSchema,
        response: { 200: channelSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { token } = authOf(request);
      const db = context.store.database;
      const channels = tables.notificationChannels;
      const [row] = await db
        .update(channels)
        .set({ state: "ok", reason: null, changedAt: context.clock() })
        .where(eq(channels.channel, request.params.channel))
        .returning();
      if (row === undefined) throw notFound("the alert channel");
      context.logger.info({ channel: row.channel, resetBy: token.id }, "alert channel reset");
      const [queued] = await db
        .select({ total: count(), oldest: min(tables.outbox.createdAt) })
        .from(tables.outbox)
        .where(and(eq(tables.outbox.channel, row.channel), isNull(tables.outbox.deliveredAt)));
      return {
        channel: row.channel,
        configured: context.policy.notifications.slack !== null && row.channel === "slack",
        state: row.state,
        reason: row.reason,
        changedAt: isoOrNull(row.changedAt),
        lastDeliveredAt: isoOrNull(row.lastDeliveredAt),
        pending: queued?.total ?? 0,
        oldestPendingAt: isoOrNull(queued?.oldest ?? null),
      };
    },
  );
}
