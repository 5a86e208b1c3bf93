import { readFileSync } from "node:fs";
import type { ScanReport } from "../../src/output/report-schema.js";

/**
 * What `docs/example-estate.md` says a scan of the example estate gives, as counts: keys join
 * their parts with `|`, and a count of zero is left out.
 */
interface DocumentedVerdicts {
  /** The number in the heading `## Intended verdicts (N rows)`. */
  headingRows: number;
  /** The verdict rows listed under each owner, by `owner|control|verdict`. */
  listed: Map<string, number>;
  /** The totals table, by `control|provider|verdict`; data-flow stage rows have provider `stage`. */
  totals: Map<string, number>;
}

/** `platform`, a tenant id, or `unmapped` for the accounts no owner maps (tenant null). */
type OwnerLabel = string;

const INTENDED_HEADING = /^## Intended verdicts \((\d+) rows\)$/m;
const OWNER_HEADING = /^### Owner: (\S+)$/;
const UNMAPPED_HEADING = /^### Unmapped accounts/;

function cellsOf(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, "")
    .split("|")
    .map((cell) => cell.trim().replaceAll("`", ""));
}

function isTableBody(line: string): boolean {
  return line.startsWith("|") && !/^\|\s*-/.test(line);
}

function add(counts: Map<string, number>, key: string, count: number): void {
  if (count === 0) return;
  counts.set(key, (counts.get(key) ?? 0) + count);
}

/** The text between a level-2 heading that matches `start` and the next level-2 heading. */
function sectionOf(text: string, start: RegExp): string[] {
  const lines = text.split("\n");
  const first = lines.findIndex((line) => start.test(line));
  if (first === -1) throw new Error(`docs/example-estate.md has no section ${start}`);
  const end = lines.findIndex((line, index) => index > first && line.startsWith("## "));
  return lines.slice(first + 1, end === -1 ? undefined : end);
}

/** Rows of the per-owner tables: columns subject, control, verdict, why. */
function readListedRows(text: string): Map<string, number> {
  const listed = new Map<string, number>();
  let owner: OwnerLabel | null = null;
  for (const line of sectionOf(text, INTENDED_HEADING)) {
    const ownerHeading = OWNER_HEADING.exec(line);
    if (ownerHeading !== null) owner = ownerHeading[1] ?? null;
    else if (UNMAPPED_HEADING.test(line)) owner = "unmapped";
    if (!isTableBody(line)) continue;
    const [subject, control, verdict] = cellsOf(line);
    if (subject === "subject") continue;
    if (owner === null || control === undefined || verdict === undefined) {
      throw new Error(`verdict row outside an owner's table: ${line}`);
    }
    add(listed, `${owner}|${control}|${verdict}`, 1);
  }
  return listed;
}

/**
 * Counts in one cell of the totals table: a number (`13`), a list (`7 not-applicable`,
 * `9 pass, 3 fail`), or `0` or `—` for none. A bare number counts `verdict`.
 */
function readCountCell(cell: string, verdict: string | null): [string, number][] {
  if (cell === "—" || cell === "0") return [];
  if (/^\d+$/.test(cell)) {
    if (verdict === null) throw new Error(`count without a verdict in the totals: ${cell}`);
    return [[verdict, Number(cell)]];
  }
  return cell.split(",").map((part) => {
    const match = /^(\d+) ([a-z-]+)$/.exec(part.trim());
    if (match === null) throw new Error(`unreadable count in the totals: ${cell}`);
    return [match[2] ?? "", Number(match[1])];
  });
}

/** The totals table: columns `azure pass`, `azure fail`, `azure other`, … and `stage rows`. */
function readTotals(text: string): Map<string, number> {
  const totals = new Map<string, number>();
  const rows = sectionOf(text, /^## Totals$/)
    .filter(isTableBody)
    .map(cellsOf);
  const [header, ...body] = rows;
  if (header === undefined || header[0] !== "control") {
    throw new Error("docs/example-estate.md has no totals table");
  }
  for (const cells of body) {
    const control = cells[0] ?? "";
    header.slice(1).forEach((column, index) => {
      const [provider, kind] = column === "stage rows" ? ["stage", null] : column.split(" ");
      const verdict = kind === "other" || kind === null ? null : (kind ?? null);
      for (const [name, count] of readCountCell(cells[index + 1] ?? "", verdict)) {
        add(totals, `${control}|${provider}|${name}`, count);
      }
    });
  }
  return totals;
}

/** Reads the intended verdicts of `docs/example-estate.md` at `path`. */
export function readDocumentedVerdicts(path: string): DocumentedVerdicts {
  const text = readFileSync(path, "utf8");
  const heading = INTENDED_HEADING.exec(text);
  if (heading === null) throw new Error("docs/example-estate.md has no intended-verdicts heading");
  return {
    headingRows: Number(heading[1]),
    listed: readListedRows(text),
    totals: readTotals(text),
  };
}

/** The verdict as the per-owner tables write it: `waived (fail)` names the underlying verdict. */
function verdictLabel(finding: ScanReport["findings"][number]): string {
  return finding.status === "waived" && finding.waiver !== undefined
    ? `waived (${finding.waiver.verdict})`
    : finding.status;
}

/** The same counts, taken from a scan report. */
export function countReportedVerdicts(
  report: ScanReport,
): Pick<DocumentedVerdicts, "listed" | "totals"> {
  const listed = new Map<string, number>();
  const totals = new Map<string, number>();
  for (const finding of report.findings) {
    const owner = finding.tenant ?? "unmapped";
    add(listed, `${owner}|${finding.control}|${verdictLabel(finding)}`, 1);
    add(totals, `${finding.control}|${finding.provider ?? "stage"}|${finding.status}`, 1);
  }
  return { listed, totals };
}

/** A count map as a sorted plain object, so a failing comparison shows the keys that differ. */
export function sortedCounts(counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}
