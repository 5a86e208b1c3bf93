import { fromConfigItem } from "@plumbline/rules";
import { afterEach, describe, expect, it } from "vitest";
import { type CollectorProgressEvent, collectAws } from "../src/collectors/index.js";
import {
  AWS_ACCOUNT,
  createEstate,
  createRecorder,
  type EmulatedClouds,
  startClouds,
  type TemporaryEstate,
} from "./collectors-support.js";

const REGION = "eu-west-1";
const OTHER_REGION = "eu-central-1";
const SECOND_ACCOUNT = "444455556666";
const aggregator = { name: "org-aggregator", account: "999988887777", region: REGION };
const LOGGING_TYPE = "AWS::NetworkFirewall::LoggingConfiguration";

let estate: TemporaryEstate | undefined;
let clouds: EmulatedClouds | undefined;

afterEach(async () => {
  await clouds?.close();
  await estate?.remove();
  clouds = undefined;
  estate = undefined;
});

function firewallArn(account: string, region: string, name: string): string {
  return `arn:aws:network-firewall:${region}:${account}:firewall/${name}`;
}

/** A Network Firewall as Select returns it (documented CloudFormation field names). */
function firewallItem(account: string, region: string, name: string, vpcId: string) {
  const arn = firewallArn(account, region, name);
  return {
    version: "1.3",
    accountId: account,
    configurationItemCaptureTime: "2026-11-02T08:15:00.000Z",
    configurationItemStatus: "OK",
    configurationStateId: "1790000000000",
    resourceType: "AWS::NetworkFirewall::Firewall",
    resourceId: arn,
    resourceName: name,
    arn,
    awsRegion: region,
    availabilityZone: "Regional",
    configuration: {
      FirewallName: name,
      FirewallArn: arn,
      FirewallPolicyArn: `arn:aws:network-firewall:${region}:${account}:firewall-policy/egress`,
      VpcId: vpcId,
      SubnetMappings: [{ SubnetId: "subnet-0a1b2c3d4e5f61101", IPAddressType: "IPV4" }],
      DeleteProtection: true,
    },
    supplementaryConfiguration: {},
    tags: [],
  };
}

/** A logging estate document, as the emulator serves `DescribeLoggingConfiguration` from. */
function loggingDocument(account: string, region: string, name: string) {
  return {
    accountId: account,
    awsRegion: region,
    resourceType: LOGGING_TYPE,
    resourceName: name,
    configuration: {
      FirewallArn: firewallArn(account, region, name),
      LoggingConfiguration: {
        LogDestinationConfigs: [
          {
            LogType: "ALERT",
            LogDestinationType: "CloudWatchLogs",
            LogDestination: { logGroup: `/aws/network-firewall/${name}/alert` },
          },
          {
            LogType: "FLOW",
            LogDestinationType: "S3",
            LogDestination: { bucketName: "contoso-audit", prefix: "network-firewall/flow" },
          },
        ],
      },
    },
  };
}

describe("collectAws reading Network Firewall logging", () => {
  it("delivers each firewall's logging configuration as a resource shaped like the estate documents", async () => {
    estate = await createEstate();
    const logged = loggingDocument(AWS_ACCOUNT, REGION, "nfw-egress");
    await estate.write("aws/firewalls.json", [
      firewallItem(AWS_ACCOUNT, REGION, "nfw-egress", "vpc-0a1b2c3d4e5f60001"),
      firewallItem(AWS_ACCOUNT, REGION, "nfw-unlogged", "vpc-0a1b2c3d4e5f60002"),
    ]);
    await estate.write("aws/nfw-egress.logging.json", logged);
    clouds = await startClouds(estate.dir);
    const recorder = createRecorder();
    const events: CollectorProgressEvent[] = [];

    const [collection] = await collectAws({
      clients: clouds.aws,
      accounts: [AWS_ACCOUNT],
      regions: [REGION],
      onResources: recorder.onResources,
      onProgress: (event) => events.push(event),
    });

    expect(collection?.status).toBe("complete");
    expect(collection?.completeRegions).toEqual([REGION]);
    expect(collection?.resources).toBe(4);

    const loggedArn = firewallArn(AWS_ACCOUNT, REGION, "nfw-egress");
    const logging = recorder
      .resources()
      .find((resource) => resource.key === `${LOGGING_TYPE}/${loggedArn}`);
    expect(logging).toMatchObject({
      provider: "aws",
      account: AWS_ACCOUNT,
      type: LOGGING_TYPE,
      id: `${LOGGING_TYPE}/${loggedArn}`,
      region: REGION,
      location: REGION,
      name: "nfw-egress",
      tags: {},
      // A setting of its firewall, not a resource of its own.
      parentKey: loggedArn,
    });
    expect(logging?.raw).toEqual({
      accountId: AWS_ACCOUNT,
      awsRegion: REGION,
      resourceType: LOGGING_TYPE,
      resourceId: loggedArn,
      resourceName: "nfw-egress",
      configuration: logged.configuration,
    });
    // The estate document, given the firewall ARN as its id, reads the same through the rules.
    expect(logging).toEqual(fromConfigItem({ ...logged, resourceId: loggedArn }));

    const unloggedArn = firewallArn(AWS_ACCOUNT, REGION, "nfw-unlogged");
    const unlogged = recorder
      .resources()
      .find((resource) => resource.key === `${LOGGING_TYPE}/${unloggedArn}`);
    expect(unlogged?.name).toBe("nfw-unlogged");
    expect(unlogged?.raw.configuration).toEqual({
      FirewallArn: unloggedArn,
      LoggingConfiguration: { LogDestinationConfigs: [] },
    });

    const firewall = recorder.resources().find((resource) => resource.key === loggedArn);
    expect(firewall?.references).toEqual([
      { kind: "virtual-network", target: "vpc-0a1b2c3d4e5f60001", path: "configuration.VpcId" },
    ]);
    expect(clouds.emulator.requestCounts().DescribeLoggingConfiguration).toBe(2);
    expect(clouds.counters.aws.calls).toBe(
      Object.values(clouds.emulator.requestCounts()).reduce((sum, count) => sum + count, 0),
    );
    expect(events).toContainEqual({
      kind: "page",
      provider: "aws",
      operation: "DescribeLoggingConfiguration",
      accounts: [AWS_ACCOUNT],
      region: REGION,
      resources: 2,
    });
  });

  it("retries a throttled logging call and counts the throttle", async () => {
    estate = await createEstate();
    await estate.write(
      "aws/firewalls.json",
      firewallItem(AWS_ACCOUNT, REGION, "nfw-egress", "vpc-0a1b2c3d4e5f60001"),
    );
    await estate.write("aws/logging.json", loggingDocument(AWS_ACCOUNT, REGION, "nfw-egress"));
    clouds = await startClouds(estate.dir, {
      faults: [{ operation: "DescribeLoggingConfiguration", kind: "throttle", times: 2 }],
    });
    const recorder = createRecorder();

    const [collection] = await collectAws({
      clients: clouds.aws,
      accounts: [AWS_ACCOUNT],
      regions: [REGION],
      onResources: recorder.onResources,
    });

    expect(collection?.status).toBe("complete");
    expect(recorder.resources().map((resource) => resource.type)).toContain(LOGGING_TYPE);
    expect(clouds.emulator.requestCounts().DescribeLoggingConfiguration).toBe(3);
    expect(clouds.counters.aws.throttles).toBe(2);
  });

  it("marks only the firewall's region incomplete, with the reason, when its logging cannot be read", async () => {
    estate = await createEstate();
    await estate.write("aws/firewalls.json", [
      firewallItem(AWS_ACCOUNT, REGION, "nfw-egress", "vpc-0a1b2c3d4e5f60001"),
      firewallItem(AWS_ACCOUNT, OTHER_REGION, "nfw-central", "vpc-0a1b2c3d4e5f60003"),
    ]);
    clouds = await startClouds(estate.dir, {
      faults: [{ operation: "DescribeLoggingConfiguration", kind: "server-error", region: REGION }],
    });
    const recorder = createRecorder();

    const [collection] = await collectAws({
      clients: clouds.aws,
      accounts: [AWS_ACCOUNT],
      regions: [REGION, OTHER_REGION],
      onResources: recorder.onResources,
    });

    expect(collection?.status).toBe("partial");
    expect(collection?.reason).toMatch(
      new RegExp(
        `^DescribeLoggingConfiguration of ${firewallArn(AWS_ACCOUNT, REGION, "nfw-egress")} ` +
          `in ${REGION} failed: 500 InternalFailure`,
      ),
    );
    expect(collection?.completeRegions).toEqual([OTHER_REGION]);
    const types = recorder.resources().map((resource) => [resource.type, resource.region]);
    expect(types).toEqual([
      ["AWS::NetworkFirewall::Firewall", REGION],
      ["AWS::NetworkFirewall::Firewall", OTHER_REGION],
      [LOGGING_TYPE, OTHER_REGION],
    ]);
  });

  it("reads the logging of aggregated firewalls with each firewall account's own credentials", async () => {
    estate = await createEstate();
    await estate.write("aws/firewalls.json", [
      firewallItem(AWS_ACCOUNT, REGION, "nfw-egress", "vpc-0a1b2c3d4e5f60001"),
      firewallItem(SECOND_ACCOUNT, REGION, "nfw-wealth", "vpc-0a1b2c3d4e5f60004"),
      firewallItem(SECOND_ACCOUNT, OTHER_REGION, "nfw-wealth-central", "vpc-0a1b2c3d4e5f60005"),
    ]);
    await estate.write("aws/logging.json", [
      loggingDocument(AWS_ACCOUNT, REGION, "nfw-egress"),
      loggingDocument(SECOND_ACCOUNT, REGION, "nfw-wealth"),
    ]);
    clouds = await startClouds(estate.dir, {
      accounts: { aws: [aggregator.account] },
      aws: { aggregator, accounts: {} },
      faults: [
        {
          operation: "DescribeLoggingConfiguration",
          kind: "server-error",
          account: SECOND_ACCOUNT,
          region: OTHER_REGION,
        },
      ],
    });
    const recorder = createRecorder();

    const [first, second] = await collectAws({
      clients: clouds.aws,
      accounts: [AWS_ACCOUNT, SECOND_ACCOUNT],
      regions: [REGION, OTHER_REGION],
      aggregator,
      onResources: recorder.onResources,
    });

    expect(first).toMatchObject({
      status: "complete",
      resources: 2,
      completeRegions: [REGION, OTHER_REGION],
    });
    expect(second?.status).toBe("partial");
    expect(second?.reason).toMatch(
      new RegExp(
        `^DescribeLoggingConfiguration of ${firewallArn(SECOND_ACCOUNT, OTHER_REGION, "nfw-wealth-central")} ` +
          `in ${OTHER_REGION} failed: 500 InternalFailure`,
      ),
    );
    expect(second?.completeRegions).toEqual([REGION]);
    const logging = recorder.resources().filter((resource) => resource.type === LOGGING_TYPE);
    expect(logging.map((resource) => [resource.account, resource.region, resource.name])).toEqual([
      [AWS_ACCOUNT, REGION, "nfw-egress"],
      [SECOND_ACCOUNT, REGION, "nfw-wealth"],
    ]);
    expect(logging[1]?.raw.configuration).toMatchObject({
      FirewallArn: firewallArn(SECOND_ACCOUNT, REGION, "nfw-wealth"),
      LoggingConfiguration: { LogDestinationConfigs: [{ LogType: "ALERT" }, { LogType: "FLOW" }] },
    });
  });
});
