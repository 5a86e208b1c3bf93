import { join } from "node:path";
import type { CanonicalResource, Finding, Policy } from "@plumbline/rules";
import { loadPolicyFile } from "@plumbline/rules";
import { type Store, tables } from "@plumbline/store";
import { eq } from "drizzle-orm";
import { createApiToken } from "../../src/index.js";
import { repositoryRoot } from "./repository.js";

/** The moment the seeded estate is judged at. */
export const NOW = new Date("2026-12-03T12:00:00.000Z");

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const RETAIL_AZURE = "00000000-0000-0000-0000-00000000a001";
export const RETAIL_AWS = "111122223333";
export const WEALTH_AZURE = "00000000-0000-0000-0000-00000000a002";
export const WEALTH_AWS = "444455556666";
export const PLATFORM_AZURE = "00000000-0000-0000-0000-00000000a0ff";
export const UNMAPPED_AWS = "999988887777";

/** Text that must never reach a token scoped to retail. */
export const OUTSIDE_RETAIL = [
  "wealth",
  WEALTH_AZURE,
  WEALTH_AWS,
  PLATFORM_AZURE,
  UNMAPPED_AWS,
  "stunmapped",
  "fw-hub",
];

function azure(
  subscription: string,
  path: string,
  type: string,
  region: string,
  raw: Record<string, unknown>,
  tags: Record<string, string> = {},
): CanonicalResource {
  const id = `/subscriptions/${subscription}/resourceGroups/${path}`;
  const name = path.split("/").at(-1) ?? path;
  return {
    provider: "azure",
    account: subscription,
    key: id.toLowerCase(),
    id,
    type,
    region,
    location: region,
    name,
    tags,
    raw: { id, name, type, location: region, ...raw },
    references: [],
    parentKey: null,
  };
}

function bucket(account: string, name: string, region: string, raw: Record<string, unknown>) {
  const arn = `arn:aws:s3:::${name}`;
  return {
    provider: "aws",
    account,
    key: arn,
    id: arn,
    type: "AWS::S3::Bucket",
    region,
    location: region,
    name,
    tags: {},
    raw: { arn, resourceName: name, awsRegion: region, configuration: raw },
    references: [],
    parentKey: null,
  } satisfies CanonicalResource;
}

export const retailStorage = (publicAccess: "Enabled" | "Disabled") =>
  azure(
    RETAIL_AZURE,
    "rg-retail-app/providers/Microsoft.Storage/storageAccounts/stretailprompts",
    "Microsoft.Storage/storageAccounts",
    "westeurope",
    { properties: { publicNetworkAccess: publicAccess, minimumTlsVersion: "TLS1_2" } },
  );
const retailAudit = bucket(RETAIL_AWS, "retail-audit-logs", "eu-west-1", { versioning: true });
const wealthVault = azure(
  WEALTH_AZURE,
  "rg-wealth-ai/providers/Microsoft.KeyVault/vaults/kv-wealth",
  "Microsoft.KeyVault/vaults",
  "westeurope",
  { properties: { enablePurgeProtection: false } },
);
const wealthSearch = azure(
  WEALTH_AZURE,
  "rg-wealth-ai/providers/Microsoft.Search/searchServices/srch-wealth",
  "Microsoft.Search/searchServices",
  "westeurope",
  { properties: { publicNetworkAccess: "Enabled" } },
);
const platformFirewall = azure(
  PLATFORM_AZURE,
  "rg-hub/providers/Microsoft.Network/azureFirewalls/fw-hub",
  "Microsoft.Network/azureFirewalls",
  "westeurope",
  { properties: { threatIntelMode: "Deny" } },
);
const unmappedBucket = bucket(UNMAPPED_AWS, "stunmapped-data", "us-east-1", {});

function finding(
  resource: CanonicalResource | null,
  tenant: string | null,
  control: string,
  status: Finding["status"],
  severity: Finding["severity"],
  message: string,
  extra: Partial<Finding> = {},
): Finding {
  return {
    control,
    tenant,
    provider: resource?.provider ?? null,
    account: resource?.account ?? null,
    resource: resource?.id ?? `tenant/${tenant}/dataflow/${message}`,
    subjectKey: resource?.key ?? `tenant/${tenant}/dataflow/${message}`,
    type: resource?.type ?? null,
    region: resource?.region ?? null,
    status,
    severity,
    message,
    evidence: [{ path: "properties.publicNetworkAccess", actual: "Enabled", expected: "Disabled" }],
    ...extra,
  };
}

const searchWaiver = {
  reason: "Search moves behind a private endpoint with the Q1 network change",
  approvedBy: "dpo@example.com",
  ticket: "CHG-2291",
  expires: "2027-03-31",
  verdict: "fail" as const,
};

/** The findings of the latest evaluation: every owner, every verdict, an unmapped account. */
function currentFindings(): Finding[] {
  return [
    finding(
      retailStorage("Enabled"),
      "retail",
      "network.public-access-disabled",
      "fail",
      "high",
      "Storage account stretailprompts accepts public traffic; expected Disabled",
    ),
    finding(
      retailAudit,
      "retail",
      "keys.storage-cmk",
      "pass",
      "high",
      "Bucket retail-audit-logs is encrypted with a customer key",
    ),
    finding(
      retailStorage("Enabled"),
      "retail",
      "dataflow.stage-region",
      "pass",
      "critical",
      "Selected by prompt-composition: westeurope is approved",
    ),
    finding(null, "retail", "dataflow.stage-declared", "pass", "medium", "retrieval"),
    finding(null, "retail", "dataflow.stage-declared", "fail", "medium", "tool-calls"),
    finding(
      wealthVault,
      "wealth",
      "keys.vault-recoverable",
      "fail",
      "critical",
      "Key vault kv-wealth can lose keys: purge protection is off",
    ),
    finding(
      wealthSearch,
      "wealth",
      "network.public-access-disabled",
      "waived",
      "high",
      "Search service srch-wealth accepts public traffic; expected Disabled",
      { waiver: searchWaiver },
    ),
    finding(
      platformFirewall,
      "platform",
      "network.egress-firewall-logged",
      "error",
      "high",
      "Firewall fw-hub diagnostic settings could not be read",
    ),
    finding(
      unmappedBucket,
      null,
      "tenancy.account-dedicated",
      "fail",
      "critical",
      "AWS account 999988887777 (stunmapped) is not mapped to any owner",
    ),
  ];
}

/** Tokens of every kind the tests need, with their secrets. */
export interface SeededTokens {
  admin: string;
  auditor: string;
  retail: string;
  wealthAndPlatform: string;
  expired: string;
  revoked: string;
  revokedId: string;
}

/** Ids the tests address directly. */
export interface SeededEstate {
  policy: Policy;
  tokens: SeededTokens;
  scanIds: { first: string; second: string };
}

async function writeScan(
  store: Store,
  startedAt: Date,
  resources: CanonicalResource[],
  findings: Finding[],
  cloudCalls: number,
): Promise<string> {
  const { id } = await store.createScan({ trigger: "test", startedAt });
  const accounts = [
    { provider: "azure" as const, account: RETAIL_AZURE, owner: "retail" },
    { provider: "aws" as const, account: RETAIL_AWS, owner: "retail" },
    { provider: "azure" as const, account: WEALTH_AZURE, owner: "wealth" },
    { provider: "azure" as const, account: PLATFORM_AZURE, owner: "platform" },
    { provider: "aws" as const, account: UNMAPPED_AWS, owner: null },
  ];
  for (const { provider, account, owner } of accounts) {
    await store.recordAccountCollection(id, owner, {
      provider,
      account,
      status: account === WEALTH_AZURE && cloudCalls > 10 ? "partial" : "complete",
      reason: account === WEALTH_AZURE && cloudCalls > 10 ? "Resource Graph page 2 failed" : null,
      resources: resources.filter((r) => r.account === account).length,
      skippedRegions: [],
      completeRegions: [],
    });
  }
  await store.writeResources(id, resources);
  await store.writeFindings(id, findings);
  await store.finishScan(id, "complete", new Date(startedAt.getTime() + 90_000), {
    calls: cloudCalls,
    throttled: 1,
    byService: {
      "resource-graph": { calls: cloudCalls - 2, throttled: 1 },
      config: { calls: 2, throttled: 0 },
    },
  });
  return id;
}

/**
 * Seeds two scans of a small estate over the example policy's owners (retail, wealth, the
 * platform, and one unmapped AWS account), the current finding state of the second, drift
 * events, an undelivered alert and a token of every kind.
 */
export async function seedEstate(store: Store): Promise<SeededEstate> {
  const { policy } = await loadPolicyFile(join(repositoryRoot, "examples/plumbline.yaml"), {
    now: NOW,
  });
  const db = store.database;
  const firstAt = new Date(NOW.getTime() - 3 * DAY);
  const secondAt = new Date(NOW.getTime() - HOUR);
  const before = currentFindings().map((f) =>
    f.control === "network.public-access-disabled" && f.tenant === "retail"
      ? {
          ...f,
          status: "pass" as const,
          message: "Storage account stretailprompts refuses public traffic",
        }
      : f,
  );
  const baseline = [
    retailStorage("Disabled"),
    retailAudit,
    wealthVault,
    wealthSearch,
    platformFirewall,
    unmappedBucket,
  ];
  const first = await writeScan(store, firstAt, baseline, before, 8);
  const latest = [
    retailStorage("Enabled"),
    retailAudit,
    wealthVault,
    wealthSearch,
    platformFirewall,
    unmappedBucket,
  ];
  const second = await writeScan(store, secondAt, latest, currentFindings(), 12);

  const evaluatedAt = new Date(secondAt.getTime() + 60_000);
  await db.insert(tables.findingState).values(
    currentFindings().map((f) => ({
      tenant: f.tenant,
      control: f.control,
      subjectKey: f.subjectKey,
      resource: f.resource,
      provider: f.provider,
      account: f.account,
      type: f.type,
      region: f.region,
      status: f.status,
      severity: f.severity,
      message: f.message,
      evidence: f.evidence,
      waiver: f.waiver ?? null,
      stale: f.tenant === "wealth",
      staleReason: f.tenant === "wealth" ? "Resource Graph page 2 failed" : null,
      firstSeen: firstAt,
      statusSince:
        f.status === "fail" && f.tenant === "retail" && f.control.startsWith("network")
          ? evaluatedAt
          : firstAt,
      lastEvaluatedAt: evaluatedAt,
      lastScanId: second,
    })),
  );

  const storage = retailStorage("Enabled");
  const batchId = "6f1d2c3b-0000-4000-8000-000000000001";
  await db.insert(tables.driftEvents).values([
    {
      at: evaluatedAt,
      kind: "changed",
      tenant: "retail",
      control: null,
      subjectKey: storage.key,
      resource: storage.id,
      provider: "azure",
      account: RETAIL_AZURE,
      region: "westeurope",
      severity: null,
      before: { publicNetworkAccess: "Disabled" },
      after: { publicNetworkAccess: "Enabled" },
      scanId: second,
      batchId,
    },
    {
      at: evaluatedAt,
      kind: "opened",
      tenant: "retail",
      control: "network.public-access-disabled",
      subjectKey: storage.key,
      resource: storage.id,
      provider: "azure",
      account: RETAIL_AZURE,
      region: "westeurope",
      severity: "high",
      before: "pass",
      after: "fail",
      scanId: second,
      batchId,
    },
    {
      at: evaluatedAt,
      kind: "changed",
      tenant: null,
      control: null,
      subjectKey: wealthVault.key,
      resource: wealthVault.id,
      provider: "azure",
      account: WEALTH_AZURE,
      region: "westeurope",
      severity: null,
      before: { sku: "standard" },
      after: { sku: "premium" },
      scanId: second,
      batchId,
    },
    {
      at: evaluatedAt,
      kind: "waived",
      tenant: "wealth",
      control: "network.public-access-disabled",
      subjectKey: wealthSearch.key,
      resource: wealthSearch.id,
      provider: "azure",
      account: WEALTH_AZURE,
      region: "westeurope",
      severity: "high",
      before: "fail",
      after: "waived",
      scanId: second,
      batchId,
    },
    {
      at: evaluatedAt,
      kind: "opened",
      tenant: null,
      control: "tenancy.account-dedicated",
      subjectKey: unmappedBucket.key,
      resource: unmappedBucket.id,
      provider: "aws",
      account: UNMAPPED_AWS,
      region: "us-east-1",
      severity: "critical",
      before: null,
      after: "fail",
      scanId: second,
      batchId,
    },
  ]);
  await db.insert(tables.outbox).values({
    channel: "slack",
    batchId,
    createdAt: evaluatedAt,
    payload: { batchId, scanId: second, createdAt: evaluatedAt.toISOString(), items: [] },
  });
  await db.insert(tables.notificationChannels).values({
    channel: "slack",
    state: "broken",
    reason: "Slack answered 404 no_service",
    changedAt: evaluatedAt,
  });

  const created = async (role: "admin" | "auditor", scope: string[] | null, expiresAt?: Date) =>
    createApiToken(db, {
      name: `${role} ${scope?.join("+") ?? "all"}`,
      role,
      scope,
      now: firstAt,
      ...(expiresAt ? { expiresAt } : {}),
    });
  const revoked = await created("auditor", null);
  await db
    .update(tables.apiTokens)
    .set({ revokedAt: firstAt })
    .where(eq(tables.apiTokens.id, revoked.token.id));
  return {
    policy,
    tokens: {
      admin: (await created("admin", null)).secret,
      auditor: (await created("auditor", null)).secret,
      retail: (await created("auditor", ["retail"])).secret,
      wealthAndPlatform: (await created("auditor", ["wealth", "platform"])).secret,
      expired: (await created("auditor", null, new Date(NOW.getTime() - DAY))).secret,
      revoked: revoked.secret,
      revokedId: revoked.token.id,
    },
    scanIds: { first, second },
  };
}
