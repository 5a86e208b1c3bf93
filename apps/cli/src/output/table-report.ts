import type { Writable } from "node:stream";
import type { Framework } from "@plumbline/rules";
import { formatDriftSection } from "./drift-table.js";
import { formatFrameworkSections } from "./framework-sections.js";
import type { FindingPages, ReportDriftEvent, ReportScan } from "./scan-report.js";
import {
  formatFindingsTable,
  plainTable,
  showControlCharacters,
  tallyFindings,
  verdictColumns,
} from "./table-parts.js";

/** Options of `writeTableReport`. */
export interface TableReportOptions {
  /** Group verdict counts and findings by the requirements of this framework. */
  framework?: Framework;
  /** Drift since the previous scan; the section is left out when absent. */
  drift?: readonly ReportDriftEvent[];
}

function formatAccounts(scan: ReportScan): string {
  const accounts = plainTable(
    ["provider", "account", "owner", "status", "resources", "note"],
    [null, null, null, null, null, 60],
  );
  for (const account of scan.accounts) {
    const note = [
      account.reason ?? "",
      account.skippedRegions.length > 0
        ? `regions not enabled: ${account.skippedRegions.join(", ")}`
        : "",
    ]
      .filter((part) => part.length > 0)
      .join("; ");
    accounts.push([
      account.provider,
      account.account,
      account.tenant ?? "-",
      account.status,
      String(account.resources),
      note,
    ]);
  }
  for (const unmapped of scan.unmapped) {
    accounts.push([unmapped.provider, unmapped.account, "unmapped", "not scanned", "-", ""]);
  }
  return accounts.toString();
}

/**
 * Writes the report for a person: the accounts and how they were collected, verdict counts per
 * control, then every finding that is not a pass or not-applicable, most severe first. With a
 * framework, counts and findings are grouped by the framework's requirements instead.
 */
export async function writeTableReport(
  out: Writable,
  scan: ReportScan,
  pages: FindingPages,
  options: TableReportOptions = {},
): Promise<void> {
  const { counts, attention } = await tallyFindings(pages);

  const lines = [
    `Scan ${scan.id}: ${scan.status} (started ${scan.startedAt}, finished ${scan.finishedAt})`,
    "",
    "Accounts",
    formatAccounts(scan),
    "",
  ];
  for (const problem of scan.discoveryErrors) {
    lines.push(`Unmapped accounts may be missing: ${showControlCharacters(problem)}`);
  }
  if (scan.discoveryErrors.length > 0) lines.push("");
  if (options.drift !== undefined) {
    lines.push(...formatDriftSection(options.drift), "");
  }
  if (options.framework !== undefined) {
    lines.push(...formatFrameworkSections(options.framework, counts, attention));
  } else {
    const summary = plainTable(["control", ...verdictColumns]);
    for (const [control, row] of [...counts.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      summary.push([control, ...verdictColumns.map((verdict) => String(row[verdict]))]);
    }
    lines.push(
      "Verdicts by control",
      summary.toString(),
      "",
      attention.length === 0
        ? "Nothing failed."
        : `Findings that need attention (${attention.length})`,
    );
    if (attention.length > 0) {
      lines.push(formatFindingsTable(attention));
    }
  }
  out.write(`${lines.join("\n")}\n`);
}
