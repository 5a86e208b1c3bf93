/** Exit codes of `plumbline`, as the command's contract fixes them. */
export const ExitCode = {
  ok: 0,
  findingsAtThreshold: 1,
  usageOrInput: 2,
  scanFailed: 3,
  /**
   * The reader of stdout or stderr went away (`plumbline … | head`): 128 + SIGPIPE (13), what a
   * shell reports for a program that a closed pipe ended.
   */
  readerGone: 141,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An expected failure the user can fix: bad arguments, an unreadable or invalid policy file. */
export class UsageError extends Error {
  override readonly name: string = "UsageError";
  readonly exitCode: ExitCodeValue = ExitCode.usageOrInput;
}

/**
 * A service the command needs (Redis, a database) cannot be used: reported in one line like a
 * usage error, with the exit code of a failed run.
 */
export class ServiceUnavailableError extends UsageError {
  override readonly name = "ServiceUnavailableError";
  override readonly exitCode: ExitCodeValue = ExitCode.scanFailed;
}
