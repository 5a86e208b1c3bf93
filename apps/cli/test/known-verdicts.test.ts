import { readFile } from "node:fs/promises";
import { createTestDatabase } from "@plumbline/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ScanReport, scanReportSchema } from "../src/output/report-schema.js";
import { fromRoot, runCommand } from "./support/harness.js";

interface ExpectedVerdict {
  case: string;
  fault: string;
  control: string;
  resource: string;
  status: string;
  why: string;
}

const expected = JSON.parse(
  await readFile(fromRoot("test-data/cases/expected.json"), "utf8"),
) as ExpectedVerdict[];

/**
 * The known-verdict corpus through the whole product: the emulator serves the estate, the real
 * SDK clients collect it, the store keeps it, the rules judge it, and the JSON report says so.
 */
describe("known verdicts through the whole pipeline", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let report: ScanReport;

  beforeAll(async () => {
    database = await createTestDatabase("cli_cases");
    const result = await runCommand([
      "scan",
      "--policy",
      fromRoot("test-data/cases/plumbline.yaml"),
      "--estate",
      fromRoot("test-data/cases/estate"),
      "--db",
      database.url,
      "--format",
      "json",
      "--now",
      "2026-12-03",
    ]);
    expect(result.code).toBe(0);
    report = scanReportSchema.parse(JSON.parse(result.stdout));
  });

  afterAll(async () => {
    await database.drop();
  });

  it("collects the corpus completely", () => {
    expect(report.scan.status).toBe("complete");
  });

  it.each(
    expected.map(
      (row) =>
        [
          `${row.case} ${row.control} ${row.resource.split("/").at(-1)}: ${row.fault}`,
          row,
        ] as const,
    ),
  )("%s", (_name, row) => {
    const rows = report.findings.filter(
      (f) =>
        f.control === row.control &&
        f.resource.toLowerCase() === row.resource.toLowerCase() &&
        f.tenant === "acme",
    );
    expect(rows, `${row.control} on ${row.resource}`).toHaveLength(1);
    expect(rows[0]?.status, row.why).toBe(row.status);
    expect(rows[0]?.resource).toBe(row.resource);
  });
});
