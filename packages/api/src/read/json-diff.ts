/** One difference between two JSON documents. */
export interface JsonChange {
  /** Dotted path; array items as `[n]`, keys that are not identifiers as `["key"]`. */
  path: string;
  kind: "added" | "removed" | "changed";
  before?: unknown;
  after?: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function childPath(parent: string, key: string): string {
  const segment = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (parent === "") return segment;
  return segment.startsWith("[") ? `${parent}${segment}` : `${parent}.${segment}`;
}

/**
 * The differences between two JSON documents, leaf by leaf, in key order: objects are compared
 * key by key, arrays item by item (an insertion shows as changes to the items after it).
 */
export function diffJson(before: unknown, after: unknown, path = ""): JsonChange[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => {
      const next = childPath(path, key);
      if (!Object.hasOwn(after, key)) return [{ path: next, kind: "removed", before: before[key] }];
      if (!Object.hasOwn(before, key)) return [{ path: next, kind: "added", after: after[key] }];
      return diffJson(before[key], after[key], next);
    });
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    return Array.from({ length }, (_, index) => {
      const next = `${path}[${index}]`;
      if (index >= after.length)
        return [{ path: next, kind: "removed" as const, before: before[index] }];
      if (index >= before.length)
        return [{ path: next, kind: "added" as const, after: after[index] }];
      return diffJson(before[index], after[index], next);
    }).flat();
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path, kind: "changed", before, after }];
}
