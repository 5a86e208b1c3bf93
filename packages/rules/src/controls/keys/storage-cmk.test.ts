import { describe, expect, it } from "vitest";
import { completeAccount, contextWith } from "../../../test/support/evaluation.js";
import {
  armDocumentsOf,
  awsFixture,
  azureFixture,
  selectRowsOf,
} from "../../../test/support/fixtures.js";
import { kmsAlias, notRecordedItem } from "../../../test/support/keys.js";
import { fromArmDocument } from "../../canonical/from-arm-document.js";
import { decodeBatchGetItem, fromConfigItem } from "../../canonical/from-config-item.js";
import type { CanonicalResource } from "../../model.js";
import { storageCmk } from "./storage-cmk.js";

const accounts = armDocumentsOf(
  azureFixture("Microsoft.Storage_storageAccounts.list.arm.real.json"),
);
const buckets = selectRowsOf(
  awsFixture("config.SelectResourceConfig.s3-bucket-sse-kms-pab.http.composed.json"),
);
const CUSTOMER_KEY_ARN =
  "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

function storageAccount(name: string): Record<string, unknown> {
  const document = accounts.find((a) => a.name === name);
  if (document === undefined) throw new Error(`no storage account ${name}`);
  return document;
}

function bucket(name: string): Record<string, unknown> {
  const row = buckets.find((b) => b.resourceId === name);
  if (row === undefined) throw new Error(`no bucket ${name}`);
  return row;
}

/** The real customer-managed key row, placed in the bucket's account and region. */
function customerKey(): CanonicalResource {
  const [row] = selectRowsOf(
    awsFixture("config.SelectResourceConfig.kms-key-customer-managed.http.real.json"),
  );
  return fromConfigItem({
    ...row,
    accountId: "111122223333",
    awsRegion: "us-east-1",
    resourceType: "AWS::KMS::Key",
    arn: CUSTOMER_KEY_ARN,
  });
}

/** The AWS-managed key rows (aws/s3 and friends) of the composed fixture. */
function awsManagedKeys(): CanonicalResource[] {
  return selectRowsOf(
    awsFixture(
      "config.SelectResourceConfig.kms-key-aws-managed-pending-deletion.http.composed.json",
    ),
  ).map((row) => fromConfigItem(row));
}

function withEncryption(document: Record<string, unknown>, rule: Record<string, unknown>) {
  const supplementary = document.supplementaryConfiguration as Record<string, unknown>;
  return {
    ...document,
    supplementaryConfiguration: {
      ...supplementary,
      ServerSideEncryptionConfiguration: { rules: [{ applyServerSideEncryptionByDefault: rule }] },
    },
  };
}

function judgeAzure(document: Record<string, unknown>) {
  return storageCmk.evaluate(fromArmDocument(document), contextWith());
}

function judgeBucket(document: Record<string, unknown>, resources: CanonicalResource[] = []) {
  return storageCmk.evaluate(
    fromConfigItem(document),
    contextWith({ resources, accounts: [completeAccount("aws", "111122223333")] }),
  );
}

describe("keys.storage-cmk on Azure storage accounts", () => {
  it("passes keySource Microsoft.Keyvault with the lower-case v Storage uses", () => {
    const verdict = judgeAzure(storageAccount("contosocmkstorage"));
    expect(verdict.status).toBe("pass");
    expect(verdict.evidence[0]).toEqual({
      path: "properties.encryption.keySource",
      actual: "Microsoft.Keyvault",
      expected: "Microsoft.Keyvault",
    });
    expect(verdict.evidence[1]?.path).toBe("properties.encryption.keyvaultproperties.keyvaulturi");
  });

  it("passes the spec account encrypted with a customer-managed key", () => {
    const [document] = armDocumentsOf(
      azureFixture("Microsoft.Storage_storageAccounts.get-cmk.arm.spec-2023-05-01.json"),
    );
    expect(judgeAzure(document ?? {}).status).toBe("pass");
  });

  it("passes keySource in any case", () => {
    const document = storageAccount("contosocmkstorage");
    const properties = document.properties as { encryption: Record<string, unknown> };
    const upper = {
      ...document,
      properties: {
        ...properties,
        encryption: { ...properties.encryption, keySource: "MICROSOFT.KEYVAULT" },
      },
    };
    expect(judgeAzure(upper).status).toBe("pass");
  });

  it("fails Microsoft-managed keys and names the value seen", () => {
    const verdict = judgeAzure(storageAccount("contosodevstorage"));
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toBe(
      'Microsoft.Storage/storageAccounts contosodevstorage is encrypted with Microsoft-managed keys (properties.encryption.keySource = "Microsoft.Storage"); expected Microsoft.Keyvault',
    );
  });

  it("fails an account without an encryption block, with no actual value in the evidence", () => {
    const document = storageAccount("contosodevstorage");
    const { encryption: _dropped, ...properties } = document.properties as Record<string, unknown>;
    const verdict = judgeAzure({ ...document, properties });
    expect(verdict.status).toBe("fail");
    expect(verdict.evidence).toEqual([
      { path: "properties.encryption.keySource", expected: "Microsoft.Keyvault" },
    ]);
  });

  it("reports an encryption block that is not an object as an error, not as absent", () => {
    const document = storageAccount("contosodevstorage");
    const properties = document.properties as Record<string, unknown>;
    for (const encryption of ["enabled", true, 42]) {
      const verdict = judgeAzure({ ...document, properties: { ...properties, encryption } });
      expect(verdict.status).toBe("error");
      expect(verdict.evidence[0]).toEqual({
        path: "properties.encryption.keySource",
        actual: encryption,
        expected: "Microsoft.Keyvault",
      });
    }
  });

  it("reports an unknown key source as an error naming it", () => {
    const document = storageAccount("contosodevstorage");
    const properties = document.properties as Record<string, unknown>;
    const verdict = judgeAzure({
      ...document,
      properties: { ...properties, encryption: { keySource: "Microsoft.ManagedHSM" } },
    });
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain('"Microsoft.ManagedHSM", a value this control does not know');
  });

  it("reports a document without properties as an error", () => {
    const { properties: _dropped, ...bare } = storageAccount("contosodevstorage");
    expect(judgeAzure(bare).status).toBe("error");
  });
});

describe("keys.storage-cmk on S3 buckets", () => {
  it("passes a bucket whose key ARN resolves to a CUSTOMER key", () => {
    const verdict = judgeBucket(bucket("contoso-cmk-bucket"), [customerKey()]);
    expect(verdict.status).toBe("pass");
    expect(verdict.evidence).toContainEqual({
      path: `${CUSTOMER_KEY_ARN}#configuration.keyManager`,
      actual: "CUSTOMER",
      expected: "CUSTOMER",
    });
  });

  it("gives the decoded BatchGet form of the bucket the same verdict as the Select form", () => {
    const batch = awsFixture("config.BatchGetResourceConfig.http.composed.json") as {
      response: { body: { baseConfigurationItems: Record<string, unknown>[] } };
    };
    const item = batch.response.body.baseConfigurationItems.find(
      (i) => i.resourceId === "contoso-cmk-bucket",
    );
    const verdict = judgeBucket(decodeBatchGetItem(item ?? {}), [customerKey()]);
    expect(verdict).toEqual(judgeBucket(bucket("contoso-cmk-bucket"), [customerKey()]));
  });

  it("passes a key named by id or by a customer alias", () => {
    const keyId = "1234abcd-12ab-34cd-56ef-1234567890ab";
    const alias = fromConfigItem({
      accountId: "111122223333",
      awsRegion: "us-east-1",
      resourceType: "AWS::KMS::Alias",
      resourceId: "alias/contoso-data",
      arn: "arn:aws:kms:us-east-1:111122223333:alias/contoso-data",
      configuration: { AliasName: "alias/contoso-data", TargetKeyId: keyId },
    });
    const base = bucket("contoso-cmk-bucket");
    const byId = withEncryption(base, { sseAlgorithm: "aws:kms", kmsMasterKeyID: keyId });
    const byAlias = withEncryption(base, {
      sseAlgorithm: "aws:kms",
      kmsMasterKeyID: "alias/contoso-data",
    });

    expect(judgeBucket(byId, [customerKey()]).status).toBe("pass");
    const verdict = judgeBucket(byAlias, [customerKey(), alias]);
    expect(verdict.status).toBe("pass");
    expect(verdict.message).toContain("through alias/contoso-data");
  });

  it("passes a customer alias named by its ARN, written in any case", () => {
    const alias = fromConfigItem({
      accountId: "111122223333",
      awsRegion: "us-east-1",
      resourceType: "AWS::KMS::Alias",
      resourceId: "alias/contoso-data",
      arn: "arn:aws:kms:us-east-1:111122223333:alias/contoso-data",
      configuration: {
        AliasName: "alias/contoso-data",
        TargetKeyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
      },
    });
    for (const reference of [
      "arn:aws:kms:us-east-1:111122223333:alias/contoso-data",
      "ARN:AWS:KMS:us-east-1:111122223333:ALIAS/CONTOSO-DATA",
    ]) {
      const document = withEncryption(bucket("contoso-cmk-bucket"), {
        sseAlgorithm: "aws:kms",
        kmsMasterKeyID: reference,
      });
      const verdict = judgeBucket(document, [customerKey(), alias]);
      expect(verdict.status, reference).toBe("pass");
    }
  });

  it("fails the AWS-managed key named by its alias name without looking it up", () => {
    const document = withEncryption(bucket("contoso-cmk-bucket"), {
      sseAlgorithm: "aws:kms",
      kmsMasterKeyID: "alias/aws/s3",
    });
    const verdict = judgeBucket(document);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("AWS-managed key alias/aws/s3");
  });

  it("reports a key in an account that was not scanned as an error saying so", () => {
    const document = withEncryption(bucket("contoso-cmk-bucket"), {
      sseAlgorithm: "aws:kms",
      kmsMasterKeyID: "arn:aws:kms:us-east-1:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    });
    const verdict = judgeBucket(document, [customerKey()]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("account 999988887777 region us-east-1 was not collected");
  });

  it("fails SSE-S3 (AES256)", () => {
    const verdict = judgeBucket(bucket("contoso-sse-s3-bucket"));
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain('S3-managed keys (sseAlgorithm "AES256")');
  });

  it("fails aws:kms without a key id, which is the AWS-managed aws/s3 key", () => {
    const verdict = judgeBucket(bucket("contoso-aws-managed-kms-bucket"));
    expect(verdict.status).toBe("fail");
    expect(verdict.evidence).toContainEqual({
      path: "supplementaryConfiguration.ServerSideEncryptionConfiguration.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyID",
      expected: "a customer-managed KMS key",
    });
  });

  it("fails the AWS-managed key named by its alias ARN without looking it up", () => {
    const document = withEncryption(bucket("contoso-cmk-bucket"), {
      sseAlgorithm: "aws:kms",
      kmsMasterKeyID: "arn:aws:kms:us-east-1:111122223333:alias/aws/s3",
    });
    const verdict = judgeBucket(document);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("AWS-managed key alias/aws/s3");
  });

  it("fails a key whose keyManager is AWS", () => {
    const [awsManaged] = awsManagedKeys();
    const document = withEncryption(bucket("contoso-cmk-bucket"), {
      sseAlgorithm: "aws:kms:dsse",
      kmsMasterKeyID: awsManaged?.id,
    });
    const verdict = judgeBucket(document, awsManagedKeys());
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain('(keyManager "AWS")');
  });

  it("reports a key that resolves to nothing as an error", () => {
    const verdict = judgeBucket(bucket("contoso-cmk-bucket"));
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      "resolves to nothing (no KMS key 1234abcd-12ab-34cd-56ef-1234567890ab",
    );
  });

  it("never resolves through a key item Config did not record, and names it", () => {
    const key = customerKey();
    const verdict = judgeBucket(bucket("contoso-cmk-bucket"), [notRecordedItem(key)]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      `which cannot be resolved: KMS key ${key.id} was not recorded by AWS Config (ResourceNotRecorded)`,
    );
  });

  it("never resolves through an alias item without configuration, and names it", () => {
    const key = customerKey();
    const alias = kmsAlias(key.account, key.region ?? "", "alias/contoso-data", key.name);
    const { configuration: _dropped, ...raw } = alias.raw;
    const verdict = judgeBucket(
      withEncryption(bucket("contoso-cmk-bucket"), {
        sseAlgorithm: "aws:kms",
        kmsMasterKeyID: alias.id,
      }),
      [key, { ...alias, raw }],
    );
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      `KMS alias ${alias.id} has no configuration in the collected document`,
    );
  });

  it("reports an unknown algorithm as an error naming it", () => {
    const document = withEncryption(bucket("contoso-cmk-bucket"), { sseAlgorithm: "aws:fsx" });
    const verdict = judgeBucket(document);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain('sseAlgorithm "aws:fsx", a value this control does not know');
  });

  it("fails a bucket with no default encryption rule recorded", () => {
    const document = bucket("contoso-cmk-bucket");
    const { ServerSideEncryptionConfiguration: _dropped, ...supplementary } =
      document.supplementaryConfiguration as Record<string, unknown>;
    const verdict = judgeBucket({ ...document, supplementaryConfiguration: supplementary });
    expect(verdict.status).toBe("fail");
    expect(verdict.evidence).toEqual([
      {
        path: "supplementaryConfiguration.ServerSideEncryptionConfiguration.rules",
        expected: "one rule with aws:kms and a customer-managed key",
      },
    ]);
  });

  it("reports a bucket without supplementaryConfiguration as an error", () => {
    const { supplementaryConfiguration: _dropped, ...bare } = bucket("contoso-cmk-bucket");
    const verdict = judgeBucket(bare);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("has no supplementaryConfiguration");
  });

  it("reports an item AWS Config did not record as an error", () => {
    const verdict = judgeBucket({
      ...bucket("contoso-cmk-bucket"),
      configurationItemStatus: "ResourceNotRecorded",
    });
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("ResourceNotRecorded");
  });
});
