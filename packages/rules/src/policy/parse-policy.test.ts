import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AWS_REGION_NAMES } from "../regions/catalogue.js";
import { loadPolicyFile } from "./load-policy-file.js";
import { PolicyError, parsePolicy } from "./parse-policy.js";

const NOW = new Date("2026-12-03T10:00:00Z");
const FULL_PATH = fileURLToPath(new URL("../../test/policies/full.yaml", import.meta.url));
const MINIMAL_PATH = fileURLToPath(new URL("../../test/policies/minimal.yaml", import.meta.url));
const FULL = readFileSync(FULL_PATH, "utf8");

/** The issue texts of a file that must fail. */
function issuesOf(text: string, now = NOW): string[] {
  try {
    parsePolicy(text, "plumbline.yaml", { now });
  } catch (error) {
    if (error instanceof PolicyError) return error.issues.map((issue) => issue.text);
    throw error;
  }
  throw new Error("the file was accepted");
}

/** A small valid file with one tenant, to which a test appends or replaces lines. */
function tenantFile(tenantLines: string, rest = ""): string {
  return [
    "version: 1",
    "tenants:",
    "  - id: lending",
    "    accounts:",
    "      azure: [00000000-0000-0000-0000-0000000000a1]",
    '      aws: ["111122223333"]',
    "    regions:",
    "      allowed: [westeurope]",
    tenantLines,
    rest,
  ]
    .filter((line) => line !== "")
    .join("\n");
}

describe("parsePolicy on valid files", () => {
  it("accepts the file of POLICY.md and applies its defaults", () => {
    const { policy, warnings } = parsePolicy(FULL, "plumbline.yaml", { now: NOW });
    const [retail] = policy.tenants;

    expect(warnings).toEqual([]);
    expect(policy.platform).toMatchObject({
      id: "platform",
      accounts: { azure: ["00000000-0000-0000-0000-00000000a0ff"], aws: [] },
      regions: { allowed: ["westeurope", "swedencentral"], fallback: [] },
      processingScope: "region",
      models: { allow: [], deny: [] },
      dataflow: {},
    });
    expect(retail?.name).toBe("Retail banking");
    expect(retail?.processingScope).toBe("datazone");
    expect(retail?.regions.fallback).toEqual([
      { region: "francecentral", contract: "DPA-2026-014", until: "2027-03-31" },
    ]);
    expect(retail?.models.allow[2]).toEqual({
      format: "Bedrock",
      name: "anthropic.claude-3-5-sonnet-20240620-v1:0",
      version: "*",
    });
    expect(retail?.models.deny).toEqual([{ format: "OpenAI", name: "gpt-35-turbo", version: "*" }]);
    expect(retail?.dataflow.retrieval).toEqual({
      resources: [],
      tags: { "plumbline-stage": "retrieval" },
    });
    expect(policy.controls).toEqual({
      "identity.managed-identity": { enabled: true, severity: "low" },
      "network.egress-firewall-logged": { enabled: false },
    });
    expect(policy.waivers[1]).toEqual({
      control: "network.egress-firewall-logged",
      resource: null,
      account: "111122223333",
      reason: "Firewall logging moves to the central account in January",
      approvedBy: "ciso@example.com",
      ticket: null,
      expires: "2027-02-15",
    });
    expect(policy.sources.aws).toEqual({
      regions: ["eu-west-1", "eu-central-1", "us-east-1"],
      aggregator: { name: "org-aggregator", account: "999988887777", region: "eu-west-1" },
      roleName: "PlumblineReadOnly",
    });
    expect(policy.schedule).toEqual({
      cron: "*/30 * * * *",
      accounts: { "111122223333": "0 * * * *" },
    });
    expect(policy.notifications.slack).toEqual({
      webhookUrlEnv: "SLACK_WEBHOOK_URL",
      minSeverity: "high",
    });
  });

  it("fills every default of a minimal file and canonicalises display-name regions", async () => {
    const { policy } = await loadPolicyFile(MINIMAL_PATH, { now: NOW });

    expect(policy).toEqual({
      version: 1,
      platform: null,
      tenants: [
        {
          id: "lending",
          name: "lending",
          accounts: { azure: ["00000000-0000-0000-0000-0000000000a1"], aws: [] },
          regions: { allowed: ["westeurope", "swedencentral"], fallback: [] },
          processingScope: "region",
          models: { allow: [], deny: [] },
          dataflow: {},
        },
      ],
      controls: {},
      waivers: [],
      sources: {
        azure: { tenantId: null },
        aws: { regions: [...AWS_REGION_NAMES], aggregator: null, roleName: null },
      },
      schedule: { cron: "0 * * * *", accounts: {} },
      notifications: { slack: null },
    });
  });

  it("names the file by the path it was loaded from", async () => {
    await expect(
      loadPolicyFile(FULL_PATH, { now: new Date("2026-11-20T00:00:00Z") }).then((r) => r.warnings),
    ).resolves.toEqual([]);
    const bad = FULL_PATH.replace("full.yaml", "missing.yaml");
    const failure = loadPolicyFile(bad, { now: NOW });
    await expect(failure).rejects.toBeInstanceOf(PolicyError);
    await expect(failure).rejects.toThrow(`${bad} cannot be read: ENOENT`);
  });

  it("accepts an account listed under two owners", () => {
    const text = tenantFile(
      "",
      [
        "  - id: cards",
        "    accounts:",
        '      aws: ["111122223333"]',
        "    regions:",
        "      allowed: [eu-west-1]",
      ].join("\n"),
    );
    const { policy } = parsePolicy(text, "plumbline.yaml", { now: NOW });
    expect(policy.tenants.map((t) => t.accounts.aws)).toEqual([["111122223333"], ["111122223333"]]);
  });

  it("keeps an expired waiver valid and warns that it no longer applies", () => {
    const text = tenantFile(
      "",
      [
        "waivers:",
        "  - control: keys.storage-cmk",
        '    account: "111122223333"',
        "    reason: Old exception",
        "    approvedBy: dpo@example.com",
        "    expires: 2026-11-30",
        "  - control: keys.vault-recoverable",
        '    resource: "*/vaults/kv-old"',
        "    reason: Vault retired next week",
        "    approvedBy: dpo@example.com",
        "    expires: 2026-12-10",
      ].join("\n"),
    );
    const { policy, warnings } = parsePolicy(text, "plumbline.yaml", { now: NOW });

    expect(policy.waivers.map((w) => w.expires)).toEqual(["2026-11-30", "2026-12-10"]);
    expect(warnings.map((w) => w.text)).toEqual([
      "plumbline.yaml:14 waivers[0].expires: waiver for keys.storage-cmk expired on 2026-11-30 and no longer applies",
      "plumbline.yaml:19 waivers[1].expires: waiver for keys.vault-recoverable expires on 2026-12-10, in 7 days",
    ]);
  });

  it("keeps a fallback region whose contract has ended valid, and warns about it", () => {
    const text = tenantFile(
      [
        "      fallback:",
        "        - region: France Central",
        "          contract: DPA-2020-001",
        "          until: 2021-01-31",
        "        - region: northeurope",
        "          contract: DPA-2026-090",
        "          until: 2026-12-20",
      ].join("\n"),
    );
    const { policy, warnings } = parsePolicy(text, "plumbline.yaml", { now: NOW });
    expect(policy.tenants[0]?.regions.fallback).toEqual([
      { region: "francecentral", contract: "DPA-2020-001", until: "2021-01-31" },
      { region: "northeurope", contract: "DPA-2026-090", until: "2026-12-20" },
    ]);
    expect(warnings.map((w) => w.text)).toEqual([
      "plumbline.yaml:12 tenants[0].regions.fallback[0].until: fallback region francecentral: " +
        "contract DPA-2020-001 ended on 2021-01-31, so the region is no longer approved",
      "plumbline.yaml:15 tenants[0].regions.fallback[1].until: fallback region northeurope: " +
        "contract DPA-2026-090 ends on 2026-12-20, in 17 days",
    ]);
  });

  it("accepts a waiver that ends exactly 366 days after the evaluation date", () => {
    const text = tenantFile(
      "",
      [
        "waivers:",
        "  - control: tenancy.account-dedicated",
        '    account: "111122223333"',
        "    reason: Shared during migration",
        "    approvedBy: ciso@example.com",
        "    expires: 2027-12-04",
      ].join("\n"),
    );
    expect(parsePolicy(text, "plumbline.yaml", { now: NOW }).policy.waivers).toHaveLength(1);
  });
});

describe("parsePolicy on invalid files", () => {
  it("names file, line and field of an unknown region with a suggestion", () => {
    const text = FULL.replace(
      "allowed: [westeurope, swedencentral, eu-west-1]",
      "allowed: [westeurope, swedencentral, westeurop]",
    );
    expect(issuesOf(text)).toEqual([
      'plumbline.yaml:17 tenants[0].regions.allowed[2]: "westeurop" is not a known region (did you mean "westeurope"?)',
    ]);
  });

  it("rejects a geography where a region is expected", () => {
    expect(issuesOf(tenantFile("").replace("allowed: [westeurope]", "allowed: [Europe]"))).toEqual([
      'plumbline.yaml:8 tenants[0].regions.allowed[0]: "Europe" is a geography, not a region: list the regions it should allow',
    ]);
  });

  it("asks for AWS account ids to be quoted", () => {
    const text = tenantFile("").replace('aws: ["111122223333"]', "aws: [111122223333]");
    expect(issuesOf(text)).toEqual([
      'plumbline.yaml:6 tenants[0].accounts.aws[0]: AWS account ids must be quoted: write "111122223333"',
    ]);
  });

  it("rejects malformed account ids of both clouds", () => {
    const text = tenantFile("")
      .replace("00000000-0000-0000-0000-0000000000a1", "sub-1")
      .replace('"111122223333"', '"11112222333"');
    expect(issuesOf(text)).toEqual([
      'plumbline.yaml:5 tenants[0].accounts.azure[0]: "sub-1" is not a subscription id (a GUID)',
      'plumbline.yaml:6 tenants[0].accounts.aws[0]: "11112222333" is not an AWS account id (12 digits)',
    ]);
  });

  it("rejects a tenant without accounts or allowed regions", () => {
    const text = [
      "version: 1",
      "tenants:",
      "  - id: lending",
      "    accounts: {}",
      "    regions:",
      "      allowed: []",
    ].join("\n");
    expect(issuesOf(text)).toEqual([
      "plumbline.yaml:4 tenants[0].accounts: at least one account is required",
      "plumbline.yaml:6 tenants[0].regions.allowed: at least one allowed region is required",
    ]);
  });

  it("rejects a file that names no tenant and no platform", () => {
    expect(issuesOf("version: 1\ntenants: []\n")).toEqual([
      "plumbline.yaml:2 tenants: the policy names no accounts: add a tenant, or the platform, " +
        "with its accounts",
    ]);
    expect(issuesOf("version: 1\n")).toEqual([
      "plumbline.yaml:1 the policy names no accounts: add a tenant, or the platform, with its " +
        "accounts",
    ]);
  });

  it("refuses aliases that expand without bound, naming the file", () => {
    const bomb = [
      "version: 1",
      'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
      ...Array.from({ length: 8 }, (_, i) => {
        const previous = i === 0 ? "a" : `l${i - 1}`;
        return `l${i}: &l${i} [${Array(10).fill(`*${previous}`).join(",")}]`;
      }),
    ].join("\n");
    const [issue, ...rest] = issuesOf(bomb);
    expect(rest).toEqual([]);
    expect(issue).toMatch(/^plumbline\.yaml:1 YAML aliases expand too far: /);
  });

  it("reports required fields that are missing at the enclosing line", () => {
    const text = ["version: 1", "tenants:", "  - id: lending", "    name: Lending"].join("\n");
    expect(issuesOf(text)).toEqual([
      "plumbline.yaml:3 tenants[0].accounts: required field is missing",
      "plumbline.yaml:3 tenants[0].regions: required field is missing",
    ]);
    expect(issuesOf("tenants: []")).toEqual([
      "plumbline.yaml:1 version: required field is missing",
    ]);
    expect(issuesOf("version: 2")).toEqual([
      "plumbline.yaml:1 version: version 2 is not supported (expected 1)",
    ]);
  });

  it("checks tenant ids: pattern, reserved platform id and uniqueness", () => {
    const second = (id: string) =>
      [
        `  - id: ${id}`,
        "    accounts:",
        '      aws: ["444455556666"]',
        "    regions:",
        "      allowed: [eu-west-1]",
      ].join("\n");
    expect(issuesOf(tenantFile("", second("Retail_Bank")))).toEqual([
      'plumbline.yaml:9 tenants[1].id: "Retail_Bank" is not a tenant id (lower-case letters, digits and dashes)',
    ]);
    expect(issuesOf(tenantFile("", second("platform")))).toEqual([
      'plumbline.yaml:9 tenants[1].id: "platform" is reserved for the platform accounts',
    ]);
    expect(issuesOf(tenantFile("", second("lending")))).toEqual([
      'plumbline.yaml:9 tenants[1].id: tenant id "lending" is already used by tenants[0]',
    ]);
  });

  it("names every unknown field at its own line", () => {
    const text = tenantFile("    processingScope: datazone\n    colour: red", "owner: me");
    expect(issuesOf(text)).toEqual([
      'plumbline.yaml:10 tenants[0].colour: unknown field "colour"',
      'plumbline.yaml:11 owner: unknown field "owner"',
    ]);
  });

  it("rejects an unknown processing scope and bad model entries", () => {
    const text = tenantFile(
      [
        "    processingScope: continent",
        "    models:",
        "      allow:",
        "        - { format: OpenAI, name: gpt-4o, version: 2024 }",
        "        - { format: OpenAI }",
      ].join("\n"),
    );
    expect(issuesOf(text)).toEqual([
      'plumbline.yaml:9 tenants[0].processingScope: "continent" is not a processing scope (region, datazone, global)',
      "plumbline.yaml:12 tenants[0].models.allow[0].version: expected a model version (quote it) as text, got 2024",
      "plumbline.yaml:13 tenants[0].models.allow[1].name: required field is missing",
    ]);
  });

  it("accepts only the six data-flow stages and selectors that select something", () => {
    const text = tenantFile(
      ["    dataflow:", "      prompt-compose: { resources: ['*'] }", "      retrieval: {}"].join(
        "\n",
      ),
    );
    expect(issuesOf(text)).toEqual([
      'plumbline.yaml:10 tenants[0].dataflow.prompt-compose: unknown field "prompt-compose"',
      "plumbline.yaml:11 tenants[0].dataflow.retrieval: a stage selects nothing: give resources, tags or both",
    ]);
  });

  it("rejects a data-flow map and tenant fields on the platform, naming line and field", () => {
    const platform = [
      "platform:",
      "  accounts: { azure: [00000000-0000-0000-0000-00000000a0ff] }",
      "  regions: { allowed: [westeurope] }",
    ];
    const withPlatform = (lines: string[]) => tenantFile("", [...platform, ...lines].join("\n"));
    expect(issuesOf(withPlatform(["  dataflow: { model-call: { resources: ['*'] } }"]))).toEqual([
      "plumbline.yaml:12 platform.dataflow: the platform has no data-flow map; dataflow belongs to tenants",
    ]);
    expect(issuesOf(withPlatform(["  dataflow:"]))).toEqual([
      "plumbline.yaml:12 platform.dataflow: the platform has no data-flow map; dataflow belongs to tenants",
    ]);
    expect(issuesOf(withPlatform(["  id: hub", "  name: Hub"]))).toEqual([
      'plumbline.yaml:12 platform.id: unknown field "id"',
      'plumbline.yaml:13 platform.name: unknown field "name"',
    ]);
  });

  it("checks control settings against the catalogue", () => {
    const text = tenantFile(
      "",
      [
        "controls:",
        "  keys.vault-recoverable: { severity: urgent }",
        "  keys.vault-recovery: { enabled: false }",
        "  network.private-dns: { enabled: 'no' }",
      ].join("\n"),
    );
    expect(issuesOf(text)).toEqual([
      'plumbline.yaml:10 controls["keys.vault-recoverable"].severity: "urgent" is not a severity (low, medium, high, critical)',
      'plumbline.yaml:11 controls["keys.vault-recovery"]: "keys.vault-recovery" is not a control of the catalogue (did you mean "keys.vault-recoverable"?)',
      'plumbline.yaml:12 controls["network.private-dns"].enabled: expected true or false, got "no"',
    ]);
  });

  it("checks every rule of a waiver", () => {
    const waiver = (lines: string[]) => ["  - control: keys.storage-cmk", ...lines].join("\n");
    const text = tenantFile(
      "",
      [
        "waivers:",
        waiver([
          '    resource: "*/storageAccounts/st1"',
          '    account: "111122223333"',
          "    reason: Both given",
          "    approvedBy: dpo@example.com",
          "    expires: 2027-01-31",
        ]),
        waiver([
          "    reason: Neither given",
          "    approvedBy: dpo@example.com",
          "    expires: 2027-01-31",
        ]),
        waiver(['    account: "111122223333"', "    expires: 2028-01-31"]),
        waiver([
          '    account: "111122223333"',
          "    reason: Bad date",
          "    approvedBy: dpo@example.com",
          "    expires: 31/01/2027",
        ]),
        "  - control: keys.everything",
        '    account: "111122223333"',
        "    reason: Unknown control",
        "    approvedBy: dpo@example.com",
        "    expires: 2027-01-31",
      ].join("\n"),
    );
    expect(issuesOf(text)).toEqual([
      "plumbline.yaml:10 waivers[0]: a waiver names either a resource or an account, not both and not neither",
      "plumbline.yaml:16 waivers[1]: a waiver names either a resource or an account, not both and not neither",
      "plumbline.yaml:20 waivers[2].reason: required field is missing",
      "plumbline.yaml:20 waivers[2].approvedBy: required field is missing",
      "plumbline.yaml:22 waivers[2].expires: 2028-01-31 is 424 days away; a waiver runs at most 366 days",
      'plumbline.yaml:27 waivers[3].expires: "31/01/2027" is not an ISO date (YYYY-MM-DD)',
      'plumbline.yaml:28 waivers[4].control: "keys.everything" is not a control of the catalogue (did you mean "keys.storage-cmk"?)',
    ]);
  });

  it("checks sources, schedules and notifications", () => {
    const text = tenantFile(
      "",
      [
        "sources:",
        "  aws:",
        "    regions: [eu-west-1, westeurope]",
        "    aggregator: { name: org, account: '999988887777', region: eu-wst-1 }",
        "schedule:",
        "  cron: '70 * * * *'",
        "  accounts:",
        "    '444455556666': '0 * * * *'",
        "notifications:",
        "  slack:",
        "    webhookUrlEnv: https://hooks.slack.com/services/x",
      ].join("\n"),
    );
    expect(issuesOf(text)).toEqual([
      'plumbline.yaml:11 sources.aws.regions[1]: "westeurope" is not an AWS region',
      'plumbline.yaml:12 sources.aws.aggregator.region: "eu-wst-1" is not a known region (did you mean "eu-west-1"?)',
      'plumbline.yaml:14 schedule.cron: "70 * * * *" is not a valid cron expression: Constraint error, got value 70 expected range 0-59',
      'plumbline.yaml:16 schedule.accounts["444455556666"]: account "444455556666" has a schedule but no owner in this file',
      'plumbline.yaml:19 notifications.slack.webhookUrlEnv: "https://hooks.slack.com/services/x" is not an environment variable name (the URL itself never sits in the file)',
    ]);
    expect(issuesOf(tenantFile("", "schedule:\n  cron: every hour"))).toEqual([
      'plumbline.yaml:10 schedule.cron: "every hour" is not a cron expression (5 fields, or 6 with seconds)',
    ]);
  });

  it("reports YAML syntax errors with their line", () => {
    const text = "version: 1\ntenants:\n  - id: lending\n    accounts: {azure: [x]\n";
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^plumbline\.yaml:5 YAML syntax error: /);
    expect(issuesOf("version: 1\nversion: 1\n")[0]).toMatch(
      /^plumbline\.yaml:2 YAML syntax error: Map keys must be unique/,
    );
  });

  it("carries every issue on the error and in its message", () => {
    const text = tenantFile("").replace("allowed: [westeurope]", "allowed: [mars]");
    try {
      parsePolicy(text, "plumbline.yaml", { now: NOW });
      throw new Error("the file was accepted");
    } catch (error) {
      expect(error).toBeInstanceOf(PolicyError);
      const policyError = error as PolicyError;
      expect(policyError.issues).toEqual([
        {
          file: "plumbline.yaml",
          line: 8,
          path: "tenants[0].regions.allowed[0]",
          message: '"mars" is not a known region',
          text: 'plumbline.yaml:8 tenants[0].regions.allowed[0]: "mars" is not a known region',
        },
      ]);
      expect(policyError.message).toBe(policyError.issues[0]?.text);
      expect(`${policyError.issues[0]}`).toBe(policyError.issues[0]?.text);
    }
  });
});
