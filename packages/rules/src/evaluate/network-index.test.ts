import { describe, expect, it } from "vitest";
import { vpcItem } from "../../test/support/aws-items.js";
import {
  armDocumentsOf,
  awsFixture,
  azureFixture,
  selectRowsOf,
} from "../../test/support/fixtures.js";
import { fromArmDocument } from "../canonical/from-arm-document.js";
import { fromConfigItem } from "../canonical/from-config-item.js";
import { InventoryIndex } from "./inventory-index.js";
import { virtualNetworkIdOfSubnet } from "./network-index.js";

const SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
const NETWORK = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-contoso-net/providers/Microsoft.Network/virtualNetworks/vnet-contoso`;

function first(fileName: string): Record<string, unknown> {
  const [document] = armDocumentsOf(azureFixture(fileName));
  return structuredClone(document) as Record<string, unknown>;
}

describe("virtualNetworkIdOfSubnet", () => {
  it("cuts a subnet id back to its virtual network, keeping the spelling", () => {
    expect(virtualNetworkIdOfSubnet(`${NETWORK.toUpperCase()}/SUBNETS/snet-pe`)).toBe(
      NETWORK.toUpperCase(),
    );
    expect(virtualNetworkIdOfSubnet(`${NETWORK}/subnets/snet-pe/`)).toBe(NETWORK);
  });

  it("returns null for ids that are not subnet ids", () => {
    expect(virtualNetworkIdOfSubnet(NETWORK)).toBeNull();
    expect(virtualNetworkIdOfSubnet("subnet-0000000000000000a")).toBeNull();
  });
});

describe("NetworkIndex", () => {
  it("knows a peering from either side's document", () => {
    const hub = NETWORK.replace("vnet-contoso", "vnet-hub");
    const index = new InventoryIndex();
    index.add(
      fromArmDocument({
        id: hub,
        name: "vnet-hub",
        type: "Microsoft.Network/virtualNetworks",
        location: "westeurope",
        properties: {
          virtualNetworkPeerings: [
            {
              properties: {
                remoteVirtualNetwork: { id: NETWORK.toLowerCase() },
                peeringState: "Connected",
              },
            },
          ],
        },
      }),
    );
    expect(index.network.peeringsOf(NETWORK)).toEqual([
      {
        fromKey: hub.toLowerCase(),
        toKey: NETWORK.toLowerCase(),
        toId: NETWORK.toLowerCase(),
        state: "Connected",
      },
    ]);
    expect(index.network.peeringsOf(hub)).toHaveLength(1);
    expect(index.network.virtualNetworksOf(SUBSCRIPTION).map((n) => n.name)).toEqual(["vnet-hub"]);
  });

  it("finds private DNS zones by name without case, and their links by the zone", () => {
    const index = new InventoryIndex();
    const zone = fromArmDocument(
      first("Microsoft.Network_privateDnsZones.get.arm.spec-2024-06-01.json"),
    );
    const link = fromArmDocument(
      first("Microsoft.Network_privateDnsZones_virtualNetworkLinks.get.arm.spec-2024-06-01.json"),
    );
    index.add(zone);
    index.add(link);
    const [found] = index.network.privateDnsZonesNamed("PRIVATELINK.OPENAI.AZURE.COM");
    expect(found?.id).toBe(zone.id);
    expect(index.network.virtualNetworkLinksOf(zone.key).map((l) => l.name)).toEqual([
      "link-vnet-contoso",
    ]);
  });

  it("places a firewall in its subnet's network and keeps only firewalls' diagnostic settings", () => {
    const index = new InventoryIndex();
    const firewall = fromArmDocument(
      first("Microsoft.Network_azureFirewalls.get.arm.spec-2024-05-01.json"),
    );
    index.add(firewall);
    const [balancerSetting] = armDocumentsOf(
      azureFixture("Microsoft.Insights_diagnosticSettings.list-on-resource.http.real.json"),
    );
    index.add(fromArmDocument(balancerSetting as Record<string, unknown>));
    const firewallSetting = fromArmDocument({
      id: `${firewall.id.toLowerCase()}/providers/microsoft.insights/diagnosticSettings/to-law`,
      name: "to-law",
      type: null,
      properties: { workspaceId: "/subscriptions/x/workspaces/law", logs: [] },
    });
    index.add(firewallSetting);
    const hubNetwork = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-contoso-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub`;
    expect(index.network.azureFirewallsIn(hubNetwork.toUpperCase()).map((f) => f.name)).toEqual([
      "afw-contoso",
    ]);
    expect(index.network.diagnosticSettingsOf(firewall.key).map((s) => s.name)).toEqual(["to-law"]);
  });

  it("keeps VPC endpoints by region and VPC id, but not deleted ones", () => {
    const [row] = selectRowsOf(
      awsFixture("config.SelectResourceConfig.ec2-vpc-endpoint.http.composed.json"),
    );
    const index = new InventoryIndex();
    index.add(fromConfigItem(row as Record<string, unknown>));
    index.add(
      fromConfigItem({
        ...(row as Record<string, unknown>),
        resourceId: "vpce-gone",
        arn: "arn:gone",
        configurationItemStatus: "ResourceDeleted",
      }),
    );
    expect(
      index.network.vpcEndpointsOf("us-east-1", "VPC-0A1B2C3D4E5F67890").map((e) => e.name),
    ).toEqual(["vpce-0123456789abcdef0"]);
    expect(index.network.vpcEndpointsOf("eu-west-1", "vpc-0a1b2c3d4e5f67890")).toEqual([]);
  });

  it("records which account and region hold Bedrock and SageMaker items, and the account's VPCs", () => {
    const index = new InventoryIndex();
    for (const row of selectRowsOf(
      awsFixture("config.SelectResourceConfig.sagemaker-bedrock.http.synthetic.json"),
    )) {
      index.add(fromConfigItem(row));
    }
    index.add(vpcItem({ isDefault: false }));
    const inUse = index.network.aiResourcesIn("111122223333", "us-east-1");
    expect([inUse.bedrock.length, inUse.sagemaker.length]).toEqual([2, 1]);
    expect(index.network.aiResourcesIn("111122223333", "eu-west-1")).toEqual({
      bedrock: [],
      sagemaker: [],
    });
    expect(index.network.vpcsOf("111122223333")).toHaveLength(1);
  });

  it("finds a firewall's logging configuration by its ARN without regard to case", () => {
    const arn = "arn:aws:network-firewall:eu-west-1:111122223333:firewall/nfw-egress";
    const index = new InventoryIndex();
    index.add(
      fromConfigItem({
        accountId: "111122223333",
        awsRegion: "eu-west-1",
        resourceType: "AWS::NetworkFirewall::LoggingConfiguration",
        resourceId: arn,
        configuration: { FirewallArn: arn, LoggingConfiguration: { LogDestinationConfigs: [] } },
      }),
    );
    expect(index.network.loggingConfigurationOf(arn.toUpperCase())?.name).toBe(arn);
  });
});
