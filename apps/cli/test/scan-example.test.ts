import { CONTROL_IDS } from "@plumbline/rules";
import { createTestDatabase } from "@plumbline/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ScanReport, scanReportSchema } from "../src/output/report-schema.js";
import {
  countReportedVerdicts,
  readDocumentedVerdicts,
  sortedCounts,
} from "./support/example-estate-doc.js";
import { fromRoot, runCommand } from "./support/harness.js";

const firstFive = [
  "residency.region-allowed",
  "keys.vault-recoverable",
  "keys.storage-cmk",
  "identity.local-auth-disabled",
  "network.public-access-disabled",
];

describe("plumbline scan of the example estate", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let report: ScanReport;
  let stderr: string;
  let code: number;

  beforeAll(async () => {
    database = await createTestDatabase("cli_example");
    const result = await runCommand([
      "scan",
      "--policy",
      fromRoot("examples/plumbline.yaml"),
      "--estate",
      fromRoot("examples/estate"),
      "--db",
      database.url,
      "--format",
      "json",
      "--now",
      "2026-12-03",
    ]);
    code = result.code;
    stderr = result.stderr;
    report = scanReportSchema.parse(JSON.parse(result.stdout));
  });

  afterAll(async () => {
    await database.drop();
  });

  it("prints exactly one JSON document of the published shape and exits 0", () => {
    expect(code).toBe(0);
    expect(report.scan.status).toBe("complete");
    expect(stderr).not.toContain('"findings"');
  });

  it("collects every account of the policy completely, once per owner", () => {
    const accounts = report.scan.accounts.map((a) => `${a.provider}:${a.account}:${a.tenant}`);
    expect(accounts).toEqual(
      expect.arrayContaining([
        "azure:00000000-0000-0000-0000-00000000a001:retail",
        "azure:00000000-0000-0000-0000-00000000a002:wealth",
        "azure:00000000-0000-0000-0000-00000000a0ff:platform",
        "aws:111122223333:retail",
        "aws:444455556666:wealth",
      ]),
    );
    for (const account of report.scan.accounts) {
      expect(account.status).toBe("complete");
      expect(account.reason).toBeNull();
      expect(account.resources).toBeGreaterThan(0);
    }
  });

  it("reports the subscription the policy does not name as unmapped", () => {
    expect(report.scan.unmapped).toContainEqual({
      provider: "azure",
      account: "00000000-0000-0000-0000-00000000a099",
    });
  });

  it.each(firstFive)("judges %s with passes and failures, each with evidence", (control) => {
    const rows = report.findings.filter((f) => f.control === control);
    const statuses = new Set(rows.map((f) => f.status));
    expect(statuses).toContain("pass");
    expect(statuses).toContain("fail");
    for (const row of rows.filter((f) => f.status === "pass" || f.status === "fail")) {
      expect(row.evidence.length).toBeGreaterThan(0);
      expect(row.message.length).toBeGreaterThan(20);
    }
  });

  it.each([...CONTROL_IDS])("shows %s with at least one pass and one fail", (control) => {
    const statuses = new Set(
      report.findings.filter((f) => f.control === control).map((f) => f.status),
    );
    expect(statuses).toContain("pass");
    expect(statuses).toContain("fail");
  });

  it("finds on both providers", () => {
    for (const control of [
      "residency.region-allowed",
      "keys.storage-cmk",
      "identity.local-auth-disabled",
      "network.public-access-disabled",
    ]) {
      const providers = new Set(
        report.findings.filter((f) => f.control === control).map((f) => f.provider),
      );
      expect(providers, control).toEqual(new Set(["azure", "aws"]));
    }
  });

  it("leaves evidence.actual out when the property is absent and keeps null when it is null", () => {
    const legacyVault = report.findings.find(
      (f) => f.control === "keys.vault-recoverable" && f.resource.endsWith("/KV-Retail-Legacy"),
    );
    expect(legacyVault?.status).toBe("fail");
    expect(legacyVault?.evidence).toContainEqual({
      path: "properties.enablePurgeProtection",
      actual: null,
      expected: true,
    });
    const appVault = report.findings.find(
      (f) => f.control === "keys.vault-recoverable" && f.resource.endsWith("/kv-retail-app"),
    );
    const purge = appVault?.evidence.find((e) => e.path === "properties.enablePurgeProtection");
    expect(purge).toBeDefined();
    expect(purge && "actual" in purge).toBe(false);
  });

  describe("against docs/example-estate.md", () => {
    const documented = readDocumentedVerdicts(fromRoot("docs/example-estate.md"));

    it("gives as many rows as the page's heading says and its owner tables list", () => {
      const listedRows = [...documented.listed.values()].reduce((sum, count) => sum + count, 0);
      expect(listedRows).toBe(documented.headingRows);
      expect(report.findings).toHaveLength(documented.headingRows);
    });

    it("gives each owner the rows the page lists, per control and verdict", () => {
      expect(sortedCounts(countReportedVerdicts(report).listed)).toEqual(
        sortedCounts(documented.listed),
      );
    });

    it("gives the page's totals per control and provider, for every control", () => {
      expect(sortedCounts(countReportedVerdicts(report).totals)).toEqual(
        sortedCounts(documented.totals),
      );
      const controls = new Set([...documented.totals.keys()].map((key) => key.split("|")[0]));
      expect(controls).toEqual(new Set(CONTROL_IDS));
    });
  });

  it("keeps Azure ids exactly as the cloud spelled them", () => {
    expect(report.findings.some((f) => f.resource.includes("/KV-Retail-Legacy"))).toBe(true);
  });
});
