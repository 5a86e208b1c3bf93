import { z } from "zod";
import { instantSchema } from "./common.js";

/** The state of an alert channel and its queue. */
export const channelSchema = z.object({
  channel: z.string(),
  configured: z
    .boolean()
    .describe(
      "The policy configures this channel and the variable holding its webhook URL is set " +
        "where the API runs",
    ),
  state: z
    .enum(["ok", "broken", "not-configured"])
    .describe(
      "not-configured: alerts cannot be sent (see reason); broken: the channel refused a " +
        "message and stays paused until an admin resets it; ok: alerts are sent",
    ),
  reason: z.string().nullable(),
  changedAt: instantSchema.nullable(),
  lastDeliveredAt: instantSchema.nullable(),
  pending: z.number().int().describe("Alert batches not yet delivered"),
  oldestPendingAt: instantSchema.nullable(),
});

export const notificationsResponseSchema = z
  .object({ channels: z.array(channelSchema) })
  .meta({ id: "Notifications" });

export const channelParamsSchema = z.object({ channel: z.string().min(1).max(64) });
