import { describe, expect, it } from "vitest";
import { completeAccount, contextWith, partialAccount } from "../../../test/support/evaluation.js";
import {
  armDocumentsOf,
  awsFixture,
  azureFixture,
  selectRowsOf,
} from "../../../test/support/fixtures.js";
import { fromArmDocument } from "../../canonical/from-arm-document.js";
import { fromConfigItem } from "../../canonical/from-config-item.js";
import type { AccountCollection, CanonicalResource } from "../../model.js";
import { publicAccessDisabled } from "./public-access-disabled.js";

function named(fileName: string, name?: string): Record<string, unknown> {
  const documents = armDocumentsOf(azureFixture(fileName));
  const document = name === undefined ? documents[0] : documents.find((d) => d.name === name);
  if (document === undefined) throw new Error(`no ${name ?? "document"} in ${fileName}`);
  return document;
}

function withProperties(document: Record<string, unknown>, changes: Record<string, unknown>) {
  return { ...document, properties: { ...(document.properties as object), ...changes } };
}

function judge(document: Record<string, unknown>) {
  return publicAccessDisabled.evaluate(fromArmDocument(document), contextWith());
}

const buckets = selectRowsOf(
  awsFixture("config.SelectResourceConfig.s3-bucket-sse-kms-pab.http.composed.json"),
);

function bucket(name: string): Record<string, unknown> {
  const row = buckets.find((b) => b.resourceId === name);
  if (row === undefined) throw new Error(`no bucket ${name}`);
  return row;
}

function accountBlock(flags: Record<string, boolean>): CanonicalResource {
  return fromConfigItem({
    accountId: "111122223333",
    awsRegion: "us-east-1",
    resourceType: "AWS::S3::AccountPublicAccessBlock",
    resourceId: "111122223333",
    configuration: flags,
  });
}

/** The account-level block as Config lists it when it did not record it, or without its flags. */
function unreadableAccountBlock(kind: "not-recorded" | "no-configuration"): CanonicalResource {
  return fromConfigItem({
    accountId: "111122223333",
    awsRegion: "us-east-1",
    resourceType: "AWS::S3::AccountPublicAccessBlock",
    resourceId: "111122223333",
    configurationItemStatus: kind === "not-recorded" ? "ResourceNotRecorded" : "OK",
  });
}

function withBucketBlock(
  document: Record<string, unknown>,
  flags: Record<string, unknown>,
): Record<string, unknown> {
  const supplementary = document.supplementaryConfiguration as Record<string, unknown>;
  return {
    ...document,
    supplementaryConfiguration: { ...supplementary, PublicAccessBlockConfiguration: flags },
  };
}

function judgeBucket(
  document: Record<string, unknown>,
  resources: CanonicalResource[] = [],
  accounts: AccountCollection[] = [completeAccount("aws", "111122223333")],
) {
  return publicAccessDisabled.evaluate(
    fromConfigItem(document),
    contextWith({ resources, accounts }),
  );
}

const ALL_ON = {
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
};

describe("network.public-access-disabled on Azure", () => {
  it("passes Disabled however many firewall rules remain", () => {
    const verdict = judge(
      named("Microsoft.CognitiveServices_accounts.OpenAI-locked-down.arm.composed.json"),
    );
    expect(verdict.status).toBe("pass");
    expect(verdict.evidence).toEqual([
      { path: "properties.publicNetworkAccess", actual: "Disabled", expected: "Disabled" },
    ]);
  });

  it("passes the lower-case disabled that Search sends", () => {
    const verdict = judge(
      named("Microsoft.Search_searchServices.public-disabled.arm.spec-2025-05-01.json"),
    );
    expect(verdict.status).toBe("pass");
  });

  it("fails the lower-case enabled that Search sends", () => {
    const verdict = judge(
      named("Microsoft.Search_searchServices.cmk-enforced.arm.spec-2025-05-01.json"),
    );
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain('properties.publicNetworkAccess "enabled"');
  });

  it("fails a vault without publicNetworkAccess, which means Enabled", () => {
    const verdict = judge(named("Microsoft.KeyVault_vaults.list.arm.real.json", "Kv-Contoso-Cmk"));
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain(
      "properties.publicNetworkAccess absent (absent means Enabled)",
    );
    expect(verdict.evidence[0]).toEqual({
      path: "properties.publicNetworkAccess",
      expected: "Disabled",
    });
  });

  it("fails Enabled with a Deny default action and says the endpoint stays open to the IP rules", () => {
    const document = withProperties(
      named("Microsoft.CognitiveServices_accounts.OpenAI-locked-down.arm.composed.json"),
      { publicNetworkAccess: "Enabled" },
    );
    const verdict = judge(document);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain(
      "the public endpoint stays open to the 1 IP range(s) in properties.networkAcls.ipRules",
    );
    expect(verdict.evidence).toContainEqual({
      path: "properties.networkAcls.defaultAction",
      actual: "Deny",
      expected: "not relied on",
    });
  });

  it("fails a storage account that relies on a Deny firewall without the switch", () => {
    const verdict = judge(
      named("Microsoft.Storage_storageAccounts.list.arm.real.json", "contosodenystore"),
    );
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain(
      'stays reachable although properties.networkAcls.defaultAction is "Deny"',
    );
  });

  it("reads the switch under network on PostgreSQL", () => {
    const servers = "Microsoft.DBforPostgreSQL_flexibleServers.list.arm.real.json";
    expect(judge(named(servers, "pg-contoso-private")).status).toBe("pass");
    const open = judge(named(servers, "pg-contoso-public"));
    expect(open.status).toBe("fail");
    expect(open.evidence).toEqual([
      { path: "properties.network.publicNetworkAccess", actual: "Enabled", expected: "Disabled" },
    ]);
  });

  it("fails a PostgreSQL server that has a private endpoint but a public switch on", () => {
    const verdict = judge(
      named(
        "Microsoft.DBforPostgreSQL_flexibleServers.get-privateendpoint.arm.spec-2024-08-01.json",
      ),
    );
    expect(verdict.status).toBe("fail");
  });

  it("reports SecuredByPerimeter as an error until the catalogue documents it", () => {
    const document = withProperties(
      named("Microsoft.KeyVault_vaults.get.arm.spec-2023-07-01.json"),
      {
        publicNetworkAccess: "SecuredByPerimeter",
      },
    );
    const verdict = judge(document);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain('"SecuredByPerimeter", a value this control does not know');
  });
});

describe("network.public-access-disabled on S3 buckets", () => {
  it("passes a bucket with all four bucket-level flags", () => {
    const verdict = judgeBucket(bucket("contoso-cmk-bucket"));
    expect(verdict.status).toBe("pass");
    expect(verdict.evidence).toContainEqual({
      path: "supplementaryConfiguration.PublicAccessBlockConfiguration.restrictPublicBuckets",
      actual: true,
      expected: true,
    });
  });

  it("passes a bucket covered by the account-level block, and shows both levels", () => {
    const verdict = judgeBucket(bucket("contoso-sse-s3-bucket"), [accountBlock(ALL_ON)]);
    expect(verdict.status).toBe("pass");
    expect(verdict.evidence).toContainEqual({
      path: "AWS::S3::AccountPublicAccessBlock/111122223333#configuration.blockPublicAcls",
      actual: true,
      expected: true,
    });
    expect(verdict.evidence).toContainEqual({
      path: "supplementaryConfiguration.PublicAccessBlockConfiguration.blockPublicAcls",
      expected: true,
    });
  });

  it("combines the two levels flag by flag", () => {
    const verdict = judgeBucket(bucket("contoso-aws-managed-kms-bucket"), [
      accountBlock({ blockPublicAcls: true, ignorePublicAcls: false }),
    ]);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("ignorePublicAcls is not true on the bucket or its account");

    const covered = judgeBucket(bucket("contoso-aws-managed-kms-bucket"), [
      accountBlock({ blockPublicAcls: true, ignorePublicAcls: true }),
    ]);
    expect(covered.status).toBe("pass");
  });

  it("fails a bucket without any block when the account was collected completely", () => {
    const verdict = judgeBucket(bucket("contoso-sse-s3-bucket"));
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("the account has no account-level block");
  });

  it("reports an error naming the account when the account was not collected completely", () => {
    const verdict = judgeBucket(
      bucket("contoso-sse-s3-bucket"),
      [],
      [partialAccount("aws", "111122223333", ["eu-west-1"])],
    );
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("account 111122223333");

    const regionComplete = judgeBucket(
      bucket("contoso-sse-s3-bucket"),
      [],
      [partialAccount("aws", "111122223333", ["us-east-1"])],
    );
    expect(regionComplete.status).toBe("fail");
  });

  it("reports a flag that is not a boolean as an error", () => {
    const document = bucket("contoso-cmk-bucket");
    const supplementary = document.supplementaryConfiguration as Record<string, unknown>;
    const verdict = judgeBucket({
      ...document,
      supplementaryConfiguration: {
        ...supplementary,
        PublicAccessBlockConfiguration: { ...ALL_ON, blockPublicPolicy: "TRUE" },
      },
    });
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain('blockPublicPolicy = "TRUE", which is not a boolean');
  });

  it("reports a bucket without supplementaryConfiguration as an error", () => {
    const { supplementaryConfiguration: _dropped, ...bare } = bucket("contoso-cmk-bucket");
    expect(judgeBucket(bare).status).toBe("error");
  });

  it("reports an error naming the account-level block when Config did not record it", () => {
    const verdict = judgeBucket(bucket("contoso-sse-s3-bucket"), [
      unreadableAccountBlock("not-recorded"),
    ]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toBe(
      "AWS::S3::Bucket contoso-sse-s3-bucket lacks bucket-level blockPublicAcls, ignorePublicAcls, blockPublicPolicy, restrictPublicBuckets, and the account-level public-access block AWS::S3::AccountPublicAccessBlock/111122223333 of account 111122223333 was not recorded by AWS Config (ResourceNotRecorded), so whether the account blocks public access is unknown; expected all four flags true",
    );
    expect(verdict.evidence).toContainEqual({
      path: "AWS::S3::AccountPublicAccessBlock/111122223333#configurationItemStatus",
      actual: "ResourceNotRecorded",
      expected: "OK or ResourceDiscovered",
    });
  });

  it("reports an error when the account-level block has no configuration", () => {
    const verdict = judgeBucket(bucket("contoso-aws-managed-kms-bucket"), [
      unreadableAccountBlock("no-configuration"),
    ]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      "AWS::S3::AccountPublicAccessBlock/111122223333 of account 111122223333 has no " +
        "configuration in the collected document",
    );
  });

  it("passes a bucket whose own flags block public access, whatever the account-level block", () => {
    const verdict = judgeBucket(bucket("contoso-cmk-bucket"), [
      unreadableAccountBlock("not-recorded"),
    ]);
    expect(verdict.status).toBe("pass");
  });

  it("prefers a readable account-level block to one Config did not record", () => {
    const verdict = judgeBucket(bucket("contoso-sse-s3-bucket"), [
      accountBlock(ALL_ON),
      unreadableAccountBlock("not-recorded"),
    ]);
    expect(verdict.status).toBe("pass");
  });

  it("treats an empty flag as absent on the bucket and on the account", () => {
    const emptyOnBucket = judgeBucket(
      withBucketBlock(bucket("contoso-cmk-bucket"), { ...ALL_ON, blockPublicPolicy: "" }),
    );
    expect(emptyOnBucket.status).toBe("fail");
    expect(emptyOnBucket.message).toContain("blockPublicPolicy is not true on the bucket");

    const coveredByAccount = judgeBucket(
      withBucketBlock(bucket("contoso-cmk-bucket"), { ...ALL_ON, blockPublicPolicy: "" }),
      [accountBlock(ALL_ON)],
    );
    expect(coveredByAccount.status).toBe("pass");

    const emptyOnAccount = judgeBucket(bucket("contoso-sse-s3-bucket"), [
      fromConfigItem({
        accountId: "111122223333",
        awsRegion: "us-east-1",
        resourceType: "AWS::S3::AccountPublicAccessBlock",
        resourceId: "111122223333",
        configuration: { ...ALL_ON, restrictPublicBuckets: "" },
      }),
    ]);
    expect(emptyOnAccount.status).toBe("fail");
    expect(emptyOnAccount.message).toContain(
      "restrictPublicBuckets is not true on the bucket or its account",
    );
  });
});

describe("network.public-access-disabled on RDS and SageMaker", () => {
  const rds = selectRowsOf(
    awsFixture("config.SelectResourceConfig.rds-dbinstance.http.derived.json"),
  );
  const notebook = selectRowsOf(
    awsFixture("config.SelectResourceConfig.sagemaker-bedrock.http.synthetic.json"),
  ).find((row) => row.resourceType === "AWS::SageMaker::NotebookInstance");

  function judgeItem(item: Record<string, unknown>) {
    return publicAccessDisabled.evaluate(fromConfigItem(item), contextWith());
  }

  it("fails a publicly accessible instance and passes a private one", () => {
    expect(judgeItem(rds[0] ?? {}).status).toBe("fail");
    const verdict = judgeItem(rds[1] ?? {});
    expect(verdict.status).toBe("pass");
    expect(verdict.evidence).toEqual([
      { path: "configuration.publiclyAccessible", actual: false, expected: false },
    ]);
  });

  it("fails an instance whose publiclyAccessible is empty, as absent", () => {
    const row = rds[1] ?? {};
    const verdict = judgeItem({
      ...row,
      configuration: { ...(row.configuration as object), publiclyAccessible: "" },
    });
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain(
      'configuration.publiclyAccessible "", which defaults to the insecure setting',
    );
  });

  const cluster = (configuration: Record<string, unknown>) => ({
    version: "1.3",
    accountId: "111122223333",
    configurationItemStatus: "OK",
    resourceType: "AWS::RDS::DBCluster",
    resourceId: "cluster-CONTOSOMAZ0000000000000000",
    resourceName: "contoso-maz",
    arn: "arn:aws:rds:us-east-1:111122223333:cluster:contoso-maz",
    awsRegion: "us-east-1",
    configuration: {
      dbclusterIdentifier: "contoso-maz",
      engine: "postgres",
      multiAZ: true,
      storageEncrypted: true,
      ...configuration,
    },
    supplementaryConfiguration: {},
  });

  it("gives a DB cluster a row: publicly accessible fails, private passes", () => {
    const open = judgeItem(cluster({ publiclyAccessible: true }));
    expect(open.status).toBe("fail");
    expect(open.message).toBe(
      "AWS::RDS::DBCluster contoso-maz has configuration.publiclyAccessible true; expected false",
    );
    const closed = judgeItem(cluster({ publiclyAccessible: false }));
    expect(closed.status).toBe("pass");
    expect(closed.evidence).toEqual([
      { path: "configuration.publiclyAccessible", actual: false, expected: false },
    ]);
    expect(publicAccessDisabled.resourceTypes).toContain("AWS::RDS::DBCluster");
  });

  it("is not applicable to an Aurora cluster without publiclyAccessible, missing, null or empty", () => {
    for (const configuration of [
      { engine: "aurora-postgresql" },
      { engine: "aurora-postgresql", publiclyAccessible: null },
      { engine: "aurora-postgresql", publiclyAccessible: "" },
    ]) {
      const verdict = judgeItem(cluster(configuration));
      expect(verdict.status).toBe("not-applicable");
      expect(verdict.message).toContain(
        "an Aurora cluster sets public accessibility per DB instance, and each instance is " +
          "judged on its own row",
      );
    }
  });

  it("reports a cluster flag that is not a boolean as an error", () => {
    const verdict = judgeItem(cluster({ publiclyAccessible: "yes" }));
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain('"yes", which is not a boolean');
  });

  it("passes a notebook without direct internet access", () => {
    expect(judgeItem(notebook ?? {}).status).toBe("pass");
  });

  it("fails a notebook with direct internet access enabled or absent", () => {
    const configuration = notebook?.configuration as Record<string, unknown>;
    expect(
      judgeItem({
        ...notebook,
        configuration: { ...configuration, DirectInternetAccess: "Enabled" },
      }).status,
    ).toBe("fail");
    const { DirectInternetAccess: _dropped, ...rest } = configuration;
    const absent = judgeItem({ ...notebook, configuration: rest });
    expect(absent.status).toBe("fail");
    expect(absent.message).toContain("(absent means Enabled)");
  });

  it("reports an unknown notebook setting as an error", () => {
    const configuration = notebook?.configuration as Record<string, unknown>;
    const verdict = judgeItem({
      ...notebook,
      configuration: { ...configuration, DirectInternetAccess: "Sometimes" },
    });
    expect(verdict.status).toBe("error");
  });
});
