import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import {
  addJob,
  createJobQueues,
  enqueueScanNow,
  type JobHandlers,
  type JobQueues,
  type JobWorkers,
  startJobWorkers,
  syncJobSchedulers,
  UnknownAccountsError,
} from "../src/jobs/index.js";
import {
  deletePrefix,
  fastSettings,
  overlappingRuns,
  policyFrom,
  REDIS_URL,
  type RecordedRun,
  uniquePrefix,
  waitFor,
} from "./jobs-support.js";

const logger = pino({ level: "silent" });

const AZURE_A = "00000000-0000-0000-0000-0000000000a1";
const AZURE_B = "00000000-0000-0000-0000-0000000000b2";
const AWS_C = "111122223333";

function policyText(
  options: { cron?: string; accounts?: string; slack?: boolean; overrides?: string } = {},
) {
  return `
version: 1
platform:
  accounts:
    azure: [${AZURE_A}]
  regions: { allowed: [westeurope] }
tenants:
  - id: retail
    accounts:
${options.accounts ?? `      azure: [${AZURE_B}]\n      aws: ["${AWS_C}"]`}
    regions: { allowed: [westeurope, eu-west-1] }
schedule:
  cron: "${options.cron ?? "0 * * * *"}"
${options.overrides ? `  accounts:\n    ${options.overrides}\n` : ""}${options.slack ? "notifications:\n  slack: { webhookUrlEnv: SLACK_WEBHOOK_URL }\n" : ""}`;
}

/** Handlers that record when each run starts and ends, taking `durationMs` per inventory. */
function recordingHandlers(durationMs: number, alerts = 0) {
  const runs: RecordedRun[] = [];
  const record = async <T>(job: string, key: string, trigger: string, result: T) => {
    const run: RecordedRun = { job, key, trigger, start: Date.now(), end: Number.NaN };
    runs.push(run);
    await sleep(job === "inventory" ? durationMs : 10);
    run.end = Date.now();
    return result;
  };
  const handlers: JobHandlers = {
    inventory: (p) => record("inventory", `${p.provider}:${p.account}`, p.trigger, { scanId: "s" }),
    evaluate: (p) => record("evaluate", p.owner, p.trigger, { scanId: "e", alerts }),
    notify: (p) => record("notify", p.channel, p.trigger, { delivered: 1, pending: 0 }),
    discover: (p) =>
      record("discover", "discover", p.trigger, { scanId: "d", unmapped: 0, alerts: 0 }),
  };
  return { runs, handlers };
}

describe("job queues and workers on Redis", () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function queuesFor(prefix: string): JobQueues {
    const queues = createJobQueues({ connection: REDIS_URL, prefix });
    cleanups.push(() => deletePrefix(prefix));
    cleanups.push(() => queues.close());
    return queues;
  }

  async function workersFor(
    prefix: string,
    handlers: JobHandlers,
    policy = policyFrom(policyText()),
    name = "worker",
    settings = fastSettings,
  ): Promise<JobWorkers> {
    const workers = await startJobWorkers({
      connection: REDIS_URL,
      prefix,
      policy,
      handlers,
      logger,
      settings,
      name,
    });
    cleanups.push(() => workers.close({ timeoutMs: 5_000 }));
    return workers;
  }

  it("fires scheduled inventory jobs for every account of the policy", async () => {
    const prefix = uniquePrefix("fire");
    const queues = queuesFor(prefix);
    const policy = policyFrom(policyText({ cron: "* * * * * *" }));
    const { runs, handlers } = recordingHandlers(20);

    await syncJobSchedulers(queues, policy);
    await workersFor(prefix, handlers, policy);

    const scheduled = (key: string) =>
      runs.some((r) => r.job === "inventory" && r.key === key && r.trigger === "schedule");
    await waitFor("a scheduled inventory of each account", () =>
      [`azure:${AZURE_A}`, `azure:${AZURE_B}`, `aws:${AWS_C}`].every(scheduled),
    );
    await waitFor("the scheduled discovery", () => runs.some((r) => r.job === "discover"));
  });

  it("upserts schedulers idempotently and removes those of dropped accounts", async () => {
    const prefix = uniquePrefix("sync");
    const queues = queuesFor(prefix);

    const first = await syncJobSchedulers(queues, policyFrom(policyText({ cron: "*/30 * * * *" })));
    expect(first.created.sort()).toEqual(
      [
        "discover",
        `inventory:aws:${AWS_C}`,
        `inventory:azure:${AZURE_A}`,
        `inventory:azure:${AZURE_B}`,
      ].sort(),
    );
    const next = await queues
      .queue("inventory-azure")
      .getJobScheduler(`inventory:azure:${AZURE_A}`);

    const again = await syncJobSchedulers(queues, policyFrom(policyText({ cron: "*/30 * * * *" })));
    expect(again).toEqual({ created: [], updated: [], unchanged: expect.any(Array), removed: [] });
    expect(again.unchanged).toHaveLength(4);
    // An unchanged scheduler keeps its next run instead of being re-created.
    const after = await queues
      .queue("inventory-azure")
      .getJobScheduler(`inventory:azure:${AZURE_A}`);
    expect(after?.next).toBe(next?.next);

    const changed = await syncJobSchedulers(
      queues,
      policyFrom(
        policyText({
          cron: "*/30 * * * *",
          accounts: `      azure: [${AZURE_B}]`,
          overrides: `"${AZURE_B}": "15 * * * *"`,
          slack: true,
        }),
      ),
    );
    expect(changed.removed).toEqual([`inventory:aws:${AWS_C}`]);
    expect(changed.updated).toEqual([`inventory:azure:${AZURE_B}`]);
    expect(changed.created).toEqual(["notify:slack"]);
    const azureSchedulers = await queues.queue("inventory-azure").getJobSchedulers(0, -1, true);
    expect(Object.fromEntries(azureSchedulers.map((s) => [s.key, s.pattern]))).toEqual({
      [`inventory:azure:${AZURE_A}`]: "*/30 * * * *",
      [`inventory:azure:${AZURE_B}`]: "15 * * * *",
    });
    expect(await queues.queue("inventory-aws").getJobSchedulersCount()).toBe(0);
  });

  it("never runs one account twice at once across two worker sets", async () => {
    const prefix = uniquePrefix("overlap");
    const queues = queuesFor(prefix);
    const policy = policyFrom(policyText());
    const first = recordingHandlers(150);
    const second = recordingHandlers(150);
    await workersFor(prefix, first.handlers, policy, "one");
    await workersFor(prefix, second.handlers, policy, "two");

    // Direct adds bypass scan-now's one-waiting-job-per-account rule, so that several jobs
    // for one account are ready at once and only the account lock keeps them apart.
    const accounts = [
      { provider: "azure", account: AZURE_A },
      { provider: "azure", account: AZURE_B },
    ] as const;
    for (let round = 0; round < 4; round += 1) {
      for (const account of accounts) {
        await addJob(queues, "inventory", { ...account, trigger: "test" });
      }
    }
    const inventories = () => [...first.runs, ...second.runs].filter((r) => r.job === "inventory");
    await waitFor("eight inventories", () => inventories().filter((r) => r.end > 0).length === 8);

    expect(overlappingRuns(inventories())).toEqual([]);
    // Both worker sets took part in the work.
    expect(first.runs.some((r) => r.job === "inventory")).toBe(true);
    expect(second.runs.some((r) => r.job === "inventory")).toBe(true);
  });

  it("skips a schedule tick that finds its account busy instead of queueing it", async () => {
    const prefix = uniquePrefix("tick");
    const queues = queuesFor(prefix);
    const policy = policyFrom(policyText({ cron: "* * * * * *" }));
    const { runs, handlers } = recordingHandlers(2_500);
    await syncJobSchedulers(queues, policy);
    // Slots to spare, so that ticks are taken while the accounts are still being scanned.
    await workersFor(prefix, handlers, policy, "worker", {
      ...fastSettings,
      inventoryConcurrency: 6,
    });

    await waitFor("the first inventories", () => runs.some((r) => r.job === "inventory"));
    await sleep(3_000);

    // Each account has at most its scheduler's next tick waiting, not a backlog of ticks.
    const azure = queues.queue("inventory-azure");
    expect(await azure.getDelayedCount()).toBeLessThanOrEqual(2);
    expect(await azure.getWaitingCount()).toBeLessThanOrEqual(2);
    expect(await azure.getCompletedCount()).toBeGreaterThanOrEqual(4);
    expect(overlappingRuns(runs.filter((r) => r.job === "inventory"))).toEqual([]);
  });

  it("evaluates an owner once after all of its accounts' inventories", async () => {
    const prefix = uniquePrefix("evaluate");
    const queues = queuesFor(prefix);
    const { runs, handlers } = recordingHandlers(400, 2);
    // B is slow (its handler takes longer); evaluation must wait for it.
    const slowB: JobHandlers = {
      ...handlers,
      inventory: async (payload, context) => {
        if (payload.account === AWS_C) await sleep(600);
        return handlers.inventory(payload, context);
      },
    };
    await workersFor(prefix, slowB, policyFrom(policyText({ slack: true })));

    await enqueueScanNow(queues, policyFrom(policyText({ slack: true })), {
      accounts: [AZURE_B, AWS_C],
    });
    await waitFor("the retail evaluation", () =>
      runs.some((r) => r.job === "evaluate" && r.key === "retail" && r.end > 0),
    );
    await waitFor("the alerts drain", () => runs.some((r) => r.job === "notify" && r.end > 0));
    await sleep(500);

    const evaluations = runs.filter((r) => r.job === "evaluate" && r.key === "retail");
    const lastInventory = Math.max(...runs.filter((r) => r.job === "inventory").map((r) => r.end));
    // One evaluation follows the last inventory. On a loaded machine a second may run: an
    // evaluation that started just before the slow account's job took its lock is followed by
    // the one that job's completion enqueues; deduplication allows no more.
    expect(evaluations.length).toBeGreaterThanOrEqual(1);
    expect(evaluations.length).toBeLessThanOrEqual(2);
    expect(evaluations.at(-1)?.start).toBeGreaterThanOrEqual(lastInventory);
    // The platform was not inventoried, so it is not evaluated.
    expect(runs.some((r) => r.job === "evaluate" && r.key === "platform")).toBe(false);
  });

  it("re-evaluates every owner after an inventory of a platform account", async () => {
    const prefix = uniquePrefix("platform");
    const queues = queuesFor(prefix);
    const { runs, handlers } = recordingHandlers(10);
    await workersFor(prefix, handlers);

    await enqueueScanNow(queues, policyFrom(policyText()), { accounts: [AZURE_A] });
    await waitFor("both evaluations", () =>
      ["platform", "retail"].every((owner) =>
        runs.some((r) => r.job === "evaluate" && r.key === owner && r.end > 0),
      ),
    );
  });

  it("evaluates anyway once an account has kept the owner waiting past the wait limit", async () => {
    const prefix = uniquePrefix("wait-limit");
    const queues = queuesFor(prefix);
    const { runs, handlers } = recordingHandlers(10);
    const slowAws: JobHandlers = {
      ...handlers,
      inventory: async (payload, context) => {
        if (payload.account === AWS_C) await sleep(2_000);
        return handlers.inventory(payload, context);
      },
    };
    await workersFor(prefix, slowAws, policyFrom(policyText()), "worker", {
      ...fastSettings,
      evaluateWaitLimitMs: 500,
    });

    await enqueueScanNow(queues, policyFrom(policyText()), { accounts: [AZURE_B, AWS_C] });
    await waitFor("the retail evaluation", () =>
      runs.some((r) => r.job === "evaluate" && r.key === "retail"),
    );
    // It ran while the AWS account was still being collected.
    expect(runs.some((r) => r.job === "inventory" && r.key === `aws:${AWS_C}`)).toBe(false);
  });

  it("starts one cloud's inventories no faster than its rate limit", async () => {
    const prefix = uniquePrefix("limit");
    const queues = queuesFor(prefix);
    const { runs, handlers } = recordingHandlers(10);
    await workersFor(prefix, handlers, policyFrom(policyText()), "worker", {
      ...fastSettings,
      inventoryConcurrency: 4,
      // A long Azure window leaves a loaded machine ample time to start the AWS job inside it.
      rateLimits: { azure: { max: 1, durationMs: 1_500 }, aws: { max: 100, durationMs: 1_000 } },
    });

    for (const account of [AZURE_A, AZURE_B]) {
      await addJob(queues, "inventory", { provider: "azure", account, trigger: "test" });
    }
    await addJob(queues, "inventory", { provider: "aws", account: AWS_C, trigger: "test" });
    await waitFor(
      "the listed inventories",
      () => runs.filter((r) => r.job === "inventory" && r.end > 0).length >= 3,
    );

    const azureStarts = runs
      .filter((r) => r.job === "inventory" && r.key.startsWith("azure:"))
      .map((r) => r.start)
      .sort((a, b) => a - b);
    expect(azureStarts).toHaveLength(2);
    expect((azureStarts[1] ?? 0) - (azureStarts[0] ?? 0)).toBeGreaterThanOrEqual(1_400);
    // The other cloud is not held back by Azure's limit.
    const awsStart = runs.find((r) => r.key === `aws:${AWS_C}`)?.start ?? Number.POSITIVE_INFINITY;
    expect(awsStart).toBeLessThan(azureStarts[1] ?? 0);
  });

  it("refuses a manual round for an account the policy does not list", async () => {
    const queues = queuesFor(uniquePrefix("unknown"));
    await expect(
      enqueueScanNow(queues, policyFrom(policyText()), { accounts: ["999999999999"] }),
    ).rejects.toThrow(UnknownAccountsError);
  });

  it("keeps one waiting manual inventory per account", async () => {
    const queues = queuesFor(uniquePrefix("dedupe"));
    const policy = policyFrom(policyText());
    const first = await enqueueScanNow(queues, policy);
    const second = await enqueueScanNow(queues, policy);
    // Three inventories and one discovery, and the second request reuses every job.
    expect(first.jobIds).toHaveLength(4);
    expect(
      first.jobIds.every((id) => /^(inventory-azure|inventory-aws|discover):\S+$/.test(id)),
    ).toBe(true);
    expect(second.jobIds).toEqual(first.jobIds);
    expect(await queues.queue("inventory-azure").getWaitingCount()).toBe(2);
  });

  it("fails a job whose payload does not match the catalogue without retrying it", async () => {
    const prefix = uniquePrefix("payload");
    const queues = queuesFor(prefix);
    const { runs, handlers } = recordingHandlers(10);
    await workersFor(prefix, handlers);

    const job = await queues
      .queue("inventory-aws")
      .add("inventory", { provider: "gcp", account: AWS_C, trigger: "test" }, { attempts: 3 });
    await waitFor("the job to fail", async () => (await job.getState()) === "failed");
    const failed = await queues.queue("inventory-aws").getJob(String(job.id));
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toMatch(/invalid inventory job payload: provider/);
    expect(runs).toEqual([]);
  });

  it("fails an attempt past its timeout and retries it only once the work has settled", async () => {
    const prefix = uniquePrefix("timeout");
    const queues = queuesFor(prefix);
    const runs: RecordedRun[] = [];
    const base = recordingHandlers(10);
    const handlers: JobHandlers = {
      ...base.handlers,
      inventory: async (payload) => {
        const run: RecordedRun = {
          job: "inventory",
          key: payload.account,
          trigger: payload.trigger,
          start: Date.now(),
          end: Number.NaN,
        };
        runs.push(run);
        // The first attempt outlives its timeout; the retry is quick.
        await sleep(runs.length === 1 ? 1_200 : 10);
        run.end = Date.now();
        return { scanId: `scan-${runs.length}` };
      },
    };
    await workersFor(prefix, handlers, policyFrom(policyText()), "worker", {
      ...fastSettings,
      timeoutOverridesMs: { inventory: 300 },
    });

    const job = await queues
      .queue("inventory-aws")
      .add(
        "inventory",
        { provider: "aws", account: AWS_C, trigger: "test" },
        { attempts: 2, backoff: { type: "fixed", delay: 50 } },
      );
    await waitFor("the job to complete", async () => (await job.getState()) === "completed");

    const done = await queues.queue("inventory-aws").getJob(String(job.id));
    expect(done?.attemptsMade).toBe(2);
    expect(done?.returnvalue).toEqual({ scanId: "scan-2" });
    expect(runs).toHaveLength(2);
    expect(runs[1]?.start).toBeGreaterThanOrEqual(runs[0]?.end ?? Number.POSITIVE_INFINITY);
  });

  it("leaves a job still running at the close deadline to another worker's retry", async () => {
    const prefix = uniquePrefix("abandon");
    const queues = queuesFor(prefix);
    const first = recordingHandlers(1_500);
    const second = recordingHandlers(10);
    const closing = await workersFor(prefix, first.handlers, policyFrom(policyText()), "first");

    await addJob(queues, "inventory", { provider: "aws", account: AWS_C, trigger: "test" });
    await waitFor("the inventory to start", () => first.runs.length === 1);
    await workersFor(prefix, second.handlers, policyFrom(policyText()), "second");
    expect(await closing.close({ timeoutMs: 100 })).toEqual({ drained: false });

    await waitFor("the retry on the other worker", () =>
      second.runs.some((r) => r.job === "inventory" && r.end > 0),
    );
    // The handler returns a moment before BullMQ moves the job to completed.
    await waitFor(
      "the retried job to complete",
      async () => (await queues.queue("inventory-aws").getCompletedCount()) === 1,
    );
    const [job] = await queues.queue("inventory-aws").getCompleted();
    expect(job?.stalledCounter).toBe(1);
    expect(job?.returnvalue).toEqual({ scanId: "s" });
  });

  it("lets an inventory in flight finish when the workers close", async () => {
    const prefix = uniquePrefix("drain");
    const queues = queuesFor(prefix);
    const { runs, handlers } = recordingHandlers(800);
    const workers = await workersFor(prefix, handlers);

    await addJob(queues, "inventory", { provider: "aws", account: AWS_C, trigger: "test" });
    await waitFor("the inventory to start", () => runs.length === 1);
    const result = await workers.close({ timeoutMs: 5_000 });

    expect(result).toEqual({ drained: true });
    expect(runs[0]?.end).toBeGreaterThan(0);
    const completed = await queues.queue("inventory-aws").getCompletedCount();
    expect(completed).toBe(1);
  });
});
