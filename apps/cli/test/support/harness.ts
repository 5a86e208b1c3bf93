import { cp, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import type { CommandIo } from "../../src/commands/command-io.js";
import { run } from "../../src/main.js";

/** Repository root, so tests read the shipped examples and test data wherever vitest runs. */
export const repositoryRoot = fileURLToPath(new URL("../../../../", import.meta.url));

export function fromRoot(path: string): string {
  return `${repositoryRoot}${path}`;
}

/** A writable that keeps everything written to it. */
class CapturedStream extends Writable {
  text = "";
  override _write(chunk: Buffer | string, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `plumbline` in-process with captured output and a fixed environment. */
export async function runCommand(
  argv: string[],
  environment: Partial<CommandIo["env"]> = {},
): Promise<CommandResult> {
  const stdout = new CapturedStream();
  const stderr = new CapturedStream();
  const io: CommandIo = {
    stdout,
    stderr,
    env: { PLUMBLINE_LOG_LEVEL: "silent", ...environment },
    logger: pino({ level: "silent" }),
    clock: () => new Date(),
    interactive: false,
  };
  const code = await run(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A copy of the example estate in a temporary folder, for a test to edit. */
export async function copyExampleEstate(name: string): Promise<string> {
  const estate = await mkdtemp(join(tmpdir(), `plumbline-${name}-estate-`));
  await cp(fromRoot("examples/estate"), estate, { recursive: true });
  return estate;
}

/** `plumbline scan` of the example policy over an estate into a store, dated as the example. */
export function scanExample(
  estate: string,
  db: string,
  format: "json" | "table" = "json",
): Promise<CommandResult> {
  return runCommand([
    "scan",
    ...["--policy", fromRoot("examples/plumbline.yaml"), "--estate", estate],
    ...["--db", db, "--format", format, "--now", "2026-12-03"],
  ]);
}
