import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { startEmulator } from "@plumbline/emulator";
import { type Policy, parsePolicy } from "@plumbline/rules";
import type { Store } from "@plumbline/store";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import {
  createPipelineHandlers,
  type JobWorkerSettings,
  startJobWorkers,
} from "../src/jobs/index.js";
import { createCloudAccess } from "../src/pipeline/cloud-access.js";

/** The machine's Redis; tests keep apart by key prefix. */
export const REDIS_URL = process.env.REDIS_URL_TEST ?? "redis://127.0.0.1:6379";

/** A key prefix of its own for one test. */
export function uniquePrefix(name: string): string {
  return `plumbline-test-${name}-${randomBytes(4).toString("hex")}`;
}

/** Deletes every key under a prefix. */
export async function deletePrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    await redis.quit();
  }
}

/** Parses a policy file's text as of a fixed date. */
export function policyFrom(text: string): Policy {
  return parsePolicy(text, "plumbline.yaml", { now: new Date("2026-12-01T00:00:00Z") }).policy;
}

/** Worker timings short enough for tests; locks still outlive one handler run. */
export const fastSettings: Partial<JobWorkerSettings> = {
  lockDurationMs: 2_000,
  stalledIntervalMs: 1_000,
  accountLockTtlMs: 2_000,
  lockRetryDelayMs: 100,
  evaluateDelayMs: 100,
  evaluateRecheckMs: 100,
  rateLimits: { azure: { max: 100, durationMs: 1_000 }, aws: { max: 100, durationMs: 1_000 } },
};

/** Polls until `check` holds, or throws after `timeoutMs` with `what` in the message. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** One run of a handler, as recorded by the test handlers. */
export interface RecordedRun {
  job: string;
  key: string;
  trigger: string;
  start: number;
  end: number;
}

/** Asserts that no two runs with one key overlap in time; returns the overlapping pairs. */
export function overlappingRuns(runs: RecordedRun[]): Array<[RecordedRun, RecordedRun]> {
  const overlaps: Array<[RecordedRun, RecordedRun]> = [];
  const byKey = new Map<string, RecordedRun[]>();
  for (const run of runs) byKey.set(run.key, [...(byKey.get(run.key) ?? []), run]);
  for (const list of byKey.values()) {
    const sorted = [...list].sort((a, b) => a.start - b.start);
    for (let index = 1; index < sorted.length; index += 1) {
      const previous = sorted[index - 1];
      const current = sorted[index];
      if (previous && current && current.start < previous.end) overlaps.push([previous, current]);
    }
  }
  return overlaps;
}

/** What a round of pipeline workers runs over. */
export interface PipelineRound {
  estateDir: string;
  policy: Policy;
  store: Store;
  logger: Logger;
  prefix: string;
  /** The incoming webhook alerts go to; none sends no alerts. */
  webhookUrl?: string;
}

/**
 * Starts the emulator over the estate as it is on disk now, and pipeline workers over it, with
 * retries short enough for tests; the returned function stops both.
 */
export async function startPipelineRound(round: PipelineRound): Promise<() => Promise<void>> {
  const { policy, store, logger, webhookUrl } = round;
  const emulator = await startEmulator({ estateDir: round.estateDir });
  const cloud = createCloudAccess({
    policy,
    logger,
    estate: emulator,
    retry: {
      aws: new ConfiguredRetryStrategy(2, () => 10),
      azure: { maxRetries: 1, retryDelayInMs: 10, maxRetryDelayInMs: 20 },
    },
  });
  const slack =
    webhookUrl === undefined ? null : { webhookUrl, dashboardUrl: "http://127.0.0.1:8080" };
  const workers = await startJobWorkers({
    connection: REDIS_URL,
    prefix: round.prefix,
    policy,
    handlers: createPipelineHandlers({ policy, cloud, store, logger, slack }),
    logger,
    settings: fastSettings,
  });
  return async () => {
    await workers.close({ timeoutMs: 10_000 });
    await emulator.close();
  };
}
