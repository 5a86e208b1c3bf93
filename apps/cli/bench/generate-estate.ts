import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Documents written per file, as a real export would batch them. */
const documentsPerFile = 1000;

/** The accounts of a generated estate; the benchmark's policy maps all of them. */
export const generatedAccounts = {
  azure: [
    "0000000b-0000-4000-8000-000000000001",
    "0000000b-0000-4000-8000-000000000002",
    "0000000b-0000-4000-8000-000000000003",
  ],
  aws: ["210000000001", "210000000002"],
} as const;

function storageAccount(subscription: string, index: number): Record<string, unknown> {
  const name = `stbench${index.toString(36)}`;
  return {
    id: `/subscriptions/${subscription}/resourceGroups/rg-bench-${index % 40}/providers/Microsoft.Storage/storageAccounts/${name}`,
    name,
    type: "Microsoft.Storage/storageAccounts",
    kind: "StorageV2",
    location: index % 7 === 0 ? "eastus" : "westeurope",
    sku: { name: "Standard_LRS", tier: "Standard" },
    tags: { costcenter: `cc-${index % 13}` },
    properties: {
      publicNetworkAccess: index % 3 === 0 ? "Enabled" : "Disabled",
      allowSharedKeyAccess: index % 5 === 0,
      minimumTlsVersion: "TLS1_2",
      encryption: {
        keySource: index % 4 === 0 ? "Microsoft.Storage" : "Microsoft.Keyvault",
        services: { blob: { enabled: true, keyType: "Account" } },
      },
      networkAcls: { defaultAction: "Deny", bypass: "AzureServices", ipRules: [] },
    },
  };
}

function keyVault(subscription: string, index: number): Record<string, unknown> {
  const name = `kv-bench-${index.toString(36)}`;
  return {
    id: `/subscriptions/${subscription}/resourceGroups/rg-keys/providers/Microsoft.KeyVault/vaults/${name}`,
    name,
    type: "Microsoft.KeyVault/vaults",
    location: "swedencentral",
    tags: {},
    properties: {
      tenantId: "11111111-1111-1111-1111-111111111111",
      sku: { family: "A", name: "standard" },
      vaultUri: `https://${name}.vault.azure.net/`,
      enableSoftDelete: true,
      ...(index % 2 === 0 ? { enablePurgeProtection: true } : {}),
      publicNetworkAccess: "Disabled",
    },
  };
}

function bucket(account: string, index: number): Record<string, unknown> {
  const name = `bench-${account}-${index}`;
  return {
    version: "1.3",
    accountId: account,
    configurationItemStatus: "OK",
    resourceType: "AWS::S3::Bucket",
    resourceId: name,
    resourceName: name,
    arn: `arn:aws:s3:::${name}`,
    awsRegion: index % 9 === 0 ? "us-east-1" : "eu-west-1",
    availabilityZone: "Regional",
    configuration: { name, creationDate: "2025-01-14T09:00:00.000Z" },
    supplementaryConfiguration: {
      ServerSideEncryptionConfiguration: {
        rules: [
          {
            applyServerSideEncryptionByDefault:
              index % 2 === 0
                ? { sseAlgorithm: "AES256" }
                : { sseAlgorithm: "aws:kms", kmsMasterKeyID: `alias/aws/s3` },
            bucketKeyEnabled: false,
          },
        ],
      },
      ...(index % 3 === 0
        ? {}
        : {
            PublicAccessBlockConfiguration: {
              blockPublicAcls: true,
              ignorePublicAcls: true,
              blockPublicPolicy: true,
              restrictPublicBuckets: true,
            },
          }),
    },
    tags: [],
  };
}

async function writeChunks(dir: string, documents: Record<string, unknown>[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (let start = 0; start < documents.length; start += documentsPerFile) {
    const file = join(dir, `part-${String(start / documentsPerFile).padStart(4, "0")}.json`);
    await writeFile(file, JSON.stringify(documents.slice(start, start + documentsPerFile)));
  }
}

/**
 * Writes an estate of `total` resources: 60 % Azure (storage accounts and key vaults over three
 * subscriptions), 40 % AWS (S3 buckets over two accounts and two regions).
 */
export async function generateEstate(dir: string, total: number): Promise<void> {
  const azureTotal = Math.round(total * 0.6);
  const awsTotal = total - azureTotal;
  for (const [position, subscription] of generatedAccounts.azure.entries()) {
    const count = Math.floor(azureTotal / 3) + (position < azureTotal % 3 ? 1 : 0);
    const documents = Array.from({ length: count }, (_, i) =>
      i % 10 === 0 ? keyVault(subscription, i) : storageAccount(subscription, i),
    );
    await writeChunks(join(dir, "azure", subscription), documents);
  }
  for (const [position, account] of generatedAccounts.aws.entries()) {
    const count = Math.floor(awsTotal / 2) + (position < awsTotal % 2 ? 1 : 0);
    await writeChunks(
      join(dir, "aws", account),
      Array.from({ length: count }, (_, i) => bucket(account, i)),
    );
  }
  await writeFile(
    join(dir, "estate.yaml"),
    "# Generated for the benchmark: no quota, so the figures measure Plumbline, not waiting.\n" +
      "azure:\n  quota:\n    queries: 100000\n    windowSeconds: 1\n",
  );
}
