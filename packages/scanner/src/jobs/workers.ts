import { setTimeout as sleep } from "node:timers/promises";
import {
  ownerById,
  ownersOf,
  ownersOfAccount,
  PLATFORM_OWNER_ID,
  type Policy,
} from "@plumbline/rules";
import { DelayedError, type Job, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { type AccountLocks, createAccountLocks } from "./account-lock.js";
import {
  type DiscoverPayload,
  type EvaluatePayload,
  type InventoryPayload,
  type JobName,
  JobPayloadError,
  jobCatalogue,
  jobOfQueue,
  type NotifyPayload,
  parseJobPayload,
  QUEUE_NAMES,
  type QueueName,
} from "./catalogue.js";
import { addJob, createJobQueues, type JobQueues } from "./queues.js";
import { closeRedis, openRedis, type RedisConnection } from "./redis-connection.js";

/*
 * How a round flows through the workers:
 * - An inventory job takes its account's lock (one scan per account across every worker),
 *   collects the account, lets the lock go, and asks for an `evaluate` job per owner of the
 *   account (every owner for a platform account, whose shared resources others reference).
 * - `evaluate` jobs are deduplicated per owner: accounts that finish together make one
 *   evaluation, and a request made while one runs starts after it. An evaluation whose
 *   accounts are still being scanned or waiting to be puts itself back to delayed, up to a
 *   wait limit, then runs over what is stored.
 * - An evaluation that wrote alerts asks for a `notify` job (deduplicated the same way), which
 *   drains the outbox; a schedule drains it too, so alerts left pending are retried.
 */

/** What a handler gets besides its payload. */
export interface JobContext {
  jobId: string;
  /** 1 for the first attempt. */
  attempt: number;
  logger: Logger;
}

/** The work behind each job; the pipeline provides the real ones. */
export interface JobHandlers {
  inventory(payload: InventoryPayload, context: JobContext): Promise<{ scanId: string }>;
  evaluate(
    payload: EvaluatePayload,
    context: JobContext,
  ): Promise<{ scanId: string; alerts: number }>;
  notify(
    payload: NotifyPayload,
    context: JobContext,
  ): Promise<{ delivered: number; pending: number }>;
  discover(
    payload: DiscoverPayload,
    context: JobContext,
  ): Promise<{ scanId: string | null; unmapped: number; alerts: number }>;
}

/** A BullMQ rate limit: at most `max` jobs started per `durationMs`, across all workers. */
export interface RateLimit {
  max: number;
  durationMs: number;
}

/** How the workers share the work; every field has a production default. */
export interface JobWorkerSettings {
  /** Inventory jobs of one cloud this process runs at once (default 2). */
  inventoryConcurrency: number;
  /**
   * Inventory jobs started per cloud across every worker. Resource Graph allows about 15
   * queries per 5 s per identity and one subscription takes several, so Azure starts few.
   * Limitation: this bounds jobs started, not API calls; the calls within a job are paced by
   * the collectors' own back-off on quota headers and throttling errors.
   */
  rateLimits: { azure: RateLimit; aws: RateLimit };
  /**
   * BullMQ job lock in milliseconds: a job whose worker stops renewing it (killed) is taken
   * as stalled after this long and retried (default 30 s).
   */
  lockDurationMs: number;
  /** How often each worker looks for stalled jobs (default 30 s). */
  stalledIntervalMs: number;
  /** How many times one job may stall before it fails (default 2). */
  maxStalledCount: number;
  /** Lifetime of an account lock whose holder died (default 60 s); renewed while held. */
  accountLockTtlMs: number;
  /** Delay of an inventory job that finds its account being scanned (default 5 s). */
  lockRetryDelayMs: number;
  /**
   * Wait after an inventory before its owners are evaluated, so that accounts finishing
   * together make one evaluation (default 5 s).
   */
  evaluateDelayMs: number;
  /** Delay of an evaluation whose accounts are still being inventoried (default 10 s). */
  evaluateRecheckMs: number;
  /** Longest an evaluation waits for its accounts before it runs anyway (default 30 min). */
  evaluateWaitLimitMs: number;
  /** Per-job timeouts that replace the catalogue's (tests use short ones). */
  timeoutOverridesMs: Partial<Record<JobName, number>>;
}

/** Production defaults of the worker settings. */
export const DEFAULT_WORKER_SETTINGS: JobWorkerSettings = {
  inventoryConcurrency: 2,
  rateLimits: {
    azure: { max: 3, durationMs: 5_000 },
    aws: { max: 10, durationMs: 1_000 },
  },
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
  maxStalledCount: 2,
  accountLockTtlMs: 60_000,
  lockRetryDelayMs: 5_000,
  evaluateDelayMs: 5_000,
  evaluateRecheckMs: 10_000,
  evaluateWaitLimitMs: 30 * 60_000,
  timeoutOverridesMs: {},
};

/** Options of `startJobWorkers`. */
export interface JobWorkersOptions {
  connection: RedisConnection;
  /** Redis key prefix; must match the producers' (default `plumbline`). */
  prefix?: string;
  /** The policy whose accounts and owners the jobs refer to. */
  policy: Policy;
  handlers: JobHandlers;
  logger: Logger;
  settings?: Partial<JobWorkerSettings>;
  /** Name recorded on the jobs this process takes, to tell the workers apart. */
  name?: string;
}

/** Running workers. */
export interface JobWorkers {
  /**
   * Stops taking jobs and waits for the jobs in flight to finish, at most `timeoutMs`
   * (default 25 s). Jobs still running then are abandoned to BullMQ's stalled-job check,
   * which retries them once their lock expires. `drained` says whether every job finished;
   * when it is false the process must exit, as its unfinished work holds no lock any more.
   */
  close(options?: { timeoutMs?: number }): Promise<{ drained: boolean }>;
}

/** A job that ran past its catalogue timeout. */
class JobTimeoutError extends Error {
  constructor(job: JobName, timeoutMs: number) {
    super(`the ${job} job ran longer than ${timeoutMs} ms`);
    this.name = "JobTimeoutError";
  }
}

/**
 * Resolves or rejects with the work, or rejects after `timeoutMs`.
 * Limitation: a job past its timeout fails and is retried, but the collection or evaluation it
 * started is not cancelled (the pipeline takes no abort signal); it runs on to its end while
 * the account lock keeps its retry waiting.
 */
async function withTimeout<T>(work: Promise<T>, job: JobName, timeoutMs: number): Promise<T> {
  const controller = new AbortController();
  const timeout = sleep(timeoutMs, undefined, { signal: controller.signal }).then(() => {
    throw new JobTimeoutError(job, timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    controller.abort();
    timeout.catch(() => undefined);
  }
}

/**
 * Starts one BullMQ worker per queue of the catalogue. Several processes may run this against
 * one Redis: they share the jobs, and a per-account lock keeps any two from scanning the same
 * account at once (a job that finds the lock taken is delayed, not run).
 * Limitation: the policy is read once, when the workers start; a changed policy takes effect
 * when they restart, and workers started with different policy files overwrite each other's
 * job schedulers until they all run the same file.
 */
export async function startJobWorkers(options: JobWorkersOptions): Promise<JobWorkers> {
  const settings = { ...DEFAULT_WORKER_SETTINGS, ...options.settings };
  const { policy, handlers, logger } = options;
  const queues = createJobQueues({
    connection: options.connection,
    ...(options.prefix ? { prefix: options.prefix } : {}),
    whenRedisIsDown: "wait",
    logger,
  });
  const locks = createAccountLocks({
    redis: queues.redis,
    prefix: queues.prefix,
    ttlMs: settings.accountLockTtlMs,
    onLost: (key) => logger.error({ lock: key }, "account lock lost while scanning"),
  });
  const processors = createProcessors({ policy, handlers, logger, settings, queues, locks });

  const connections: Redis[] = [];
  const workers = QUEUE_NAMES.map((queueName) => {
    const connection = openRedis(options.connection, "wait");
    connections.push(connection);
    const cloud =
      queueName === "inventory-azure" ? "azure" : queueName === "inventory-aws" ? "aws" : null;
    const worker = new Worker(queueName, processors[queueName], {
      connection,
      prefix: queues.prefix,
      ...(options.name ? { name: options.name } : {}),
      concurrency: cloud === null ? 1 : settings.inventoryConcurrency,
      ...(cloud === null
        ? {}
        : {
            limiter: {
              max: settings.rateLimits[cloud].max,
              duration: settings.rateLimits[cloud].durationMs,
            },
          }),
      lockDuration: settings.lockDurationMs,
      stalledInterval: settings.stalledIntervalMs,
      maxStalledCount: settings.maxStalledCount,
    });
    worker.on("error", (error) => logger.error({ queue: queueName, err: error }, "worker error"));
    worker.on("stalled", (jobId) =>
      logger.warn({ queue: queueName, jobId }, "job stalled, retrying"),
    );
    worker.on("failed", (job, error) => {
      if (job === undefined) return;
      const final =
        error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
      const fields = { queue: queueName, jobId: job.id, attempt: job.attemptsMade, err: error };
      if (final) logger.error(fields, "job failed for good");
      else logger.warn(fields, "job failed, will retry");
    });
    return worker;
  });
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  logger.info(
    { prefix: queues.prefix, concurrency: settings.inventoryConcurrency },
    "workers started",
  );

  let closing: Promise<{ drained: boolean }> | undefined;
  return {
    close(closeOptions = {}) {
      closing ??= (async () => {
        const timeoutMs = closeOptions.timeoutMs ?? 25_000;
        const graceful = Promise.all(workers.map((worker) => worker.close())).then(() => true);
        const drained = await Promise.race([graceful, sleep(timeoutMs, false, { ref: false })]);
        if (!drained) {
          logger.warn({ timeoutMs }, "jobs still running at shutdown; they will be retried");
          // Once a close is under way BullMQ waits for the running jobs whatever `force` says,
          // so the connections are cut instead: the job locks and account locks lapse, and
          // another worker retries the jobs. The caller must end the process now, since the
          // work still running here no longer holds its account's lock.
          for (const connection of [...connections, queues.redis]) connection.disconnect();
          return { drained };
        }
        await queues.close();
        await Promise.all(connections.map(closeRedis));
        logger.info({ drained }, "workers stopped");
        return { drained };
      })();
      return closing;
    },
  };
}

type Processor = (job: Job, token?: string) => Promise<unknown>;

interface ProcessorDependencies {
  policy: Policy;
  handlers: JobHandlers;
  logger: Logger;
  settings: JobWorkerSettings;
  queues: JobQueues;
  locks: AccountLocks;
}

function createProcessors(deps: ProcessorDependencies): Record<QueueName, Processor> {
  const { policy, handlers, logger, settings, queues, locks } = deps;
  const timeoutOf = (name: JobName) =>
    settings.timeoutOverridesMs[name] ?? jobCatalogue[name].timeoutMs;

  /** Parses the payload; a payload that does not parse can never succeed, so no retry. */
  const parse = <Name extends JobName>(name: Name, job: Job) => {
    try {
      return parseJobPayload(name, job.data);
    } catch (error) {
      if (error instanceof JobPayloadError) {
        logger.error({ job: name, jobId: job.id, issues: error.issues }, "job payload refused");
        throw new UnrecoverableError(error.message);
      }
      throw error;
    }
  };

  const contextOf = (name: JobName, job: Job, fields: Record<string, unknown>) => ({
    jobId: String(job.id),
    attempt: job.attemptsMade + 1,
    logger: logger.child({ job: name, jobId: job.id, ...fields }),
  });

  /** Moves the running job back to delayed; BullMQ then leaves it alone until `delayMs`. */
  const delay = async (job: Job, token: string | undefined, delayMs: number): Promise<never> => {
    await job.moveToDelayed(Date.now() + delayMs, token);
    throw new DelayedError();
  };

  /** The evaluations an inventory of an account calls for. */
  const ownersToEvaluate = (provider: InventoryPayload["provider"], account: string) => {
    const owners = ownersOfAccount(policy, provider, account);
    // Other owners' controls follow references into the platform's shared accounts (keys,
    // DNS zones, hub networks), so a platform inventory re-evaluates every owner.
    return owners.includes(PLATFORM_OWNER_ID) ? ownersOf(policy).map((o) => o.id) : owners;
  };

  const requestEvaluations = async (owners: string[], trigger: string) => {
    for (const owner of owners) {
      await addJob(
        queues,
        "evaluate",
        { owner, trigger },
        {
          delayMs: settings.evaluateDelayMs,
          deduplicate: { id: `evaluate:${owner}`, whileActive: true },
        },
      );
    }
  };

  const requestNotify = async (trigger: string) => {
    if (policy.notifications.slack === null) return;
    await addJob(
      queues,
      "notify",
      { channel: "slack", trigger },
      { deduplicate: { id: "notify:slack", whileActive: true } },
    );
  };

  const inventory: Processor = async (job, token) => {
    const payload = parse("inventory", job);
    const context = contextOf("inventory", job, {
      provider: payload.provider,
      account: payload.account,
    });
    const owners = ownersToEvaluate(payload.provider, payload.account);
    if (ownersOfAccount(policy, payload.provider, payload.account).length === 0) {
      context.logger.warn("account no longer in the policy, inventory skipped");
      return { skipped: "account not in the policy" };
    }

    const lock = await locks.acquire(payload.provider, payload.account);
    if (lock === null) {
      // A schedule tick that finds its account being scanned is dropped: the scan running now
      // serves it, and delaying every tick would pile them up behind an account slower than
      // its cron. A retry or a manual request waits for the lock instead, so that a scan
      // whose worker died is still done again.
      if (isFirstRunOfScheduleTick(job)) {
        context.logger.info("account busy, schedule tick skipped");
        return { skipped: "account busy" };
      }
      context.logger.info({ delayMs: settings.lockRetryDelayMs }, "account busy, job delayed");
      return delay(job, token, settings.lockRetryDelayMs);
    }

    const startedAt = Date.now();
    context.logger.info({ attempt: context.attempt }, "job started");
    // The lock is let go when the work settles, not when the job times out: a retry must not
    // scan the account beside work that is still running.
    const work = handlers.inventory(payload, context);
    void work.then(lock.release, lock.release).catch((error: unknown) => {
      context.logger.warn({ err: error }, "account lock release failed; it will expire");
    });
    try {
      const result = await withTimeout(work, "inventory", timeoutOf("inventory"));
      context.logger.info(
        { scanId: result.scanId, durationMs: Date.now() - startedAt },
        "job done",
      );
      await requestEvaluations(owners, "inventory");
      return result;
    } catch (error) {
      // The owners are evaluated over what is stored even when the account failed for good:
      // an evaluation waits for its inventories, not for their success.
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        await requestEvaluations(owners, "inventory");
      }
      throw error;
    }
  };

  const evaluate: Processor = async (job, token) => {
    const payload = parse("evaluate", job);
    const context = contextOf("evaluate", job, { owner: payload.owner });
    const owner = ownerById(policy, payload.owner);
    if (owner === undefined) {
      context.logger.warn("owner no longer in the policy, evaluation skipped");
      return { skipped: "owner not in the policy" };
    }

    const busy = await accountsBeingInventoried(queues, locks, owner.accounts);
    if (busy.length > 0) {
      const waitedMs = Date.now() - job.timestamp;
      if (waitedMs < settings.evaluateWaitLimitMs) {
        context.logger.info(
          { busy: busy.length, waitedMs },
          "accounts still inventoried, evaluation delayed",
        );
        return delay(job, token, settings.evaluateRecheckMs);
      }
      context.logger.warn(
        { busy, waitedMs },
        "accounts still inventoried past the wait limit, evaluating anyway",
      );
    }

    const startedAt = Date.now();
    context.logger.info({ attempt: context.attempt }, "job started");
    const result = await withTimeout(
      handlers.evaluate(payload, context),
      "evaluate",
      timeoutOf("evaluate"),
    );
    context.logger.info(
      { scanId: result.scanId, alerts: result.alerts, durationMs: Date.now() - startedAt },
      "job done",
    );
    if (result.alerts > 0) await requestNotify("evaluate");
    return result;
  };

  const notify: Processor = async (job) => {
    const payload = parse("notify", job);
    const context = contextOf("notify", job, { channel: payload.channel });
    const result = await withTimeout(
      handlers.notify(payload, context),
      "notify",
      timeoutOf("notify"),
    );
    context.logger.info({ delivered: result.delivered, pending: result.pending }, "job done");
    return result;
  };

  const discover: Processor = async (job) => {
    const payload = parse("discover", job);
    const context = contextOf("discover", job, {});
    const result = await withTimeout(
      handlers.discover(payload, context),
      "discover",
      timeoutOf("discover"),
    );
    context.logger.info({ unmapped: result.unmapped, scanId: result.scanId }, "job done");
    if (result.alerts > 0) await requestNotify("discover");
    return result;
  };

  const byJob: Record<JobName, Processor> = { inventory, evaluate, notify, discover };
  return Object.fromEntries(
    QUEUE_NAMES.map((queueName) => [queueName, byJob[jobOfQueue(queueName)]]),
  ) as Record<QueueName, Processor>;
}

/** A job its scheduler made that has neither failed nor stalled before. */
function isFirstRunOfScheduleTick(job: Job): boolean {
  return job.repeatJobKey !== undefined && job.attemptsMade === 0 && job.stalledCounter === 0;
}

/** Inventory job states that mean "about to run or running" (not the scheduler's next run). */
const pendingStates = ["waiting", "active", "prioritized"] as const;

/**
 * The accounts of an owner that some worker is scanning (its lock is held) or that have an
 * inventory job waiting to start.
 */
async function accountsBeingInventoried(
  queues: JobQueues,
  locks: AccountLocks,
  accounts: { azure: string[]; aws: string[] },
): Promise<string[]> {
  const busy = new Set<string>();
  for (const provider of ["azure", "aws"] as const) {
    const wanted = new Set(accounts[provider].map((a) => a.toLowerCase()));
    if (wanted.size === 0) continue;
    for (const account of wanted) {
      if (await locks.isLocked(provider, account)) busy.add(`${provider}:${account}`);
    }
    // Limitation: only the first thousand pending inventory jobs of a cloud are looked at; an
    // owner whose accounts queue behind more than that is evaluated before they run.
    const queue = queues.queue(provider === "azure" ? "inventory-azure" : "inventory-aws");
    const pending = await queue.getJobs([...pendingStates], 0, 999);
    for (const pendingJob of pending) {
      const data = pendingJob?.data as Partial<InventoryPayload> | undefined;
      const account = typeof data?.account === "string" ? data.account.toLowerCase() : undefined;
      if (account !== undefined && wanted.has(account)) busy.add(`${provider}:${account}`);
    }
  }
  return [...busy].sort();
}
