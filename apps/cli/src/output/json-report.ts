import { once } from "node:events";
import type { Writable } from "node:stream";
import {
  type FindingPages,
  type ReportDriftEvent,
  type ReportScan,
  toReportFinding,
} from "./scan-report.js";

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) {
    await once(out, "drain");
  }
}

/**
 * Writes the report as exactly one JSON document. Findings are streamed page by page, so the
 * document of a 50,000-resource estate is never built in memory.
 */
export async function writeJsonReport(
  out: Writable,
  scan: ReportScan,
  pages: FindingPages,
  drift: readonly ReportDriftEvent[] = [],
): Promise<void> {
  const events = drift.map((event) => JSON.stringify(event)).join(",\n");
  await write(out, `{"scan":${JSON.stringify(scan)},"drift":[${events}],"findings":[`);
  let first = true;
  for await (const page of pages) {
    const chunk = page.map((finding) => JSON.stringify(toReportFinding(finding)));
    if (chunk.length === 0) {
      continue;
    }
    await write(out, `${first ? "" : ","}\n${chunk.join(",\n")}`);
    first = false;
  }
  await write(out, "\n]}\n");
}
