import { formatValue } from "./format.js";

interface EvidenceSide {
  path: string;
  actual?: unknown;
  expected?: unknown;
}

interface VerdictSide {
  status: string;
  evidence?: EvidenceSide[];
}

function isVerdictSide(value: unknown): value is VerdictSide {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { status?: unknown }).status === "string"
  );
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/**
 * One line saying what an event changed: a verdict (`fail → pass`), the evidence values that
 * moved, or a resource's watched properties (`publicNetworkAccess: Disabled → Enabled`).
 */
export function describeChange(event: { kind: string; before: unknown; after: unknown }): string {
  const { before, after } = event;
  if (isVerdictSide(before) || isVerdictSide(after)) {
    const was = isVerdictSide(before) ? before.status : "new";
    const is = isVerdictSide(after) ? after.status : "gone";
    if (event.kind === "evidence-changed" && isVerdictSide(before) && isVerdictSide(after)) {
      return `${is}; evidence changed: ${evidenceChanges(before, after) || "values differ"}`;
    }
    return `${was} → ${is}`;
  }
  const old = asRecord(before);
  const next = asRecord(after);
  if (old === null && next === null) {
    return "";
  }
  const keys = [...new Set([...Object.keys(old ?? {}), ...Object.keys(next ?? {})])];
  if (event.kind === "appeared" || event.kind === "disappeared") {
    const side = (next ?? old) as Record<string, unknown>;
    return keys.map((key) => `${key}: ${formatValue(side[key], key in side)}`).join("; ");
  }
  return keys
    .map(
      (key) =>
        `${key}: ${formatValue(old?.[key], old !== null && key in old)} → ${formatValue(next?.[key], next !== null && key in next)}`,
    )
    .join("; ");
}

function evidenceChanges(before: VerdictSide, after: VerdictSide): string {
  const previous = new Map((before.evidence ?? []).map((item) => [item.path, item]));
  const current = new Map((after.evidence ?? []).map((item) => [item.path, item]));
  const seen = (item: EvidenceSide | undefined) =>
    formatValue(item?.actual, item !== undefined && "actual" in item);
  const changes: string[] = [];
  for (const [path, item] of current) {
    const old = previous.get(path);
    if (old === undefined) {
      changes.push(`${path} now read: ${seen(item)}`);
    } else if (JSON.stringify(old.actual) !== JSON.stringify(item.actual)) {
      changes.push(`${path} ${seen(old)} → ${seen(item)}`);
    } else if (JSON.stringify(old.expected) !== JSON.stringify(item.expected)) {
      changes.push(`${path} expected ${formatValue(old.expected)} → ${formatValue(item.expected)}`);
    }
  }
  for (const path of previous.keys()) {
    if (!current.has(path)) {
      changes.push(`${path} no longer read`);
    }
  }
  return changes.join("; ");
}
