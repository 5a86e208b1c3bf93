import { tables } from "@plumbline/store";
import { count, isNull, min } from "drizzle-orm";
import type { z } from "zod";
import type { ApiContext } from "../context.js";
import type { channelSchema } from "../contract/notifications.js";
import { isoOrNull } from "./views.js";

/** An alert channel as the API shows it. */
export type AlertChannelView = z.output<typeof channelSchema>;

/** The channels Plumbline can send alerts to: listed whether or not the policy uses them. */
const KNOWN_CHANNELS = ["slack"];

/** The name of the variable the policy names for a channel's webhook URL, if it configures it. */
function webhookVariableOf(context: ApiContext, channel: string): string | null {
  const slack = context.policy.notifications.slack;
  return channel === "slack" && slack !== null ? slack.webhookUrlEnv : null;
}

/**
 * Why no alert can be sent on a channel, or null when one can. Only the variable's name is
 * ever shown, never its value.
 */
function notConfiguredReason(context: ApiContext, channel: string): string | null {
  const variable = webhookVariableOf(context, channel);
  if (variable === null) {
    return `the policy has no notifications.${channel}`;
  }
  // Limitation: the API judges the webhook variable in its own environment: a worker on another
  // machine that has it set does send alerts while the API shows the channel not-configured.
  if (!context.channelsWithWebhook.has(channel)) {
    return `${variable} is not set in the server's environment`;
  }
  return null;
}

/**
 * Every alert channel: the known ones, and any other that has a stored state or pending
 * alerts. A channel that cannot send is `not-configured`, whatever its stored state says;
 * otherwise a channel without a stored state has never failed and is `ok`.
 */
export async function readAlertChannels(context: ApiContext): Promise<AlertChannelView[]> {
  const db = context.store.database;
  const outbox = tables.outbox;
  const states = await db.select().from(tables.notificationChannels);
  const pending = await db
    .select({ channel: outbox.channel, total: count(), oldest: min(outbox.createdAt) })
    .from(outbox)
    .where(isNull(outbox.deliveredAt))
    .groupBy(outbox.channel);

  const names = new Set([
    ...KNOWN_CHANNELS,
    ...states.map((row) => row.channel),
    ...pending.map((row) => row.channel),
  ]);
  return [...names].sort().map((channel) => {
    const state = states.find((row) => row.channel === channel);
    const queued = pending.find((row) => row.channel === channel);
    const unusable = notConfiguredReason(context, channel);
    return {
      channel,
      configured: unusable === null,
      state: unusable === null ? (state?.state ?? "ok") : "not-configured",
      reason: unusable ?? state?.reason ?? null,
      changedAt: isoOrNull(state?.changedAt ?? null),
      lastDeliveredAt: isoOrNull(state?.lastDeliveredAt ?? null),
      pending: queued?.total ?? 0,
      oldestPendingAt: isoOrNull(queued?.oldest ?? null),
    };
  });
}
