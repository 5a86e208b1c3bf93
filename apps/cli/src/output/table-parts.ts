import type { Finding, Verdict } from "@plumbline/rules";
import Table from "cli-table3";
import type { FindingPages } from "./scan-report.js";

/** Verdict columns of the count tables, in the order a person reads them. */
export const verdictColumns: Verdict[] = ["pass", "fail", "error", "waived", "not-applicable"];

const severityRank = { critical: 0, high: 1, medium: 2, low: 3 } as const;

/** Widest a message column gets, so a row wraps instead of running off a terminal. */
const messageWidth = 72;

/** How many findings of one control reached each verdict. */
export type VerdictCounts = Record<Verdict, number>;

/** Verdict counts per control, and the findings a person must look at. */
export interface FindingTally {
  counts: Map<string, VerdictCounts>;
  /** fail, error and waived findings, most severe first. */
  attention: Finding[];
}

/**
 * Shortens a subject so a table row stays readable in a terminal: an ARM id to its type and
 * name segments (`flexibleServers/pg-retail`), an ARN to its resource part; the owner column
 * and the JSON report carry the rest.
 */
export function shortSubject(resource: string): string {
  const segments = resource.split("/").filter((segment) => segment.length > 0);
  if (resource.toLowerCase().startsWith("/subscriptions/") && segments.length > 4) {
    return segments.slice(-2).join("/");
  }
  if (resource.startsWith("arn:")) {
    return resource.split(":").slice(5).join(":");
  }
  return resource;
}

// C0 controls but the line feed, DEL and C1 controls: the ones a terminal would act on.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
const terminalControls = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;

/**
 * Replaces the control characters of cloud-supplied text with visible pictures (U+2400…), so an
 * id or message holding an escape sequence cannot drive the terminal that prints the table.
 */
export function showControlCharacters(text: string): string {
  return text.replace(terminalControls, (character) => {
    const code = character.charCodeAt(0);
    return code < 0x20 ? String.fromCharCode(0x2400 + code) : code === 0x7f ? "\u2421" : "\ufffd";
  });
}

/**
 * A borderless-heading, compact table that wraps long cells. Its output shows control
 * characters as pictures, since cells carry ids and messages the clouds supplied.
 */
export function plainTable(head: string[], colWidths?: (number | null)[]): Table.Table {
  const table = new Table({
    head,
    style: { head: [], border: [], compact: true },
    wordWrap: true,
    ...(colWidths ? { colWidths } : {}),
  });
  const render = table.toString.bind(table);
  table.toString = () => showControlCharacters(render());
  return table;
}

/** Reads every page once, counting verdicts per control and keeping what needs attention. */
export async function tallyFindings(pages: FindingPages): Promise<FindingTally> {
  const counts = new Map<string, VerdictCounts>();
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
  attention.sort(
    (a, b) =>
      severityRank[a.severity] - severityRank[b.severity] ||
      a.control.localeCompare(b.control) ||
      a.resource.localeCompare(b.resource),
  );
  return { counts, attention };
}

/** One row per finding: severity, status, control, owner, short subject and message. */
export function formatFindingsTable(findings: readonly Finding[]): string {
  const details = plainTable(
    ["severity", "status", "control", "owner", "resource", "message"],
    [null, null, null, null, 40, messageWidth],
  );
  for (const finding of findings) {
    details.push([
      finding.severity,
      finding.stale === true ? `${finding.status} (stale)` : finding.status,
      finding.control,
      finding.tenant ?? "-",
      shortSubject(finding.resource),
      finding.stale === true
        ? `${finding.message} Carried on from an earlier scan: ${finding.staleReason ?? ""}`
        : finding.message,
    ]);
  }
  return details.toString();
}
