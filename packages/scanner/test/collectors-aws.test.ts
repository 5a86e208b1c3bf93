import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { emulatorAccessKeyId } from "@plumbline/emulator";
import { afterEach, describe, expect, it } from "vitest";
import {
  type CollectorProgressEvent,
  collectAws,
  createAwsClients,
} from "../src/collectors/index.js";
import {
  AWS_ACCOUNT,
  casesEstateDir,
  createEstate,
  createRecorder,
  type EmulatedClouds,
  readFixture,
  startClouds,
  type TemporaryEstate,
} from "./collectors-support.js";

type ConfigItem = Record<string, unknown> & { resourceId: string; resourceName?: string };

const SECOND_ACCOUNT = "444455556666";
const AGGREGATOR_ACCOUNT = "999988887777";
const REGIONS = ["eu-west-1", "eu-central-1"];

let estate: TemporaryEstate | undefined;
let clouds: EmulatedClouds | undefined;

afterEach(async () => {
  await clouds?.close();
  await estate?.remove();
  clouds = undefined;
  estate = undefined;
});

/** S3 bucket items as Select returns them, in one account and region. */
function generateBuckets(account: string, region: string, count: number): ConfigItem[] {
  return Array.from({ length: count }, (_, index) => {
    const name = `gen-bucket-${account}-${String(index).padStart(4, "0")}`;
    return {
      version: "1.3",
      accountId: account,
      configurationItemCaptureTime: "2026-11-02T08:15:00.000Z",
      configurationItemStatus: "OK",
      resourceType: "AWS::S3::Bucket",
      resourceId: name,
      resourceName: name,
      arn: `arn:aws:s3:::${name}`,
      awsRegion: region,
      availabilityZone: "Regional",
      configuration: { name, creationDate: "2026-01-05T10:00:00.000Z" },
      supplementaryConfiguration: {},
      tags: [],
    };
  });
}

/**
 * The Bedrock rows of the synthetic Select fixture, completed with the fields a full Select
 * would return, and moved into `account` and eu-west-1.
 */
async function bedrockItems(account: string): Promise<ConfigItem[]> {
  const fixture = await readFixture<{ response: { body: { Results: string[] } } }>(
    "aws/config.SelectResourceConfig.sagemaker-bedrock.http.synthetic.json",
  );
  return fixture.response.body.Results.map((row) => JSON.parse(row) as ConfigItem)
    .filter((item) => String(item.resourceType).startsWith("AWS::Bedrock::"))
    .map((item) => {
      const completed = {
        version: "1.3",
        configurationItemCaptureTime: "2026-10-01T12:00:00.000Z",
        configurationItemStatus: "OK",
        configurationStateId: "1790000000000",
        availabilityZone: "Not Applicable",
        supplementaryConfiguration: {},
        ...item,
      };
      const moved = JSON.stringify(completed)
        .replaceAll("111122223333", account)
        .replaceAll("us-east-1", "eu-west-1");
      return JSON.parse(moved) as ConfigItem;
    });
}

describe("collectAws", () => {
  it("canonicalises the case estate's items from Select, keeping each item as sent", async () => {
    estate = await createEstate({ withCases: true });
    clouds = await startClouds(estate.dir);
    const recorder = createRecorder();
    const events: CollectorProgressEvent[] = [];

    const [collection] = await collectAws({
      clients: clouds.aws,
      accounts: [AWS_ACCOUNT],
      regions: ["eu-west-1"],
      onResources: recorder.onResources,
      onProgress: (event) => events.push(event),
    });

    expect(events.at(0)).toEqual({
      kind: "page",
      provider: "aws",
      operation: "SelectResourceConfig",
      accounts: [AWS_ACCOUNT],
      region: "eu-west-1",
      resources: 3,
    });
    expect(events.at(-1)).toEqual({
      kind: "account",
      provider: "aws",
      account: AWS_ACCOUNT,
      status: "complete",
      resources: 3,
    });
    expect(collection).toEqual({
      provider: "aws",
      account: AWS_ACCOUNT,
      status: "complete",
      reason: null,
      resources: 3,
      skippedRegions: [],
      completeRegions: ["eu-west-1"],
    });
    const document = JSON.parse(
      await readFile(join(casesEstateDir, "aws/demo-bucket-d.json"), "utf8"),
    ) as ConfigItem;
    const bucket = recorder.byName("demo-bucket-d");
    expect(bucket?.key).toBe("arn:aws:s3:::demo-bucket-d");
    expect(bucket?.type).toBe("AWS::S3::Bucket");
    expect(bucket?.region).toBe("eu-west-1");
    expect(bucket?.raw).toEqual(document);
    expect(clouds.emulator.requestCounts().SelectResourceConfig).toBe(1);
    // One discovered-resource list per Bedrock type.
    expect(clouds.emulator.requestCounts().ListDiscoveredResources).toBe(4);
  });

  it("pages Select results and awaits each page before asking for the next", async () => {
    estate = await createEstate();
    await estate.write("aws/buckets.json", generateBuckets(AWS_ACCOUNT, "eu-west-1", 250));
    clouds = await startClouds(estate.dir);
    const emulator = clouds.emulator;
    const pageSizes: number[] = [];
    let inFlight = 0;
    let mostInFlight = 0;

    const [collection] = await collectAws({
      clients: clouds.aws,
      accounts: [AWS_ACCOUNT],
      regions: ["eu-west-1"],
      onResources: async (page) => {
        inFlight += page.length;
        mostInFlight = Math.max(mostInFlight, inFlight);
        pageSizes.push(page.length);
        expect(emulator.requestCounts().SelectResourceConfig).toBe(pageSizes.length);
        await delay(10);
        expect(emulator.requestCounts().SelectResourceConfig).toBe(pageSizes.length);
        inFlight -= page.length;
      },
    });

    expect(collection?.status).toBe("complete");
    expect(collection?.resources).toBe(250);
    expect(pageSizes).toEqual([100, 100, 50]);
    expect(mostInFlight).toBe(100);
  });

  it("retries a ThrottlingException and completes the region", async () => {
    estate = await createEstate({ withCases: true });
    clouds = await startClouds(estate.dir, {
      faults: [{ operation: "SelectResourceConfig", kind: "throttle", times: 1 }],
    });
    const recorder = createRecorder();

    const [collection] = await collectAws({
      clients: clouds.aws,
      accounts: [AWS_ACCOUNT],
      regions: ["eu-west-1"],
      onResources: recorder.onResources,
    });

    expect(collection?.status).toBe("complete");
    expect(collection?.resources).toBe(3);
    expect(clouds.emulator.requestCounts().SelectResourceConfig).toBe(2);
    expect(clouds.counters.aws.throttles).toBe(1);
  });

  it("marks the account partial when throttling outlasts the retries in one region", async () => {
    estate = await createEstate({ withCases: true });
    clouds = await startClouds(estate.dir, {
      faults: [{ operation: "SelectResourceConfig", kind: "throttle", region: "eu-central-1" }],
    });
    const recorder = createRecorder();

    const [collection] = await collectAws({
      clients: clouds.aws,
      accounts: [AWS_ACCOUNT],
      regions: REGIONS,
      onResources: recorder.onResources,
    });

    expect(collection?.status).toBe("partial");
    expect(collection?.reason).toBe(
      "SelectResourceConfig page 1 in eu-central-1 throttled (ThrottlingException) after 4 attempts",
    );
    expect(collection?.completeRegions).toEqual(["eu-west-1"]);
    expect(collection?.resources).toBe(3);
    expect(clouds.counters.aws.throttles).toBe(4);
  });

  it("marks the account partial, naming the page, when a Select page always fails", async () => {
    estate = await createEstate();
    await estate.write("aws/buckets.json", generateBuckets(AWS_ACCOUNT, "eu-west-1", 150));
    clouds = await startClouds(estate.dir, {
      faults: [{ operation: "SelectResourceConfig", kind: "fail-page", page: 2 }],
    });
    const recorder = createRecorder();

    const [collection] = await collectAws({
      clients: clouds.aws,
      accounts: [AWS_ACCOUNT],
      regions: ["eu-west-1"],
      onResources: recorder.onResources,
    });

    expect(collection?.status).toBe("partial");
    expect(collection?.reason).toMatch(
      /^SelectResourceConfig page 2 in eu-west-1 failed: 500 InternalFailure/,
    );
    expect(collection?.resources).toBe(100);
    expect(collection?.completeRegions).toEqual([]);
  });

  it("marks the account partial when a region answers with a malformed body", async () => {
    estate = await createEstate({ withCases: true });
    clouds = await startClouds(estate.dir, {
      faults: [{ operation: "SelectResourceConfig", kind: "malformed", region: "eu-central-1" }],
    });
    const recorder = createRecorder();

    const [collection] = await collectAws({
      clients: clouds.aws,
      accounts: [AWS_ACCOUNT],
      regions: REGIONS,
      onResources: recorder.onResources,
    });

    expect(collection?.status).toBe("partial");
    expect(collection?.reason).toMatch(/^SelectResourceConfig page 1 in eu-central-1 failed: /);
    expect(collection?.completeRegions).toEqual(["eu-west-1"]);
  });

  it("skips a region the account has not enabled", async () => {
    estate = await createEstate({ withCases: true });
    clouds = await startClouds(estate.dir, {
      aws: { accounts: { [AWS_ACCOUNT]: { disabledRegions: ["eu-central-1"] } } },
    });
    const recorder = createRecorder();

    const [collection] = await collectAws({
      clients: clouds.aws,
      accounts: [AWS_ACCOUNT],
      regions: REGIONS,
      onResources: recorder.onResources,
    });

    expect(collection).toMatchObject({
      status: "complete",
      reason: null,
      resources: 3,
      skippedRegions: ["eu-central-1"],
      completeRegions: ["eu-west-1"],
    });
  });

  it("fails an account whose credentials every region refuses", async () => {
    estate = await createEstate({ withCases: true });
    clouds = await startClouds(estate.dir);
    const recorder = createRecorder();

    const [known, unknown] = await collectAws({
      clients: clouds.aws,
      accounts: [AWS_ACCOUNT, "123456789012"],
      regions: REGIONS,
      onResources: recorder.onResources,
    });

    expect(known?.status).toBe("complete");
    expect(unknown).toMatchObject({
      account: "123456789012",
      status: "failed",
      resources: 0,
      skippedRegions: [],
      completeRegions: [],
    });
    expect(unknown?.reason).toMatch(
      /^every region refused the credentials \(eu-west-1: 403 UnrecognizedClientException/,
    );
  });

  it("fails an account whose credentials answer for another account", async () => {
    estate = await createEstate({ withCases: true });
    clouds = await startClouds(estate.dir, { accounts: { aws: [SECOND_ACCOUNT] } });
    const clients = createAwsClients({
      estate: clouds.emulator,
      estateAccessKeyId: () => emulatorAccessKeyId(AWS_ACCOUNT),
    });
    const recorder = createRecorder();

    try {
      const [collection] = await collectAws({
        clients,
        accounts: [SECOND_ACCOUNT],
        regions: ["eu-west-1"],
        onResources: recorder.onResources,
      });

      expect(collection?.status).toBe("failed");
      expect(collection?.reason).toBe(
        `SelectResourceConfig in eu-west-1 answered for account ${AWS_ACCOUNT}, not ${SECOND_ACCOUNT}`,
      );
      expect(recorder.resources()).toEqual([]);
    } finally {
      clients.destroy();
    }
  });

  it("reads Bedrock items through ListDiscoveredResources and BatchGet into the Select form", async () => {
    estate = await createEstate();
    const items = await bedrockItems(AWS_ACCOUNT);
    const guardrail = items.find((item) => item.resourceType === "AWS::Bedrock::Guardrail");
    if (!guardrail) throw new Error("the fixture has no guardrail");
    // 120 guardrails take two list pages of 100 and two batch reads.
    const moreGuardrails = Array.from({ length: 119 }, (_, index): ConfigItem => {
      const id = `gr${String(index).padStart(10, "0")}`;
      return {
        ...structuredClone(guardrail),
        resourceId: id,
        resourceName: `contoso-guardrail-${index}`,
        arn: `arn:aws:bedrock:eu-west-1:${AWS_ACCOUNT}:guardrail/${id}`,
      };
    });
    const all = [...items, ...moreGuardrails];
    await estate.write("aws/bedrock.json", all);
    clouds = await startClouds(estate.dir);
    const recorder = createRecorder();

    const [collection] = await collectAws({
      clients: clouds.aws,
      accounts: [AWS_ACCOUNT],
      regions: ["eu-west-1"],
      onResources: recorder.onResources,
    });

    expect(collection?.status).toBe("complete");
    expect(collection?.resources).toBe(121);
    for (const item of all) {
      const resource = recorder.byName(String(item.resourceName));
      expect(resource?.type).toBe(item.resourceType);
      // BatchGet carries no tags or relationships; every field it carries matches Select's.
      const { tags: _tags, relationships: _relationships, ...selectForm } = item;
      expect(resource?.raw).toEqual(selectForm);
    }
    const counts = clouds.emulator.requestCounts();
    // Two guardrail pages, then one list for each of the other three Bedrock types.
    expect(counts.ListDiscoveredResources).toBe(5);
    expect(counts.BatchGetResourceConfig).toBe(3);
  });

  it("collects through the aggregator and derives each account's status from what came back", async () => {
    estate = await createEstate({ withCases: true });
    await estate.write("aws/second.json", generateBuckets(SECOND_ACCOUNT, "eu-west-1", 120));
    await estate.write("aws/unmapped.json", generateBuckets("777777777777", "eu-west-1", 5));
    await estate.write("aws/bedrock.json", await bedrockItems(SECOND_ACCOUNT));
    const aggregator = { name: "org-aggregator", account: AGGREGATOR_ACCOUNT, region: "eu-west-1" };
    clouds = await startClouds(estate.dir, {
      accounts: { aws: [AGGREGATOR_ACCOUNT] },
      aws: { aggregator, accounts: {} },
    });
    const recorder = createRecorder();

    const collections = await collectAws({
      clients: clouds.aws,
      accounts: [AWS_ACCOUNT, SECOND_ACCOUNT, "555555555555"],
      regions: ["eu-west-1"],
      aggregator,
      onResources: recorder.onResources,
    });

    expect(collections.map((collection) => [collection.account, collection.status])).toEqual([
      [AWS_ACCOUNT, "complete"],
      [SECOND_ACCOUNT, "complete"],
      ["555555555555", "failed"],
    ]);
    expect(collections[0]?.resources).toBe(3);
    expect(collections[0]?.completeRegions).toEqual(["eu-west-1"]);
    expect(collections[1]?.resources).toBe(122);
    expect(collections[2]?.reason).toBe(
      "the aggregator org-aggregator holds no configuration items for the account",
    );
    const accountsSeen = new Set(recorder.resources().map((resource) => resource.account));
    expect(accountsSeen).toEqual(new Set([AWS_ACCOUNT, SECOND_ACCOUNT]));
    const knowledgeBase = recorder.byName("contoso-kb");
    expect(knowledgeBase?.account).toBe(SECOND_ACCOUNT);
    expect(knowledgeBase?.raw.configuration).toMatchObject({ KnowledgeBaseId: "KB12345678" });
    const counts = clouds.emulator.requestCounts();
    expect(counts.SelectResourceConfig).toBeUndefined();
    // One GROUP BY for the accounts, then 128 items in two pages.
    expect(counts.SelectAggregateResourceConfig).toBe(3);
    expect(counts.BatchGetAggregateResourceConfig).toBe(2);
  });

  it("keeps IAM items recorded in the global region, through the aggregator and per account", async () => {
    estate = await createEstate();
    const role = {
      ...generateBuckets(AWS_ACCOUNT, "global", 1)[0],
      resourceType: "AWS::IAM::Role",
      resourceId: "AROAEXAMPLEROLE0001",
      resourceName: "bedrock-invoker",
      arn: `arn:aws:iam::${AWS_ACCOUNT}:role/bedrock-invoker`,
      configuration: { roleName: "bedrock-invoker" },
    };
    await estate.write("aws/iam.json", [role, ...generateBuckets(AWS_ACCOUNT, "eu-west-1", 1)]);
    const aggregator = { name: "org-aggregator", account: AGGREGATOR_ACCOUNT, region: "eu-west-1" };
    clouds = await startClouds(estate.dir, {
      accounts: { aws: [AGGREGATOR_ACCOUNT] },
      aws: { aggregator, accounts: {}, globalResourceRegion: "eu-west-1" },
    });

    const aggregated = createRecorder();
    await collectAws({
      clients: clouds.aws,
      accounts: [AWS_ACCOUNT],
      regions: ["eu-west-1"],
      aggregator,
      onResources: aggregated.onResources,
    });
    const perAccount = createRecorder();
    await collectAws({
      clients: clouds.aws,
      accounts: [AWS_ACCOUNT],
      regions: ["eu-west-1"],
      onResources: perAccount.onResources,
    });

    for (const recorder of [aggregated, perAccount]) {
      const collected = recorder.resources().map((resource) => [resource.type, resource.region]);
      expect(collected.sort()).toEqual([
        ["AWS::IAM::Role", "global"],
        ["AWS::S3::Bucket", "eu-west-1"],
      ]);
    }
  });
});
