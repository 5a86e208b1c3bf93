import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { type Policy, parsePolicy } from "@plumbline/rules";
import { Redis } from "ioredis";
import type { JobWorkerSettings } from "../src/jobs/index.js";

/** The machine's Redis; tests keep apart by key prefix. */
export const REDIS_URL = process.env.REDIS_URL_TEST ?? "redis://127.0.0.1:6379";

const run = promisify(execFile);

/** The machine's PostgreSQL; each test file makes and drops its own database on it. */
const postgresUrl = process.env.DATABASE_URL_TEST ?? "postgres://postgres@127.0.0.1:5432/test";

/** Creates a database of its own for one test file; psql ships with the server. */
export async function createJobsTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `plumbline_jobs_${randomBytes(6).toString("hex")}`;
  const statement = (sql: string) =>
    run("psql", [postgresUrl, "-v", "ON_ERROR_STOP=1", "-qAtc", sql]);
  await statement(`create database ${name}`);
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await statement(`drop database if exists ${name} with (force)`);
    },
  };
}

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
