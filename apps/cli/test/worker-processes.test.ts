import { createJobQueues } from "@plumbline/scanner";
import { createTestDatabase, queryDatabase } from "@plumbline/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  AWS_ACCOUNT,
  createSlowEstate,
  deletePrefix,
  type InventoryRun,
  inventoryRuns,
  type LogLine,
  REDIS_URL,
  runScanNow,
  SUBSCRIPTION,
  startWorker,
  uniquePrefix,
  type WorkerProcess,
  waitFor,
  writePolicy,
} from "./worker-support.js";

/** Runs of one account whose time ranges overlap. */
function overlaps(runs: Array<{ account: string; start: number; end: number }>) {
  const found: string[] = [];
  const accounts = new Set(runs.map((run) => run.account));
  for (const account of accounts) {
    const sorted = runs.filter((r) => r.account === account).sort((a, b) => a.start - b.start);
    for (let index = 1; index < sorted.length; index += 1) {
      const previous = sorted[index - 1];
      const current = sorted[index];
      if (previous && current && current.start < previous.end) {
        found.push(
          `${account}: ${previous.start}-${previous.end} and ${current.start}-${current.end}`,
        );
      }
    }
  }
  return found;
}

/** Whether a log line says a job of the given kind started or is done. */
function isJob(line: LogLine, what: "started" | "done", job: string): boolean {
  return line.msg === `job ${what}` && line.job === job;
}

/** Start and end of each inventory a worker ran, from its structured logs. */
function loggedInventories(logs: LogLine[]) {
  const starts = new Map<string, LogLine>();
  const runs: Array<{ account: string; jobId: string; start: number; end: number }> = [];
  for (const line of logs) {
    const key = `${String(line.jobId)}`;
    if (line.job !== "inventory") continue;
    if (line.msg === "job started") starts.set(key, line);
    if (line.msg === "job done") {
      const start = starts.get(key);
      if (start) {
        runs.push({ account: String(line.account), jobId: key, start: start.time, end: line.time });
      }
    }
  }
  return runs;
}

/** Time ranges of the inventory scans the store recorded. */
function storedRanges(runs: InventoryRun[]) {
  return runs
    .filter((run) => run.finishedAt !== null)
    .map((run) => ({
      account: run.account,
      start: run.startedAt.getTime(),
      end: run.finishedAt?.getTime() ?? Number.POSITIVE_INFINITY,
    }));
}

describe("plumbline worker processes", () => {
  let database: { url: string; drop: () => Promise<void> };
  let estate: { dir: string; remove: () => Promise<void> };
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    estate = await createSlowEstate(120);
  });
  afterAll(async () => {
    await estate.remove();
  });
  let prefix: string | undefined;
  afterEach(async () => {
    for (const worker of workers.splice(0)) {
      worker.kill("SIGKILL");
      await worker.exited();
    }
    await database?.drop();
    if (prefix) await deletePrefix(prefix);
  });

  async function environment(name: string) {
    database = await createTestDatabase(`worker_${name}`);
    prefix = uniquePrefix(name);
    return {
      REDIS_URL,
      DATABASE_URL: database.url,
      PLUMBLINE_QUEUE_PREFIX: prefix,
      PLUMBLINE_JOB_LOCK_MS: "1500",
      PLUMBLINE_STALLED_INTERVAL_MS: "500",
      PLUMBLINE_EVALUATE_DELAY_MS: "200",
      PLUMBLINE_DRAIN_TIMEOUT_MS: "20000",
    };
  }

  function spawnWorker(name: string, policy: string, env: Record<string, string>) {
    const worker = startWorker(
      name,
      ["--policy", policy, "--estate", estate.dir, "--concurrency", "2"],
      env,
    );
    workers.push(worker);
    return worker;
  }

  it("fires scheduled inventory jobs for both accounts of the policy", async () => {
    const env = await environment("schedule");
    const policy = await writePolicy(
      estate.dir,
      "schedule.yaml",
      'schedule:\n  cron: "*/2 * * * * *"',
    );
    const worker = spawnWorker("one", policy, env);
    await worker.ready();

    await waitFor("a complete scheduled inventory of each account", async () => {
      const runs = await inventoryRuns(env.DATABASE_URL);
      return [SUBSCRIPTION, AWS_ACCOUNT].every((account) =>
        runs.some(
          (r) => r.account === account && r.trigger === "schedule" && r.status === "complete",
        ),
      );
    });
    worker.kill("SIGTERM");
    expect(await worker.exited()).toBe(0);
  });

  it("upserts the schedulers once and removes the schedulers of dropped accounts", async () => {
    const env = await environment("sync");
    const both = await writePolicy(estate.dir, "both.yaml", 'schedule:\n  cron: "0 3 * * *"');
    const first = spawnWorker("first", both, env);
    const second = spawnWorker("second", both, env);
    await Promise.all([first.ready(), second.ready()]);
    expect(first.stdout()).toBe(
      `worker ready: 2 account schedules, plus discovery; queue prefix ${env.PLUMBLINE_QUEUE_PREFIX}\n`,
    );
    first.kill("SIGTERM");
    second.kill("SIGTERM");
    await Promise.all([first.exited(), second.exited()]);

    const queues = createJobQueues({ connection: REDIS_URL, prefix: env.PLUMBLINE_QUEUE_PREFIX });
    try {
      const azure = await queues.queue("inventory-azure").getJobSchedulers(0, -1);
      const aws = await queues.queue("inventory-aws").getJobSchedulers(0, -1);
      expect(azure.map((s) => [s.key, s.pattern])).toEqual([
        [`inventory:azure:${SUBSCRIPTION}`, "0 3 * * *"],
      ]);
      expect(aws.map((s) => [s.key, s.pattern])).toEqual([
        [`inventory:aws:${AWS_ACCOUNT}`, "0 3 * * *"],
      ]);

      const azureOnly = await writePolicy(
        estate.dir,
        "azure-only.yaml",
        `schedule:\n  cron: "0 3 * * *"\n  accounts:\n    "${SUBSCRIPTION}": "30 4 * * *"`,
      );
      // The policy now maps the AWS account to nobody: its scheduler must go.
      const { readFile, writeFile } = await import("node:fs/promises");
      const text = await readFile(azureOnly, "utf8");
      await writeFile(azureOnly, text.replace(`      aws: ["${AWS_ACCOUNT}"]\n`, ""));
      const third = spawnWorker("third", azureOnly, env);
      await third.ready();
      third.kill("SIGTERM");
      expect(await third.exited()).toBe(0);

      const azureAfter = await queues.queue("inventory-azure").getJobSchedulers(0, -1);
      expect(azureAfter.map((s) => [s.key, s.pattern])).toEqual([
        [`inventory:azure:${SUBSCRIPTION}`, "30 4 * * *"],
      ]);
      expect(await queues.queue("inventory-aws").getJobSchedulersCount()).toBe(0);
      const synced = third.logs().find((line) => line.msg === "job schedulers synchronised");
      expect(synced).toMatchObject({ created: 0, updated: 1, unchanged: 1, removed: 1 });
    } finally {
      await queues.close();
    }
  });

  it("never scans one account twice at once across two worker processes", async () => {
    const env = await environment("overlap");
    const policy = await writePolicy(
      estate.dir,
      "overlap.yaml",
      'schedule:\n  cron: "* * * * * *"',
    );
    const one = spawnWorker("one", policy, env);
    const two = spawnWorker("two", policy, env);
    await Promise.all([one.ready(), two.ready()]);
    // Manual rounds on top of the every-second schedule: more jobs per account than scans fit.
    for (let round = 0; round < 2; round += 1) {
      const result = await runScanNow(["--policy", policy], env);
      expect(result.code).toBe(0);
    }

    await waitFor(
      "three inventories of each account",
      async () => {
        const runs = await inventoryRuns(env.DATABASE_URL);
        return [SUBSCRIPTION, AWS_ACCOUNT].every(
          (account) =>
            runs.filter((r) => r.account === account && r.status === "complete").length >= 3,
        );
      },
      60_000,
    );
    one.kill("SIGTERM");
    two.kill("SIGTERM");
    expect(await one.exited()).toBe(0);
    expect(await two.exited()).toBe(0);

    const logged = [...loggedInventories(one.logs()), ...loggedInventories(two.logs())];
    expect(overlaps(logged)).toEqual([]);
    expect(overlaps(storedRanges(await inventoryRuns(env.DATABASE_URL)))).toEqual([]);
    // Both processes scanned, and some job found its account busy.
    expect(loggedInventories(one.logs()).length).toBeGreaterThan(0);
    expect(loggedInventories(two.logs()).length).toBeGreaterThan(0);
    const contended = [...one.logs(), ...two.logs()].filter((l) =>
      ["account busy, job delayed", "account busy, schedule tick skipped"].includes(l.msg),
    );
    expect(contended.length).toBeGreaterThan(0);
  });

  it("retries the scan of a killed worker once, with no duplicate findings", async () => {
    const env = await environment("kill");
    const policy = await writePolicy(estate.dir, "kill.yaml", 'schedule:\n  cron: "0 3 * * *"');
    const one = spawnWorker("one", policy, env);
    const two = spawnWorker("two", policy, env);
    await Promise.all([one.ready(), two.ready()]);

    const enqueued = await runScanNow(["--policy", policy, "--account", AWS_ACCOUNT], env);
    expect(enqueued.code).toBe(0);
    const started = (worker: WorkerProcess) =>
      worker.logs().some((l) => isJob(l, "started", "inventory") && l.account === AWS_ACCOUNT);
    await waitFor("the scan to start", () => started(one) || started(two));
    const [victim, survivor] = started(one) ? [one, two] : [two, one];
    victim.kill("SIGKILL");
    expect(await victim.exited()).toBe("SIGKILL");
    // It died mid-scan: the job started there and never finished.
    const killedJob = victim.logs().find((l) => isJob(l, "started", "inventory"))?.jobId;
    expect(victim.logs().some((l) => isJob(l, "done", "inventory"))).toBe(false);

    await waitFor("the retried scan to finish", () =>
      survivor.logs().some((l) => isJob(l, "done", "inventory") && l.account === AWS_ACCOUNT),
    );
    await waitFor("the evaluation after it", () =>
      survivor.logs().some((l) => isJob(l, "done", "evaluate") && l.owner === "acme"),
    );
    expect(survivor.logs().some((l) => l.msg === "job stalled, retrying")).toBe(true);
    // The survivor ran that same job again, once.
    const retried = survivor.logs().filter((l) => isJob(l, "done", "inventory"));
    expect(retried.map((l) => l.jobId)).toEqual([killedJob]);

    const runs = (await inventoryRuns(env.DATABASE_URL)).filter((r) => r.account === AWS_ACCOUNT);
    expect(runs.filter((r) => r.status === "complete")).toHaveLength(1);
    const duplicates = await queryDatabase<{ n: string }>(
      env.DATABASE_URL,
      `select count(*) as n from (
         select tenant, control, subject_key from finding_state
          group by tenant, control, subject_key having count(*) > 1) d`,
    );
    expect(Number(duplicates[0]?.n)).toBe(0);
    const current = await queryDatabase<{ n: string }>(
      env.DATABASE_URL,
      "select count(*) as n from finding_state where tenant = 'acme'",
    );
    expect(Number(current[0]?.n)).toBeGreaterThan(0);
  });

  it("finishes the scan in flight on SIGTERM before it exits", async () => {
    const env = await environment("drain");
    const policy = await writePolicy(estate.dir, "drain.yaml", 'schedule:\n  cron: "0 3 * * *"');
    const worker = spawnWorker("one", policy, env);
    await worker.ready();

    expect((await runScanNow(["--policy", policy, "--account", SUBSCRIPTION], env)).code).toBe(0);
    await waitFor("the scan to start", () =>
      worker.logs().some((l) => isJob(l, "started", "inventory")),
    );
    worker.kill("SIGTERM");
    expect(await worker.exited()).toBe(0);

    const logs = worker.logs();
    const started = logs.findIndex((l) => isJob(l, "started", "inventory"));
    expect(logs.findIndex((l) => isJob(l, "done", "inventory"))).toBeGreaterThan(started);
    expect(worker.logs().find((l) => l.msg === "workers stopped")).toMatchObject({ drained: true });
    expect(worker.stdout()).toContain("worker stopped\n");
    const runs = await inventoryRuns(env.DATABASE_URL);
    expect(runs.map((r) => [r.account, r.status])).toEqual([[SUBSCRIPTION, "complete"]]);
  });

  it("exits at the drain deadline and leaves the unfinished scan to be retried", async () => {
    const env = { ...(await environment("deadline")), PLUMBLINE_DRAIN_TIMEOUT_MS: "200" };
    const policy = await writePolicy(estate.dir, "deadline.yaml", 'schedule:\n  cron: "0 3 * * *"');
    const first = spawnWorker("first", policy, env);
    await first.ready();
    expect((await runScanNow(["--policy", policy, "--account", SUBSCRIPTION], env)).code).toBe(0);
    await waitFor("the scan to start", () =>
      first.logs().some((l) => isJob(l, "started", "inventory")),
    );

    const stoppedAt = Date.now();
    first.kill("SIGTERM");
    expect(await first.exited()).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    expect(first.stdout()).toContain("worker stopped; unfinished jobs will be retried\n");
    expect(first.logs().some((l) => isJob(l, "done", "inventory"))).toBe(false);

    const second = spawnWorker("second", policy, env);
    await second.ready();
    await waitFor("the retried scan", () =>
      second.logs().some((l) => isJob(l, "done", "inventory")),
    );
    const runs = await inventoryRuns(env.DATABASE_URL);
    expect(runs.filter((r) => r.status === "complete").map((r) => r.account)).toEqual([
      SUBSCRIPTION,
    ]);
  });
});
