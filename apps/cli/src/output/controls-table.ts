import Table from "cli-table3";
import type { ControlCatalogue } from "./control-catalogue.js";

/** Widths of the wrapped columns, so the table fits a 160-column terminal. */
const titleWidth = 38;
/** Fits the longest type name, `Microsoft.CognitiveServices/accounts/deployments`. */
const typesWidth = 50;
const requirementsWidth = 24;

/**
 * The catalogue for a person at a terminal: one row per control with its severity, title,
 * resource types and the framework requirements it supports. Rationale, remediation and
 * references are in the Markdown and JSON forms.
 */
export function formatControlsTable(catalogue: ControlCatalogue): string {
  const table = new Table({
    head: ["control", "severity", "title", "resource types", "supports"],
    style: { head: [], border: [], compact: true },
    wordWrap: true,
    colWidths: [null, null, titleWidth, typesWidth, requirementsWidth],
  });
  for (const control of catalogue.controls) {
    table.push([
      control.id,
      control.severity,
      control.title,
      control.resourceTypes.map((type) => (type === "*" ? "(every type)" : type)).join("\n"),
      control.requirements.map((entry) => `${entry.framework} ${entry.requirement}`).join("\n"),
    ]);
  }

  const lines = [`Controls (${catalogue.controls.length})`, table.toString()];
  lines.push(
    `Frameworks: ${catalogue.frameworks.map((f) => `${f.name} (${f.citation})`).join(", ")}`,
    "Rationale, remediation and references: plumbline controls --format markdown",
  );
  return `${lines.join("\n")}\n`;
}
