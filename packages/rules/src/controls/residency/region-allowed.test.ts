import { describe, expect, it } from "vitest";
import { contextWith, ownerWith } from "../../../test/support/evaluation.js";
import { armDocumentsOf, azureFixture } from "../../../test/support/fixtures.js";
import { fromArmDocument } from "../../canonical/from-arm-document.js";
import { fromConfigItem } from "../../canonical/from-config-item.js";
import type { CanonicalResource } from "../../model.js";
import type { Owner } from "../../policy/types.js";
import { regionAllowed } from "./region-allowed.js";

const SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000000";

function document(fileName: string, name?: string): Record<string, unknown> {
  const documents = armDocumentsOf(azureFixture(fileName));
  const found = name === undefined ? documents[0] : documents.find((d) => d.name === name);
  if (found === undefined) throw new Error(`no ${name ?? "document"} in ${fileName}`);
  return found;
}

function judge(resource: CanonicalResource, owner: Owner = ownerWith()) {
  return regionAllowed.evaluate(resource, contextWith({ owner }));
}

function openAiIn(location: unknown): CanonicalResource {
  return fromArmDocument({
    ...document("Microsoft.CognitiveServices_accounts.OpenAI.arm.real.json"),
    location,
  });
}

const fallbackOwner = ownerWith({
  regions: {
    allowed: ["westeurope"],
    fallback: [
      { region: "francecentral", contract: "DPA-2026-014", until: "2027-03-31" },
      { region: "germanywestcentral", contract: "DPA-2024-002", until: "2026-12-02" },
    ],
  },
});

describe("residency.region-allowed", () => {
  it("passes an allowed region and a display name of one", () => {
    expect(judge(openAiIn("swedencentral")).status).toBe("pass");
    const verdict = judge(openAiIn("Sweden Central"));
    expect(verdict.status).toBe("pass");
    expect(verdict.evidence).toEqual([
      {
        path: "location",
        actual: "Sweden Central",
        expected: "one of: westeurope, swedencentral, eu-west-1",
      },
    ]);
  });

  it("errs on an Azure document whose location is an AWS region, even an allowed one", () => {
    const verdict = judge(openAiIn("eu-west-1"));
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain('location "eu-west-1" is a region of aws, not of azure');
  });

  it("fails a region outside the owner's list and names it", () => {
    const verdict = judge(
      fromArmDocument(document("Microsoft.CognitiveServices_accounts.OpenAI.arm.real.json")),
    );
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toBe(
      'Microsoft.CognitiveServices/accounts contoso-openai is outside acme\'s approved regions (location "eastus": eastus is not an approved region); expected one of westeurope, swedencentral, eu-west-1',
    );
  });

  it("passes a fallback region while its contract runs, through the last day", () => {
    const verdict = judge(openAiIn("francecentral"), fallbackOwner);
    expect(verdict.status).toBe("pass");
    expect(verdict.message).toContain("under contract DPA-2026-014 until 2027-03-31");
    const lastDay = regionAllowed.evaluate(
      openAiIn("francecentral"),
      contextWith({ owner: fallbackOwner, now: new Date("2027-03-31T23:59:59Z") }),
    );
    expect(lastDay.status).toBe("pass");
  });

  it("fails a fallback region whose contract has ended, naming the contract and its end", () => {
    const verdict = judge(openAiIn("germanywestcentral"), fallbackOwner);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("contract DPA-2024-002 ended on 2026-12-02");
  });

  it("passes global on a type without a region and fails it on a regional type", () => {
    const zone = fromArmDocument(
      document("Microsoft.Network_privateDnsZones.get.arm.spec-2024-06-01.json"),
    );
    expect(judge(zone).status).toBe("pass");
    const verdict = judge(openAiIn("global"));
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain(
      "global is not allowed for Microsoft.CognitiveServices/accounts",
    );
  });

  it("passes a geography only when every region it covers is approved", () => {
    const insights = (location: string) =>
      fromArmDocument({
        id: `${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Insights/components/appi`,
        location,
        properties: {},
      });
    const narrow = judge(insights("Europe"));
    expect(narrow.status).toBe("fail");
    expect(narrow.message).toContain("geography europe includes regions that are not approved");

    const everyEuropeanRegion = [
      "austriaeast",
      "belgiumcentral",
      "denmarkeast",
      "northeurope",
      "westeurope",
      "francecentral",
      "francesouth",
      "germanynorth",
      "germanywestcentral",
      "italynorth",
      "norwayeast",
      "norwaywest",
      "polandcentral",
      "spaincentral",
      "swedencentral",
      "swedensouth",
      "switzerlandnorth",
      "switzerlandwest",
    ];
    const wide = ownerWith({ regions: { allowed: everyEuropeanRegion, fallback: [] } });
    expect(judge(insights("Europe"), wide).status).toBe("pass");
  });

  it("reports a location outside the catalogue as an error naming it", () => {
    const storage = fromArmDocument(
      document("Microsoft.Storage_storageAccounts.get-cmk.arm.spec-2023-05-01.json"),
    );
    const verdict = judge(storage);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain('location "eastus2(stage)" is not in the region catalogue');
  });

  it("reports a regional resource without a location as an error", () => {
    const verdict = judge(openAiIn(null));
    expect(verdict.status).toBe("error");
    expect(verdict.evidence).toEqual([
      { path: "location", expected: "one of: westeurope, swedencentral, eu-west-1" },
    ]);
  });

  it("judges the secondary location of a geo-redundant storage account", () => {
    const account = document(
      "Microsoft.Storage_storageAccounts.list.arm.real.json",
      "contosocmkstorage",
    );
    const owner = ownerWith({ regions: { allowed: ["centralus"], fallback: [] } });
    const verdict = judge(fromArmDocument(account), owner);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain(
      'properties.secondaryLocation "eastus2": eastus2 is not an approved region',
    );
    expect(verdict.evidence).toHaveLength(2);

    const both = ownerWith({ regions: { allowed: ["centralus", "eastus2"], fallback: [] } });
    expect(judge(fromArmDocument(account), both).status).toBe("pass");
  });

  it("ignores an absent secondary location (missing, null or empty): there is no second copy", () => {
    const account = document(
      "Microsoft.Storage_storageAccounts.list.arm.real.json",
      "contosocmkstorage",
    );
    const owner = ownerWith({ regions: { allowed: ["centralus"], fallback: [] } });
    for (const secondaryLocation of [undefined, null, ""]) {
      const properties = { ...(account.properties as object), secondaryLocation };
      const verdict = judge(
        fromArmDocument(JSON.parse(JSON.stringify({ ...account, properties }))),
        owner,
      );
      expect(verdict.status, String(secondaryLocation)).toBe("pass");
      expect(verdict.message).toBe(
        'Microsoft.Storage/storageAccounts contosocmkstorage is in approved regions (location "centralus": centralus is allowed)',
      );
      expect(verdict.evidence).toEqual([
        { path: "location", actual: "centralus", expected: "one of: centralus" },
      ]);
    }
    expect(judge(fromArmDocument(account), owner).status).toBe("fail");
  });

  it("judges each Cosmos DB location that is given and ignores entries without one", () => {
    const cosmos = (locations: unknown[]) =>
      fromArmDocument({
        id: `${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.DocumentDB/databaseAccounts/cosmos-contoso`,
        name: "cosmos-contoso",
        type: "Microsoft.DocumentDB/databaseAccounts",
        location: "West Europe",
        properties: { locations },
      });
    const verdict = judge(
      cosmos([
        { locationName: "West Europe", failoverPriority: 0 },
        { locationName: null, failoverPriority: 1 },
        { locationName: "", failoverPriority: 2 },
        { failoverPriority: 3 },
      ]),
    );
    expect(verdict.status).toBe("pass");
    expect(verdict.evidence.map((e) => e.path)).toEqual([
      "location",
      "properties.locations[0].locationName",
    ]);
    const replicated = judge(
      cosmos([
        { locationName: "West Europe" },
        { locationName: null },
        { locationName: "East US" },
      ]),
    );
    expect(replicated.status).toBe("fail");
    expect(replicated.message).toContain(
      'properties.locations[2].locationName "East US": eastus is not an approved region',
    );
  });

  it("reports an Azure document without properties as an error, not a judgement of its location", () => {
    const { properties: _dropped, ...bare } = document(
      "Microsoft.CognitiveServices_accounts.OpenAI.arm.real.json",
    );
    const verdict = judge(fromArmDocument(bare));
    expect(verdict.status).toBe("error");
    expect(verdict.message).toBe(
      "Microsoft.CognitiveServices/accounts contoso-openai has no properties in the collected document; the data needed was not collected",
    );
    expect(verdict.evidence).toEqual([{ path: "properties", expected: "an object" }]);
  });

  it("reports an AWS item without configuration, or a bucket without supplementaryConfiguration, as an error", () => {
    const item = (resourceType: string, parts: Record<string, unknown>) =>
      fromConfigItem({
        accountId: "111122223333",
        awsRegion: "us-east-1",
        resourceType,
        resourceId: "x",
        configurationItemStatus: "OK",
        ...parts,
      });
    const vpc = judge(item("AWS::EC2::VPC", {}));
    expect(vpc.status).toBe("error");
    expect(vpc.message).toContain("has no configuration in the collected document");
    const bucket = judge(item("AWS::S3::Bucket", { configuration: {} }));
    expect(bucket.status).toBe("error");
    expect(bucket.message).toContain("has no supplementaryConfiguration in the collected document");
  });

  it("judges top-level resources only", () => {
    const account = openAiIn("swedencentral");
    const [deployment] = armDocumentsOf(
      azureFixture("Microsoft.CognitiveServices_accounts_deployments.list.arm.real.json"),
    ).map((d) => fromArmDocument(d, account));
    expect(regionAllowed.appliesTo?.(account)).toBe(true);
    expect(deployment !== undefined && regionAllowed.appliesTo?.(deployment)).toBe(false);
  });

  it("gives no row to a firewall's logging setting, on AWS as on Azure: it is not top-level", () => {
    const firewallArn = "arn:aws:network-firewall:eu-west-1:111122223333:firewall/nfw-egress";
    const firewall = fromConfigItem({
      accountId: "111122223333",
      awsRegion: "eu-west-1",
      resourceType: "AWS::NetworkFirewall::Firewall",
      resourceId: firewallArn,
      arn: firewallArn,
      configuration: { FirewallArn: firewallArn, VpcId: "vpc-0a1b2c3d" },
    });
    // As the collector delivers what DescribeLoggingConfiguration answers: no ARN of its own.
    const logging = (configuration: Record<string, unknown>, resourceId = firewallArn) =>
      fromConfigItem({
        accountId: "111122223333",
        awsRegion: "eu-west-1",
        resourceType: "AWS::NetworkFirewall::LoggingConfiguration",
        resourceId,
        resourceName: "nfw-egress",
        configuration,
      });
    const logsToS3 = logging({
      FirewallArn: firewallArn,
      LoggingConfiguration: { LogDestinationConfigs: [{ LogType: "FLOW" }] },
    });
    const azureSetting = fromArmDocument({
      id:
        `${SUBSCRIPTION}/resourceGroups/rg-hub/providers/Microsoft.Network/azureFirewalls/` +
        "afw-hub/providers/Microsoft.Insights/diagnosticSettings/to-law",
      name: "to-law",
      properties: { workspaceId: "/subscriptions/x/workspaces/law", logs: [] },
    });

    expect(regionAllowed.appliesTo?.(firewall)).toBe(true);
    expect(logsToS3.parentKey).toBe(firewall.key);
    expect(regionAllowed.appliesTo?.(logsToS3)).toBe(false);
    expect(regionAllowed.appliesTo?.(logging({}, "nfw-egress"))).toBe(false);
    expect(regionAllowed.appliesTo?.(azureSetting)).toBe(false);
  });

  it("passes AWS items recorded in global only for the global types", () => {
    const item = (resourceType: string) =>
      fromConfigItem({
        accountId: "111122223333",
        awsRegion: "global",
        resourceType,
        resourceId: "x",
        configuration: {},
        supplementaryConfiguration: {},
      });
    expect(judge(item("AWS::IAM::Role")).status).toBe("pass");
    expect(judge(item("AWS::Route53::HostedZone")).status).toBe("pass");
    expect(judge(item("AWS::S3::Bucket")).status).toBe("fail");
  });

  it("judges AWS items by awsRegion", () => {
    const bucket = (awsRegion: string) =>
      fromConfigItem({
        accountId: "111122223333",
        awsRegion,
        resourceType: "AWS::S3::Bucket",
        resourceId: "b",
        arn: "arn:aws:s3:::b",
        configuration: {},
        supplementaryConfiguration: {},
      });
    expect(judge(bucket("eu-west-1")).status).toBe("pass");
    const verdict = judge(bucket("us-east-1"));
    expect(verdict.status).toBe("fail");
    expect(verdict.evidence[0]).toMatchObject({ path: "awsRegion", actual: "us-east-1" });
  });

  it("reports an item AWS Config did not record as an error", () => {
    const item = fromConfigItem({
      accountId: "111122223333",
      awsRegion: "eu-west-1",
      resourceType: "AWS::S3::Bucket",
      resourceId: "b",
      configurationItemStatus: "ResourceNotRecorded",
    });
    expect(judge(item).status).toBe("error");
  });
});
