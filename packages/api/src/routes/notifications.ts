import { tables } from "@plumbline/store";
import { and, eq } from "drizzle-orm";
import { type ApiContext, type ApiInstance, authOf } from "../context.js";
import {
  channelParamsSchema,
  channelSchema,
  notificationsResponseSchema,
} from "../contract/notifications.js";
import { notFound } from "../errors.js";
import { type AlertChannelView, readAlertChannels } from "../read/alert-channels.js";
import { bearerSecurity, errorResponses } from "./route-schema.js";

async function readAlertChannel(
  context: ApiContext,
  channel: string,
): Promise<AlertChannelView | undefined> {
  return (await readAlertChannels(context)).find((view) => view.channel === channel);
}

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
    // Limitation: alert batches hold items of every owner, so channels show counts only and
    // any token may read them; the alerts themselves are not served.
    async () => ({ channels: await readAlertChannels(context) }),
  );

  app.post(
    "/api/v1/notifications/:channel/reset",
    {
      config: { access: "admin" },
      schema: {
        tags: ["scans"],
        summary:
          "Mark a broken alert channel usable again once its webhook is fixed (admin); " +
          "a channel that is not broken is left as it is",
        security: bearerSecurity,
        params: channelParamsSchema,
        response: { 200: channelSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { token } = authOf(request);
      const { channel } = request.params;
      if ((await readAlertChannel(context, channel)) === undefined) {
        throw notFound("the alert channel");
      }

      const channels = tables.notificationChannels;
      const reset = await context.store.database
        .update(channels)
        .set({ state: "ok", reason: null, changedAt: context.clock() })
        .where(and(eq(channels.channel, channel), eq(channels.state, "broken")))
        .returning({ channel: channels.channel });
      context.logger.info(
        { channel, resetBy: token.id, wasBroken: reset.length > 0 },
        "alert channel reset",
      );

      const view = await readAlertChannel(context, channel);
      if (view === undefined) throw notFound("the alert channel");
      return view;
    },
  );
}
