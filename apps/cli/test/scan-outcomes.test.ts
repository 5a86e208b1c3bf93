import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase } from "@plumbline/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanReportSchema } from "../src/output/report-schema.js";
import { fromRoot, runCommand } from "./support/harness.js";

const casesPolicy = fromRoot("test-data/cases/plumbline.yaml");
const awsAccount = "111122223333";

/** A copy of the known-verdict estate with an estate.yaml of the test's choosing. */
async function estateWith(settings: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "plumbline-cli-estate-"));
  await cp(fromRoot("test-data/cases/estate"), dir, { recursive: true });
  await writeFile(join(dir, "estate.yaml"), settings);
  return dir;
}

describe("plumbline scan outcomes and exit codes", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const temporary: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase("cli_outcomes");
  });

  afterAll(async () => {
    await database.drop();
    await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  async function scan(estate: string, ...extra: string[]) {
    return runCommand([
      "scan",
      "--policy",
      casesPolicy,
      "--estate",
      estate,
      "--db",
      database.url,
      "--now",
      "2026-12-03",
      ...extra,
    ]);
  }

  it("exits 1 with --fail-on when a fail at or above the threshold exists", async () => {
    const result = await scan(fromRoot("test-data/cases/estate"), "--fail-on", "critical");
    expect(result.code).toBe(1);
  });

  it("exits 0 without --fail-on even though controls fail", async () => {
    const result = await scan(fromRoot("test-data/cases/estate"), "--format", "json");
    expect(result.code).toBe(0);
    const report = scanReportSchema.parse(JSON.parse(result.stdout));
    expect(report.findings.some((f) => f.status === "fail")).toBe(true);
  });

  it("marks an account partial with the reason when one of its pages fails for good", async () => {
    const estate = await estateWith(
      "pageSize: { config: 1 }\n" +
        `faults:\n  - { operation: SelectResourceConfig, kind: fail-page, page: 2, account: "${awsAccount}", region: eu-west-1 }\n`,
    );
    temporary.push(estate);
    const result = await scan(estate, "--format", "json");
    const report = scanReportSchema.parse(JSON.parse(result.stdout));
    const aws = report.scan.accounts.find((a) => a.account === awsAccount);
    expect(aws?.status).toBe("partial");
    expect(aws?.reason).toMatch(/SelectResourceConfig/);
    expect(report.scan.status).toBe("partial");
    expect(result.code).toBe(0);

    const strict = await scan(estate, "--format", "json", "--strict");
    expect(strict.code).toBe(1);
  });

  it("does not call an empty subscription complete when the subscription list failed", async () => {
    const estate = await mkdtemp(join(tmpdir(), "plumbline-cli-estate-"));
    temporary.push(estate);
    await cp(fromRoot("test-data/cases/estate/aws"), join(estate, "aws"), { recursive: true });
    await writeFile(
      join(estate, "estate.yaml"),
      "faults:\n  - { operation: listSubscriptions, kind: server-error, status: 500 }\n",
    );
    const result = await scan(estate, "--format", "json");
    const report = scanReportSchema.parse(JSON.parse(result.stdout));
    const azure = report.scan.accounts.find((a) => a.provider === "azure");
    expect(azure?.status).toBe("partial");
    expect(azure?.reason).toContain("subscription list could not be read");
    expect(report.scan.status).toBe("partial");
    // Unmapped subscriptions cannot be listed either, and the report says so.
    expect(report.scan.discoveryErrors).toHaveLength(1);
    expect(report.scan.discoveryErrors[0]).toMatch(/subscription/i);
  });

  it("exits 2 and says why when the database named by --db cannot be opened", async () => {
    const result = await scan(
      fromRoot("test-data/cases/estate"),
      "--db",
      "postgres://postgres@127.0.0.1:1/nowhere",
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--db: Could not open the database");
    expect(result.stderr).toContain("ECONNREFUSED");
    expect(result.stdout).toBe("");
  });

  it("exits 2 with one line, keeping the password out, when the --db URL is malformed", async () => {
    const result = await scan(
      fromRoot("test-data/cases/estate"),
      "--db",
      "postgres://reader:s3cret-pw@::1:99999/x",
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--db: Could not open the database");
    expect(result.stderr).toContain("Invalid URL");
    expect(result.stderr).not.toContain("s3cret-pw");
    expect(result.stderr).not.toContain("    at ");
  });

  it("exits 2 for a database URL of another scheme instead of making a folder of it", async () => {
    for (const url of ["postgress://postgres@127.0.0.1:5432/x", "mysql://u:Pw0rd@h/x"]) {
      const result = await scan(fromRoot("test-data/cases/estate"), "--db", url);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("is not a supported database URL");
      expect(result.stderr).not.toContain("Pw0rd");
    }
  });

  it("exits 2 when the estate is a file rather than a folder", async () => {
    const result = await scan(fromRoot("examples/plumbline.yaml"));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("the estate must be a directory, not a file");
    expect(result.stderr).not.toContain("    at ");
  });

  it("exits 2 when the estate folder does not exist", async () => {
    const result = await scan(join(tmpdir(), "plumbline-no-such-estate"));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--estate:");
  });

  it("exits 3 when no account could be collected", async () => {
    const estate = await estateWith(
      `aws:\n  accounts:\n    "${awsAccount}": { disabledRegions: [eu-west-1] }\n` +
        "faults:\n  - { operation: resourceGraph, kind: malformed }\n",
    );
    temporary.push(estate);
    const result = await scan(estate, "--format", "json");
    const report = scanReportSchema.parse(JSON.parse(result.stdout));
    expect(report.scan.status).toBe("failed");
    for (const account of report.scan.accounts) {
      expect(account.status).toBe("failed");
      expect(account.reason).not.toBeNull();
    }
    expect(result.code).toBe(3);
  });

  it("exits 2 and names the field when the policy is invalid", async () => {
    const dir = await mkdtemp(join(tmpdir(), "plumbline-cli-policy-"));
    temporary.push(dir);
    const policy = join(dir, "plumbline.yaml");
    await writeFile(
      policy,
      'version: 1\ntenants:\n  - id: acme\n    accounts:\n      aws: ["111122223333"]\n' +
        "    regions:\n      allowed: [westeurop]\n",
    );
    const result = await runCommand(["scan", "--policy", policy, "--estate", dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('plumbline.yaml:7 tenants[0].regions.allowed[0]: "westeurop"');
    expect(result.stdout).toBe("");
  });

  it("exits 2 for an unknown --fail-on or an unreadable --now", async () => {
    const estate = fromRoot("test-data/cases/estate");
    expect((await scan(estate, "--fail-on", "severe")).code).toBe(2);
    const badDate = await scan(estate, "--now", "yesterday");
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain("--now");
  });

  it("prints a table with the accounts, the verdict counts and what needs attention", async () => {
    const result = await scan(fromRoot("test-data/cases/estate"));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Verdicts by control");
    expect(result.stdout).toContain("keys.vault-recoverable");
    expect(result.stdout).toMatch(/kv-demo01/);
    expect(result.stderr).toMatch(/collected aws 111122223333: complete/);
  });
});

describe("plumbline validate", () => {
  it("accepts the example policy with exit 0", async () => {
    const result = await runCommand([
      "validate",
      "--policy",
      fromRoot("examples/plumbline.yaml"),
      "--now",
      "2026-12-03",
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("valid");
  });

  it("warns about a fallback contract that has ended", async () => {
    const result = await runCommand([
      "validate",
      "--policy",
      fromRoot("examples/plumbline.yaml"),
      "--now",
      "2026-12-03",
    ]);
    expect(result.stderr).toMatch(/fallback region francecentral: contract \S+ ended on/);
  });

  it("prints its version", async () => {
    const result = await runCommand(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("refuses a missing file with exit 2", async () => {
    const result = await runCommand(["validate", "--policy", "/nonexistent/plumbline.yaml"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("/nonexistent/plumbline.yaml");
  });
});
