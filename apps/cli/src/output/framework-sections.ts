import type { Finding, Framework } from "@plumbline/rules";
import {
  formatFindingsTable,
  plainTable,
  type VerdictCounts,
  verdictColumns,
} from "./table-parts.js";

/**
 * The table report's findings grouped by the requirements of one framework: each requirement
 * as a heading, the verdict counts of the controls that support it, then their findings that
 * need attention. A control that supports several requirements appears under each of them.
 */
export function formatFrameworkSections(
  framework: Framework,
  counts: ReadonlyMap<string, VerdictCounts>,
  attention: readonly Finding[],
): string[] {
  const lines = [
    `Verdicts by requirement of ${framework.title} (${framework.citation})`,
    "A control supports a requirement; its verdicts alone do not prove compliance with it.",
  ];

  for (const requirement of framework.requirements) {
    const controls = new Set<string>(requirement.controls.map((mapping) => mapping.control));
    const table = plainTable(["control", ...verdictColumns]);
    for (const control of controls) {
      const row = counts.get(control);
      // A control with no rows was disabled, not implemented, or judged no resource: zeros
      // would read as "all clear", so say so instead.
      table.push(
        row === undefined
          ? [control, { content: "no findings in this scan", colSpan: verdictColumns.length }]
          : [control, ...verdictColumns.map((verdict) => String(row[verdict]))],
      );
    }
    const findings = attention.filter((finding) => controls.has(finding.control));

    lines.push("", `${requirement.id} ${requirement.title}`, table.toString());
    if (findings.length === 0) {
      lines.push("Nothing failed.");
    } else {
      lines.push(
        `Findings that need attention (${findings.length})`,
        formatFindingsTable(findings),
      );
    }
  }

  const mapped = new Set<string>(
    framework.requirements.flatMap((requirement) => requirement.controls.map((m) => m.control)),
  );
  const unmapped = [...counts.entries()]
    .filter(([control]) => !mapped.has(control))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([control, row]) => `${control} (${row.fail} fail, ${row.error} error)`);
  if (unmapped.length > 0) {
    lines.push(
      "",
      `Controls that support no ${framework.name} requirement, left out above: ${unmapped.join(", ")}`,
    );
  }
  return lines;
}
