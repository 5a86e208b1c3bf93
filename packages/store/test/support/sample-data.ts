import { randomBytes } from "node:crypto";
import type { CanonicalResource, Finding } from "@plumbline/rules";

/** A short random tag that keeps one test's keys apart from another's in a shared database. */
export function makeRunTag(): string {
  return randomBytes(4).toString("hex");
}

/** A storage account as the Azure collector would canonicalise it. */
export function makeStorageAccount(
  subscription: string,
  name: string,
  raw: Record<string, unknown> = {},
): CanonicalResource {
  const id =
    `/subscriptions/${subscription}/resourceGroups/RG-Data` +
    `/providers/Microsoft.Storage/storageAccounts/${name}`;
  return {
    provider: "azure",
    account: subscription,
    key: id.toLowerCase(),
    id,
    type: "Microsoft.Storage/storageAccounts",
    region: "westeurope",
    location: "West Europe",
    name,
    tags: { costCentre: "cc-42" },
    raw: {
      id,
      name,
      location: "West Europe",
      properties: { minimumTlsVersion: "TLS1_2", allowSharedKeyAccess: false },
      ...raw,
    },
    references: [
      {
        kind: "key",
        target: "https://kv-central.vault.azure.net/keys/storage",
        path: "properties.encryption.keyvaultproperties.keyvaulturi",
      },
    ],
    parentKey: null,
  };
}

/** An S3 bucket as the AWS collector would canonicalise it. */
export function makeBucket(account: string, name: string, region: string): CanonicalResource {
  return {
    provider: "aws",
    account,
    key: `arn:aws:s3:::${name}`,
    id: `arn:aws:s3:::${name}`,
    type: "AWS::S3::Bucket",
    region,
    location: region,
    name,
    tags: {},
    raw: {
      accountId: account,
      awsRegion: region,
      resourceType: "AWS::S3::Bucket",
      resourceId: name,
    },
    references: [],
    parentKey: null,
  };
}

/** A failing purge-protection finding on a vault of the given tenant. */
export function makeFinding(tenant: string | null, vault: string): Finding {
  const resource =
    `/subscriptions/sub-${tenant ?? "unmapped"}/resourceGroups/rg` +
    `/providers/Microsoft.KeyVault/vaults/${vault}`;
  return {
    control: "keys.vault-purge-protection",
    provider: "azure",
    account: `sub-${tenant ?? "unmapped"}`,
    tenant,
    resource,
    subjectKey: resource.toLowerCase(),
    type: "Microsoft.KeyVault/vaults",
    region: "westeurope",
    status: "fail",
    severity: "high",
    message: `Key vault ${vault} has properties.enablePurgeProtection absent; expected true.`,
    evidence: [{ path: "properties.enablePurgeProtection", expected: true }],
  };
}
