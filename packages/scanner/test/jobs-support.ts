import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { type Policy, parsePolicy } from "@plumbline/rules";
import { Redis } from "ioredis";
import type { JobWorkerSettings } from "../src/jobs/index.js";

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
