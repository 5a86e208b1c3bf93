import { describe, expect, it } from "vitest";
import { completeAccount, partialAccount } from "../../test/support/evaluation.js";
import {
  armDocumentsOf,
  awsFixture,
  azureFixture,
  selectRowsOf,
} from "../../test/support/fixtures.js";
import { fromArmDocument } from "../canonical/from-arm-document.js";
import { fromConfigItem } from "../canonical/from-config-item.js";
import { InventoryIndex } from "./inventory-index.js";

const vaults = armDocumentsOf(azureFixture("Microsoft.KeyVault_vaults.list.arm.real.json")).map(
  (d) => fromArmDocument(d),
);
const cmkVault = vaults.find((v) => v.name === "Kv-Contoso-Cmk");

function indexWith(...resources: ReturnType<typeof fromArmDocument>[]): InventoryIndex {
  const index = new InventoryIndex();
  for (const resource of resources) index.add(resource);
  return index;
}

describe("InventoryIndex: Azure key URIs", () => {
  const key = fromArmDocument(
    {
      id: `${cmkVault?.id}/keys/cmk-pg`,
      name: "cmk-pg",
      type: "Microsoft.KeyVault/vaults/keys",
      properties: { attributes: { enabled: true } },
    },
    cmkVault,
  );

  it("finds the vault by the host of its lower-cased vaultUri and the key by name", () => {
    const index = indexWith(...vaults, key);
    const resolution = index.resolveAzureKey(
      "https://KV-CONTOSO-CMK.vault.azure.net/keys/CMK-PG/0123456789abcdef0123456789abcdef",
    );
    expect(resolution.status).toBe("resolved");
    if (resolution.status !== "resolved") return;
    expect(resolution.vault.name).toBe("Kv-Contoso-Cmk");
    expect(resolution.key?.key).toBe(key.key);
    expect(resolution.version).toBe("0123456789abcdef0123456789abcdef");
  });

  it("matches a vaultUri written without a trailing slash", () => {
    const spec = fromArmDocument(
      armDocumentsOf(azureFixture("Microsoft.KeyVault_vaults.get.arm.spec-2023-07-01.json"))[0] ??
        {},
    );
    const resolution = indexWith(spec).resolveAzureKey(
      "https://kv-contoso-spec.vault.azure.net/keys/k1",
    );
    expect(resolution.status).toBe("resolved");
    if (resolution.status === "resolved") expect(resolution.key).toBeNull();
  });

  it("resolves managed HSM keys by hsmUri", () => {
    const hsm = fromArmDocument({
      id: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/managedHSMs/hsm1",
      location: "westeurope",
      properties: { hsmUri: "https://hsm1.managedhsm.azure.net/" },
    });
    const resolution = indexWith(hsm).resolveAzureKey("https://hsm1.managedhsm.azure.net/keys/k");
    expect(resolution.status === "resolved" && resolution.vault.key).toBe(hsm.key);
  });

  it("tells a missing vault from a string that is not a key URI", () => {
    const index = indexWith(...vaults);
    expect(index.resolveAzureKey("https://kv-elsewhere.vault.azure.net/keys/k").status).toBe(
      "vault-missing",
    );
    expect(index.resolveAzureKey("not a uri").status).toBe("not-a-key-uri");
  });

  it("drops resources of types nobody refers to", () => {
    const storage = fromArmDocument(
      armDocumentsOf(azureFixture("Microsoft.Storage_storageAccounts.list.arm.real.json"))[0] ?? {},
    );
    const index = indexWith(storage);
    expect(index.resolveAzureKey("https://kv-contoso-cmk.vault.azure.net/keys/k").status).toBe(
      "vault-missing",
    );
  });
});

describe("InventoryIndex: KMS references", () => {
  const keys = selectRowsOf(
    awsFixture(
      "config.SelectResourceConfig.kms-key-aws-managed-pending-deletion.http.composed.json",
    ),
  ).map((row) => fromConfigItem(row));
  const alias = fromConfigItem({
    accountId: "111122223333",
    awsRegion: "us-east-1",
    resourceType: "AWS::KMS::Alias",
    resourceId: "alias/retired",
    arn: "arn:aws:kms:us-east-1:111122223333:alias/retired",
    configuration: {
      AliasName: "alias/retired",
      TargetKeyId: "0b1c2d3e-0000-4000-8000-000000000002",
    },
  });
  const index = new InventoryIndex();
  for (const resource of [...keys, alias]) index.add(resource);

  it("resolves a key ARN, a bare key id and an alias in name or ARN form", () => {
    const arn = "arn:aws:kms:us-east-1:111122223333:key/0b1c2d3e-0000-4000-8000-000000000001";
    expect(index.resolveKmsKey(arn, "999988887777", "eu-west-1")).toMatchObject({
      status: "resolved",
      keyManager: "AWS",
      alias: null,
    });
    expect(
      index.resolveKmsKey("0b1c2d3e-0000-4000-8000-000000000002", "111122223333", "us-east-1"),
    ).toMatchObject({ status: "resolved", keyManager: "CUSTOMER" });
    expect(index.resolveKmsKey("alias/retired", "111122223333", "us-east-1")).toMatchObject({
      status: "resolved",
      alias: "alias/retired",
    });
    expect(
      index.resolveKmsKey("arn:aws:kms:us-east-1:111122223333:alias/retired", "444455556666", null),
    ).toMatchObject({ status: "resolved", alias: "alias/retired" });
  });

  it("treats alias/aws/* as AWS-managed in either form without a lookup", () => {
    expect(index.resolveKmsKey("alias/aws/s3", "111122223333", "eu-west-1")).toEqual({
      status: "aws-managed",
      reference: "alias/aws/s3",
      alias: "alias/aws/s3",
      account: "111122223333",
      region: "eu-west-1",
    });
    expect(
      index.resolveKmsKey(
        "arn:aws:kms:eu-west-1:111122223333:alias/aws/rds",
        "111122223333",
        "eu-west-1",
      ).status,
    ).toBe("aws-managed");
  });

  it("matches key and alias ARNs written in upper case", () => {
    expect(
      index.resolveKmsKey(
        "ARN:AWS:KMS:US-EAST-1:111122223333:KEY/0B1C2D3E-0000-4000-8000-000000000001",
        "111122223333",
        "eu-west-1",
      ),
    ).toMatchObject({ status: "resolved", keyManager: "AWS" });
    expect(
      index.resolveKmsKey("arn:aws:kms:us-east-1:111122223333:ALIAS/AWS/S3", "111122223333", null)
        .status,
    ).toBe("aws-managed");
    expect(index.resolveKmsKey("ALIAS/retired", "111122223333", "us-east-1").status).toBe(
      "resolved",
    );
  });

  it("follows an alias to its target key in the alias's own account and region", () => {
    const resolution = index.resolveKmsKey(
      "arn:aws:kms:us-east-1:111122223333:alias/retired",
      "444455556666",
      "eu-west-1",
    );
    expect(resolution.status === "resolved" && resolution.key.account).toBe("111122223333");
    expect(resolution.status === "resolved" && resolution.key.region).toBe("us-east-1");
  });

  it("reports references that resolve to nothing, with the reason and the place looked in", () => {
    expect(index.resolveKmsKey("alias/missing", "111122223333", "us-east-1")).toMatchObject({
      status: "unresolved",
      reason: "no KMS alias alias/missing in account 111122223333 region us-east-1",
      missing: "alias",
      account: "111122223333",
      region: "us-east-1",
    });
    expect(
      index.resolveKmsKey(
        "arn:aws:kms:eu-central-1:999988887777:key/0b1c2d3e-0000-4000-8000-000000000009",
        "111122223333",
        "us-east-1",
      ),
    ).toMatchObject({
      status: "unresolved",
      missing: "key",
      account: "999988887777",
      region: "eu-central-1",
    });
    expect(
      index.resolveKmsKey("0b1c2d3e-0000-4000-8000-000000000002", "111122223333", "eu-west-1")
        .status,
    ).toBe("unresolved");
  });

  it("reports a key or alias item Config did not record, or without configuration, as unreadable", () => {
    const notRecorded = (item: (typeof keys)[number]) => {
      const { configuration: _dropped, ...raw } = item.raw;
      return fromConfigItem({ ...raw, configurationItemStatus: "ResourceNotRecorded" });
    };
    const [awsKey, pendingKey] = keys;
    if (awsKey === undefined || pendingKey === undefined) throw new Error("fixture changed");
    const unreadable = new InventoryIndex();
    for (const resource of [notRecorded(awsKey), pendingKey, notRecorded(alias)]) {
      unreadable.add(resource);
    }

    expect(unreadable.resolveKmsKey(awsKey.id, "111122223333", "us-east-1")).toMatchObject({
      status: "unreadable",
      reason: `KMS key ${awsKey.id} was not recorded by AWS Config (ResourceNotRecorded)`,
      alias: null,
    });
    expect(unreadable.resolveKmsKey("alias/retired", "111122223333", "us-east-1")).toMatchObject({
      status: "unreadable",
      reason: `KMS alias ${alias.id} was not recorded by AWS Config (ResourceNotRecorded)`,
    });

    const bareKey = { ...pendingKey, raw: { ...pendingKey.raw, configuration: undefined } };
    const throughAlias = new InventoryIndex();
    for (const resource of [bareKey, alias]) throughAlias.add(resource);
    expect(throughAlias.resolveKmsKey("alias/retired", "111122223333", "us-east-1")).toMatchObject({
      status: "unreadable",
      reason: `KMS key ${pendingKey.id} has no configuration in the collected document`,
      alias: "alias/retired",
    });
  });
});

describe("InventoryIndex: collection completeness and account blocks", () => {
  it("knows complete accounts and complete AWS regions of partial ones", () => {
    const index = new InventoryIndex();
    index.setAccounts([
      completeAccount("azure", "00000000-0000-0000-0000-00000000A001"),
      partialAccount("aws", "111122223333", ["eu-west-1"]),
      { ...completeAccount("aws", "444455556666"), status: "failed", reason: "denied" },
    ]);
    expect(index.isCollectedComplete("azure", "00000000-0000-0000-0000-00000000a001")).toBe(true);
    expect(index.isCollectedComplete("aws", "111122223333", "eu-west-1")).toBe(true);
    expect(index.isCollectedComplete("aws", "111122223333", "us-east-1")).toBe(false);
    expect(index.isCollectedComplete("aws", "111122223333")).toBe(false);
    expect(index.isCollectedComplete("aws", "444455556666", "eu-west-1")).toBe(false);
    expect(index.isCollectedComplete("aws", "999988887777")).toBe(false);
  });

  it("keeps the account-level S3 block but not deleted items", () => {
    const item = (status: string) =>
      fromConfigItem({
        accountId: "111122223333",
        awsRegion: "eu-west-1",
        resourceType: "AWS::S3::AccountPublicAccessBlock",
        resourceId: "111122223333",
        configurationItemStatus: status,
        configuration: { blockPublicAcls: true },
      });
    const deleted = new InventoryIndex();
    deleted.add(item("ResourceDeleted"));
    expect(deleted.accountPublicAccessBlock("111122223333")).toBeUndefined();

    const present = new InventoryIndex();
    present.add(item("OK"));
    expect(present.accountPublicAccessBlock("111122223333")?.raw.configuration).toEqual({
      blockPublicAcls: true,
    });
  });

  it("keeps a readable account-level block over one Config did not record, in either order", () => {
    const block = (region: string, status: string) =>
      fromConfigItem({
        accountId: "111122223333",
        awsRegion: region,
        resourceType: "AWS::S3::AccountPublicAccessBlock",
        resourceId: "111122223333",
        configurationItemStatus: status,
        ...(status === "OK" ? { configuration: { blockPublicAcls: true } } : {}),
      });
    for (const order of [
      [block("us-east-1", "OK"), block("eu-west-1", "ResourceNotRecorded")],
      [block("eu-west-1", "ResourceNotRecorded"), block("us-east-1", "OK")],
    ]) {
      const index = new InventoryIndex();
      for (const resource of order) index.add(resource);
      expect(index.accountPublicAccessBlock("111122223333")?.region).toBe("us-east-1");
    }
    const onlyUnreadable = new InventoryIndex();
    onlyUnreadable.add(block("eu-west-1", "ResourceNotRecorded"));
    expect(onlyUnreadable.accountPublicAccessBlock("111122223333")?.region).toBe("eu-west-1");
  });
});
