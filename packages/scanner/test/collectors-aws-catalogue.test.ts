import { type CanonicalResource, readPath } from "@plumbline/rules";
import { afterEach, describe, expect, it } from "vitest";
import { collectAws } from "../src/collectors/index.js";
import {
  AWS_ACCOUNT,
  createEstate,
  createRecorder,
  type EmulatedClouds,
  readFixture,
  startClouds,
  type TemporaryEstate,
} from "./collectors-support.js";

type ConfigItem = Record<string, unknown> & { resourceType: string; resourceId: string };

const REGION = "eu-west-1";
const SECOND_ACCOUNT = "444455556666";
const aggregator = { name: "org-aggregator", account: "999988887777", region: REGION };

let estate: TemporaryEstate | undefined;
let clouds: EmulatedClouds | undefined;

afterEach(async () => {
  await clouds?.close();
  await estate?.remove();
  clouds = undefined;
  estate = undefined;
});

/** The rows of a recorded Select fixture, parsed. */
async function fixtureRows(file: string): Promise<ConfigItem[]> {
  const fixture = await readFixture<{ response: { body: { Results: string[] } } }>(`aws/${file}`);
  return fixture.response.body.Results.map((row) => JSON.parse(row) as ConfigItem);
}

/**
 * A configuration item as a full Select returns it: the given fields over the common ones,
 * moved into `account` and eu-west-1.
 */
function completeItem(item: ConfigItem, account = AWS_ACCOUNT): ConfigItem {
  const completed = {
    version: "1.3",
    accountId: AWS_ACCOUNT,
    configurationItemCaptureTime: "2026-11-02T08:15:00.000Z",
    configurationItemStatus: "OK",
    configurationStateId: "1790000000000",
    awsRegion: REGION,
    availabilityZone: "Regional",
    supplementaryConfiguration: {},
    tags: [],
    ...item,
  };
  const moved = JSON.stringify(completed)
    .replaceAll(AWS_ACCOUNT, account)
    .replaceAll(/us-east-[12]/g, REGION);
  return JSON.parse(moved) as ConfigItem;
}

const alias: ConfigItem = {
  resourceType: "AWS::KMS::Alias",
  resourceId: "alias/contoso-data",
  resourceName: "alias/contoso-data",
  arn: `arn:aws:kms:${REGION}:${AWS_ACCOUNT}:alias/contoso-data`,
  configuration: {
    AliasName: "alias/contoso-data",
    TargetKeyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
  },
};

const accountPublicAccessBlock: ConfigItem = {
  resourceType: "AWS::S3::AccountPublicAccessBlock",
  resourceId: AWS_ACCOUNT,
  resourceName: AWS_ACCOUNT,
  configuration: {
    blockPublicAcls: true,
    ignorePublicAcls: true,
    blockPublicPolicy: true,
    restrictPublicBuckets: false,
  },
};

const vpc: ConfigItem = {
  resourceType: "AWS::EC2::VPC",
  resourceId: "vpc-0a1b2c3d4e5f67890",
  arn: `arn:aws:ec2:${REGION}:${AWS_ACCOUNT}:vpc/vpc-0a1b2c3d4e5f67890`,
  configuration: {
    vpcId: "vpc-0a1b2c3d4e5f67890",
    cidrBlock: "10.20.0.0/16",
    state: { value: "available" },
    isDefault: false,
    ownerId: AWS_ACCOUNT,
    instanceTenancy: "default",
  },
};

const cluster: ConfigItem = {
  resourceType: "AWS::RDS::DBCluster",
  resourceId: "cluster-ABCDEFGHIJKLMNOPQRSTUVWXY0",
  resourceName: "contoso-ledger",
  arn: `arn:aws:rds:${REGION}:${AWS_ACCOUNT}:cluster:contoso-ledger`,
  configuration: {
    dbclusterIdentifier: "contoso-ledger",
    engine: "aurora-postgresql",
    storageEncrypted: true,
    kmsKeyId: `arn:aws:kms:${REGION}:${AWS_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    iamdatabaseAuthenticationEnabled: false,
    publiclyAccessible: null,
  },
};

const inferenceProfile: ConfigItem = {
  resourceType: "AWS::Bedrock::ApplicationInferenceProfile",
  resourceId: "p7x2k9q4m1z8",
  resourceName: "contoso-assistant",
  arn: `arn:aws:bedrock:${REGION}:${AWS_ACCOUNT}:application-inference-profile/p7x2k9q4m1z8`,
  availabilityZone: "Not Applicable",
  configuration: {
    InferenceProfileName: "contoso-assistant",
    InferenceProfileId: "p7x2k9q4m1z8",
    ModelSource: {
      CopyFrom: `arn:aws:bedrock:${REGION}:${AWS_ACCOUNT}:inference-profile/eu.anthropic.claude-3-5-sonnet-20240620-v1:0`,
    },
    Models: [
      {
        ModelArn:
          "arn:aws:bedrock:eu-central-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0",
      },
      {
        ModelArn: `arn:aws:bedrock:${REGION}::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0`,
      },
    ],
    Status: "ACTIVE",
    Type: "APPLICATION",
  },
};

const prompt: ConfigItem = {
  resourceType: "AWS::Bedrock::Prompt",
  resourceId: "PROMPT12345",
  resourceName: "contoso-summary",
  arn: `arn:aws:bedrock:${REGION}:${AWS_ACCOUNT}:prompt/PROMPT12345`,
  availabilityZone: "Not Applicable",
  configuration: {
    Id: "PROMPT12345",
    Name: "contoso-summary",
    CustomerEncryptionKeyArn: `arn:aws:kms:${REGION}:${AWS_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    DefaultVariant: "v1",
    Variants: [{ Name: "v1", TemplateType: "TEXT" }],
  },
};

/** Every type of the catalogue, in one account and region, from the fixtures where they exist. */
async function catalogueItems(account = AWS_ACCOUNT): Promise<Record<string, ConfigItem>> {
  const [customerKey] = await fixtureRows(
    "config.SelectResourceConfig.kms-key-customer-managed.http.real.json",
  );
  const [awsKey] = await fixtureRows(
    "config.SelectResourceConfig.kms-key-aws-managed-pending-deletion.http.composed.json",
  );
  const [endpoint] = await fixtureRows(
    "config.SelectResourceConfig.ec2-vpc-endpoint.http.composed.json",
  );
  const [unencryptedDb, encryptedDb] = await fixtureRows(
    "config.SelectResourceConfig.rds-dbinstance.http.derived.json",
  );
  const synthetic = await fixtureRows(
    "config.SelectResourceConfig.sagemaker-bedrock.http.synthetic.json",
  );
  const byType = (type: string) => synthetic.find((item) => item.resourceType === type);
  const notebook = byType("AWS::SageMaker::NotebookInstance");
  const guardrail = byType("AWS::Bedrock::Guardrail");
  const knowledgeBase = byType("AWS::Bedrock::KnowledgeBase");
  if (
    !customerKey ||
    !awsKey ||
    !endpoint ||
    !unencryptedDb ||
    !encryptedDb ||
    !notebook ||
    !guardrail ||
    !knowledgeBase
  ) {
    throw new Error("a fixture lacks the rows this estate is built from");
  }
  const keyArn = `arn:aws:kms:us-east-2:${AWS_ACCOUNT}:key/${customerKey.resourceId}`;
  const items: Record<string, ConfigItem> = {
    customerKey: { ...customerKey, resourceType: "AWS::KMS::Key", arn: keyArn },
    awsKey,
    alias,
    accountPublicAccessBlock,
    vpc,
    endpoint,
    unencryptedDb,
    encryptedDb,
    cluster,
    notebook,
    guardrail: { ...guardrail, availabilityZone: "Not Applicable" },
    knowledgeBase: { ...knowledgeBase, availabilityZone: "Not Applicable" },
    inferenceProfile,
    prompt,
  };
  return Object.fromEntries(
    Object.entries(items).map(([name, item]) => [name, completeItem(item, account)]),
  );
}

/** Items that record deleted resources, on the Select and on the discovered-list paths. */
function deletedItems(account = AWS_ACCOUNT): ConfigItem[] {
  return [
    completeItem(
      {
        resourceType: "AWS::S3::Bucket",
        resourceId: "contoso-deleted-bucket",
        resourceName: "contoso-deleted-bucket",
        arn: "arn:aws:s3:::contoso-deleted-bucket",
        configurationItemStatus: "ResourceDeleted",
        configuration: null,
        supplementaryConfiguration: {},
      },
      account,
    ),
    completeItem(
      {
        resourceType: "AWS::KMS::Key",
        resourceId: "0b1c2d3e-0000-4000-8000-0000000000dd",
        arn: `arn:aws:kms:${REGION}:${AWS_ACCOUNT}:key/0b1c2d3e-0000-4000-8000-0000000000dd`,
        configurationItemStatus: "ResourceDeletedNotRecorded",
      },
      account,
    ),
    completeItem(
      {
        resourceType: "AWS::Bedrock::Guardrail",
        resourceId: "deletedgr0001",
        resourceName: "contoso-deleted-guardrail",
        arn: `arn:aws:bedrock:${REGION}:${AWS_ACCOUNT}:guardrail/deletedgr0001`,
        configurationItemStatus: "ResourceDeleted",
        resourceDeletionTime: "2026-10-30T10:00:00.000Z",
      },
      account,
    ),
    completeItem(
      {
        resourceType: "AWS::Bedrock::Prompt",
        resourceId: "DELETEDPROMPT",
        resourceName: "contoso-deleted-prompt",
        arn: `arn:aws:bedrock:${REGION}:${AWS_ACCOUNT}:prompt/DELETEDPROMPT`,
        configurationItemStatus: "ResourceDeletedNotRecorded",
      },
      account,
    ),
  ];
}

/** Items of resources discovered but not recorded: no configuration. */
function notRecordedItems(account = AWS_ACCOUNT): ConfigItem[] {
  return [
    completeItem(
      {
        resourceType: "AWS::EC2::VPC",
        resourceId: "vpc-0notrecorded0000",
        arn: `arn:aws:ec2:${REGION}:${AWS_ACCOUNT}:vpc/vpc-0notrecorded0000`,
        configurationItemStatus: "ResourceNotRecorded",
      },
      account,
    ),
    completeItem(
      {
        resourceType: "AWS::Bedrock::KnowledgeBase",
        resourceId: "KBNOTRECORDED",
        resourceName: "contoso-unrecorded-kb",
        arn: `arn:aws:bedrock:${REGION}:${AWS_ACCOUNT}:knowledge-base/KBNOTRECORDED`,
        configurationItemStatus: "ResourceNotRecorded",
      },
      account,
    ),
  ];
}

/** The form a BatchGet item takes after decoding: a Select row without tags or relationships. */
function batchGetForm(item: ConfigItem): Record<string, unknown> {
  const { tags: _tags, relationships: _relationships, ...rest } = item;
  return rest;
}

function findByKey(resources: CanonicalResource[], key: string): CanonicalResource | undefined {
  return resources.find((resource) => resource.key === key);
}

/** The properties of a canonical resource the controls rely on, for one comparison. */
function describeResource(resource: CanonicalResource | undefined) {
  if (!resource) return undefined;
  const { type, key, account, region, name, references, parentKey } = resource;
  return { type, key, account, region, name, references, parentKey };
}

describe("collectAws over the types the control catalogue reads", () => {
  it("reads every Select type with its key, region, references and decoded values", async () => {
    estate = await createEstate();
    const items = await catalogueItems();
    await estate.write("aws/catalogue.json", Object.values(items));
    clouds = await startClouds(estate.dir);
    const recorder = createRecorder();

    const [collection] = await collectAws({
      clients: clouds.aws,
      accounts: [AWS_ACCOUNT],
      regions: [REGION],
      onResources: recorder.onResources,
    });

    expect(collection?.status).toBe("complete");
    expect(collection?.completeRegions).toEqual([REGION]);
    expect(collection?.resources).toBe(Object.keys(items).length);
    const resources = recorder.resources();
    const keyArn = `arn:aws:kms:${REGION}:${AWS_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const common = { account: AWS_ACCOUNT, region: REGION, parentKey: null };

    const customerKey = findByKey(resources, keyArn);
    expect(describeResource(customerKey)).toEqual({
      ...common,
      type: "AWS::KMS::Key",
      key: keyArn,
      name: "1234abcd-12ab-34cd-56ef-1234567890ab",
      references: [],
    });
    expect(customerKey?.raw.configuration).toMatchObject({
      keyManager: "CUSTOMER",
      keyState: "Enabled",
      keyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
    });
    // Select sends the key policy as JSON text; the canonical document holds it decoded.
    expect(customerKey?.raw.supplementaryConfiguration).toMatchObject({
      Policy: { Version: "2012-10-17", Id: "key-consolepolicy-3" },
      KeyRotationStatus: false,
    });
    expect(customerKey?.tags).toEqual({ Project: "Test" });

    const awsKey = findByKey(resources, String(items.awsKey?.arn));
    expect(awsKey?.type).toBe("AWS::KMS::Key");
    expect(awsKey?.raw.configuration).toMatchObject({ keyManager: "AWS", keyState: "Enabled" });

    expect(describeResource(findByKey(resources, String(alias.arn)))).toEqual({
      ...common,
      type: "AWS::KMS::Alias",
      key: alias.arn,
      name: "alias/contoso-data",
      references: [
        {
          kind: "key",
          target: "1234abcd-12ab-34cd-56ef-1234567890ab",
          path: "configuration.TargetKeyId",
        },
      ],
    });

    const block = findByKey(resources, `AWS::S3::AccountPublicAccessBlock/${AWS_ACCOUNT}`);
    expect(describeResource(block)).toEqual({
      ...common,
      type: "AWS::S3::AccountPublicAccessBlock",
      key: `AWS::S3::AccountPublicAccessBlock/${AWS_ACCOUNT}`,
      name: AWS_ACCOUNT,
      references: [],
    });
    expect(block?.raw.configuration).toEqual(accountPublicAccessBlock.configuration);

    const network = findByKey(resources, String(vpc.arn));
    expect(network?.type).toBe("AWS::EC2::VPC");
    expect(network?.raw).toEqual(items.vpc);
    expect(network?.raw.configuration).toMatchObject({ isDefault: false });

    const endpoint = findByKey(resources, String(items.endpoint?.arn));
    expect(describeResource(endpoint)).toEqual({
      ...common,
      type: "AWS::EC2::VPCEndpoint",
      key: `arn:aws:ec2:${REGION}:${AWS_ACCOUNT}:vpc-endpoint/vpce-0123456789abcdef0`,
      name: "vpce-0123456789abcdef0",
      references: [
        { kind: "virtual-network", target: "vpc-0a1b2c3d4e5f67890", path: "configuration.vpcId" },
      ],
    });
    expect(endpoint?.raw.configuration).toMatchObject({
      serviceName: `com.amazonaws.${REGION}.bedrock-runtime`,
      state: { value: "available" },
    });

    const unencrypted = findByKey(resources, String(items.unencryptedDb?.arn));
    expect(unencrypted?.type).toBe("AWS::RDS::DBInstance");
    expect(unencrypted?.name).toBe("contoso-db");
    expect(unencrypted?.references).toEqual([]);
    expect(unencrypted?.raw.configuration).toMatchObject({
      storageEncrypted: false,
      kmsKeyId: null,
      publiclyAccessible: expect.any(Boolean),
    });
    const encrypted = findByKey(resources, String(items.encryptedDb?.arn));
    expect(encrypted?.references).toEqual([
      {
        kind: "key",
        target: readPath(items.encryptedDb, "configuration.kmsKeyId"),
        path: "configuration.kmsKeyId",
      },
    ]);

    expect(describeResource(findByKey(resources, String(cluster.arn)))).toEqual({
      ...common,
      type: "AWS::RDS::DBCluster",
      key: cluster.arn,
      name: "contoso-ledger",
      references: [{ kind: "key", target: keyArn, path: "configuration.kmsKeyId" }],
    });

    const notebook = findByKey(resources, String(items.notebook?.arn));
    expect(describeResource(notebook)).toEqual({
      ...common,
      type: "AWS::SageMaker::NotebookInstance",
      key: `arn:aws:sagemaker:${REGION}:${AWS_ACCOUNT}:notebook-instance/contoso-notebook`,
      name: "contoso-notebook",
      references: [
        { kind: "key", target: keyArn, path: "configuration.KmsKeyId" },
        { kind: "subnet", target: "subnet-0000000000000000a", path: "configuration.SubnetId" },
      ],
    });
    expect(notebook?.raw.configuration).toMatchObject({ DirectInternetAccess: "Disabled" });

    const counts = clouds.emulator.requestCounts();
    expect(counts.SelectResourceConfig).toBe(1);
    // One list per Bedrock type, Prompt included.
    expect(counts.ListDiscoveredResources).toBe(4);
  });

  it("reads the four Bedrock types through ListDiscoveredResources and BatchGet into the Select form", async () => {
    estate = await createEstate();
    const items = await catalogueItems();
    await estate.write("aws/catalogue.json", Object.values(items));
    clouds = await startClouds(estate.dir);
    const recorder = createRecorder();

    await collectAws({
      clients: clouds.aws,
      accounts: [AWS_ACCOUNT],
      regions: [REGION],
      onResources: recorder.onResources,
    });

    const resources = recorder.resources();
    const keyArn = `arn:aws:kms:${REGION}:${AWS_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const expected = [
      [
        "guardrail",
        "AWS::Bedrock::Guardrail",
        [{ kind: "key", target: keyArn, path: "configuration.KmsKeyArn" }],
      ],
      ["knowledgeBase", "AWS::Bedrock::KnowledgeBase", []],
      ["inferenceProfile", "AWS::Bedrock::ApplicationInferenceProfile", []],
      ["prompt", "AWS::Bedrock::Prompt", []],
    ] as const;
    for (const [name, type, references] of expected) {
      const item = items[name];
      if (!item) throw new Error(`no ${name} item`);
      const resource = findByKey(resources, String(item.arn));
      expect(describeResource(resource)).toEqual({
        type,
        key: item.arn,
        account: AWS_ACCOUNT,
        region: REGION,
        name: item.resourceName,
        references,
        parentKey: null,
      });
      // BatchGet sends the configuration as JSON text; it arrives decoded, as Select has it.
      expect(resource?.raw).toEqual(batchGetForm(item));
    }
    const profile = findByKey(resources, String(inferenceProfile.arn));
    expect(profile?.raw.configuration).toMatchObject({
      ModelSource: { CopyFrom: expect.stringContaining(":inference-profile/eu.") },
      Models: [
        { ModelArn: expect.stringContaining("eu-central-1::foundation-model/") },
        { ModelArn: expect.stringContaining(`${REGION}::foundation-model/`) },
      ],
    });
    expect(clouds.emulator.requestCounts().BatchGetResourceConfig).toBe(4);
  });

  it("reads the same types through the aggregator, Bedrock through the aggregate batch reads", async () => {
    estate = await createEstate();
    const items = await catalogueItems(SECOND_ACCOUNT);
    await estate.write("aws/catalogue.json", Object.values(items));
    clouds = await startClouds(estate.dir, {
      accounts: { aws: [aggregator.account] },
      aws: { aggregator, accounts: {} },
    });
    const recorder = createRecorder();

    const [collection] = await collectAws({
      clients: clouds.aws,
      accounts: [SECOND_ACCOUNT],
      regions: [REGION],
      aggregator,
      onResources: recorder.onResources,
    });

    expect(collection?.status).toBe("complete");
    expect(collection?.completeRegions).toEqual([REGION]);
    expect(collection?.resources).toBe(Object.keys(items).length);
    const resources = recorder.resources();
    for (const item of Object.values(items)) {
      const key =
        typeof item.arn === "string" ? item.arn : `${item.resourceType}/${item.resourceId}`;
      const resource = findByKey(resources, key);
      expect(resource?.type).toBe(item.resourceType);
      expect(resource?.account).toBe(SECOND_ACCOUNT);
      expect(resource?.region).toBe(REGION);
      if (item.resourceType.startsWith("AWS::Bedrock::")) {
        expect(resource?.raw).toEqual(batchGetForm(item));
      }
    }
    const prompt = findByKey(resources, String(items.prompt?.arn));
    expect(prompt?.raw.configuration).toMatchObject({ DefaultVariant: "v1" });
    const counts = clouds.emulator.requestCounts();
    expect(counts.ListAggregateDiscoveredResources).toBe(4);
    expect(counts.BatchGetAggregateResourceConfig).toBe(4);
    expect(counts.SelectResourceConfig).toBeUndefined();
  });

  it("leaves deleted items out on every path and keeps items not recorded", async () => {
    estate = await createEstate();
    await estate.write("aws/first.json", [...deletedItems(), ...notRecordedItems()]);
    await estate.write("aws/second.json", [
      ...deletedItems(SECOND_ACCOUNT),
      ...notRecordedItems(SECOND_ACCOUNT),
    ]);
    clouds = await startClouds(estate.dir, {
      accounts: { aws: [aggregator.account] },
      aws: { aggregator, accounts: {} },
    });
    const perAccount = createRecorder();
    const aggregated = createRecorder();

    const [direct] = await collectAws({
      clients: clouds.aws,
      accounts: [AWS_ACCOUNT],
      regions: [REGION],
      onResources: perAccount.onResources,
    });
    const [throughAggregator] = await collectAws({
      clients: clouds.aws,
      accounts: [SECOND_ACCOUNT],
      regions: [REGION],
      aggregator,
      onResources: aggregated.onResources,
    });

    for (const [collection, recorder, account] of [
      [direct, perAccount, AWS_ACCOUNT],
      [throughAggregator, aggregated, SECOND_ACCOUNT],
    ] as const) {
      expect(collection?.status).toBe("complete");
      expect(collection?.resources).toBe(2);
      const kept = recorder.resources();
      expect(kept.map((resource) => [resource.type, resource.raw.configurationItemStatus])).toEqual(
        [
          ["AWS::EC2::VPC", "ResourceNotRecorded"],
          ["AWS::Bedrock::KnowledgeBase", "ResourceNotRecorded"],
        ],
      );
      expect(kept.every((resource) => resource.account === account)).toBe(true);
      expect(kept.every((resource) => resource.raw.configuration === undefined)).toBe(true);
    }
    // The deleted Bedrock items are never asked for in a batch read.
    const counts = clouds.emulator.requestCounts();
    expect(counts.BatchGetResourceConfig).toBe(1);
    expect(counts.BatchGetAggregateResourceConfig).toBe(1);
  });
});
