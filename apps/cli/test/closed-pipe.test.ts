import { spawn } from "node:child_process";
import { createTestDatabase, queryDatabase, type TestDatabase } from "@plumbline/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromRoot } from "./support/harness.js";

const binPath = fromRoot("apps/cli/dist/bin.js");

interface EndedCommand {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs the built command with a stdout whose reader has already gone, as `plumbline … | head`
 * leaves it once head has read enough: closing the pipe before the first write makes every
 * write meet the closed pipe, whatever the size of the output.
 */
function runWithClosedStdout(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [binPath, ...args], {
    cwd: fromRoot(""),
    env: { PATH: process.env.PATH ?? "", PLUMBLINE_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.destroy();
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise<EndedCommand>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe("plumbline when the reader of its output goes away", () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase("closed_pipe");
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("ends controls --format json quietly with exit 141", async () => {
    const ended = await runWithClosedStdout(["controls", "--format", "json"]);

    expect(ended).toEqual({ code: 141, signal: null, stderr: "" });
  });

  it("finishes and records a scan whose report nobody reads, then exits 141 quietly", async () => {
    const ended = await runWithClosedStdout(
      ["scan", "--policy", "examples/plumbline.yaml", "--estate", "examples/estate"],
      { DATABASE_URL: database.url },
    );

    expect(ended.code).toBe(141);
    expect(ended.stderr).not.toMatch(/EPIPE|node:events|^\s+at /m);
    expect(ended.stderr).toMatch(/^scan complete: 5 accounts, \d+ resources; /m);
    const scans = await queryDatabase<{ status: string; finished: boolean }>(
      database.url,
      "select status, finished_at is not null as finished from scans where kind = 'full'",
    );
    expect(scans).toEqual([{ status: "complete", finished: true }]);
  });
});
