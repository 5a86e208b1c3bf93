import { readFile } from "node:fs/promises";
import {
  CONTROL_IDS,
  CONTROLS,
  FRAMEWORK_NAMES,
  type Framework,
  frameworkByName,
  loadFrameworks,
  requirementsSupportedBy,
} from "@plumbline/rules";
import { createTestDatabase } from "@plumbline/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ControlCatalogue } from "../src/output/control-catalogue.js";
import { type ScanReport, scanReportSchema } from "../src/output/report-schema.js";
import { type CommandResult, fromRoot, runCommand } from "./support/harness.js";

const casesPolicy = fromRoot("test-data/cases/plumbline.yaml");
const casesEstate = fromRoot("test-data/cases/estate");
const verdicts = ["pass", "fail", "error", "waived", "not-applicable"] as const;

function providersOf(resourceTypes: readonly string[]): Set<"azure" | "aws"> {
  const providers = new Set<"azure" | "aws">();
  for (const type of resourceTypes) {
    if (type === "*" || !type.startsWith("AWS::")) providers.add("azure");
    if (type === "*" || type.startsWith("AWS::")) providers.add("aws");
  }
  return providers;
}

/** Verdict counts per control, from the findings of a JSON report. */
function countVerdicts(report: ScanReport): Map<string, Record<(typeof verdicts)[number], number>> {
  const counts = new Map<string, Record<(typeof verdicts)[number], number>>();
  for (const finding of report.findings) {
    const row = counts.get(finding.control) ?? {
      pass: 0,
      fail: 0,
      error: 0,
      waived: 0,
      "not-applicable": 0,
    };
    row[finding.status] += 1;
    counts.set(finding.control, row);
  }
  return counts;
}

/** The text under each requirement heading of a `--framework` table report, by requirement id. */
function sectionsByRequirement(stdout: string, framework: Framework): Map<string, string> {
  const starts = framework.requirements.map((requirement) => {
    const heading = `\n${requirement.id} ${requirement.title}\n`;
    const index = stdout.indexOf(heading);
    expect(index, `heading of ${requirement.id}`).toBeGreaterThan(0);
    return { id: requirement.id, index };
  });
  const ordered = [...starts].sort((a, b) => a.index - b.index);
  expect(ordered.map((start) => start.id)).toEqual(framework.requirements.map((r) => r.id));
  return new Map(
    ordered.map((start, position) => [
      start.id,
      stdout.slice(start.index, ordered[position + 1]?.index ?? stdout.length),
    ]),
  );
}

/** The cells of the table row whose first cell is `control`, or undefined. */
function rowOf(section: string, control: string): string[] | undefined {
  for (const line of section.split("\n")) {
    const cells = line
      .split("│")
      .map((cell) => cell.trim())
      .filter((cell) => cell.length > 0);
    if (cells[0] === control) {
      return cells;
    }
  }
  return undefined;
}

describe("plumbline controls", () => {
  it("prints one JSON document listing every registered control with complete metadata", async () => {
    const result = await runCommand(["controls", "--format", "json"]);

    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    const catalogue = JSON.parse(result.stdout) as ControlCatalogue;
    expect(catalogue.controls.map((control) => control.id)).toEqual(CONTROLS.map((c) => c.id));
    for (const [index, registered] of CONTROLS.entries()) {
      const listed = catalogue.controls[index];
      expect(listed).toEqual({
        id: registered.id,
        area: registered.id.split(".")[0],
        title: registered.title,
        severity: registered.severity,
        scope: registered.scope,
        resourceTypes: [...registered.resourceTypes],
        rationale: registered.rationale,
        remediation: registered.remediation,
        references: registered.references,
        requirements: requirementsSupportedBy(registered.id),
      });
      expect(listed?.title.length, registered.id).toBeGreaterThan(20);
      expect(listed?.rationale.length, registered.id).toBeGreaterThan(80);
      expect(listed?.references.length, registered.id).toBeGreaterThan(0);
      expect(listed?.resourceTypes.length, registered.id).toBeGreaterThan(0);
      expect(listed?.requirements.length, registered.id).toBeGreaterThan(0);
      for (const provider of providersOf(registered.resourceTypes)) {
        expect(listed?.remediation[provider], `${registered.id} ${provider}`).toBeTruthy();
      }
    }
    expect(catalogue.controls.map((control) => control.id).sort()).toEqual([...CONTROL_IDS].sort());
    expect(catalogue.frameworks.map((framework) => framework.name)).toEqual([...FRAMEWORK_NAMES]);
    expect(catalogue.frameworks[0]).toEqual(loadFrameworks()[0]);
  });

  it("prints exactly docs/controls.md with --format markdown", async () => {
    const result = await runCommand(["controls", "--format", "markdown"]);
    const committed = await readFile(fromRoot("docs/controls.md"), "utf8");

    expect(result.code).toBe(0);
    expect(
      result.stdout === committed,
      "docs/controls.md is stale: run `pnpm --filter @plumbline/cli docs`",
    ).toBe(true);
    for (const control of CONTROLS) {
      expect(committed).toContain(`### \`${control.id}\``);
    }
  });

  it("prints a table for a person that names every control and the requirements it supports", async () => {
    const result = await runCommand(["controls"]);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Controls \\(${CONTROLS.length}\\)\n`));
    for (const control of CONTROLS) {
      const cells = rowOf(result.stdout, control.id);
      expect(cells, control.id).toBeDefined();
      expect(cells?.[1]).toBe(control.severity);
      const first = requirementsSupportedBy(control.id)[0];
      expect(cells?.[4]).toBe(`${first?.framework} ${first?.requirement}`);
    }
  });

  it("refuses an unknown output format with exit code 2", async () => {
    const result = await runCommand(["controls", "--format", "yaml"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Allowed choices are table, json, markdown");
    expect(result.stdout).toBe("");
  });
});

describe("framework mapping data", () => {
  it("references only control ids of the catalogue and gives every framework requirements", () => {
    const known: readonly string[] = CONTROL_IDS;
    const frameworks = loadFrameworks();

    expect(frameworks.map((framework) => framework.name)).toEqual([
      "gdpr",
      "dora",
      "iso27001",
      "nis2",
      "c5",
      "eu-ai-act",
    ]);
    for (const framework of frameworks) {
      expect(framework.requirements.length, framework.name).toBeGreaterThan(0);
      for (const requirement of framework.requirements) {
        expect(requirement.controls.length, `${framework.name} ${requirement.id}`).toBeGreaterThan(
          0,
        );
        for (const mapping of requirement.controls) {
          expect(known, `${framework.name} ${requirement.id}`).toContain(mapping.control);
          expect(mapping.reason).not.toMatch(/\n/);
        }
      }
    }
  });
});

describe("plumbline scan --framework", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let plain: ScanReport;

  async function scan(...extra: string[]): Promise<CommandResult> {
    return runCommand([
      "scan",
      "--policy",
      casesPolicy,
      "--estate",
      casesEstate,
      "--db",
      database.url,
      "--now",
      "2026-12-03",
      ...extra,
    ]);
  }

  beforeAll(async () => {
    database = await createTestDatabase("cli_controls");
    const result = await scan("--format", "json");
    expect(result.code).toBe(0);
    plain = scanReportSchema.parse(JSON.parse(result.stdout));
  });

  afterAll(async () => {
    await database.drop();
  });

  it("groups the table by GDPR requirement with each control's verdict counts and findings", async () => {
    const gdpr = frameworkByName("gdpr");
    if (gdpr === undefined) throw new Error("gdpr mapping missing");
    const counts = countVerdicts(plain);

    const result = await scan("--framework", "gdpr");

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "Verdicts by requirement of General Data Protection Regulation (Regulation (EU) 2016/679)",
    );
    expect(result.stdout).not.toContain("Verdicts by control");
    const sections = sectionsByRequirement(result.stdout, gdpr);
    for (const requirement of gdpr.requirements) {
      const section = sections.get(requirement.id) ?? "";
      const controls: string[] = requirement.controls.map((mapping) => mapping.control);
      for (const control of controls) {
        const row = counts.get(control);
        const cells = rowOf(section, control);
        if (row === undefined) {
          expect(cells, `${requirement.id} ${control}`).toEqual([
            control,
            "no findings in this scan",
          ]);
        } else {
          expect(cells, `${requirement.id} ${control}`).toEqual([
            control,
            ...verdicts.map((verdict) => String(row[verdict])),
          ]);
        }
      }
      const needAttention = plain.findings.filter(
        (f) => controls.includes(f.control) && ["fail", "error", "waived"].includes(f.status),
      );
      if (needAttention.length === 0) {
        expect(section, requirement.id).toContain("Nothing failed.");
      } else {
        expect(section, requirement.id).toContain(
          `Findings that need attention (${needAttention.length})`,
        );
      }
    }
    // The estate has unencrypted storage: its findings sit under the encryption requirement.
    const encryption = sections.get("Art. 32(1)(a)") ?? "";
    expect(counts.get("keys.storage-cmk")?.fail).toBeGreaterThan(0);
    expect(encryption).toContain("stdemo01");
    expect(sections.get("Art. 44") ?? "").not.toContain("stdemo01");
  });

  it("names the controls with findings that support none of the framework's requirements", async () => {
    const aiAct = frameworkByName("eu-ai-act");
    if (aiAct === undefined) throw new Error("eu-ai-act mapping missing");
    const mapped = new Set<string>(
      aiAct.requirements.flatMap((requirement) => requirement.controls.map((m) => m.control)),
    );
    const counts = countVerdicts(plain);
    const unmapped = [...counts.entries()]
      .filter(([control]) => !mapped.has(control))
      .sort(([a], [b]) => a.localeCompare(b));
    expect(unmapped.map(([control]) => control)).toContain("residency.region-allowed");

    const result = await scan("--framework", "eu-ai-act");

    expect(result.code).toBe(0);
    const line = result.stdout
      .split("\n")
      .find((text) => text.startsWith("Controls that support no eu-ai-act requirement"));
    expect(line).toBe(
      "Controls that support no eu-ai-act requirement, left out above: " +
        unmapped
          .map(([control, row]) => `${control} (${row.fail} fail, ${row.error} error)`)
          .join(", "),
    );
  });

  it("leaves the JSON report as it is without --framework", async () => {
    const result = await scan("--format", "json", "--framework", "dora");

    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(document)).toEqual(["scan", "drift", "findings"]);
    const report = scanReportSchema.parse(document);
    const identity = (f: ScanReport["findings"][number]) =>
      `${f.control} ${f.resource} ${f.status}`;
    expect(report.findings.map(identity).sort()).toEqual(plain.findings.map(identity).sort());
  });

  it("rejects an unknown framework with exit code 2 and lists the known names", async () => {
    const result = await scan("--framework", "sox");

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    for (const name of FRAMEWORK_NAMES) {
      expect(result.stderr).toContain(name);
    }
    expect(result.stderr).toContain("'sox' is invalid");
  });
});
