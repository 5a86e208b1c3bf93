import { describe, expect, it } from "vitest";
import { TEST_AWS_ACCOUNT, vpcItem } from "../../../test/support/aws-items.js";
import {
  completeAccount,
  ownerWith,
  partialAccount,
  TEST_NOW,
} from "../../../test/support/evaluation.js";
import { armDocumentsOf, azureFixture } from "../../../test/support/fixtures.js";
import { ownerContextWith } from "../../../test/support/owner-evaluation.js";
import { fromArmDocument } from "../../canonical/from-arm-document.js";
import { fromConfigItem } from "../../canonical/from-config-item.js";
import { evaluate } from "../../evaluate/evaluator.js";
import type { AccountCollection, CanonicalResource } from "../../model.js";
import { parsePolicy } from "../../policy/parse-policy.js";
import { egressFirewallLogged } from "./egress-firewall-logged.js";

const SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
const HUB_SUBSCRIPTION = "00000000-0000-0000-0000-00000000a0ff";
const FIREWALL_GROUP = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-contoso-hub/providers/Microsoft.Network`;
const HUB_NETWORK = `${FIREWALL_GROUP}/virtualNetworks/vnet-hub`;
const SPOKE_NETWORK = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-contoso-app/providers/Microsoft.Network/virtualNetworks/vnet-app`;

function fixture(fileName: string): Record<string, unknown> {
  const [document] = armDocumentsOf(azureFixture(fileName));
  if (document === undefined) throw new Error(`no document in ${fileName}`);
  return structuredClone(document);
}

/** The spec firewall (display-name location "West US"), in the hub network's firewall subnet. */
const firewall = () =>
  fromArmDocument(fixture("Microsoft.Network_azureFirewalls.get.arm.spec-2024-05-01.json"));

/** The spec diagnostic setting (allLogs to a storage account), re-pointed at the firewall. */
function allLogsSetting(changes: Record<string, unknown> = {}): CanonicalResource {
  const document = fixture(
    "Microsoft.Insights_diagnosticSettings.get.arm.spec-2021-05-01-preview.json",
  );
  // Diagnostic setting ids come back partly lower-cased.
  document.id = `${FIREWALL_GROUP.toLowerCase()}/azurefirewalls/afw-contoso/providers/microsoft.insights/diagnosticSettings/mysetting`;
  document.properties = { ...(document.properties as object), ...changes };
  return fromArmDocument(document);
}

/** The real per-category setting (null destinations but a storage account), for the firewall. */
function categorySetting(enabled: Record<string, boolean>): CanonicalResource {
  const [document] = armDocumentsOf(
    azureFixture("Microsoft.Insights_diagnosticSettings.list-on-resource.http.real.json"),
  );
  const setting = structuredClone(document) as Record<string, unknown>;
  setting.id = `${FIREWALL_GROUP}/azureFirewalls/afw-contoso/providers/microsoft.insights/diagnosticSettings/diag-categories`;
  const properties = setting.properties as Record<string, unknown>;
  properties.logs = Object.entries(enabled).map(([category, on]) => ({
    category,
    enabled: on,
    retentionPolicy: { enabled: false, days: 0 },
  }));
  return fromArmDocument(setting);
}

function network(id: string, peerings: { remote: string; state: string }[] = []) {
  return fromArmDocument({
    id,
    name: id.split("/").pop(),
    type: "Microsoft.Network/virtualNetworks",
    location: "westus",
    properties: {
      addressSpace: { addressPrefixes: ["10.1.0.0/16"] },
      virtualNetworkPeerings: peerings.map((peering) => ({
        name: "peering",
        properties: {
          remoteVirtualNetwork: { id: peering.remote },
          peeringState: peering.state,
        },
      })),
    },
  });
}

const owner = ownerWith({ accounts: { azure: [SUBSCRIPTION], aws: [] } });

function judgeAzure(
  resources: CanonicalResource[],
  accounts: AccountCollection[] = [
    completeAccount("azure", SUBSCRIPTION),
    completeAccount("azure", HUB_SUBSCRIPTION),
  ],
) {
  const rows = egressFirewallLogged.evaluate(ownerContextWith({ owner, resources, accounts }));
  expect(rows).toHaveLength(1);
  return rows[0] as (typeof rows)[number];
}

describe("network.egress-firewall-logged on Azure subscriptions", () => {
  it("passes a subscription whose network holds a firewall that sends allLogs to a destination", () => {
    const verdict = judgeAzure([network(HUB_NETWORK), firewall(), allLogsSetting()]);
    expect(verdict.status).toBe("pass");
    expect(verdict.subject).toEqual({
      resource: `/subscriptions/${SUBSCRIPTION}`,
      subjectKey: `/subscriptions/${SUBSCRIPTION}`,
      provider: "azure",
      account: SUBSCRIPTION,
      type: "Microsoft.Resources/subscriptions",
      region: null,
    });
    expect(verdict.message).toContain("vnet-hub: afw-contoso logs rule hits through mysetting");
  });

  it("passes a spoke network peered (Connected) with the hub that holds the logged firewall", () => {
    const resources = [
      network(SPOKE_NETWORK, [{ remote: HUB_NETWORK, state: "Connected" }]),
      network(HUB_NETWORK, [{ remote: SPOKE_NETWORK, state: "Connected" }]),
      firewall(),
      allLogsSetting(),
    ];
    const verdict = judgeAzure(resources);
    expect(verdict.status).toBe("pass");
    expect(verdict.message).toContain("vnet-app: afw-contoso logs rule hits");
  });

  it("fails a spoke whose peering to the hub is only Initiated", () => {
    const resources = [
      network(SPOKE_NETWORK, [{ remote: HUB_NETWORK, state: "Initiated" }]),
      network(HUB_NETWORK),
      firewall(),
      allLogsSetting(),
    ];
    const verdict = judgeAzure(resources);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("vnet-app: no firewall in vnet-app");
  });

  it("passes both rule categories, legacy or resource-specific, spelled in any case", () => {
    for (const pair of [
      ["AzureFirewallApplicationRule", "AzureFirewallNetworkRule"],
      ["azfwapplicationrule", "AZFWNetworkRule"],
    ]) {
      const setting = categorySetting({ [pair[0] ?? ""]: true, [pair[1] ?? ""]: true });
      expect(judgeAzure([network(HUB_NETWORK), firewall(), setting]).status).toBe("pass");
    }
  });

  it("fails a setting that logs network rules only, with application rules switched off", () => {
    const setting = categorySetting({
      AzureFirewallApplicationRule: false,
      AzureFirewallNetworkRule: true,
    });
    const verdict = judgeAzure([network(HUB_NETWORK), firewall(), setting]);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("sends AzureFirewallNetworkRule, not allLogs");
  });

  it("fails a setting without a destination (null, empty string and absent alike)", () => {
    const setting = allLogsSetting({
      storageAccountId: null,
      workspaceId: "",
      eventHubAuthorizationRuleId: null,
      marketplacePartnerId: undefined,
    });
    const verdict = judgeAzure([network(HUB_NETWORK), firewall(), setting]);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("has no destination");
  });

  it("fails a firewall without diagnostic settings in a completely collected subscription", () => {
    const verdict = judgeAzure([network(HUB_NETWORK), firewall()]);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("afw-contoso has no diagnostic setting");
  });

  it("is an error when the firewall's subscription was collected only partly", () => {
    const verdict = judgeAzure(
      [network(HUB_NETWORK), firewall()],
      [partialAccount("azure", SUBSCRIPTION)],
    );
    expect(verdict.status).toBe("error");
  });

  it("fails a network with no firewall in it or its peers", () => {
    const verdict = judgeAzure([network(SPOKE_NETWORK)]);
    expect(verdict.status).toBe("fail");
    expect(verdict.evidence).toContainEqual({
      path: `${SPOKE_NETWORK}#egress firewall`,
      expected: "an Azure firewall in it or a peered network",
    });
  });

  it("is an error when the peered hub lives in a subscription that was not scanned", () => {
    const hub = HUB_NETWORK.replace(SUBSCRIPTION, HUB_SUBSCRIPTION);
    const verdict = judgeAzure(
      [network(SPOKE_NETWORK, [{ remote: hub, state: "Connected" }])],
      [completeAccount("azure", SUBSCRIPTION)],
    );
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(HUB_SUBSCRIPTION);
  });

  it("judges every network: one unlogged network fails the subscription", () => {
    const verdict = judgeAzure([
      network(HUB_NETWORK),
      firewall(),
      allLogsSetting(),
      network(SPOKE_NETWORK),
    ]);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("vnet-hub: afw-contoso logs rule hits");
    expect(verdict.message).toContain("vnet-app: no firewall");
  });

  it("is not applicable to a subscription without virtual networks", () => {
    const verdict = judgeAzure([]);
    expect(verdict.status).toBe("not-applicable");
  });

  it("is an error when a subscription without networks was not collected completely", () => {
    const verdict = judgeAzure([], [partialAccount("azure", SUBSCRIPTION)]);
    expect(verdict.status).toBe("error");
  });

  it("is an error, not a pass, when every network seen is logged but the subscription was collected only partly", () => {
    const verdict = judgeAzure(
      [network(HUB_NETWORK), firewall(), allLogsSetting()],
      [partialAccount("azure", SUBSCRIPTION), completeAccount("azure", HUB_SUBSCRIPTION)],
    );
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("vnet-hub: afw-contoso logs rule hits through mysetting");
    expect(verdict.message).toContain(
      `Azure subscription ${SUBSCRIPTION} was collected only partly (throttled)`,
    );
    expect(verdict.evidence).toContainEqual({
      path: `/subscriptions/${SUBSCRIPTION}#collection.status`,
      actual: "partial",
      expected: "complete",
    });
  });

  it("is an error, not a pass, when the subscription has no collection record at all", () => {
    const verdict = judgeAzure(
      [network(HUB_NETWORK), firewall(), allLogsSetting()],
      [completeAccount("azure", HUB_SUBSCRIPTION)],
    );
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(`Azure subscription ${SUBSCRIPTION} was not collected`);
    expect(verdict.evidence).toContainEqual({
      path: `/subscriptions/${SUBSCRIPTION}#collection.status`,
      expected: "complete",
    });
  });
});

const FIREWALL_ARN = `arn:aws:network-firewall:us-east-1:${TEST_AWS_ACCOUNT}:firewall/nfw-egress`;

/** An `AWS::NetworkFirewall::Firewall` item, with the CloudFormation field names. */
function networkFirewall(vpcId = "vpc-0a1b2c3d4e5f67890"): CanonicalResource {
  return fromConfigItem({
    version: "1.3",
    accountId: TEST_AWS_ACCOUNT,
    configurationItemStatus: "OK",
    resourceType: "AWS::NetworkFirewall::Firewall",
    resourceId: FIREWALL_ARN,
    resourceName: "nfw-egress",
    arn: FIREWALL_ARN,
    awsRegion: "us-east-1",
    configuration: {
      FirewallName: "nfw-egress",
      FirewallArn: FIREWALL_ARN,
      VpcId: vpcId,
      SubnetMappings: [{ SubnetId: "subnet-0000000000000000a", IPAddressType: "IPV4" }],
    },
    supplementaryConfiguration: {},
  });
}

/** The logging configuration the Network Firewall API returns for the firewall. */
function loggingConfiguration(configs: Record<string, unknown>[]): CanonicalResource {
  return fromConfigItem({
    accountId: TEST_AWS_ACCOUNT,
    awsRegion: "us-east-1",
    resourceType: "AWS::NetworkFirewall::LoggingConfiguration",
    resourceId: FIREWALL_ARN,
    resourceName: "nfw-egress",
    configuration: {
      FirewallArn: FIREWALL_ARN,
      LoggingConfiguration: { LogDestinationConfigs: configs },
    },
  });
}

const ALERT_TO_LOGS = {
  LogType: "ALERT",
  LogDestinationType: "CloudWatchLogs",
  LogDestination: { logGroup: "/aws/network-firewall/alert" },
};

const awsOwner = ownerWith({ accounts: { azure: [], aws: [TEST_AWS_ACCOUNT] } });

function judgeAws(
  resources: CanonicalResource[],
  accounts: AccountCollection[] = [completeAccount("aws", TEST_AWS_ACCOUNT)],
) {
  const rows = egressFirewallLogged.evaluate(
    ownerContextWith({ owner: awsOwner, resources, accounts }),
  );
  expect(rows).toHaveLength(1);
  return rows[0] as (typeof rows)[number];
}

describe("network.egress-firewall-logged on AWS accounts", () => {
  it("passes when the firewall of each non-default VPC sends ALERT logs to a destination", () => {
    const verdict = judgeAws([
      vpcItem({ isDefault: false }),
      vpcItem({ id: "vpc-default", isDefault: true }),
      networkFirewall(),
      loggingConfiguration([ALERT_TO_LOGS]),
    ]);
    expect(verdict.status).toBe("pass");
    expect(verdict.subject).toEqual({
      resource: TEST_AWS_ACCOUNT,
      subjectKey: TEST_AWS_ACCOUNT,
      provider: "aws",
      account: TEST_AWS_ACCOUNT,
      type: "AWS::::Account",
      region: null,
    });
  });

  it("accepts FLOW logs and log types in any case", () => {
    const flow = {
      ...ALERT_TO_LOGS,
      LogType: "flow",
      LogDestinationType: "S3",
      LogDestination: { bucketName: "audit" },
    };
    expect(
      judgeAws([vpcItem({ isDefault: false }), networkFirewall(), loggingConfiguration([flow])])
        .status,
    ).toBe("pass");
  });

  it("fails a firewall that logs TLS only", () => {
    const tls = { ...ALERT_TO_LOGS, LogType: "TLS" };
    const verdict = judgeAws([
      vpcItem({ isDefault: false }),
      networkFirewall(),
      loggingConfiguration([tls]),
    ]);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("nfw-egress sends TLS, not ALERT or FLOW");
  });

  it("fails ALERT logs without a destination", () => {
    const nowhere = { LogType: "ALERT", LogDestinationType: "CloudWatchLogs", LogDestination: {} };
    const verdict = judgeAws([
      vpcItem({ isDefault: false }),
      networkFirewall(),
      loggingConfiguration([nowhere]),
    ]);
    expect(verdict.status).toBe("fail");
  });

  it("is an error naming a log type the API does not document", () => {
    const odd = { ...ALERT_TO_LOGS, LogType: "INSPECTION" };
    const verdict = judgeAws([
      vpcItem({ isDefault: false }),
      networkFirewall(),
      loggingConfiguration([odd]),
    ]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain('"INSPECTION"');
  });

  it("fails a firewall without a logging configuration in a completely collected region", () => {
    const verdict = judgeAws([vpcItem({ isDefault: false }), networkFirewall()]);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("nfw-egress has no logging configuration");
  });

  it("is an error for a missing logging configuration in a region not collected completely", () => {
    const verdict = judgeAws(
      [vpcItem({ isDefault: false }), networkFirewall()],
      [partialAccount("aws", TEST_AWS_ACCOUNT, ["eu-west-1"])],
    );
    expect(verdict.status).toBe("error");
  });

  it("fails a non-default VPC without a Network Firewall", () => {
    const verdict = judgeAws([vpcItem({ isDefault: false }), networkFirewall("vpc-elsewhere")]);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("no Network Firewall in the VPC");
  });

  it("is not applicable to an account with only a default VPC", () => {
    expect(judgeAws([vpcItem({ isDefault: true })]).status).toBe("not-applicable");
  });

  it("is an error when a VPC's isDefault is absent", () => {
    expect(judgeAws([vpcItem()]).status).toBe("error");
  });

  it("is an error when an account without VPCs was not collected completely", () => {
    const verdict = judgeAws([], [partialAccount("aws", TEST_AWS_ACCOUNT)]);
    expect(verdict.status).toBe("error");
  });

  it("is an error, not a pass, when the VPC's region is complete but another region of the account failed", () => {
    const verdict = judgeAws(
      [vpcItem({ isDefault: false }), networkFirewall(), loggingConfiguration([ALERT_TO_LOGS])],
      [partialAccount("aws", TEST_AWS_ACCOUNT, ["us-east-1"])],
    );
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("nfw-egress sends ALERT logs to a destination");
    expect(verdict.message).toContain(
      `AWS account ${TEST_AWS_ACCOUNT} was collected only partly (throttled), only us-east-1 ` +
        "collected completely, so VPCs in its other regions may lack a logged firewall",
    );
  });

  it("is an error, not a pass, when the account has no collection record", () => {
    const verdict = judgeAws(
      [vpcItem({ isDefault: false }), networkFirewall(), loggingConfiguration([ALERT_TO_LOGS])],
      [],
    );
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(`AWS account ${TEST_AWS_ACCOUNT} was not collected`);
  });

  it("keeps a fail on a VPC seen in a complete region of a partly collected account", () => {
    const verdict = judgeAws(
      [vpcItem({ isDefault: false }), networkFirewall("vpc-elsewhere")],
      [partialAccount("aws", TEST_AWS_ACCOUNT, ["us-east-1"])],
    );
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("no Network Firewall in the VPC");
  });
});

describe("network.egress-firewall-logged across an owner's accounts", () => {
  it("emits one row per Azure subscription and AWS account of the owner", () => {
    const both = ownerWith({ accounts: { azure: [SUBSCRIPTION], aws: [TEST_AWS_ACCOUNT] } });
    const rows = egressFirewallLogged.evaluate(
      ownerContextWith({
        owner: both,
        accounts: [
          completeAccount("azure", SUBSCRIPTION),
          completeAccount("aws", TEST_AWS_ACCOUNT),
        ],
      }),
    );
    expect(rows.map((r) => [r.subject.resource, r.status])).toEqual([
      [`/subscriptions/${SUBSCRIPTION}`, "not-applicable"],
      [TEST_AWS_ACCOUNT, "not-applicable"],
    ]);
  });
});

describe("network.egress-firewall-logged for the platform", () => {
  const policy = parsePolicy(
    [
      "version: 1",
      "platform:",
      `  accounts: { azure: [${HUB_SUBSCRIPTION}, ${SUBSCRIPTION}] }`,
      "  regions: { allowed: [westus] }",
      "tenants:",
      "  - id: retail",
      `    accounts: { azure: [${SUBSCRIPTION}] }`,
      "    regions: { allowed: [westus] }",
    ].join("\n"),
    "plumbline.yaml",
    { now: TEST_NOW },
  ).policy;

  it("emits no rows for the platform's own accounts", () => {
    const platform = policy.platform;
    if (platform === null) throw new Error("the policy names a platform");
    const rows = egressFirewallLogged.evaluate(
      ownerContextWith({
        owner: platform,
        owners: [platform, ...policy.tenants],
        resources: [network(HUB_NETWORK), firewall(), allLogsSetting()],
        accounts: [
          completeAccount("azure", SUBSCRIPTION),
          completeAccount("azure", HUB_SUBSCRIPTION),
        ],
      }),
    );
    expect(rows).toEqual([]);
  });

  it("keeps the tenant's row of an account the platform lists too, and nothing else", () => {
    const findings = evaluate(
      {
        resources: [network(HUB_NETWORK), firewall(), allLogsSetting()],
        accounts: [
          completeAccount("azure", SUBSCRIPTION),
          completeAccount("azure", HUB_SUBSCRIPTION),
        ],
      },
      policy,
      TEST_NOW,
    ).filter((finding) => finding.control === egressFirewallLogged.id);
    expect(findings.map((f) => [f.tenant, f.resource, f.status])).toEqual([
      ["retail", `/subscriptions/${SUBSCRIPTION}`, "pass"],
    ]);
  });
});
