import type { RunningEmulator } from "@plumbline/emulator";
import type { Policy } from "@plumbline/rules";
import {
  assertRedisUsable,
  createJobQueues,
  createPipelineHandlers,
  enqueueScanNow,
  type JobWorkerSettings,
  RedisUnavailableError,
  startJobWorkers,
  syncJobSchedulers,
  UnknownAccountsError,
} from "@plumbline/scanner";
import type { Store } from "@plumbline/store";
import { type Environment, readNamedSecret } from "../config.js";
import { ExitCode, type ExitCodeValue, ServiceUnavailableError, UsageError } from "../errors.js";
import type { CommandIo } from "./command-io.js";
import { loadPolicyForCommand } from "./load-policy.js";
import {
  createCommandCloudAccess,
  openStoreAt,
  startEstateEmulator,
  waitForStopSignal,
} from "./runtime.js";

export interface WorkerCommandOptions {
  policy: string;
  concurrency: string;
  estate?: string;
}

export interface ScanNowCommandOptions {
  policy: string;
  account?: string[];
}

const DEFAULT_DASHBOARD_URL = "http://127.0.0.1:8080";
const DEFAULT_DRAIN_TIMEOUT_MS = 25_000;

function requireRedis(env: Environment): string {
  if (env.REDIS_URL === undefined) {
    throw new UsageError("REDIS_URL is not set: the job queues need Redis (redis://host:port)");
  }
  return env.REDIS_URL;
}

function parseConcurrency(value: string): number {
  const concurrency = Number(value);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new UsageError(`--concurrency: "${value}" is not a whole number from 1 to 64`);
  }
  return concurrency;
}

/** Worker timings the environment overrides; the rest keep their production defaults. */
function settingsFromEnvironment(
  env: Environment,
  concurrency: number,
): Partial<JobWorkerSettings> {
  const settings: Partial<JobWorkerSettings> = { inventoryConcurrency: concurrency };
  if (env.PLUMBLINE_JOB_LOCK_MS !== undefined) {
    settings.lockDurationMs = env.PLUMBLINE_JOB_LOCK_MS;
    settings.accountLockTtlMs = env.PLUMBLINE_JOB_LOCK_MS;
    // A job that meets a held lock looks again a few times per lock lifetime.
    settings.lockRetryDelayMs = Math.min(5_000, Math.max(100, env.PLUMBLINE_JOB_LOCK_MS / 5));
  }
  if (env.PLUMBLINE_STALLED_INTERVAL_MS !== undefined) {
    settings.stalledIntervalMs = env.PLUMBLINE_STALLED_INTERVAL_MS;
  }
  if (env.PLUMBLINE_EVALUATE_DELAY_MS !== undefined) {
    settings.evaluateDelayMs = env.PLUMBLINE_EVALUATE_DELAY_MS;
    settings.evaluateRecheckMs = Math.max(100, env.PLUMBLINE_EVALUATE_DELAY_MS);
  }
  return settings;
}

/** The worker's store: several processes share it, so it must be PostgreSQL. */
async function openSharedStore(env: Environment): Promise<Store> {
  const url = env.DATABASE_URL;
  if (url === undefined || !/^postgres(ql)?:\/\//i.test(url)) {
    throw new UsageError(
      "DATABASE_URL must name PostgreSQL (postgres://…): workers share one database",
    );
  }
  return openStoreAt({ url }, "DATABASE_URL");
}

/** The Slack settings of the notify job, or null when alerts are off or the URL is missing. */
function slackSettings(policy: Policy, io: CommandIo) {
  const slack = policy.notifications.slack;
  if (slack === null) {
    return null;
  }
  const webhookUrl = readNamedSecret(slack.webhookUrlEnv);
  if (webhookUrl === undefined) {
    io.logger.warn(
      { variable: slack.webhookUrlEnv },
      "Slack webhook variable not set; alerts stay pending",
    );
    return null;
  }
  return { webhookUrl, dashboardUrl: io.env.PLUMBLINE_DASHBOARD_URL ?? DEFAULT_DASHBOARD_URL };
}

/**
 * Names the schedulers a worker keeps, so its first line matches the policy a person reads:
 * one per account, plus the round's discovery and, with Slack, the drain of pending alerts.
 */
function describeSchedules(ids: readonly string[]): string {
  const accounts = ids.filter((id) => id.startsWith("inventory:")).length;
  const rounds = [
    ...(ids.includes("discover") ? ["discovery"] : []),
    ...(ids.includes("notify:slack") ? ["alert delivery"] : []),
  ];
  const perAccount = `${accounts} account schedule${accounts === 1 ? "" : "s"}`;
  return rounds.length === 0 ? perAccount : `${perAccount}, plus ${rounds.join(" and ")}`;
}

/** Stops a command at once, in one line, when Redis does not answer or refuses its database. */
async function requireUsableRedis(redisUrl: string): Promise<void> {
  try {
    await assertRedisUsable(redisUrl);
  } catch (error) {
    if (error instanceof RedisUnavailableError) {
      throw new ServiceUnavailableError(`REDIS_URL: ${error.message}`);
    }
    throw error;
  }
}

/**
 * `plumbline worker`: keeps the policy's job schedulers in Redis and runs inventory,
 * evaluation, alert and discovery jobs until SIGTERM, then lets the jobs in flight finish.
 */
export async function workerCommand(
  options: WorkerCommandOptions,
  io: CommandIo,
): Promise<ExitCodeValue> {
  const concurrency = parseConcurrency(options.concurrency);
  const redisUrl = requireRedis(io.env);
  const policy = await loadPolicyForCommand(options.policy, io.clock(), io);
  if (policy === null) {
    return ExitCode.usageOrInput;
  }
  await requireUsableRedis(redisUrl);
  const prefix = io.env.PLUMBLINE_QUEUE_PREFIX;
  const logger = io.logger.child({ component: "worker" });

  const store = await openSharedStore(io.env);
  let emulator: RunningEmulator | undefined;
  let abandoned = false;
  const queues = createJobQueues({ connection: redisUrl, ...(prefix ? { prefix } : {}), logger });
  try {
    emulator =
      options.estate === undefined ? undefined : await startEstateEmulator(options.estate, io);
    const cloud = createCommandCloudAccess(policy, emulator, io);
    const schedules = await syncJobSchedulers(queues, policy, logger);
    const stopped = waitForStopSignal();
    const workers = await startJobWorkers({
      connection: redisUrl,
      ...(prefix ? { prefix } : {}),
      policy,
      handlers: createPipelineHandlers({
        policy,
        cloud,
        store,
        logger,
        slack: slackSettings(policy, io),
        clock: io.clock,
      }),
      logger,
      settings: settingsFromEnvironment(io.env, concurrency),
      name: `plumbline-${process.pid}`,
    });
    const kept = [...schedules.created, ...schedules.updated, ...schedules.unchanged];
    io.stdout.write(`worker ready: ${describeSchedules(kept)}; queue prefix ${queues.prefix}\n`);

    const signal = await stopped;
    // The signal handlers are gone by now, so a second signal ends the process at once.
    io.stdout.write(
      `worker stopping (${signal}): finishing the jobs in flight; signal again to stop at once\n`,
    );
    const { drained } = await workers.close({
      timeoutMs: io.env.PLUMBLINE_DRAIN_TIMEOUT_MS ?? DEFAULT_DRAIN_TIMEOUT_MS,
    });
    abandoned = !drained;
    io.stdout.write(
      drained ? "worker stopped\n" : "worker stopped; unfinished jobs will be retried\n",
    );
    return ExitCode.ok;
  } finally {
    await queues.close();
    await store.close();
    await emulator?.close();
    if (abandoned) {
      // Work past the drain deadline no longer holds its account lock, and its retry may
      // already run elsewhere: the process ends now rather than let the two overlap.
      process.exit(ExitCode.ok);
    }
  }
}

/** `plumbline scan-now`: enqueues a manual round for the workers; prints the job ids. */
export async function scanNowCommand(
  options: ScanNowCommandOptions,
  io: CommandIo,
): Promise<ExitCodeValue> {
  const redisUrl = requireRedis(io.env);
  const policy = await loadPolicyForCommand(options.policy, io.clock(), io);
  if (policy === null) {
    return ExitCode.usageOrInput;
  }
  await requireUsableRedis(redisUrl);
  const prefix = io.env.PLUMBLINE_QUEUE_PREFIX;
  const queues = createJobQueues({
    connection: redisUrl,
    ...(prefix ? { prefix } : {}),
    logger: io.logger.child({ component: "queue" }),
  });
  try {
    const { jobIds } = await enqueueScanNow(queues, policy, {
      ...(options.account ? { accounts: options.account } : {}),
      requestedBy: "cli",
    });
    io.stdout.write(`enqueued ${jobIds.length} jobs: ${jobIds.join(" ")}\n`);
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof UnknownAccountsError) {
      throw new UsageError(`--account: ${error.message}`);
    }
    throw error;
  } finally {
    await queues.close();
  }
}
