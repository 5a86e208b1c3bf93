import { describe, expect, it } from "vitest";
import { awsFixture, readTestData, selectRowsOf } from "../../test/support/fixtures.js";
import { decodeBatchGetItem, fromConfigItem, isInventoried } from "./from-config-item.js";

function batchItems(): Record<string, unknown>[] {
  const fixture = awsFixture("config.BatchGetResourceConfig.http.composed.json") as {
    response: { body: { baseConfigurationItems: Record<string, unknown>[] } };
  };
  return fixture.response.body.baseConfigurationItems;
}

function batchItem(resourceType: string): Record<string, unknown> {
  const item = batchItems().find((i) => i.resourceType === resourceType);
  if (item === undefined) throw new Error(`no ${resourceType} item`);
  return item;
}

describe("decodeBatchGetItem", () => {
  it("decodes configuration and supplementary values so BatchGet and Select agree", () => {
    const fromBatch = fromConfigItem(decodeBatchGetItem(batchItem("AWS::S3::Bucket")));
    const selectRow = selectRowsOf(
      awsFixture("config.SelectResourceConfig.s3-bucket-sse-kms-pab.http.composed.json"),
    ).find((row) => row.resourceId === "contoso-cmk-bucket");
    if (selectRow === undefined) throw new Error("no contoso-cmk-bucket row");
    const fromSelect = fromConfigItem(selectRow);

    expect(fromBatch.raw.configuration).toEqual(fromSelect.raw.configuration);
    expect(fromBatch.raw.supplementaryConfiguration).toEqual(
      fromSelect.raw.supplementaryConfiguration,
    );
    expect(fromBatch.references).toEqual(fromSelect.references);
    expect(fromBatch.key).toBe("arn:aws:s3:::contoso-cmk-bucket");
  });

  it("decodes the double-encoded S3 access control list into an object", () => {
    const item = decodeBatchGetItem(batchItem("AWS::S3::Bucket"));
    const supplementary = item.supplementaryConfiguration as Record<string, unknown>;

    expect(supplementary.AccessControlList).toMatchObject({
      grantList: [{ permission: "FullControl" }],
      isRequesterCharged: false,
    });
    expect(supplementary.IsRequesterPaysEnabled).toBe(false);
    expect(supplementary.PublicAccessBlockConfiguration).toEqual({
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    });
  });

  it("decodes a history item's string configuration the same way", () => {
    const item = readTestData(
      "fixtures/aws/config.ConfigurationItem.s3-bucket.history-api.real.json",
    ) as Record<string, unknown>;
    const resource = fromConfigItem(item);
    const supplementary = resource.raw.supplementaryConfiguration as Record<string, unknown>;

    expect(resource.raw.configuration).toMatchObject({ name: "contoso-legacy-bucket" });
    expect(supplementary.AccessControlList).toMatchObject({ grantSet: null });
    expect(supplementary.BucketVersioningConfiguration).toEqual({
      status: "Off",
      isMfaDeleteEnabled: null,
    });
    expect(resource.tags).toEqual({ Environment: "prod", Team: "platform" });
  });

  it("leaves an already decoded item unchanged in content", () => {
    const once = decodeBatchGetItem(batchItem("AWS::RDS::DBInstance"));
    expect(decodeBatchGetItem(once)).toEqual(once);
    expect(once.configuration).toMatchObject({ storageEncrypted: false, kmsKeyId: null });
  });
});

describe("fromConfigItem", () => {
  it("uses the ARN as key and id, the account id and the canonical region", () => {
    const [row] = selectRowsOf(
      awsFixture("config.SelectResourceConfig.rds-dbinstance.http.derived.json"),
    );
    if (row === undefined) throw new Error("no row");
    const resource = fromConfigItem(row);

    expect(resource.provider).toBe("aws");
    expect(resource.key).toBe("arn:aws:rds:us-east-1:111122223333:db:contoso-db");
    expect(resource.id).toBe(resource.key);
    expect(resource.account).toBe("111122223333");
    expect(resource.region).toBe("us-east-1");
    expect(resource.type).toBe("AWS::RDS::DBInstance");
    expect(resource.name).toBe("contoso-db");
    expect(resource.tags).toEqual({ "workload-type": "other" });
    expect(resource.references).toEqual([]);
  });

  it("records the RDS key ARN as a key reference when the instance is encrypted", () => {
    const rows = selectRowsOf(
      awsFixture("config.SelectResourceConfig.rds-dbinstance.http.derived.json"),
    );
    const encrypted = fromConfigItem(rows[1] ?? {});
    expect(encrypted.references).toEqual([
      {
        kind: "key",
        target: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        path: "configuration.kmsKeyId",
      },
    ]);
  });

  it("keys an item without an ARN by its type and resource id", () => {
    const resource = fromConfigItem({
      accountId: "111122223333",
      awsRegion: "eu-west-1",
      resourceType: "AWS::S3::AccountPublicAccessBlock",
      resourceId: "111122223333",
      configuration: { blockPublicAcls: true },
    });
    expect(resource.key).toBe("AWS::S3::AccountPublicAccessBlock/111122223333");
    expect(resource.name).toBe("111122223333");
  });

  it("makes a firewall's logging configuration a child of the firewall it names", () => {
    const firewallArn = "arn:aws:network-firewall:eu-west-1:111122223333:firewall/nfw-egress";
    const logging = (configuration: Record<string, unknown>, resourceId: string) =>
      fromConfigItem({
        accountId: "111122223333",
        awsRegion: "eu-west-1",
        resourceType: "AWS::NetworkFirewall::LoggingConfiguration",
        resourceId,
        configuration,
      });
    expect(logging({ FirewallArn: firewallArn }, "nfw-egress").parentKey).toBe(firewallArn);
    expect(logging({}, firewallArn).parentKey).toBe(firewallArn);
    expect(logging({ FirewallArn: firewallArn }, firewallArn).key).toBe(
      `AWS::NetworkFirewall::LoggingConfiguration/${firewallArn}`,
    );
  });

  it("reads SageMaker and Bedrock key references under their CloudFormation names", () => {
    const rows = selectRowsOf(
      awsFixture("config.SelectResourceConfig.sagemaker-bedrock.http.synthetic.json"),
    ).map((row) => fromConfigItem(row));
    const notebook = rows.find((r) => r.type === "AWS::SageMaker::NotebookInstance");
    const guardrail = rows.find((r) => r.type === "AWS::Bedrock::Guardrail");
    const keyArn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    expect(notebook?.references).toContainEqual({
      kind: "key",
      target: keyArn,
      path: "configuration.KmsKeyId",
    });
    expect(guardrail?.references).toEqual([
      { kind: "key", target: keyArn, path: "configuration.KmsKeyArn" },
    ]);
  });

  it("reads the S3 default-encryption key id and KMS tags written as tagKey and tagValue", () => {
    const buckets = selectRowsOf(
      awsFixture("config.SelectResourceConfig.s3-bucket-sse-kms-pab.http.composed.json"),
    ).map((row) => fromConfigItem(row));
    expect(buckets[0]?.references).toEqual([
      {
        kind: "key",
        target: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        path: "supplementaryConfiguration.ServerSideEncryptionConfiguration.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyID",
      },
    ]);
    expect(buckets[1]?.references).toEqual([]);

    const [key] = selectRowsOf(
      awsFixture("config.SelectResourceConfig.kms-key-customer-managed.http.real.json"),
    ).map((row) =>
      fromConfigItem({ ...row, accountId: "111122223333", resourceType: "AWS::KMS::Key" }),
    );
    expect(key?.tags).toEqual({ Project: "Test" });
    expect(key?.key).toBe("AWS::KMS::Key/1234abcd-12ab-34cd-56ef-1234567890ab");
  });

  it("reads tags from a key-value array and from a map alike", () => {
    const base = {
      accountId: "111122223333",
      awsRegion: "eu-west-1",
      resourceType: "AWS::S3::Bucket",
      resourceId: "b",
    };
    expect(fromConfigItem({ ...base, tags: [{ key: "team", value: "ai" }] }).tags).toEqual({
      team: "ai",
    });
    expect(fromConfigItem({ ...base, tags: { team: "ai" } }).tags).toEqual({ team: "ai" });
  });

  it("recognises global items and keeps the item status in raw", () => {
    const role = fromConfigItem({
      accountId: "111122223333",
      awsRegion: "global",
      resourceType: "AWS::IAM::Role",
      resourceId: "AROAEXAMPLE",
      arn: "arn:aws:iam::111122223333:role/r",
      configurationItemStatus: "ResourceDiscovered",
      configuration: {},
    });
    expect(role.region).toBe("global");
    expect(role.raw.configurationItemStatus).toBe("ResourceDiscovered");
    expect(isInventoried(role)).toBe(true);
  });

  it("marks deleted items as not inventoried, and not-recorded ones as inventoried", () => {
    const base = {
      accountId: "111122223333",
      awsRegion: "eu-west-1",
      resourceType: "AWS::S3::Bucket",
      resourceId: "gone",
    };
    expect(
      isInventoried(fromConfigItem({ ...base, configurationItemStatus: "ResourceDeleted" })),
    ).toBe(false);
    expect(
      isInventoried(
        fromConfigItem({ ...base, configurationItemStatus: "ResourceDeletedNotRecorded" }),
      ),
    ).toBe(false);
    expect(
      isInventoried(fromConfigItem({ ...base, configurationItemStatus: "ResourceNotRecorded" })),
    ).toBe(true);
  });

  it("converts every item of the Select, aggregate and BatchGet fixtures", () => {
    const files = [
      "config.SelectResourceConfig.ec2-security-group.http.real.json",
      "config.SelectResourceConfig.ec2-vpc-endpoint.http.composed.json",
      "config.SelectResourceConfig.kms-key-aws-managed-pending-deletion.http.composed.json",
      "config.SelectAggregateResourceConfig.http.composed.json",
    ];
    for (const file of files) {
      for (const row of selectRowsOf(awsFixture(file))) {
        if (row.accountId === undefined || row.resourceType === undefined) continue;
        const resource = fromConfigItem(row);
        expect(resource.account).toBe(row.accountId);
        expect(resource.type).toBe(row.resourceType);
      }
    }
    for (const item of batchItems()) {
      const resource = fromConfigItem(decodeBatchGetItem(item));
      expect(typeof resource.raw.configuration).toBe("object");
    }
  });

  it("rejects an item without a resource type", () => {
    expect(() => fromConfigItem({ accountId: "111122223333", resourceId: "x" })).toThrow(
      "configuration item has no resourceType or resourceId",
    );
  });
});
