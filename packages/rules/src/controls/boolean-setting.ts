import { isAbsent, readPath } from "../canonical/document.js";
import type { CanonicalResource } from "../model.js";
import type { VerdictRow } from "./types.js";
import { describeResource, formatValue, observe, row } from "./verdicts.js";

/** A boolean switch whose secure value is `expected`; absent (missing, null or "") is insecure. */
export interface BooleanSetting {
  path: string;
  expected: boolean;
  /** What the secure value means, for the pass message ("local authentication is disabled"). */
  meaning: string;
}

/**
 * Judges one boolean switch: the expected value passes, the other value and absence (missing,
 * null or "") fail, since the clouds' default for these switches is the insecure one; anything
 * else is an error naming it.
 */
export function judgeBooleanSetting(
  resource: CanonicalResource,
  setting: BooleanSetting,
): VerdictRow {
  const name = describeResource(resource);
  const value = readPath(resource.raw, setting.path);
  const evidence = [observe(resource, setting.path, setting.expected)];
  if (value === setting.expected) {
    return row(
      "pass",
      `${name}: ${setting.meaning} (${setting.path} = ${formatValue(value)})`,
      evidence,
    );
  }
  if (isAbsent(value) || typeof value === "boolean") {
    const absent = isAbsent(value) ? ", which defaults to the insecure setting" : "";
    return row(
      "fail",
      `${name} has ${setting.path} ${formatValue(value)}${absent}; ` +
        `expected ${String(setting.expected)}`,
      evidence,
    );
  }
  return row(
    "error",
    `${name} has ${setting.path} = ${formatValue(value)}, which is not a boolean; ` +
      `expected ${String(setting.expected)}`,
    evidence,
  );
}
