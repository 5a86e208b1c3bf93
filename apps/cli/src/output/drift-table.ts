import type { ReportDriftEvent } from "./scan-report.js";
import { plainTable, shortSubject } from "./table-parts.js";

/** Widest the change column gets before it wraps. */
const changeWidth = 60;

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "absent";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** What changed, in a few words: the verdicts of a finding, the properties of a resource. */
function describeChange(event: ReportDriftEvent): string {
  if (event.control !== undefined) {
    const before = event.before?.status;
    const after = event.after?.status;
    if (event.kind === "evidence-changed") return `evidence changed (still ${String(after)})`;
    return `${before === undefined ? "new" : String(before)} -> ${
      after === undefined ? "gone" : String(after)
    }`;
  }
  if (event.kind !== "changed") return "";
  return Object.keys(event.after ?? {})
    .map(
      (name) =>
        `${name}: ${describeValue(event.before?.[name])} -> ${describeValue(event.after?.[name])}`,
    )
    .join("; ");
}

/** The drift section of the table report: one row per event, in the order they were recorded. */
export function formatDriftSection(events: readonly ReportDriftEvent[]): string[] {
  if (events.length === 0) {
    return ["No drift since the previous scan."];
  }
  const table = plainTable(
    ["kind", "owner", "control", "resource", "change"],
    [null, null, null, 40, changeWidth],
  );
  for (const event of events) {
    table.push([
      event.kind,
      event.tenant ?? "-",
      event.control ?? "-",
      shortSubject(event.resource),
      describeChange(event),
    ]);
  }
  return [`Drift since the previous scan (${events.length})`, table.toString()];
}
