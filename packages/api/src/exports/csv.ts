import type { FindingView } from "../read/finding-query.js";

/** The columns of the CSV export, in order. */
export const CSV_COLUMNS = [
  "id",
  "tenant",
  "control",
  "control_title",
  "area",
  "severity",
  "status",
  "resource",
  "provider",
  "account",
  "region",
  "type",
  "message",
  "stale",
  "stale_reason",
  "waiver_expires",
  "first_seen",
  "status_since",
  "last_evaluated_at",
] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a separator, quote or line break. A field that
 * a spreadsheet would run as a formula gets a leading apostrophe.
 */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return "";
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvRow(finding: FindingView): string {
  const fields = [
    finding.id,
    finding.tenant,
    finding.control,
    finding.controlTitle,
    finding.area,
    finding.severity,
    finding.status,
    finding.resource,
    finding.provider,
    finding.account,
    finding.region,
    finding.type,
    finding.message,
    finding.stale,
    finding.staleReason,
    finding.waiver?.expires ?? null,
    finding.firstSeen,
    finding.statusSince,
    finding.lastEvaluatedAt,
  ];
  return `${fields.map(csvField).join(",")}\r\n`;
}

/** The CSV export: a header line, then one line per finding, written as pages arrive. */
export async function* findingsCsv(pages: AsyncIterable<FindingView[]>): AsyncGenerator<string> {
  yield `${CSV_COLUMNS.join(",")}\r\n`;
  for await (const page of pages) yield page.map(csvRow).join("");
}
