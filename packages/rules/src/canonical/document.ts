/**
 * Small readers for raw cloud documents. Controls and conversions read documents only through
 * these, so that "missing", `null` and `""` are told apart the same way everywhere.
 */

/** A JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The value at a dotted path (`properties.encryption.keySource`, `rules[0].id`), or undefined when
 * any step is missing. A `null` or `""` on the way yields undefined; a `null` at the end yields
 * null. A scalar on the way where an object or array should be (`"encryption": "on"`) is
 * returned as it is: the document is malformed there, and the control must see a value it does
 * not know rather than an absent setting whose insecure default would decide the verdict.
 */
export function readPath(document: unknown, path: string): unknown {
  let current: unknown = document;
  for (const step of parsePath(path)) {
    if (isAbsent(current)) return undefined;
    if (typeof step === "number") {
      if (!Array.isArray(current)) return isRecord(current) ? undefined : current;
      current = current[step];
    } else {
      if (!isRecord(current)) return Array.isArray(current) ? undefined : current;
      if (!Object.hasOwn(current, step)) return undefined;
      current = current[step];
    }
  }
  return current;
}

function parsePath(path: string): (string | number)[] {
  const steps: (string | number)[] = [];
  for (const part of path.split(".")) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (match === null) {
      steps.push(part);
      continue;
    }
    if (match[1] !== undefined && match[1] !== "") steps.push(match[1]);
    for (const index of (match[2] ?? "").matchAll(/\[(\d+)\]/g)) steps.push(Number(index[1]));
  }
  return steps;
}

/** A scalar is absent when it is missing, `null` or `""`; `{}` and `[]` are present. */
export function isAbsent(value: unknown): value is undefined | null | "" {
  return value === undefined || value === null || value === "";
}

/** The string at a path when it is a non-empty string, else undefined. */
export function readString(document: unknown, path: string): string | undefined {
  const value = readPath(document, path);
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The object at a path when it is a JSON object, else undefined. */
export function readRecord(document: unknown, path: string): Record<string, unknown> | undefined {
  const value = readPath(document, path);
  return isRecord(value) ? value : undefined;
}

/** The array at a path when it is an array, else an empty array. */
export function readArray(document: unknown, path: string): unknown[] {
  const value = readPath(document, path);
  return Array.isArray(value) ? value : [];
}

/** Case-insensitive equality of two strings (enum values, ids, region names). */
export function equalsIgnoreCase(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
