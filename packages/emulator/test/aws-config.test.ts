import {
  type BaseConfigurationItem,
  BatchGetAggregateResourceConfigCommand,
  BatchGetResourceConfigCommand,
  ListAggregateDiscoveredResourcesCommand,
  ListDiscoveredResourcesCommand,
  paginateListDiscoveredResources,
  paginateSelectResourceConfig,
  type ResourceType,
  SelectAggregateResourceConfigCommand,
  SelectResourceConfigCommand,
} from "@aws-sdk/client-config-service";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type EstateSettings, type RunningEmulator, startEmulator } from "../src/index.js";
import { captureError, createConfigClient, parseRows, sortRows } from "./support/aws-clients.js";
import {
  type Json,
  type RecordedCall,
  readFixture,
  readSelectRows,
  removeEstates,
  writeEstate,
} from "./support/estate-files.js";

const account = "111122223333";
const otherAccount = "444455556666";
const aggregatorAccount = "999988887777";

let emulator: RunningEmulator | undefined;

async function serve(items: Json[], settings: EstateSettings = {}): Promise<RunningEmulator> {
  const estateDir = await writeEstate({ "aws/items.json": items });
  emulator = await startEmulator({ estateDir, settings });
  return emulator;
}

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});
afterAll(removeEstates);

/** The region named in an ARN, if any. */
function readRegionFromArn(arn: unknown): string | undefined {
  if (typeof arn !== "string") return undefined;
  const region = arn.split(":")[3];
  return region === undefined || region === "" ? undefined : region;
}

/**
 * Turns a recorded Select row into a complete estate item: recorded rows carry only the
 * selected fields, so the identifying fields are filled in from the row's own contents.
 */
function completeItem(row: Json, resourceType: string): Json {
  const configuration = (row.configuration ?? {}) as Json;
  const resourceId =
    row.resourceId ?? configuration.name ?? configuration.groupId ?? configuration.keyId;
  const awsRegion =
    row.awsRegion ??
    readRegionFromArn(row.arn) ??
    readRegionFromArn(configuration.arn) ??
    "us-east-1";
  return { accountId: account, resourceType, resourceId, awsRegion, ...row };
}

function readResourceType(expression: string): string {
  const match = /resourceType = '([^']+)'/.exec(expression);
  if (match?.[1] === undefined) throw new Error(`no single resource type in ${expression}`);
  return match[1];
}

/** Turns a BatchGet-shaped item (string-encoded fields) back into a Select-shaped item. */
function decodeBatchItem(item: Json): Json {
  const supplementary = (item.supplementaryConfiguration ?? {}) as Record<string, string>;
  return {
    ...item,
    configuration: JSON.parse(String(item.configuration)),
    supplementaryConfiguration: Object.fromEntries(
      Object.entries(supplementary).map(([key, value]) => [key, JSON.parse(value)]),
    ),
  };
}

const recordedSelects = [
  "config.SelectResourceConfig.ec2-security-group.http.real.json",
  "config.SelectResourceConfig.ec2-vpc-endpoint.http.composed.json",
  "config.SelectResourceConfig.kms-key-aws-managed-pending-deletion.http.composed.json",
  "config.SelectResourceConfig.kms-key-customer-managed.http.real.json",
  "config.SelectResourceConfig.rds-dbinstance.http.derived.json",
  "config.SelectResourceConfig.s3-bucket-sse-kms-pab.http.composed.json",
  "config.SelectResourceConfig.s3-bucket.http.real.json",
];

describe("SelectResourceConfig", () => {
  it.each(recordedSelects)(
    "replays %s and returns the recorded rows as JSON strings",
    async (file) => {
      const recorded = readFixture<RecordedCall>(`aws/${file}`);
      const expression = String(recorded.request.body.Expression);
      const rows = readSelectRows(recorded);
      const items = rows.map((row) => completeItem(row, readResourceType(expression)));
      const running = await serve(items);
      const regions = [...new Set(items.map((item) => String(item.awsRegion)))];

      const served: Json[] = [];
      for (const region of regions) {
        const client = createConfigClient(running, account, region);
        const answer = await client.send(
          new SelectResourceConfigCommand({ Expression: expression, Limit: 100 }),
        );
        for (const result of answer.Results ?? []) expect(typeof result).toBe("string");
        expect(answer.QueryInfo).toEqual(recorded.response.body.QueryInfo);
        expect(answer.NextToken).toBeUndefined();
        served.push(...parseRows(answer.Results));
      }

      expect(sortRows(served)).toEqual(sortRows(rows));
    },
  );

  it("returns a nested field as a nested object, as the aggregate fixture shows", async () => {
    const recorded = readFixture<RecordedCall>(
      "aws/config.SelectResourceConfig.kms-key-aws-managed-pending-deletion.http.composed.json",
    );
    const running = await serve(readSelectRows(recorded));
    const answer = await createConfigClient(running, account, "us-east-1").send(
      new SelectResourceConfigCommand({
        Expression:
          "select resourceId, configuration.keyState, configuration.keyManager where resourceType IN ('AWS::KMS::Key')",
      }),
    );

    expect(parseRows(answer.Results)).toEqual([
      {
        resourceId: "0b1c2d3e-0000-4000-8000-000000000001",
        configuration: { keyState: "Enabled", keyManager: "AWS" },
      },
      {
        resourceId: "0b1c2d3e-0000-4000-8000-000000000002",
        configuration: { keyState: "PendingDeletion", keyManager: "CUSTOMER" },
      },
      {
        resourceId: "0b1c2d3e-0000-4000-8000-000000000003",
        configuration: { keyState: "Disabled", keyManager: "CUSTOMER" },
      },
    ]);
    expect(answer.QueryInfo?.SelectFields?.map((field) => field.Name)).toEqual([
      "resourceId",
      "configuration.keyState",
      "configuration.keyManager",
    ]);
  });

  it("pages like the recorded paginated answer: same pages, QueryInfo on each, no NextToken last", async () => {
    const recorded = readFixture<{ pages: RecordedCall[] }>(
      "aws/config.SelectResourceConfig.paginated.http.composed.json",
    );
    const expression = String(recorded.pages[0]?.request.body.Expression);
    const items = recorded.pages.flatMap((page) =>
      readSelectRows(page).map((row) => completeItem(row, "AWS::S3::Bucket")),
    );
    const running = await serve(items);
    const client = createConfigClient(running, account, "us-east-1");

    const pages = [];
    for await (const page of paginateSelectResourceConfig(
      { client, pageSize: 2 },
      { Expression: expression },
    )) {
      pages.push(page);
    }

    expect(pages.map((page) => parseRows(page.Results))).toEqual(
      recorded.pages.map(readSelectRows),
    );
    for (const page of pages)
      expect(page.QueryInfo).toEqual(recorded.pages[0]?.response.body.QueryInfo);
    expect(pages.at(-1)?.NextToken).toBeUndefined();
    expect(running.requestCounts().SelectResourceConfig).toBe(2);
  });

  it("answers only the caller's account and region", async () => {
    const recorded = readFixture<RecordedCall>(
      "aws/config.SelectAggregateResourceConfig.http.composed.json",
    );
    const running = await serve(readSelectRows(recorded));

    const inUsEast1 = await createConfigClient(running, account, "us-east-1").send(
      new SelectResourceConfigCommand({
        Expression: "SELECT accountId, resourceId WHERE resourceType = 'AWS::KMS::Key'",
      }),
    );
    const inEuWest1 = await createConfigClient(running, account, "eu-west-1").send(
      new SelectResourceConfigCommand({
        Expression: "SELECT accountId, resourceId WHERE resourceType = 'AWS::KMS::Key'",
      }),
    );

    expect(parseRows(inUsEast1.Results)).toEqual([
      { accountId: account, resourceId: "1234abcd-12ab-34cd-56ef-1234567890ab" },
    ]);
    expect(inEuWest1.Results).toEqual([]);
  });

  it("refuses the recorded Bedrock query and every Bedrock type with InvalidExpressionException", async () => {
    const recorded = readFixture<RecordedCall>(
      "aws/config.SelectResourceConfig.sagemaker-bedrock.http.synthetic.json",
    );
    const { bedrock } = readFixture<{ bedrock: string[] }>(
      "aws/config.resource-types.relevant.json",
    );
    const running = await serve(readSelectRows(recorded));
    const client = createConfigClient(running, account, "us-east-1");

    const refusals = [
      await captureError(
        client.send(
          new SelectResourceConfigCommand({ Expression: String(recorded.request.body.Expression) }),
        ),
      ),
      ...(await Promise.all(
        bedrock.map((type) =>
          captureError(
            client.send(
              new SelectResourceConfigCommand({
                Expression: `SELECT resourceId WHERE resourceType = '${type}'`,
              }),
            ),
          ),
        ),
      )),
    ];

    for (const refusal of refusals) {
      expect(refusal.name).toBe("InvalidExpressionException");
      expect(refusal.$metadata.httpStatusCode).toBe(400);
    }
    expect(refusals).toHaveLength(bedrock.length + 1);
  });

  it("leaves Bedrock items out of an unfiltered Select but serves the SageMaker notebook", async () => {
    const recorded = readFixture<RecordedCall>(
      "aws/config.SelectResourceConfig.sagemaker-bedrock.http.synthetic.json",
    );
    const running = await serve(readSelectRows(recorded));
    const answer = await createConfigClient(running, account, "us-east-1").send(
      new SelectResourceConfigCommand({
        Expression: "SELECT resourceType, configuration.DirectInternetAccess",
      }),
    );

    expect(parseRows(answer.Results)).toEqual([
      {
        resourceType: "AWS::SageMaker::NotebookInstance",
        configuration: { DirectInternetAccess: "Disabled" },
      },
    ]);
  });

  it.each([
    ["SELECT *", "SELECT * WHERE resourceType = 'AWS::S3::Bucket'"],
    ["a filter on another field", "SELECT resourceId WHERE configuration.keyState = 'Enabled'"],
    ["ORDER BY", "SELECT resourceId ORDER BY resourceId"],
    ["a missing SELECT", "resourceId WHERE resourceType = 'AWS::S3::Bucket'"],
  ])(
    "refuses %s with InvalidExpressionException instead of answering everything",
    async (_, expression) => {
      const running = await serve([], { accounts: { aws: [account] } });
      const error = await captureError(
        createConfigClient(running, account, "us-east-1").send(
          new SelectResourceConfigCommand({ Expression: expression }),
        ),
      );

      expect(error.name).toBe("InvalidExpressionException");
    },
  );

  it("answers the modelled errors for a bad Limit and a foreign NextToken", async () => {
    const recorded = readFixture<{ operation: string; response: { body: { __type: string } } }[]>(
      "aws/config.error.modeled-exceptions.http.composed.json",
    );
    const running = await serve([], { accounts: { aws: [account] } });
    const client = createConfigClient(running, account, "us-east-1");
    const expression = "SELECT resourceId WHERE resourceType = 'AWS::S3::Bucket'";

    const badLimit = await captureError(
      client.send(new SelectResourceConfigCommand({ Expression: expression, Limit: 101 })),
    );
    const badToken = await captureError(
      client.send(
        new SelectResourceConfigCommand({ Expression: expression, NextToken: "bm90LWEtdG9rZW4" }),
      ),
    );

    const recordedNames = recorded.map((entry) => entry.response.body.__type);
    expect(recordedNames).toContain(badLimit.name);
    expect(recordedNames).toContain(badToken.name);
    expect([badLimit.name, badToken.name]).toEqual([
      "InvalidLimitException",
      "InvalidNextTokenException",
    ]);
  });

  it("does not return deleted items", async () => {
    const [row] = readSelectRows(
      readFixture<RecordedCall>(
        "aws/config.SelectResourceConfig.ec2-vpc-endpoint.http.composed.json",
      ),
    );
    const running = await serve([
      { ...row, configurationItemStatus: "ResourceDeleted" },
      { ...row, resourceId: "vpce-still-there", configurationItemStatus: "OK" },
      {
        ...row,
        resourceId: "vpce-gone-unrecorded",
        configurationItemStatus: "ResourceDeletedNotRecorded",
      },
    ]);
    const answer = await createConfigClient(running, account, "us-east-1").send(
      new SelectResourceConfigCommand({
        Expression: "SELECT resourceId WHERE resourceType = 'AWS::EC2::VPCEndpoint'",
      }),
    );

    expect(parseRows(answer.Results)).toEqual([{ resourceId: "vpce-still-there" }]);
  });
});

describe("BatchGetResourceConfig", () => {
  it("replays the recorded batch: configuration and supplementary values as JSON strings, unknown keys left out", async () => {
    const recorded = readFixture<RecordedCall>(
      "aws/config.BatchGetResourceConfig.http.composed.json",
    );
    const recordedItems = recorded.response.body.baseConfigurationItems as Json[];
    const running = await serve(recordedItems.map(decodeBatchItem));
    const keys = recorded.request.body.resourceKeys as {
      resourceType: ResourceType;
      resourceId: string;
    }[];

    const served: BaseConfigurationItem[] = [];
    for (const region of ["us-east-1", "us-east-2"]) {
      const answer = await createConfigClient(running, account, region).send(
        new BatchGetResourceConfigCommand({ resourceKeys: keys }),
      );
      expect(answer.unprocessedResourceKeys).toEqual([]);
      served.push(...(answer.baseConfigurationItems ?? []));
    }

    expect(served.map((item) => item.resourceId).sort()).toEqual(
      recordedItems.map((item) => item.resourceId).sort(),
    );
    for (const expected of recordedItems) {
      const item = served.find((candidate) => candidate.resourceId === expected.resourceId);
      expect(typeof item?.configuration).toBe("string");
      expect(JSON.parse(item?.configuration ?? "null")).toEqual(
        JSON.parse(String(expected.configuration)),
      );
      expect(item?.supplementaryConfiguration).toEqual(expected.supplementaryConfiguration);
      expect(item?.configurationItemCaptureTime?.getTime()).toBe(
        Number(expected.configurationItemCaptureTime) * 1000,
      );
      expect(item?.configurationStateId).toBe(expected.configurationStateId);
      expect(item).not.toHaveProperty("tags");
    }
  });

  it("double-encodes the S3 AccessControlList exactly as the history API recorded it", async () => {
    const historyItem = readFixture<Json>(
      "aws/config.ConfigurationItem.s3-bucket.history-api.real.json",
    );
    const running = await serve([{ ...decodeBatchItem(historyItem), accountId: account }]);
    const answer = await createConfigClient(running, account, String(historyItem.awsRegion)).send(
      new BatchGetResourceConfigCommand({
        resourceKeys: [
          { resourceType: "AWS::S3::Bucket", resourceId: String(historyItem.resourceId) },
        ],
      }),
    );
    const [item] = answer.baseConfigurationItems ?? [];
    const recordedSupplementary = historyItem.supplementaryConfiguration as Record<string, string>;

    expect(item?.supplementaryConfiguration).toEqual(recordedSupplementary);
    expect(typeof JSON.parse(item?.supplementaryConfiguration?.AccessControlList ?? "null")).toBe(
      "string",
    );
    expect(JSON.parse(item?.configuration ?? "null")).toEqual(
      JSON.parse(String(historyItem.configuration)),
    );
  });

  it("refuses more than 100 keys with ValidationException", async () => {
    const running = await serve([], { accounts: { aws: [account] } });
    const keys = Array.from({ length: 101 }, (_, index) => ({
      resourceType: "AWS::S3::Bucket" as ResourceType,
      resourceId: `bucket-${index}`,
    }));
    const error = await captureError(
      createConfigClient(running, account, "us-east-1").send(
        new BatchGetResourceConfigCommand({ resourceKeys: keys }),
      ),
    );

    expect(error.name).toBe("ValidationException");
  });

  it("serves Bedrock items with their configuration as a string", async () => {
    const rows = readSelectRows(
      readFixture<RecordedCall>(
        "aws/config.SelectResourceConfig.sagemaker-bedrock.http.synthetic.json",
      ),
    );
    const guardrail = rows.find((row) => row.resourceType === "AWS::Bedrock::Guardrail") as Json;
    const running = await serve(rows);
    const answer = await createConfigClient(running, account, "us-east-1").send(
      new BatchGetResourceConfigCommand({
        resourceKeys: [
          { resourceType: "AWS::Bedrock::Guardrail", resourceId: String(guardrail.resourceId) },
        ],
      }),
    );

    expect(JSON.parse(answer.baseConfigurationItems?.[0]?.configuration ?? "null")).toEqual(
      guardrail.configuration,
    );
  });
});

describe("ListDiscoveredResources", () => {
  it("replays the recorded ECS answer", async () => {
    const recorded = readFixture<RecordedCall>(
      "aws/config.ListDiscoveredResources.ecs-service.http.real.json",
    );
    const identifiers = recorded.response.body.resourceIdentifiers as Json[];
    const running = await serve(
      identifiers.map((identifier) => ({
        ...identifier,
        accountId: account,
        awsRegion: "us-east-1",
      })),
    );
    const answer = await createConfigClient(running, account, "us-east-1").send(
      new ListDiscoveredResourcesCommand({ resourceType: "AWS::ECS::Service" }),
    );

    expect(answer.resourceIdentifiers).toEqual(identifiers);
    expect(answer.nextToken).toBeUndefined();
  });

  it("lists a deleted item, with its deletion time, only when asked to include deleted resources", async () => {
    const recorded = readFixture<RecordedCall>(
      "aws/config.ListDiscoveredResources.with-deleted-and-nexttoken.http.composed.json",
    );
    const identifiers = recorded.response.body.resourceIdentifiers as Json[];
    const running = await serve(
      identifiers.map((identifier) => ({
        ...identifier,
        accountId: account,
        awsRegion: "us-east-1",
        configurationItemStatus:
          identifier.resourceDeletionTime === undefined ? "OK" : "ResourceDeleted",
      })),
    );
    const client = createConfigClient(running, account, "us-east-1");

    const withDeleted = await client.send(
      new ListDiscoveredResourcesCommand({
        resourceType: "AWS::S3::Bucket",
        includeDeletedResources: true,
      }),
    );
    const withoutDeleted = await client.send(
      new ListDiscoveredResourcesCommand({ resourceType: "AWS::S3::Bucket" }),
    );

    expect(withDeleted.resourceIdentifiers?.map((identifier) => identifier.resourceId)).toEqual([
      "contoso-cmk-bucket",
      "contoso-old-bucket",
    ]);
    expect(withDeleted.resourceIdentifiers?.[1]?.resourceDeletionTime?.getTime()).toBe(
      1717804800 * 1000,
    );
    expect(withoutDeleted.resourceIdentifiers?.map((identifier) => identifier.resourceId)).toEqual([
      "contoso-cmk-bucket",
    ]);
  });

  it("pages 250 buckets in pages of at most 100 with nextToken and filters by resourceIds", async () => {
    const items = Array.from({ length: 250 }, (_, index) => ({
      accountId: account,
      awsRegion: "eu-west-1",
      resourceType: "AWS::S3::Bucket",
      resourceId: `bucket-${String(index).padStart(3, "0")}`,
      resourceName: `bucket-${String(index).padStart(3, "0")}`,
      configuration: { name: `bucket-${index}` },
    }));
    const running = await serve(items);
    const client = createConfigClient(running, account, "eu-west-1");

    const pageSizes: number[] = [];
    for await (const page of paginateListDiscoveredResources(
      { client },
      { resourceType: "AWS::S3::Bucket" },
    )) {
      pageSizes.push(page.resourceIdentifiers?.length ?? 0);
    }
    const filtered = await client.send(
      new ListDiscoveredResourcesCommand({
        resourceType: "AWS::S3::Bucket",
        resourceIds: ["bucket-007", "bucket-201"],
      }),
    );

    expect(pageSizes).toEqual([100, 100, 50]);
    expect(running.requestCounts().ListDiscoveredResources).toBe(4);
    expect(filtered.resourceIdentifiers?.map((identifier) => identifier.resourceId)).toEqual([
      "bucket-007",
      "bucket-201",
    ]);
  });

  it("lists Bedrock items, which Select cannot reach", async () => {
    const rows = readSelectRows(
      readFixture<RecordedCall>(
        "aws/config.SelectResourceConfig.sagemaker-bedrock.http.synthetic.json",
      ),
    );
    const running = await serve(rows);
    const answer = await createConfigClient(running, account, "us-east-1").send(
      new ListDiscoveredResourcesCommand({ resourceType: "AWS::Bedrock::KnowledgeBase" }),
    );

    expect(answer.resourceIdentifiers).toEqual([
      {
        resourceType: "AWS::Bedrock::KnowledgeBase",
        resourceId: "KB12345678",
        resourceName: "contoso-kb",
      },
    ]);
  });
});

describe("the aggregator", () => {
  const aggregatorSettings: EstateSettings = {
    aws: {
      aggregator: {
        name: "contoso-org-aggregator",
        account: aggregatorAccount,
        region: "us-east-1",
      },
    },
  };

  it("replays the recorded aggregate query across accounts", async () => {
    const recorded = readFixture<RecordedCall>(
      "aws/config.SelectAggregateResourceConfig.http.composed.json",
    );
    const running = await serve(readSelectRows(recorded), aggregatorSettings);
    const answer = await createConfigClient(running, aggregatorAccount, "us-east-1").send(
      new SelectAggregateResourceConfigCommand({
        ConfigurationAggregatorName: String(recorded.request.body.ConfigurationAggregatorName),
        Expression: String(recorded.request.body.Expression),
        MaxResults: 100,
      }),
    );

    expect(parseRows(answer.Results)).toEqual(readSelectRows(recorded));
    expect(answer.QueryInfo).toEqual(recorded.response.body.QueryInfo);
  });

  it("counts items per account with GROUP BY accountId", async () => {
    const recorded = readFixture<RecordedCall>(
      "aws/config.SelectResourceConfig.kms-key-aws-managed-pending-deletion.http.composed.json",
    );
    const rows = readSelectRows(recorded);
    const elsewhere = rows.map((row) => ({
      ...row,
      accountId: otherAccount,
      awsRegion: "eu-west-1",
    }));
    const running = await serve([...rows, ...elsewhere.slice(0, 1)], aggregatorSettings);
    const client = createConfigClient(running, aggregatorAccount, "us-east-1");

    const counted = await client.send(
      new SelectAggregateResourceConfigCommand({
        ConfigurationAggregatorName: "contoso-org-aggregator",
        Expression: "SELECT accountId, COUNT(*) GROUP BY accountId",
      }),
    );
    const distinct = await client.send(
      new SelectAggregateResourceConfigCommand({
        ConfigurationAggregatorName: "contoso-org-aggregator",
        Expression: "select accountId group by accountId",
      }),
    );

    expect(parseRows(counted.Results)).toEqual([
      { accountId: account, "COUNT(*)": 3 },
      { accountId: otherAccount, "COUNT(*)": 1 },
    ]);
    expect(parseRows(distinct.Results)).toEqual([
      { accountId: account },
      { accountId: otherAccount },
    ]);
  });

  it("lists and fetches Bedrock items of every account through the aggregate operations", async () => {
    const rows = readSelectRows(
      readFixture<RecordedCall>(
        "aws/config.SelectResourceConfig.sagemaker-bedrock.http.synthetic.json",
      ),
    );
    const running = await serve(
      [
        ...rows,
        ...rows.map((row) => ({ ...row, accountId: otherAccount, awsRegion: "eu-west-1" })),
      ],
      aggregatorSettings,
    );
    const client = createConfigClient(running, aggregatorAccount, "us-east-1");

    const listed = await client.send(
      new ListAggregateDiscoveredResourcesCommand({
        ConfigurationAggregatorName: "contoso-org-aggregator",
        ResourceType: "AWS::Bedrock::Guardrail",
      }),
    );
    const fetched = await client.send(
      new BatchGetAggregateResourceConfigCommand({
        ConfigurationAggregatorName: "contoso-org-aggregator",
        ResourceIdentifiers: listed.ResourceIdentifiers ?? [],
      }),
    );

    expect(
      listed.ResourceIdentifiers?.map((identifier) => [
        identifier.SourceAccountId,
        identifier.SourceRegion,
      ]),
    ).toEqual([
      [account, "us-east-1"],
      [otherAccount, "eu-west-1"],
    ]);
    expect(fetched.BaseConfigurationItems?.map((item) => item.accountId)).toEqual([
      account,
      otherAccount,
    ]);
    expect(typeof fetched.BaseConfigurationItems?.[0]?.configuration).toBe("string");
    expect(fetched.UnprocessedResourceIdentifiers).toEqual([]);
  });

  it("refuses aggregate calls from another account or for another aggregator name", async () => {
    const running = await serve([], { ...aggregatorSettings, accounts: { aws: [account] } });
    const expression = "SELECT accountId GROUP BY accountId";

    const wrongAccount = await captureError(
      createConfigClient(running, account, "us-east-1").send(
        new SelectAggregateResourceConfigCommand({
          ConfigurationAggregatorName: "contoso-org-aggregator",
          Expression: expression,
        }),
      ),
    );
    const wrongName = await captureError(
      createConfigClient(running, aggregatorAccount, "us-east-1").send(
        new SelectAggregateResourceConfigCommand({
          ConfigurationAggregatorName: "other",
          Expression: expression,
        }),
      ),
    );

    expect(wrongAccount.name).toBe("NoSuchConfigurationAggregatorException");
    expect(wrongName.name).toBe("NoSuchConfigurationAggregatorException");
  });
});

describe("credentials", () => {
  const item = {
    accountId: account,
    awsRegion: "us-east-1",
    resourceType: "AWS::S3::Bucket",
    resourceId: "b",
  };
  const expression = "SELECT resourceId WHERE resourceType = 'AWS::S3::Bucket'";

  it("refuses a key that is not the emulator's, or that names an unserved account, with 403", async () => {
    const running = await serve([item]);

    const foreignKey = await captureError(
      createConfigClient(running, account, "us-east-1", {
        accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      }).send(new SelectResourceConfigCommand({ Expression: expression })),
    );
    const unservedAccount = await captureError(
      createConfigClient(running, "123456789012", "us-east-1").send(
        new SelectResourceConfigCommand({ Expression: expression }),
      ),
    );

    for (const error of [foreignKey, unservedAccount]) {
      expect(error.name).toBe("UnrecognizedClientException");
      expect(error.$metadata.httpStatusCode).toBe(403);
    }
  });

  it("refuses a region that estate.yaml lists as disabled, while other regions answer", async () => {
    const running = await serve([item], {
      aws: { accounts: { [account]: { disabledRegions: ["eu-central-2"] } } },
    });

    const refused = await captureError(
      createConfigClient(running, account, "eu-central-2").send(
        new SelectResourceConfigCommand({ Expression: expression }),
      ),
    );
    const answered = await createConfigClient(running, account, "us-east-1").send(
      new SelectResourceConfigCommand({ Expression: expression }),
    );

    expect(refused.name).toBe("UnrecognizedClientException");
    expect(parseRows(answered.Results)).toEqual([{ resourceId: "b" }]);
  });

  it("serves accounts listed in estate.yaml even without documents", async () => {
    const running = await serve([item], { accounts: { aws: [otherAccount] } });
    const answer = await createConfigClient(running, otherAccount, "us-east-1").send(
      new SelectResourceConfigCommand({ Expression: expression }),
    );

    expect(running.accounts.aws).toEqual([account, otherAccount]);
    expect(answer.Results).toEqual([]);
  });
});

describe("faults", () => {
  const item = {
    accountId: account,
    awsRegion: "eu-west-1",
    resourceType: "AWS::S3::Bucket",
    resourceId: "b",
  };
  const expression = "SELECT resourceId WHERE resourceType = 'AWS::S3::Bucket'";

  it("throttles twice, then the SDK's own retry succeeds", async () => {
    const running = await serve([item], {
      faults: [{ operation: "SelectResourceConfig", kind: "throttle", times: 2, account }],
    });
    const client = createConfigClient(running, account, "eu-west-1", { maxAttempts: 4 });
    const answer = await client.send(new SelectResourceConfigCommand({ Expression: expression }));

    expect(parseRows(answer.Results)).toEqual([{ resourceId: "b" }]);
    expect(answer.$metadata.attempts).toBe(3);
    expect(running.requestCounts().SelectResourceConfig).toBe(3);
  });

  it("answers throttling with the recorded status and body", async () => {
    const recorded = readFixture<{ response: { status: number; body: Json } }>(
      "aws/config.error.ThrottlingException.http.json",
    );
    const running = await serve([item], {
      faults: [{ operation: "SelectResourceConfig", kind: "throttle" }],
    });
    const response = await fetch(running.awsEndpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "StarlingDoveService.SelectResourceConfig",
        authorization: `AWS4-HMAC-SHA256 Credential=AKIA${account}EMUL/20261203/eu-west-1/config/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: JSON.stringify({ Expression: expression }),
    });

    expect(response.status).toBe(recorded.response.status);
    expect(await response.json()).toEqual(recorded.response.body);
    expect(response.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get("content-type")).toBe("application/x-amz-json-1.1");
  });

  it("fails page 2 of a paged query every time, even through the SDK's retries", async () => {
    const items = ["a", "b", "c"].map((resourceId) => ({ ...item, resourceId }));
    const running = await serve(items, {
      faults: [
        {
          operation: "SelectResourceConfig",
          kind: "fail-page",
          page: 2,
          account,
          region: "eu-west-1",
        },
      ],
    });
    const client = createConfigClient(running, account, "eu-west-1", { maxAttempts: 3 });
    const first = await client.send(
      new SelectResourceConfigCommand({ Expression: expression, Limit: 1 }),
    );

    const failures = [];
    for (let attempt = 0; attempt < 2; attempt += 1) {
      failures.push(
        await captureError(
          client.send(
            new SelectResourceConfigCommand({
              Expression: expression,
              Limit: 1,
              NextToken: first.NextToken,
            }),
          ),
        ),
      );
    }

    for (const failure of failures) expect(failure.$metadata.httpStatusCode).toBe(500);
    expect(running.requestCounts().SelectResourceConfig).toBe(1 + 2 * 3);
  });

  it("sends a truncated body once for a malformed fault, which the SDK cannot parse", async () => {
    const running = await serve([item], {
      faults: [{ operation: "SelectResourceConfig", kind: "malformed", times: 1 }],
    });
    const client = createConfigClient(running, account, "eu-west-1");

    const broken = await captureError(
      client.send(new SelectResourceConfigCommand({ Expression: expression })),
    );
    const answer = await client.send(new SelectResourceConfigCommand({ Expression: expression }));

    expect(broken.$metadata.httpStatusCode).toBe(200);
    expect(broken.message).toMatch(/JSON|Unexpected|Deserialization/i);
    expect(parseRows(answer.Results)).toEqual([{ resourceId: "b" }]);
  });

  it("targets a fault at one account only", async () => {
    const running = await serve([item, { ...item, accountId: otherAccount }], {
      faults: [{ operation: "SelectResourceConfig", kind: "server-error", account: otherAccount }],
    });

    const healthy = await createConfigClient(running, account, "eu-west-1").send(
      new SelectResourceConfigCommand({ Expression: expression }),
    );
    const failing = await captureError(
      createConfigClient(running, otherAccount, "eu-west-1").send(
        new SelectResourceConfigCommand({ Expression: expression }),
      ),
    );

    expect(healthy.Results).toHaveLength(1);
    expect(failing.$metadata.httpStatusCode).toBe(500);
  });
});
