/** Exit codes of `plumbline`, as the command's contract fixes them. */
export const ExitCode = {
  ok: 0,
  findingsAtThreshold: 1,
  usageOrInput: 2,
  scanFailed: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An expected failure the user can fix: bad arguments, an unreadable or invalid policy file. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  readonly exitCode: ExitCodeValue = ExitCode.usageOrInput;
}
