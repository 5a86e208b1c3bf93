import { loadPolicyFile, type Policy, PolicyError } from "@plumbline/rules";
import type { CommandIo } from "./command-io.js";

/**
 * Loads a policy file for a command: warnings go to stderr, and an invalid file prints each
 * problem (file, line and field) to stderr and yields null, for the caller to exit 2.
 */
export async function loadPolicyForCommand(
  path: string,
  now: Date,
  io: CommandIo,
): Promise<Policy | null> {
  try {
    const { policy, warnings } = await loadPolicyFile(path, { now });
    for (const warning of warnings) {
      io.stderr.write(`warning: ${warning}\n`);
    }
    return policy;
  } catch (error) {
    if (error instanceof PolicyError) {
      for (const issue of error.issues) {
        io.stderr.write(`${issue}\n`);
      }
      return null;
    }
    throw error;
  }
}
