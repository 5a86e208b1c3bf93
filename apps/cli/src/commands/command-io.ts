import type { Writable } from "node:stream";
import type { Logger } from "pino";
import type { Environment } from "../config.js";

/** What a command may touch of the outside world, passed in so tests can run it in-process. */
export interface CommandIo {
  stdout: Writable;
  stderr: Writable;
  env: Environment;
  logger: Logger;
  clock: () => Date;
  /** Whether stderr is a terminal a person watches (progress redraws one line). */
  interactive: boolean;
}
