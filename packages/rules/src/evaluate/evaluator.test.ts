import { describe, expect, it } from "vitest";
import { completeAccount, TEST_NOW } from "../../test/support/evaluation.js";
import { armDocumentsOf, azureFixture } from "../../test/support/fixtures.js";
import { fromArmDocument } from "../canonical/from-arm-document.js";
import { fromConfigItem } from "../canonical/from-config-item.js";
import type { CanonicalResource, Finding } from "../model.js";
import { parsePolicy } from "../policy/parse-policy.js";
import type { Policy } from "../policy/types.js";
import { createEvaluator, evaluate } from "./evaluator.js";
import { InventoryIndex } from "./inventory-index.js";

const SUBSCRIPTION = "00000000-0000-0000-0000-00000000a001";
const VAULT_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/RG-Keys/providers/Microsoft.KeyVault/vaults/kv-retail`;
const LEGACY_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-legacy/providers/Microsoft.Storage/storageAccounts/stlegacy`;

const vault = fromArmDocument({
  id: VAULT_ID,
  name: "kv-retail",
  type: "Microsoft.KeyVault/vaults",
  location: "westeurope",
  properties: { enableSoftDelete: true, vaultUri: "https://kv-retail.vault.azure.net/" },
});
const legacyStorage = fromArmDocument({
  id: LEGACY_ID,
  name: "stlegacy",
  type: "Microsoft.Storage/storageAccounts",
  location: "francecentral",
  properties: { encryption: { keySource: "Microsoft.Storage" }, allowSharedKeyAccess: false },
});
const bucket = fromConfigItem({
  accountId: "111122223333",
  awsRegion: "eu-west-1",
  resourceType: "AWS::S3::Bucket",
  resourceId: "retail-audit",
  arn: "arn:aws:s3:::retail-audit",
  configurationItemStatus: "OK",
  configuration: { name: "retail-audit" },
  supplementaryConfiguration: {},
});
const deletedBucket = fromConfigItem({
  accountId: "111122223333",
  awsRegion: "eu-west-1",
  resourceType: "AWS::S3::Bucket",
  resourceId: "retail-gone",
  arn: "arn:aws:s3:::retail-gone",
  configurationItemStatus: "ResourceDeleted",
});
const unmapped = fromConfigItem({
  accountId: "444455556666",
  awsRegion: "us-east-1",
  resourceType: "AWS::S3::Bucket",
  resourceId: "elsewhere",
  arn: "arn:aws:s3:::elsewhere",
  configuration: {},
  supplementaryConfiguration: {},
});

const RESOURCES: CanonicalResource[] = [vault, legacyStorage, bucket, deletedBucket, unmapped];
const ACCOUNTS = [completeAccount("azure", SUBSCRIPTION), completeAccount("aws", "111122223333")];

function policyOf(extra: string): Policy {
  const text = [
    "version: 1",
    "tenants:",
    "  - id: retail",
    "    accounts:",
    `      azure: [${SUBSCRIPTION}]`,
    '      aws: ["111122223333"]',
    "    regions:",
    "      allowed: [westeurope, eu-west-1]",
    extra,
  ].join("\n");
  return parsePolicy(text, "plumbline.yaml", { now: TEST_NOW }).policy;
}

function only(findings: Finding[], control: string, resource: string): Finding {
  const matching = findings.filter((f) => f.control === control && f.resource === resource);
  expect(matching).toHaveLength(1);
  return matching[0] as Finding;
}

describe("evaluate", () => {
  it("fills every field of a finding from the resource, the owner and the control", () => {
    const findings = evaluate({ resources: RESOURCES, accounts: ACCOUNTS }, policyOf(""), TEST_NOW);
    const finding = only(findings, "keys.vault-recoverable", VAULT_ID);

    expect(finding).toEqual({
      control: "keys.vault-recoverable",
      provider: "azure",
      account: SUBSCRIPTION,
      tenant: "retail",
      resource: VAULT_ID,
      subjectKey: VAULT_ID.toLowerCase(),
      type: "Microsoft.KeyVault/vaults",
      region: "westeurope",
      status: "fail",
      severity: "critical",
      message:
        "Microsoft.KeyVault/vaults kv-retail: purge protection (properties.enablePurgeProtection) is absent; expected soft delete and purge protection both explicitly true",
      evidence: [
        { path: "properties.enableSoftDelete", actual: true, expected: true },
        { path: "properties.enablePurgeProtection", expected: true },
      ],
    });
  });

  it("skips deleted items and accounts the policy does not map", () => {
    const findings = evaluate({ resources: RESOURCES, accounts: ACCOUNTS }, policyOf(""), TEST_NOW);
    expect(findings.some((f) => f.resource === "arn:aws:s3:::retail-gone")).toBe(false);
    expect(findings.some((f) => f.account === "444455556666")).toBe(false);
    expect(only(findings, "residency.region-allowed", "arn:aws:s3:::retail-audit").status).toBe(
      "pass",
    );
  });

  it("emits nothing for a control switched off and applies severity overrides", () => {
    const policy = policyOf(
      [
        "controls:",
        "  keys.vault-recoverable: { enabled: false }",
        "  residency.region-allowed: { severity: critical }",
      ].join("\n"),
    );
    const findings = evaluate({ resources: RESOURCES, accounts: ACCOUNTS }, policy, TEST_NOW);
    expect(findings.some((f) => f.control === "keys.vault-recoverable")).toBe(false);
    expect(only(findings, "residency.region-allowed", VAULT_ID).severity).toBe("critical");
    expect(only(findings, "keys.storage-cmk", LEGACY_ID).severity).toBe("high");
  });

  it("evaluates an account listed for two owners once per owner, against each owner's regions", () => {
    const policy = policyOf(
      [
        "  - id: cards",
        "    accounts:",
        `      azure: [${SUBSCRIPTION}]`,
        "    regions:",
        "      allowed: [francecentral]",
      ].join("\n"),
    );
    const findings = evaluate({ resources: RESOURCES, accounts: ACCOUNTS }, policy, TEST_NOW);
    const residency = findings.filter(
      (f) => f.control === "residency.region-allowed" && f.resource === LEGACY_ID,
    );
    expect(residency.map((f) => [f.tenant, f.status])).toEqual([
      ["retail", "fail"],
      ["cards", "pass"],
    ]);
  });

  it("gives the same findings whether resources stream in batches or arrive at once", () => {
    const policy = policyOf(
      ["    dataflow:", '      audit-trail: { resources: ["arn:aws:s3:::retail-*"] }'].join("\n"),
    );
    const index = new InventoryIndex({ policy });
    for (const resource of RESOURCES) index.add(resource);
    index.setAccounts(ACCOUNTS);
    const evaluator = createEvaluator({ policy, now: TEST_NOW, index });
    const streamed = [
      ...evaluator.evaluateResources(RESOURCES.slice(0, 2)),
      ...evaluator.evaluateResources(RESOURCES.slice(2)),
      ...evaluator.evaluateOwners(),
    ];
    expect(streamed).toEqual(
      evaluate({ resources: RESOURCES, accounts: ACCOUNTS }, policy, TEST_NOW),
    );
    const stageRows = evaluator
      .evaluateOwners()
      .filter((f) => f.control === "dataflow.stage-region")
      .map((f) => [f.resource, f.status]);
    expect(stageRows).toEqual([["arn:aws:s3:::retail-audit", "pass"]]);
  });
});

describe("evaluate on an inventory as callers convert it", () => {
  const FIXTURE_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
  /** A fixture document moved into the subscription the test policy maps. */
  const moved = (document: Record<string, unknown>): Record<string, unknown> =>
    JSON.parse(JSON.stringify(document).replaceAll(FIXTURE_SUBSCRIPTION, SUBSCRIPTION));
  const firstOf = (fileName: string) => {
    const [document] = armDocumentsOf(azureFixture(fileName));
    if (document === undefined) throw new Error(`${fileName} holds no document`);
    return moved(document);
  };
  const openAi = firstOf("Microsoft.CognitiveServices_accounts.OpenAI.arm.real.json");
  const dataZoneDeployment = {
    ...firstOf("Microsoft.CognitiveServices_accounts_deployments.list.arm.real.json"),
    sku: { name: "DataZoneStandard", capacity: 1 },
  };
  const dataZonePolicy = policyOf("    processingScope: datazone");

  it("places a child converted without its parent in the parent's region", () => {
    const account = fromArmDocument(openAi);
    const orphan = fromArmDocument(dataZoneDeployment);
    expect(orphan.region).toBeNull();

    const findings = evaluate(
      { resources: [orphan, account], accounts: ACCOUNTS },
      dataZonePolicy,
      TEST_NOW,
    );
    const scope = only(findings, "residency.ai-processing-scope", orphan.id);
    expect(scope.status).toBe("pass");
    expect(scope.region).toBe("eastus");
    expect(scope.message).toContain('deployment type "DataZoneStandard" in data zone');
    expect(only(findings, "tenancy.model-allowed", orphan.id).region).toBe("eastus");

    const convertedWithParent = evaluate(
      { resources: [fromArmDocument(dataZoneDeployment, account), account], accounts: ACCOUNTS },
      dataZonePolicy,
      TEST_NOW,
    );
    expect(findings).toEqual(convertedWithParent);
  });

  it("leaves a child without a region when its parent is not in the inventory", () => {
    const orphan = fromArmDocument(dataZoneDeployment);
    const findings = evaluate(
      { resources: [orphan], accounts: ACCOUNTS },
      dataZonePolicy,
      TEST_NOW,
    );
    const scope = only(findings, "residency.ai-processing-scope", orphan.id);
    expect(scope.region).toBeNull();
    expect(scope.status).toBe("error");
    expect(scope.message).toContain("the account's region is unknown");
  });

  it("keeps a child's own location rather than its parent's", () => {
    const account = fromArmDocument(openAi);
    const placed = fromArmDocument({ ...dataZoneDeployment, location: "westeurope" });
    const findings = evaluate(
      { resources: [placed, account], accounts: ACCOUNTS },
      dataZonePolicy,
      TEST_NOW,
    );
    expect(only(findings, "residency.ai-processing-scope", placed.id).region).toBe("westeurope");
  });

  const casing = azureFixture(
    "Microsoft.Compute_virtualMachines.arm-vs-arg-id-casing.real.json",
  ) as {
    arm_list_item_id: string;
    arm_location: string;
    arg_row_id: string;
    arg_row_resourceGroup: string;
    arg_row_type: string;
  };
  const armVm = moved({
    id: casing.arm_list_item_id,
    name: "vm-contoso",
    type: "Microsoft.Compute/virtualMachines",
    location: casing.arm_location,
    properties: {},
  });
  const graphVm = moved({
    id: casing.arg_row_id,
    name: "vm-contoso",
    type: casing.arg_row_type,
    location: casing.arm_location,
    resourceGroup: casing.arg_row_resourceGroup,
    subscriptionId: FIXTURE_SUBSCRIPTION,
    properties: {},
  });

  it("gives a resource read in two spellings one row per control and owner, from the last one seen", () => {
    const arm = fromArmDocument(armVm);
    const graph = fromArmDocument(graphVm);
    expect(arm.key).toBe(graph.key);
    expect(arm.id).not.toBe(graph.id);

    const findings = evaluate(
      { resources: [arm, ...RESOURCES, graph], accounts: ACCOUNTS },
      policyOf(""),
      TEST_NOW,
    );
    const rows = findings.filter((f) => f.subjectKey === arm.key);
    expect(rows.map((f) => [f.control, f.tenant, f.resource, f.status])).toEqual([
      ["residency.region-allowed", "retail", graph.id, "fail"],
    ]);
  });

  it("matches the streaming path, which reads one resource per key from the store", () => {
    const storage = (id: string) =>
      fromArmDocument({ ...legacyStorage.raw, id, type: "microsoft.storage/storageaccounts" });
    const armSpelling = storage(LEGACY_ID.replace("rg-legacy", "RG-Legacy"));
    const graphSpelling = storage(LEGACY_ID);
    const policy = policyOf("");

    const stored = [graphSpelling, vault, bucket, deletedBucket, unmapped];
    const index = new InventoryIndex({ policy });
    for (const resource of stored) index.add(resource);
    index.setAccounts(ACCOUNTS);
    const evaluator = createEvaluator({ policy, now: TEST_NOW, index });
    const streamed = [...evaluator.evaluateResources(stored), ...evaluator.evaluateOwners()];

    const inMemory = evaluate(
      {
        resources: [armSpelling, vault, bucket, deletedBucket, unmapped, graphSpelling],
        accounts: ACCOUNTS,
      },
      policy,
      TEST_NOW,
    );
    expect(inMemory).toEqual(streamed);
    const legacyRows = inMemory.filter((f) => f.subjectKey === LEGACY_ID.toLowerCase());
    expect(legacyRows.length).toBeGreaterThan(3);
    expect(new Set(legacyRows.map((f) => f.control)).size).toBe(legacyRows.length);
    expect(new Set(legacyRows.map((f) => f.resource))).toEqual(new Set([LEGACY_ID]));
  });
});

describe("owner-level evaluation", () => {
  const PLATFORM = "00000000-0000-0000-0000-00000000a0ff";
  const platformLines = [
    "platform:",
    "  accounts:",
    `    azure: [${PLATFORM}]`,
    '    aws: ["111122223333"]',
    "  regions:",
    "    allowed: [westeurope]",
  ];
  const rowsOf = (findings: Finding[], control: string) =>
    findings.filter((f) => f.control === control).map((f) => [f.tenant, f.resource, f.status]);

  it("runs once per tenant and once for the platform, each for its own accounts", () => {
    const policy = policyOf(platformLines.join("\n"));
    const findings = evaluate(
      { resources: RESOURCES, accounts: [...ACCOUNTS, completeAccount("azure", PLATFORM)] },
      policy,
      TEST_NOW,
    );
    expect(rowsOf(findings, "tenancy.account-dedicated")).toEqual([
      ["platform", `/subscriptions/${PLATFORM}`, "pass"],
      ["platform", "111122223333", "fail"],
      ["retail", `/subscriptions/${SUBSCRIPTION}`, "pass"],
      ["retail", "111122223333", "fail"],
    ]);
    const shared = findings.find(
      (f) =>
        f.control === "tenancy.account-dedicated" &&
        f.tenant === "retail" &&
        f.account === "111122223333",
    );
    expect(shared?.message).toContain("the platform and tenant retail");
  });

  it("evaluates an account listed for two owners once per owner", () => {
    const policy = policyOf(platformLines.join("\n"));
    const findings = evaluate(
      { resources: RESOURCES, accounts: [...ACCOUNTS, completeAccount("azure", PLATFORM)] },
      policy,
      TEST_NOW,
    );
    // Egress is judged for the accounts of tenants only: the platform's evaluation adds no row.
    expect(
      rowsOf(findings, "network.egress-firewall-logged").filter((r) => r[1] === "111122223333"),
    ).toEqual([["retail", "111122223333", "not-applicable"]]);
  });

  it("judges each unmapped discovered account once, with tenant null, and mapped ones not at all", () => {
    const findings = evaluate(
      {
        resources: RESOURCES,
        accounts: ACCOUNTS,
        discovered: [
          { provider: "aws", account: "444455556666" },
          { provider: "aws", account: "444455556666" },
          { provider: "azure", account: SUBSCRIPTION.toUpperCase() },
        ],
      },
      policyOf(""),
      TEST_NOW,
    );
    const unmapped = findings.filter((f) => f.tenant === null);
    expect(unmapped.map((f) => [f.control, f.resource, f.type, f.status])).toEqual([
      ["tenancy.account-dedicated", "444455556666", "AWS::::Account", "fail"],
    ]);
  });

  it("applies waivers and severity overrides to owner-level findings", () => {
    const policy = policyOf(
      [
        "controls:",
        "  dataflow.stage-declared: { severity: low }",
        "waivers:",
        "  - control: network.egress-firewall-logged",
        '    account: "111122223333"',
        "    reason: Central inspection arrives in January",
        "    approvedBy: ciso@example.com",
        "    expires: 2027-01-31",
      ].join("\n"),
    );
    const vpc = fromConfigItem({
      accountId: "111122223333",
      awsRegion: "eu-west-1",
      resourceType: "AWS::EC2::VPC",
      resourceId: "vpc-0a1b2c3d4e5f60001",
      arn: "arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-0a1b2c3d4e5f60001",
      configuration: { vpcId: "vpc-0a1b2c3d4e5f60001", isDefault: false },
      supplementaryConfiguration: {},
    });
    const findings = evaluate(
      { resources: [...RESOURCES, vpc], accounts: ACCOUNTS },
      policy,
      TEST_NOW,
    );
    const egress = only(findings, "network.egress-firewall-logged", "111122223333");
    expect([egress.status, egress.waiver?.verdict]).toEqual(["waived", "fail"]);
    const declared = findings.filter((f) => f.control === "dataflow.stage-declared");
    expect(declared).toHaveLength(6);
    expect(new Set(declared.map((f) => f.severity))).toEqual(new Set(["low"]));
  });
});

describe("waivers in evaluation", () => {
  const waiver = (lines: string[]) => ["waivers:", ...lines].join("\n");

  it("turns a fail covered by a resource glob into waived and keeps the underlying verdict", () => {
    const policy = policyOf(
      waiver([
        "  - control: keys.storage-cmk",
        '    resource: "/subscriptions/*/resourceGroups/RG-LEGACY/providers/Microsoft.Storage/storageAccounts/*"',
        "    reason: Migration planned for Q1",
        "    approvedBy: dpo@example.com",
        "    ticket: CHG-1042",
        "    expires: 2027-01-31",
      ]),
    );
    const findings = evaluate({ resources: RESOURCES, accounts: ACCOUNTS }, policy, TEST_NOW);
    const finding = only(findings, "keys.storage-cmk", LEGACY_ID);

    expect(finding.status).toBe("waived");
    expect(finding.waiver).toEqual({
      reason: "Migration planned for Q1",
      approvedBy: "dpo@example.com",
      ticket: "CHG-1042",
      expires: "2027-01-31",
      verdict: "fail",
    });
    expect(finding.evidence).toEqual([
      {
        path: "properties.encryption.keySource",
        actual: "Microsoft.Storage",
        expected: "Microsoft.Keyvault",
      },
    ]);
    expect(only(findings, "residency.region-allowed", LEGACY_ID).status).toBe("fail");
  });

  it("covers a whole account and waives errors as well as fails", () => {
    const unresolvable = fromConfigItem({
      accountId: "111122223333",
      awsRegion: "eu-west-1",
      resourceType: "AWS::S3::Bucket",
      resourceId: "retail-cmk",
      arn: "arn:aws:s3:::retail-cmk",
      configuration: { name: "retail-cmk" },
      supplementaryConfiguration: {
        ServerSideEncryptionConfiguration: {
          rules: [
            {
              applyServerSideEncryptionByDefault: {
                sseAlgorithm: "aws:kms",
                kmsMasterKeyID: "alias/elsewhere",
              },
            },
          ],
        },
      },
    });
    const policy = policyOf(
      waiver([
        "  - control: keys.storage-cmk",
        '    account: "111122223333"',
        "    reason: Encryption moves to the central key account",
        "    approvedBy: ciso@example.com",
        "    expires: 2027-02-15",
      ]),
    );
    const findings = evaluate(
      { resources: [...RESOURCES, unresolvable], accounts: ACCOUNTS },
      policy,
      TEST_NOW,
    );
    const failed = only(findings, "keys.storage-cmk", "arn:aws:s3:::retail-audit");
    const errored = only(findings, "keys.storage-cmk", "arn:aws:s3:::retail-cmk");
    expect([failed.status, failed.waiver?.verdict]).toEqual(["waived", "fail"]);
    expect([errored.status, errored.waiver?.verdict]).toEqual(["waived", "error"]);
    expect(only(findings, "keys.storage-cmk", LEGACY_ID).status).toBe("fail");
  });

  it("leaves passing findings alone and does not apply an expired waiver", () => {
    const policy = policyOf(
      waiver([
        "  - control: residency.region-allowed",
        '    resource: "*kv-retail"',
        "    reason: Not needed",
        "    approvedBy: dpo@example.com",
        "    expires: 2027-01-31",
        "  - control: keys.vault-recoverable",
        '    resource: "*kv-retail"',
        "    reason: Expired yesterday",
        "    approvedBy: dpo@example.com",
        "    expires: 2026-12-02",
      ]),
    );
    const findings = evaluate({ resources: RESOURCES, accounts: ACCOUNTS }, policy, TEST_NOW);
    const residency = only(findings, "residency.region-allowed", VAULT_ID);
    expect(residency.status).toBe("pass");
    expect(residency.waiver).toBeUndefined();
    expect(only(findings, "keys.vault-recoverable", VAULT_ID).status).toBe("fail");
  });

  it("resolves overlapping waivers to the one that expires last", () => {
    const policy = policyOf(
      waiver([
        "  - control: keys.vault-recoverable",
        `    account: "${SUBSCRIPTION}"`,
        "    reason: Whole subscription",
        "    approvedBy: ciso@example.com",
        "    expires: 2027-03-01",
        "  - control: keys.vault-recoverable",
        '    resource: "*/vaults/kv-retail"',
        "    reason: This vault",
        "    approvedBy: dpo@example.com",
        "    expires: 2027-06-30",
        "  - control: keys.vault-recoverable",
        '    resource: "*/vaults/*"',
        "    reason: All vaults",
        "    approvedBy: dpo@example.com",
        "    expires: 2027-01-15",
      ]),
    );
    const finding = only(
      evaluate({ resources: RESOURCES, accounts: ACCOUNTS }, policy, TEST_NOW),
      "keys.vault-recoverable",
      VAULT_ID,
    );
    expect(finding.waiver?.reason).toBe("This vault");
    expect(finding.waiver?.expires).toBe("2027-06-30");
  });
});
