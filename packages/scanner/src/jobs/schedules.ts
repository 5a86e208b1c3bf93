import { isDeepStrictEqual } from "node:util";
import type { Policy } from "@plumbline/rules";
import type { Logger } from "pino";
import {
  inventoryQueueOf,
  type JobName,
  type JobPayloads,
  parseJobPayload,
  QUEUE_NAMES,
  type QueueName,
  retryOptionsOf,
} from "./catalogue.js";
import { type JobQueues, policyAccounts } from "./queues.js";

/** Cron patterns are read in UTC, whatever the time zone of the worker's machine. */
const SCHEDULE_TIME_ZONE = "UTC";

/** Pending alerts are retried this often when Slack is configured, even without new drift. */
const NOTIFY_DRAIN_PATTERN = "*/5 * * * *";

/** One job scheduler the policy asks for. */
export interface DesiredSchedule {
  /** Scheduler id: `inventory:<cloud>:<account>`, `discover`, or `notify:slack`. */
  id: string;
  queue: QueueName;
  job: JobName;
  /** Cron pattern (5 fields, or 6 with seconds), read in UTC. */
  pattern: string;
  payload: JobPayloads[JobName];
}

/**
 * The job schedulers a policy asks for: one inventory scheduler per account on the account's
 * cron (the per-account override, else the default), the round's discovery on the default
 * cron, and a periodic drain of pending alerts when Slack is configured.
 */
export function desiredSchedules(policy: Policy): DesiredSchedule[] {
  const trigger = "schedule";
  const schedules: DesiredSchedule[] = policyAccounts(policy).map(({ provider, account }) => ({
    id: `inventory:${provider}:${account}`,
    queue: inventoryQueueOf(provider),
    job: "inventory",
    pattern: policy.schedule.accounts[account.toLowerCase()] ?? policy.schedule.cron,
    payload: { provider, account, trigger },
  }));
  schedules.push({
    id: "discover",
    queue: "discover",
    job: "discover",
    pattern: policy.schedule.cron,
    payload: { trigger },
  });
  if (policy.notifications.slack !== null) {
    schedules.push({
      id: "notify:slack",
      queue: "notify",
      job: "notify",
      pattern: NOTIFY_DRAIN_PATTERN,
      payload: { channel: "slack", trigger },
    });
  }
  return schedules;
}

/** What a synchronisation changed, by scheduler id. */
export interface ScheduleSyncResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  removed: string[];
}

/** A scheduler as Redis holds it, reduced to what the policy decides. */
interface StoredSchedule {
  pattern: string | undefined;
  tz: string | undefined;
  name: string;
  data: unknown;
  attempts: unknown;
  backoff: unknown;
}

function storedForm(schedule: DesiredSchedule): StoredSchedule {
  const retry = retryOptionsOf(schedule.job);
  return {
    pattern: schedule.pattern,
    tz: SCHEDULE_TIME_ZONE,
    name: schedule.job,
    data: schedule.payload,
    attempts: retry.attempts,
    backoff: retry.backoff,
  };
}

/**
 * Makes the job schedulers in Redis match the policy: creates the missing ones, updates those
 * whose cron or job changed, leaves identical ones alone (so their next run is kept), and
 * removes those of accounts the policy no longer lists. Safe to run from every worker at
 * start: running it twice with one policy changes nothing the second time.
 */
export async function syncJobSchedulers(
  queues: JobQueues,
  policy: Policy,
  logger?: Logger,
): Promise<ScheduleSyncResult> {
  const result: ScheduleSyncResult = { created: [], updated: [], unchanged: [], removed: [] };
  const desired = desiredSchedules(policy);

  for (const queueName of QUEUE_NAMES) {
    const queue = queues.queue(queueName);
    const wanted = new Map(desired.filter((s) => s.queue === queueName).map((s) => [s.id, s]));
    const existing = await queue.getJobSchedulers(0, -1, true);

    for (const stored of existing) {
      const schedule = wanted.get(stored.key);
      if (schedule === undefined) {
        await queue.removeJobScheduler(stored.key);
        result.removed.push(stored.key);
        continue;
      }
      const current: StoredSchedule = {
        pattern: stored.pattern,
        tz: stored.tz,
        name: stored.name,
        data: stored.template?.data,
        attempts: stored.template?.opts?.attempts,
        backoff: stored.template?.opts?.backoff,
      };
      if (isDeepStrictEqual(current, storedForm(schedule))) {
        result.unchanged.push(schedule.id);
        wanted.delete(schedule.id);
        continue;
      }
      await upsert(queues, schedule);
      result.updated.push(schedule.id);
      wanted.delete(schedule.id);
    }

    for (const schedule of wanted.values()) {
      await upsert(queues, schedule);
      result.created.push(schedule.id);
    }
  }

  logger?.info(
    {
      created: result.created.length,
      updated: result.updated.length,
      unchanged: result.unchanged.length,
      removed: result.removed.length,
    },
    "job schedulers synchronised",
  );
  return result;
}

async function upsert(queues: JobQueues, schedule: DesiredSchedule): Promise<void> {
  await queues.queue(schedule.queue).upsertJobScheduler(
    schedule.id,
    { pattern: schedule.pattern, tz: SCHEDULE_TIME_ZONE },
    {
      name: schedule.job,
      data: parseJobPayload(schedule.job, schedule.payload),
      opts: retryOptionsOf(schedule.job),
    },
  );
}
