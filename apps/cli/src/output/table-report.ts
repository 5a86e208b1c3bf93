import type { Writable } from "node:stream";
import type { Finding, Verdict } from "@plumbline/rules";
import Table from "cli-table3";
import type { FindingPages, ReportScan } from "./scan-report.js";

const verdictColumns: Verdict[] = ["pass", "fail", "error", "waived", "not-applicable"];
const severityRank = { critical: 0, high: 1, medium: 2, low: 3 } as const;

/** Shortens an ARM id to its last segments so a table row stays readable in a terminal. */
function shortSubject(resource: string): string {
  const segments = resource.split("/").filter((segment) => segment.length > 0);
  if (resource.startsWith("/subscriptions/") && segments.length > 4) {
    return segments.slice(-3).join("/");
  }
  return resource;
}

/** Widest a message column gets, so a row wraps instead of running off a terminal. */
const messageWidth = 72;

function plainTable(head: string[], colWidths?: (number | null)[]): Table.Table {
  return new Table({
    head,
    style: { head: [], border: [], compact: true },
    wordWrap: true,
    ...(colWidths ? { colWidths } : {}),
  });
}

/**
 * Writes the report for a person: the accounts and how they were collected, verdict counts per
 * control, then every finding that is not a pass or not-applicable, most severe first.
 */
export async function writeTableReport(
  out: Writable,
  scan: ReportScan,
  pages: FindingPages,
): Promise<void> {
  const counts = new Map<string, Record<Verdict, number>>();
  const attention: Finding[] = [];
  for await (const page of pages) {
    for (const finding of page) {
      const row = counts.get(finding.control) ?? {
        pass: 0,
        fail: 0,
        error: 0,
        waived: 0,
        "not-applicable": 0,
      };
      row[finding.status] += 1;
      counts.set(finding.control, row);
      if (finding.status === "fail" || finding.status === "error" || finding.status === "waived") {
        attention.push(finding);
      }
    }
  }

  const accounts = plainTable(["provider", "account", "owner", "status", "resources", "note"]);
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

  const summary = plainTable(["control", ...verdictColumns]);
  for (const [control, row] of [...counts.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    summary.push([control, ...verdictColumns.map((verdict) => String(row[verdict]))]);
  }

  attention.sort(
    (a, b) =>
      severityRank[a.severity] - severityRank[b.severity] ||
      a.control.localeCompare(b.control) ||
      a.resource.localeCompare(b.resource),
  );
  const details = plainTable(
    ["severity", "status", "control", "owner", "resource", "message"],
    [null, null, null, null, 48, messageWidth],
  );
  for (const finding of attention) {
    details.push([
      finding.severity,
      finding.status,
      finding.control,
      finding.tenant ?? "-",
      shortSubject(finding.resource),
      finding.message,
    ]);
  }

  const lines = [
    `Scan ${scan.id}: ${scan.status} (started ${scan.startedAt}, finished ${scan.finishedAt})`,
    "",
    "Accounts",
    accounts.toString(),
    "",
    "Verdicts by control",
    summary.toString(),
    "",
    attention.length === 0
      ? "Nothing failed."
      : `Findings that need attention (${attention.length})`,
  ];
  if (attention.length > 0) {
    lines.push(details.toString());
  }
  out.write(`${lines.join("\n")}\n`);
}
