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
