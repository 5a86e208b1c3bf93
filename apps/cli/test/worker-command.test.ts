import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createJobQueues } from "@plumbline/scanner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "./support/harness.js";
import {
  AWS_ACCOUNT,
  deletePrefix,
  REDIS_URL,
  SUBSCRIPTION,
  uniquePrefix,
} from "./worker-support.js";

describe("plumbline worker and scan-now arguments", () => {
  let dir: string;
  let policy: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "plumbline-worker-command-"));
    policy = join(dir, "plumbline.yaml");
    await writeFile(
      policy,
      `version: 1
tenants:
  - id: acme
    accounts:
      azure: [${SUBSCRIPTION}]
      aws: ["${AWS_ACCOUNT}"]
    regions: { allowed: [westeurope, eu-west-1] }
`,
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses to run without REDIS_URL", async () => {
    const result = await runCommand(["scan-now", "--policy", policy]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("REDIS_URL is not set");
  });

  it("stops in one line with exit 3 when Redis refuses, stays silent or lacks the database", async () => {
    const held = new Set<Socket>();
    const silent = createServer((socket) => held.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", () => resolve()));
    const silentPort = (silent.address() as { port: number }).port;
    try {
      const cases: Array<[string[], string, string]> = [
        [["scan-now", "--policy", policy], "redis://127.0.0.1:1", "ECONNREFUSED"],
        [["scan-now", "--policy", policy], `redis://127.0.0.1:${silentPort}`, "timed out"],
        [["worker", "--policy", policy], `${REDIS_URL}/99`, "DB index is out of range"],
      ];
      for (const [args, url, reason] of cases) {
        const result = await runCommand(args, { REDIS_URL: url });
        expect(result.code, url).toBe(3);
        expect(result.stderr, url).toContain("REDIS_URL: Redis cannot be used:");
        expect(result.stderr, url).toContain(reason);
      }
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  }, 60_000);

  it("refuses a worker whose DATABASE_URL is not PostgreSQL", async () => {
    const result = await runCommand(["worker", "--policy", policy], {
      REDIS_URL,
      DATABASE_URL: join(dir, "pglite"),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("DATABASE_URL must name PostgreSQL");
  });

  it("refuses a concurrency that is not a whole number from 1 to 64", async () => {
    const result = await runCommand(["worker", "--policy", policy, "--concurrency", "0"], {
      REDIS_URL,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--concurrency: "0" is not a whole number from 1 to 64');
  });

  it("refuses a manual round for an account the policy does not list", async () => {
    const result = await runCommand(["scan-now", "--policy", policy, "--account", "999988887777"], {
      REDIS_URL,
      PLUMBLINE_QUEUE_PREFIX: uniquePrefix("scan-now-unknown"),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--account: not accounts of the policy: 999988887777");
  });

  it("enqueues one inventory job for each account asked for", async () => {
    const prefix = uniquePrefix("scan-now");
    const result = await runCommand(
      ["scan-now", "--policy", policy, "--account", AWS_ACCOUNT, SUBSCRIPTION],
      { REDIS_URL, PLUMBLINE_QUEUE_PREFIX: prefix },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^enqueued 2 jobs: \S+ \S+\n$/);

    const queues = createJobQueues({ connection: REDIS_URL, prefix });
    try {
      const [aws] = await queues.queue("inventory-aws").getWaiting();
      expect(aws?.data).toEqual({
        provider: "aws",
        account: AWS_ACCOUNT,
        trigger: "scan-now",
        requestedBy: "cli",
      });
      expect(await queues.queue("inventory-azure").getWaitingCount()).toBe(1);
      expect(await queues.queue("discover").getWaitingCount()).toBe(0);
    } finally {
      await queues.close();
      await deletePrefix(prefix);
    }
  });
});
