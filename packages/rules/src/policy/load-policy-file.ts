import { readFile } from "node:fs/promises";
import {
  makeIssue,
  type ParsePolicyOptions,
  type ParsePolicyResult,
  PolicyError,
  parsePolicy,
} from "./parse-policy.js";

/**
 * Reads and validates a policy file: the only file read in this package. Messages name the
 * file by the path given here; a file that cannot be read is a `PolicyError` too.
 */
export async function loadPolicyFile(
  path: string,
  options: ParsePolicyOptions,
): Promise<ParsePolicyResult> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PolicyError([makeIssue(path, null, "", `cannot be read: ${reason}`)]);
  }
  return parsePolicy(text, path, options);
}
