import type { Finding } from "../model.js";

/** The identity of a finding across evaluations, as one string usable as a map key. */
export function findingIdentity(finding: Pick<Finding, "tenant" | "control" | "subjectKey">) {
  return JSON.stringify([finding.tenant, finding.control, finding.subjectKey]);
}

/** The key of an account's collection: Azure subscription ids compared without case. */
export function accountKey(provider: string, account: string): string {
  return `${provider}|${provider === "azure" ? account.toLowerCase() : account}`;
}

// An ARM id embedded in a value: the clouds spell the same id in several cases.
const armIdPattern = /\/subscriptions\//i;

/**
 * A canonical text of a JSON value for comparison: object keys sorted, absent and undefined
 * alike, and strings that hold an Azure ARM id lower-cased, so that an id whose case changed
 * between two scans compares equal. With `ignoreCase`, every string is lower-cased (enum values
 * arrive in mixed case).
 */
export function comparableText(value: unknown, ignoreCase = false): string {
  return JSON.stringify(normalise(value, ignoreCase)) ?? "null";
}

function normalise(value: unknown, ignoreCase: boolean): unknown {
  if (typeof value === "string") {
    return ignoreCase || armIdPattern.test(value) ? value.toLowerCase() : value;
  }
  if (Array.isArray(value)) return value.map((item) => normalise(item, ignoreCase));
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
      .map(([key, item]) => [key, normalise(item, ignoreCase)] as const);
    return Object.fromEntries(entries);
  }
  return value;
}
