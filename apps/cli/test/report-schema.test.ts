import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { scanReportJsonSchema } from "../src/output/report-schema.js";
import { fromRoot } from "./support/harness.js";

describe("the published JSON Schema of the scan report", () => {
  it("matches the schema the code validates against", async () => {
    const published = JSON.parse(await readFile(fromRoot("docs/scan-report.schema.json"), "utf8"));
    expect(published).toEqual(scanReportJsonSchema());
  });
});
