import { parseEvaluationDate } from "../dates.js";
import { ExitCode, type ExitCodeValue } from "../errors.js";
import type { CommandIo } from "./command-io.js";
import { loadPolicyForCommand } from "./load-policy.js";

export interface ValidateOptions {
  policy: string;
  now?: string;
}

/** `plumbline validate`: 0 when the policy file is valid (warnings on stderr), 2 when not. */
export async function validateCommand(
  options: ValidateOptions,
  io: CommandIo,
): Promise<ExitCodeValue> {
  const now = parseEvaluationDate(options.now, io.clock);
  const policy = await loadPolicyForCommand(options.policy, now, io);
  if (policy === null) {
    return ExitCode.usageOrInput;
  }

  // An account listed for two owners is one account (and a tenancy finding, not a file error).
  const accounts = new Set(
    [policy.platform, ...policy.tenants].flatMap((owner) =>
      owner
        ? [
            ...owner.accounts.azure.map((id) => `azure:${id.toLowerCase()}`),
            ...owner.accounts.aws.map((id) => `aws:${id}`),
          ]
        : [],
    ),
  ).size;
  io.stdout.write(
    `${options.policy}: valid (${policy.tenants.length} tenants, ${accounts} accounts)\n`,
  );
  return ExitCode.ok;
}
