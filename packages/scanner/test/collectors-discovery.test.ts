import { emulatorAccessKeyId } from "@plumbline/emulator";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { afterEach, describe, expect, it } from "vitest";
import {
  collectAws,
  createApiCallCounters,
  createAwsClients,
  discoverAccounts,
  estateAccessKeyId,
} from "../src/collectors/index.js";
import {
  AWS_ACCOUNT,
  createEstate,
  createRecorder,
  type EmulatedClouds,
  SUBSCRIPTION,
  startClouds,
  type TemporaryEstate,
} from "./collectors-support.js";

const UNMAPPED_SUBSCRIPTION = "00000000-0000-0000-0000-0000000000ff";
const aggregator = { name: "org-aggregator", account: "999988887777", region: "eu-west-1" };

let estate: TemporaryEstate | undefined;
let clouds: EmulatedClouds | undefined;

afterEach(async () => {
  await clouds?.close();
  await estate?.remove();
  clouds = undefined;
  estate = undefined;
});

describe("discoverAccounts", () => {
  it("lists every subscription, mapped or not, and the aggregator's accounts", async () => {
    estate = await createEstate({ withCases: true });
    clouds = await startClouds(estate.dir, {
      accounts: { azure: [UNMAPPED_SUBSCRIPTION], aws: [aggregator.account] },
      aws: { aggregator, accounts: {} },
      pageSize: { armList: 1 },
    });

    const result = await discoverAccounts({
      azure: { clients: clouds.azure },
      aws: { clients: clouds.aws, aggregator },
    });

    expect(result.errors).toEqual([]);
    expect(result.accounts).toEqual(
      expect.arrayContaining([
        { provider: "azure", account: SUBSCRIPTION },
        { provider: "azure", account: UNMAPPED_SUBSCRIPTION },
        { provider: "aws", account: AWS_ACCOUNT },
      ]),
    );
    expect(result.accounts).toHaveLength(3);
    expect(clouds.emulator.requestCounts().listSubscriptions).toBe(2);
  });

  it("reports a cloud that cannot be listed and still lists the other", async () => {
    estate = await createEstate({ withCases: true });
    clouds = await startClouds(estate.dir, {
      accounts: { aws: [aggregator.account] },
      aws: { aggregator, accounts: {} },
      faults: [{ operation: "listSubscriptions", kind: "server-error" }],
    });

    const result = await discoverAccounts({
      azure: { clients: clouds.azure },
      aws: { clients: clouds.aws, aggregator },
    });

    expect(result.accounts).toEqual([{ provider: "aws", account: AWS_ACCOUNT }]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/^Azure subscriptions could not be listed: .*500/);
  });

  it("reports an aggregator that does not exist", async () => {
    estate = await createEstate({ withCases: true });
    clouds = await startClouds(estate.dir);

    const result = await discoverAccounts({
      aws: { clients: clouds.aws, aggregator: { ...aggregator, account: AWS_ACCOUNT } },
    });

    expect(result.accounts).toEqual([]);
    expect(result.errors[0]).toMatch(
      /^AWS accounts of aggregator org-aggregator could not be listed: 400 NoSuchConfigurationAggregatorException/,
    );
  });
});

describe("estate clients", () => {
  it("sign each account's calls with the access key id the emulator maps to it", () => {
    expect(estateAccessKeyId(AWS_ACCOUNT)).toBe(emulatorAccessKeyId(AWS_ACCOUNT));
  });

  it("count every AWS call, retries included, and every throttle", async () => {
    estate = await createEstate({ withCases: true });
    clouds = await startClouds(estate.dir, {
      faults: [{ operation: "SelectResourceConfig", kind: "throttle", times: 2 }],
    });
    const counters = createApiCallCounters();
    const clients = createAwsClients({
      estate: clouds.emulator,
      counters,
      retryStrategy: new ConfiguredRetryStrategy(4, (attempt) => 10 * attempt),
    });

    try {
      const [collection] = await collectAws({
        clients,
        accounts: [AWS_ACCOUNT],
        regions: ["eu-west-1"],
        selectResourceTypes: ["AWS::S3::Bucket"],
        discoveredResourceTypes: [],
        onResources: createRecorder().onResources,
      });

      expect(collection?.status).toBe("complete");
      expect(counters.aws).toEqual({ calls: 3, throttles: 2 });
      expect(counters.azure).toEqual({ calls: 0, throttles: 0 });
    } finally {
      clients.destroy();
    }
  });
});
