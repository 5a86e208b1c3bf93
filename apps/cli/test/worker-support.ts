import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createJobQueues, QUEUE_NAMES } from "@plumbline/scanner";
import { queryDatabase } from "@plumbline/testing";
import { fromRoot } from "./support/harness.js";

/** The machine's Redis; each test keeps to a key prefix of its own. */
export const REDIS_URL = process.env.REDIS_URL_TEST ?? "redis://127.0.0.1:6379";

/** The built command the worker processes run. */
const binPath = fromRoot("apps/cli/dist/bin.js");

/** A key prefix of its own for one test. */
export function uniquePrefix(name: string): string {
  return `plumbline-test-${name}-${randomBytes(4).toString("hex")}`;
}

/** Deletes every Redis key under a prefix: queues, schedulers and account locks. */
export async function deletePrefix(prefix: string): Promise<void> {
  const queues = createJobQueues({ connection: REDIS_URL, prefix });
  try {
    // Opening a queue records its metadata; let that happen before the keys are deleted.
    for (const name of QUEUE_NAMES) await queues.queue(name).getVersion();
    let cursor = "0";
    do {
      const [next, keys] = await queues.redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) await queues.redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    await queues.close();
  }
}

/** One structured log line of a worker. */
export interface LogLine {
  time: number;
  msg: string;
  [field: string]: unknown;
}

/** A `plumbline worker` child process with its output captured. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly name: string;
  stdout(): string;
  logs(): LogLine[];
  /** Resolves once stdout says the worker is ready. */
  ready(): Promise<void>;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited(): Promise<number | string>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts `node apps/cli/dist/bin.js worker …` with the given environment. */
export function startWorker(
  name: string,
  args: string[],
  env: Record<string, string>,
): WorkerProcess {
  const child = spawn(process.execPath, [binPath, "worker", ...args], {
    env: {
      PATH: process.env.PATH ?? "",
      PLUMBLINE_LOG_LEVEL: "info",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<number | string>((resolve) => {
    child.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });

  const logs = (): LogLine[] =>
    stderr
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as LogLine);

  return {
    child,
    name,
    stdout: () => stdout,
    logs,
    async ready() {
      const deadline = Date.now() + 30_000;
      while (!stdout.includes("worker ready")) {
        const ended = await Promise.race([exit, sleep(50).then(() => undefined)]);
        if (ended !== undefined) {
          throw new Error(`worker ${name} exited (${ended}) before it was ready:\n${stderr}`);
        }
        if (Date.now() > deadline) {
          throw new Error(`worker ${name} was not ready in 30 s:\n${stderr}`);
        }
      }
    },
    exited: () => exit,
    kill: (signal) => child.kill(signal),
  };
}

/** Runs `plumbline scan-now …` to completion. */
export async function runScanNow(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [binPath, "scan-now", ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { code, stdout, stderr };
}

/** Polls until `check` holds, or throws after `timeoutMs` naming `what`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** The subscription and AWS account of the case estate. */
export const SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
export const AWS_ACCOUNT = "111122223333";

/** A copy of the case estate whose emulator answers every request after `latencyMs`. */
export async function createSlowEstate(latencyMs: number): Promise<{
  dir: string;
  remove: () => Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), "plumbline-worker-"));
  await cp(fromRoot("test-data/cases/estate"), join(dir, "estate"), { recursive: true });
  await writeFile(join(dir, "estate", "estate.yaml"), `latencyMs: ${latencyMs}\n`);
  return { dir: join(dir, "estate"), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes a policy for the case estate's tenant with the given schedule section. */
export async function writePolicy(dir: string, name: string, schedule: string): Promise<string> {
  const path = join(dir, "..", name);
  await writeFile(
    path,
    `version: 1
tenants:
  - id: acme
    accounts:
      azure: [${SUBSCRIPTION}]
      aws: ["${AWS_ACCOUNT}"]
    regions:
      allowed: [westeurope, swedencentral, germanywestcentral, eu-west-1]
    processingScope: datazone
    models:
      allow:
        - { format: OpenAI, name: gpt-4o, version: "2024-08-06" }
sources:
  aws:
    regions: [eu-west-1]
${schedule}
`,
  );
  return path;
}

/** One inventory run of an account as the store recorded it. */
export interface InventoryRun {
  scanId: string;
  account: string;
  status: string;
  trigger: string;
  startedAt: Date;
  finishedAt: Date | null;
}

/** The inventory scans in a database, oldest first. */
export async function inventoryRuns(databaseUrl: string): Promise<InventoryRun[]> {
  const rows = await queryDatabase<{
    id: string;
    account: string | null;
    status: string;
    trigger: string;
    started_at: Date;
    finished_at: Date | null;
  }>(
    databaseUrl,
    `select s.id, a.account, s.status, s.trigger, s.started_at, s.finished_at
       from scans s left join scan_accounts a on a.scan_id = s.id
      where s.kind = 'inventory' order by s.started_at`,
  );
  return rows.map((row) => ({
    scanId: row.id,
    account: row.account ?? "?",
    status: row.status,
    trigger: row.trigger,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  }));
}
