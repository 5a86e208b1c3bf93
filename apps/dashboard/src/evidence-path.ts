/**
 * Splits an evidence path into the resource it reads (when another resource's id and `#`
 * prefix it) and the steps into that resource's document: `a.b[0].c` → `a`, `b`, 0, `c`.
 */
export function parseEvidencePath(path: string): {
  resource: string | null;
  steps: Array<string | number>;
} {
  const hash = path.lastIndexOf("#");
  const resource = hash >= 0 ? path.slice(0, hash) : null;
  const dotted = hash >= 0 ? path.slice(hash + 1) : path;
  const steps: Array<string | number> = [];
  for (const part of dotted.split(".")) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (match === null) {
      steps.push(part);
      continue;
    }
    if (match[1] !== "") {
      steps.push(/^\d+$/.test(match[1] ?? "") ? Number(match[1]) : (match[1] ?? ""));
    }
    for (const index of (match[2] ?? "").matchAll(/\[(\d+)\]/g)) {
      steps.push(Number(index[1]));
    }
  }
  return { resource, steps: steps.filter((step) => step !== "") };
}

/** The part of a document around an evidence path: its nearest existing parent object. */
export interface DocumentExcerpt {
  /** Dotted path of the excerpt's root (empty for the whole document). */
  at: string;
  /** The object or array found there. */
  value: unknown;
  /** The key inside `value` the evidence points at (absent keys too), or null. */
  focusKey: string | number | null;
  /** True when the evidence path exists in the document. */
  found: boolean;
}

/**
 * Walks a raw document along the evidence path and returns the object holding the last step,
 * or the deepest object that exists when the path stops early (an absent property is often
 * the point of a finding). Keys are matched without regard to case, as the clouds mix cases.
 */
export function excerptAround(document: unknown, steps: Array<string | number>): DocumentExcerpt {
  let current: unknown = document;
  let walked = "";
  for (let index = 0; index < steps.length; index += 1) {
    const step = steps[index] as string | number;
    const container = current;
    const next = childOf(container, step);
    const isLast = index === steps.length - 1;
    if (next === undefined || isLast) {
      return {
        at: walked,
        value: container,
        focusKey: next === undefined ? step : keyOf(container, step),
        found: next !== undefined,
      };
    }
    walked +=
      typeof step === "number"
        ? `[${step}]`
        : `${walked === "" ? "" : "."}${String(keyOf(container, step))}`;
    current = next.value;
  }
  return { at: "", value: document, focusKey: null, found: steps.length === 0 };
}

function keyOf(container: unknown, step: string | number): string | number {
  if (typeof step === "number" || container === null || typeof container !== "object") {
    return step;
  }
  return Object.keys(container).find((key) => key.toLowerCase() === step.toLowerCase()) ?? step;
}

function childOf(container: unknown, step: string | number): { value: unknown } | undefined {
  if (container === null || typeof container !== "object") {
    return undefined;
  }
  if (Array.isArray(container)) {
    const index = typeof step === "number" ? step : Number(step);
    return Number.isInteger(index) && index < container.length
      ? { value: container[index] }
      : undefined;
  }
  const key = keyOf(container, step);
  const record = container as Record<string, unknown>;
  return Object.hasOwn(record, String(key)) ? { value: record[String(key)] } : undefined;
}
