import type { AlertBatch, AlertItem } from "@plumbline/rules";
import { type Store, type StoreDatabase, tables } from "@plumbline/store";
import { and, asc, count, eq, inArray, isNull, lte, min, or, sql } from "drizzle-orm";
import type { Logger } from "pino";
import { bindNewFields } from "../logging/bind-new-fields.js";
import { alertBatchSchema } from "./alert-batch.js";
import { renderAlertMessage } from "./render-slack-message.js";
import {
  createSlackWebhookSender,
  type SendOutcome,
  type SlackWebhookSender,
  webhookFingerprint,
} from "./slack-webhook.js";

const { outbox, notificationChannels, findings, findingState } = tables;

/** The alert channels Plumbline can deliver to. */
export type AlertChannel = "slack";

/** How hard delivery tries before leaving a batch for a later run. Durations in milliseconds. */
export interface DeliveryRetryPolicy {
  /** HTTP requests per batch within one run, the first included. */
  sendAttempts: number;
  /** Wait before the second request after a 5xx or network error; doubles each time. */
  baseDelayMs: number;
  /** The longest `Retry-After` waited out in-run; a longer one postpones the batch instead. */
  maxRetryAfterMs: number;
  /**
   * How long a claimed batch stays reserved for the worker that claimed it. A worker that dies
   * after sending and before marking leaves the batch to be sent again once this has passed;
   * it must exceed the longest in-run retry sequence, or two live workers could both send.
   */
  leaseMs: number;
  /** Batches sent per run at most. */
  maxBatchesPerRun: number;
  /**
   * No new batch is claimed once a run has lasted this long, so a run under repeated 429s
   * still ends well within the notify job's timeout.
   */
  runBudgetMs: number;
}

const defaultRetryPolicy: DeliveryRetryPolicy = {
  sendAttempts: 4,
  baseDelayMs: 1000,
  // With these, one batch takes at most two and a half minutes (three 30 s waits, four 15 s
  // request timeouts) and a run at most four: within the notify job's five-minute timeout.
  maxRetryAfterMs: 30_000,
  leaseMs: 10 * 60_000,
  maxBatchesPerRun: 100,
  runBudgetMs: 90_000,
};

/**
 * Wait before the next run tries a batch that failed every request of a run with 5xx or
 * network errors; it doubles with each run that fails, up to the maximum.
 */
const firstPostponeMs = 60_000;
const maxPostponeMs = 60 * 60_000;

/** A payload that does not parse is set aside this long; its last_error says why. */
const invalidPayloadPostponeMs = 24 * 60 * 60_000;

/** What delivering pending alerts needs. */
export interface DeliverPendingAlertsOptions {
  store: Store;
  channel: AlertChannel;
  /** The incoming webhook; a credential, so it is never logged or stored. */
  webhookUrl: string;
  /** The dashboard's base URL, for links to each finding. */
  dashboardUrl: string;
  logger: Logger;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  retry?: Partial<DeliveryRetryPolicy>;
  /**
   * Runs after Slack accepted a batch and before it is marked delivered. A throw here leaves
   * the batch claimed, exactly like a worker dying at that point.
   */
  afterSend?: (batchId: string) => Promise<void> | void;
}

/** What a delivery run did, and what is left. */
export interface DeliverPendingAlertsResult {
  /** Batches Slack accepted in this run. */
  delivered: number;
  /** Batches of the channel not yet delivered, whether due now or later. */
  pending: number;
  channelState: "ok" | "broken";
}

/** The health of one alert channel, for the API and the CLI. */
export interface ChannelStateSummary {
  channel: string;
  state: "ok" | "broken";
  /** Why the channel is broken, without the webhook URL; null when ok. */
  reason: string | null;
  changedAt: Date;
  lastDeliveredAt: Date | null;
  /** Batches waiting to be delivered. */
  pending: number;
}

interface ClaimedBatch {
  id: number;
  batchId: string;
  payload: unknown;
  attempts: number;
}

type BatchResult = "delivered" | "skipped" | "postponed" | "broken";

/**
 * Sends the channel's due outbox batches, one message each, and marks each delivered after
 * Slack accepted it. A batch is claimed (leased) before sending, so concurrent runs never
 * send the same batch; a run that dies between sending and marking causes one duplicate once
 * the lease ends, never a lost alert. A refused message (a 4xx other than 429) marks the
 * channel broken and leaves every alert pending; a broken channel sends nothing until reset.
 */
export async function deliverPendingAlerts(
  options: DeliverPendingAlertsOptions,
): Promise<DeliverPendingAlertsResult> {
  const { store, channel, logger } = options;
  const now = options.now ?? (() => new Date());
  const db = store.database;
  const policy: DeliveryRetryPolicy = { ...defaultRetryPolicy, ...options.retry };
  const log = bindNewFields(logger, { channel, webhook: webhookFingerprint(options.webhookUrl) });

  await ensureChannelRow(db, channel, now());
  if ((await readChannelState(db, channel)) === "broken") {
    log.debug("alert channel is broken; nothing sent");
    return summarize(db, channel, 0);
  }
  if (!isHttpUrl(options.webhookUrl)) {
    await markChannelBroken(db, channel, "the webhook URL is not an http(s) URL", now(), log);
    return summarize(db, channel, 0);
  }

  const sender = createSlackWebhookSender(options.webhookUrl);
  const startedAt = now();
  let delivered = 0;
  for (let run = 0; run < policy.maxBatchesPerRun; run += 1) {
    if (now().getTime() - startedAt.getTime() > policy.runBudgetMs) {
      break;
    }
    const claimed = await claimNextBatch(db, channel, now(), policy.leaseMs);
    if (claimed === undefined) {
      break;
    }
    const result = await deliverBatch(claimed, sender, policy, options, now, log);
    if (result === "delivered") {
      delivered += 1;
    }
    // A broken channel or a struggling Slack makes the next batch fail the same way.
    if (result === "broken" || result === "postponed") {
      break;
    }
  }

  return summarize(db, channel, delivered);
}

async function deliverBatch(
  claimed: ClaimedBatch,
  sender: SlackWebhookSender,
  policy: DeliveryRetryPolicy,
  options: DeliverPendingAlertsOptions,
  now: () => Date,
  log: Logger,
): Promise<BatchResult> {
  const db = options.store.database;
  const batchLog = log.child({ batchId: claimed.batchId, attempt: claimed.attempts });
  const parsed = alertBatchSchema.safeParse(claimed.payload);
  if (!parsed.success) {
    // Retrying cannot fix a payload; set it aside for a day and carry on with the others.
    const reason = `invalid alert payload: ${parsed.error.issues.length} issue(s)`;
    batchLog.error(
      { issues: parsed.error.issues.slice(0, 5) },
      "outbox batch has an invalid payload",
    );
    await postpone(db, claimed.id, new Date(now().getTime() + invalidPayloadPostponeMs), reason);
    return "skipped";
  }

  const batch = await withoutStaleItems(db, parsed.data);
  if (batch.items.length === 0) {
    batchLog.info(
      { items: parsed.data.items.length },
      "alert batch only had stale items; none sent",
    );
    await markDelivered(db, options.channel, claimed.id, now(), false);
    return "skipped";
  }

  const message = renderAlertMessage(batch, { dashboardUrl: options.dashboardUrl });
  const outcome = await sendWithRetries(message, sender, policy, options, batchLog);
  if (outcome.kind === "refused") {
    // Limitation: a 400 invalid_payload concerns one message, yet it breaks the whole channel
    // until someone resets it, like a revoked webhook does; Slack does not tell the two apart.
    await releaseClaim(db, claimed.id, outcome.reason);
    await markChannelBroken(db, options.channel, outcome.reason, now(), batchLog);
    return "broken";
  }
  if (outcome.kind !== "sent") {
    const waitMs =
      outcome.kind === "rate-limited" && outcome.retryAfterMs !== undefined
        ? outcome.retryAfterMs
        : Math.min(maxPostponeMs, firstPostponeMs * 2 ** (claimed.attempts - 1));
    const nextAttemptAt = new Date(now().getTime() + waitMs);
    batchLog.warn(
      { reason: outcome.reason, nextAttemptAt: nextAttemptAt.toISOString() },
      "alert batch not delivered; postponed",
    );
    await postpone(db, claimed.id, nextAttemptAt, outcome.reason);
    return "postponed";
  }

  await options.afterSend?.(claimed.batchId);
  await markDelivered(db, options.channel, claimed.id, now(), true);
  batchLog.info({ items: batch.items.length }, "alert batch delivered");
  return "delivered";
}

/**
 * Posts one message, waiting out 429s (per `Retry-After`) and backing off after 5xx and
 * network errors, up to the policy's attempts. Returns the last outcome.
 */
async function sendWithRetries(
  message: Parameters<SlackWebhookSender["send"]>[0],
  sender: SlackWebhookSender,
  policy: DeliveryRetryPolicy,
  options: DeliverPendingAlertsOptions,
  log: Logger,
): Promise<SendOutcome> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((done) => setTimeout(done, ms)));
  let outcome: SendOutcome = { kind: "transient", reason: "not attempted" };
  for (let attempt = 1; attempt <= policy.sendAttempts; attempt += 1) {
    outcome = await sender.send(message);
    if (outcome.kind === "sent" || outcome.kind === "refused") {
      return outcome;
    }
    if (attempt === policy.sendAttempts) {
      break;
    }

    const backoffMs = policy.baseDelayMs * 2 ** (attempt - 1);
    const waitMs =
      outcome.kind === "rate-limited" ? (outcome.retryAfterMs ?? backoffMs) : backoffMs;
    if (waitMs > policy.maxRetryAfterMs) {
      return outcome;
    }
    log.info(
      { reason: outcome.reason, waitMs, attempt },
      "slack did not accept the alert; retrying",
    );
    await sleep(waitMs);
  }
  return outcome;
}

/**
 * Reserves the oldest due batch for this run; locked rows belong to another run and are skipped.
 * Limitation: the batch of a worker that died holding it waits for the lease to end (ten
 * minutes by default) before another worker sends it.
 */
async function claimNextBatch(
  db: StoreDatabase,
  channel: AlertChannel,
  at: Date,
  leaseMs: number,
): Promise<ClaimedBatch | undefined> {
  return db.transaction(async (transaction) => {
    // Another run may have marked the channel broken since this one started.
    const [channelRow] = await transaction
      .select({ state: notificationChannels.state })
      .from(notificationChannels)
      .where(eq(notificationChannels.channel, channel));
    if (channelRow?.state === "broken") {
      return undefined;
    }

    const [row] = await transaction
      .select({
        id: outbox.id,
        batchId: outbox.batchId,
        payload: outbox.payload,
        attempts: outbox.attempts,
      })
      .from(outbox)
      .where(
        and(
          eq(outbox.channel, channel),
          isNull(outbox.deliveredAt),
          or(isNull(outbox.nextAttemptAt), lte(outbox.nextAttemptAt, at)),
        ),
      )
      .orderBy(asc(outbox.id))
      .limit(1)
      .for("update", { skipLocked: true });
    if (row === undefined) {
      return undefined;
    }

    await transaction
      .update(outbox)
      .set({
        attempts: sql`${outbox.attempts} + 1`,
        nextAttemptAt: new Date(at.getTime() + leaseMs),
      })
      .where(eq(outbox.id, row.id));
    return { ...row, attempts: row.attempts + 1 };
  });
}

/**
 * Drops items about findings that were stale in the scan that produced the batch: the
 * evaluation should never have written them, and an alert about data not freshly collected
 * would mislead. Without a scan id, the current finding state decides.
 */
async function withoutStaleItems(db: StoreDatabase, batch: AlertBatch): Promise<AlertBatch> {
  const controls = [...new Set(batch.items.map((item) => item.control))];
  if (controls.length === 0) {
    return batch;
  }

  const source =
    batch.scanId !== null && uuidPattern.test(batch.scanId)
      ? await db
          .select({
            tenant: findings.tenant,
            control: findings.control,
            subjectKey: findings.subjectKey,
          })
          .from(findings)
          .where(
            and(
              eq(findings.scanId, batch.scanId),
              eq(findings.stale, true),
              inArray(findings.control, controls),
            ),
          )
      : await db
          .select({
            tenant: findingState.tenant,
            control: findingState.control,
            subjectKey: findingState.subjectKey,
          })
          .from(findingState)
          .where(and(eq(findingState.stale, true), inArray(findingState.control, controls)));
  const stale = new Set(source.map(identityKey));

  return { ...batch, items: batch.items.filter((item) => !stale.has(identityKey(item))) };
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function identityKey(item: Pick<AlertItem, "tenant" | "control" | "subjectKey">): string {
  return JSON.stringify([item.tenant, item.control, item.subjectKey]);
}

async function markDelivered(
  db: StoreDatabase,
  channel: AlertChannel,
  id: number,
  at: Date,
  sent: boolean,
): Promise<void> {
  await db.transaction(async (transaction) => {
    await transaction
      .update(outbox)
      .set({ deliveredAt: at, nextAttemptAt: null, lastError: null })
      .where(eq(outbox.id, id));
    if (sent) {
      await transaction
        .update(notificationChannels)
        .set({ lastDeliveredAt: at })
        .where(eq(notificationChannels.channel, channel));
    }
  });
}

async function postpone(db: StoreDatabase, id: number, until: Date, reason: string): Promise<void> {
  await db.update(outbox).set({ nextAttemptAt: until, lastError: reason }).where(eq(outbox.id, id));
}

/** Gives a batch back at once, so it goes out as soon as the channel is reset. */
async function releaseClaim(db: StoreDatabase, id: number, reason: string): Promise<void> {
  await db.update(outbox).set({ nextAttemptAt: null, lastError: reason }).where(eq(outbox.id, id));
}

/** Marks the channel broken; only the run that makes the change logs it, so it is logged once. */
async function markChannelBroken(
  db: StoreDatabase,
  channel: AlertChannel,
  reason: string,
  at: Date,
  log: Logger,
): Promise<void> {
  const changed = await db
    .update(notificationChannels)
    .set({ state: "broken", reason, changedAt: at })
    .where(and(eq(notificationChannels.channel, channel), eq(notificationChannels.state, "ok")))
    .returning({ channel: notificationChannels.channel });
  if (changed.length > 0) {
    log.warn({ reason }, "alert channel refused a message; marked broken until reset");
  }
}

async function ensureChannelRow(db: StoreDatabase, channel: string, at: Date): Promise<void> {
  await db
    .insert(notificationChannels)
    .values({ channel, state: "ok", changedAt: at })
    .onConflictDoNothing({ target: notificationChannels.channel });
}

async function readChannelState(db: StoreDatabase, channel: string): Promise<"ok" | "broken"> {
  const [row] = await db
    .select({ state: notificationChannels.state })
    .from(notificationChannels)
    .where(eq(notificationChannels.channel, channel));
  return row?.state ?? "ok";
}

async function countPending(db: StoreDatabase, channel: string): Promise<number> {
  const [row] = await db
    .select({ pending: count() })
    .from(outbox)
    .where(and(eq(outbox.channel, channel), isNull(outbox.deliveredAt)));
  return row?.pending ?? 0;
}

async function summarize(
  db: StoreDatabase,
  channel: AlertChannel,
  delivered: number,
): Promise<DeliverPendingAlertsResult> {
  return {
    delivered,
    pending: await countPending(db, channel),
    channelState: await readChannelState(db, channel),
  };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}

/**
 * Every alert channel with its health and backlog. A channel that has pending batches but has
 * never been tried is reported ok, changed when its oldest batch was written.
 */
export async function getChannelStates(store: Store): Promise<ChannelStateSummary[]> {
  const db = store.database;
  const channels = await db.select().from(notificationChannels);
  const backlog = await db
    .select({ channel: outbox.channel, pending: count(), oldest: min(outbox.createdAt) })
    .from(outbox)
    .where(isNull(outbox.deliveredAt))
    .groupBy(outbox.channel);
  const pendingByChannel = new Map(backlog.map((row) => [row.channel, row]));

  const states: ChannelStateSummary[] = channels.map((row) => ({
    channel: row.channel,
    state: row.state,
    reason: row.reason,
    changedAt: row.changedAt,
    lastDeliveredAt: row.lastDeliveredAt,
    pending: pendingByChannel.get(row.channel)?.pending ?? 0,
  }));
  for (const row of backlog) {
    if (!channels.some((channel) => channel.channel === row.channel)) {
      states.push({
        channel: row.channel,
        state: "ok",
        reason: null,
        changedAt: row.oldest ?? new Date(0),
        lastDeliveredAt: null,
        pending: row.pending,
      });
    }
  }
  return states.sort((left, right) => left.channel.localeCompare(right.channel));
}

/**
 * Marks a channel ok again, after its webhook was fixed. The batch that was refused was given
 * back when the channel broke, so the next delivery run sends it and the rest.
 */
export async function resetChannel(
  store: Store,
  channel: AlertChannel,
  options: { now?: () => Date } = {},
): Promise<void> {
  const at = (options.now ?? (() => new Date()))();
  await store.database
    .insert(notificationChannels)
    .values({ channel, state: "ok", changedAt: at })
    .onConflictDoUpdate({
      target: notificationChannels.channel,
      set: { state: "ok", reason: null, changedAt: at },
    });
}
