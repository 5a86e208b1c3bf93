import { armKey } from "../canonical/arm-id.js";
import { collectValues } from "../canonical/collect.js";
import { isRecord, readString } from "../canonical/document.js";
import type { CanonicalResource } from "../model.js";

/** One virtual network peering, as the virtual network that holds it records it. */
export interface VirtualNetworkPeering {
  /** Key (lower-cased id) of the virtual network whose document lists the peering. */
  fromKey: string;
  /** Key of the remote virtual network. */
  toKey: string;
  /** Id of the remote virtual network as the document writes it. */
  toId: string;
  /** `peeringState` as written (`Connected`, `Initiated`, `Disconnected`), or null when absent. */
  state: string | null;
}

/** What the network controls need of an Azure virtual network. */
export interface VirtualNetworkRecord {
  key: string;
  /** Id as the document writes it. */
  id: string;
  name: string;
  /** Subscription id, lower-cased. */
  account: string;
  /** False when the document had no `properties`, so its peerings are unknown. */
  documented: boolean;
  /** Peerings the document lists. */
  peerings: VirtualNetworkPeering[];
}

/** The AI services of one AWS account and region, by id, for the VPC endpoint rule. */
export interface AwsAiResources {
  /** Ids of `AWS::Bedrock::*` items. */
  bedrock: string[];
  /** Ids of `AWS::SageMaker::*` items. */
  sagemaker: string[];
}

const VIRTUAL_NETWORK_OF_SUBNET = new RegExp(
  "^(/?subscriptions/[^/]+/resourcegroups/[^/]+/providers/microsoft\\.network/" +
    "virtualnetworks/[^/]+)/subnets/[^/]+/?$",
  "i",
);
const FIREWALL_PARENT = "/providers/microsoft.network/azurefirewalls/";

/**
 * The virtual network id of a subnet id (`…/virtualNetworks/<vnet>/subnets/<subnet>`), as the id
 * spells it; null when the id is not a subnet id.
 */
export function virtualNetworkIdOfSubnet(subnetId: string): string | null {
  const match = VIRTUAL_NETWORK_OF_SUBNET.exec(subnetId.trim());
  return match?.[1] ?? null;
}

function regionKey(region: string | null, vpcId: string): string {
  return `${(region ?? "").toLowerCase()}|${vpcId.toLowerCase()}`;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/**
 * The network resources that private endpoint, private DNS and egress verdicts follow, kept while
 * the inventory streams past: Azure private endpoints, virtual networks (with their peerings),
 * private DNS zones and their links, firewalls and their diagnostic settings; AWS VPCs, VPC
 * endpoints, Network Firewall firewalls and their logging configurations, and which account and
 * region hold Bedrock or SageMaker items. Everything else is dropped.
 */
export class NetworkIndex {
  private readonly privateEndpoints = new Map<string, CanonicalResource>();
  private readonly virtualNetworks = new Map<string, VirtualNetworkRecord>();
  private readonly virtualNetworksByAccount = new Map<string, VirtualNetworkRecord[]>();
  private readonly peeringsTo = new Map<string, VirtualNetworkPeering[]>();
  private readonly dnsZonesByName = new Map<string, CanonicalResource[]>();
  private readonly dnsZoneLinks = new Map<string, CanonicalResource[]>();
  private readonly azureFirewallsByNetwork = new Map<string, CanonicalResource[]>();
  private readonly unplacedAzureFirewalls = new Map<string, CanonicalResource[]>();
  private readonly firewallSettings = new Map<string, CanonicalResource[]>();
  private readonly vpcsByAccount = new Map<string, CanonicalResource[]>();
  private readonly vpcEndpoints = new Map<string, CanonicalResource[]>();
  private readonly networkFirewalls = new Map<string, CanonicalResource[]>();
  private readonly unplacedNetworkFirewalls = new Map<string, CanonicalResource[]>();
  private readonly loggingConfigurations = new Map<string, CanonicalResource>();
  private readonly aiResources = new Map<string, AwsAiResources>();

  /** Keeps the resource when a network verdict may follow it; ignores everything else. */
  add(resource: CanonicalResource): void {
    if (resource.provider === "aws") {
      this.addAws(resource);
      return;
    }
    switch (resource.type) {
      case "Microsoft.Network/privateEndpoints":
        this.privateEndpoints.set(resource.key, resource);
        return;
      case "Microsoft.Network/virtualNetworks":
        this.addVirtualNetwork(resource);
        return;
      case "Microsoft.Network/privateDnsZones":
        pushTo(this.dnsZonesByName, resource.name.toLowerCase(), resource);
        return;
      case "Microsoft.Network/privateDnsZones/virtualNetworkLinks":
        if (resource.parentKey !== null) pushTo(this.dnsZoneLinks, resource.parentKey, resource);
        return;
      case "Microsoft.Network/azureFirewalls":
        this.addAzureFirewall(resource);
        return;
      case "Microsoft.Insights/diagnosticSettings":
        if (resource.parentKey?.includes(FIREWALL_PARENT)) {
          pushTo(this.firewallSettings, resource.parentKey, resource);
        }
        return;
      default:
        return;
    }
  }

  /** The private endpoint with an id (compared without case), or undefined. */
  privateEndpoint(id: string): CanonicalResource | undefined {
    return this.privateEndpoints.get(armKey(id));
  }

  /** The virtual network with an id (compared without case), or undefined. */
  virtualNetwork(id: string): VirtualNetworkRecord | undefined {
    return this.virtualNetworks.get(armKey(id));
  }

  /** The virtual networks of a subscription. */
  virtualNetworksOf(subscription: string): readonly VirtualNetworkRecord[] {
    return this.virtualNetworksByAccount.get(subscription.toLowerCase()) ?? [];
  }

  /**
   * Every peering that involves a virtual network, whichever side's document records it: the
   * network's own peerings and those other networks list towards it.
   */
  peeringsOf(id: string): VirtualNetworkPeering[] {
    const key = armKey(id);
    return [
      ...(this.virtualNetworks.get(key)?.peerings ?? []),
      ...(this.peeringsTo.get(key) ?? []),
    ];
  }

  /** Private DNS zones with a name (compared without case), in any subscription. */
  privateDnsZonesNamed(name: string): readonly CanonicalResource[] {
    return this.dnsZonesByName.get(name.toLowerCase()) ?? [];
  }

  /** The virtual network links of a private DNS zone. */
  virtualNetworkLinksOf(zoneKey: string): readonly CanonicalResource[] {
    return this.dnsZoneLinks.get(zoneKey) ?? [];
  }

  /** Azure firewalls with an IP configuration in a subnet of the virtual network. */
  azureFirewallsIn(virtualNetworkId: string): readonly CanonicalResource[] {
    return this.azureFirewallsByNetwork.get(armKey(virtualNetworkId)) ?? [];
  }

  /** Azure firewalls of a subscription whose virtual network the document does not name. */
  unplacedAzureFirewallsOf(subscription: string): readonly CanonicalResource[] {
    return this.unplacedAzureFirewalls.get(subscription.toLowerCase()) ?? [];
  }

  /** Diagnostic settings of an Azure firewall, by the firewall's key. */
  diagnosticSettingsOf(firewallKey: string): readonly CanonicalResource[] {
    return this.firewallSettings.get(firewallKey) ?? [];
  }

  /** The `AWS::EC2::VPC` items of an AWS account. */
  vpcsOf(account: string): readonly CanonicalResource[] {
    return this.vpcsByAccount.get(account) ?? [];
  }

  /** VPC endpoints recorded for a VPC id in a region, whichever account recorded them. */
  vpcEndpointsOf(region: string | null, vpcId: string): readonly CanonicalResource[] {
    return this.vpcEndpoints.get(regionKey(region, vpcId)) ?? [];
  }

  /** Network Firewall firewalls recorded for a VPC id in a region. */
  networkFirewallsIn(region: string | null, vpcId: string): readonly CanonicalResource[] {
    return this.networkFirewalls.get(regionKey(region, vpcId)) ?? [];
  }

  /** Network Firewall firewalls of an account whose item names no VPC. */
  unplacedNetworkFirewallsOf(account: string): readonly CanonicalResource[] {
    return this.unplacedNetworkFirewalls.get(account) ?? [];
  }

  /** The logging configuration read for a firewall ARN (compared without case), or undefined. */
  loggingConfigurationOf(firewallArn: string): CanonicalResource | undefined {
    return this.loggingConfigurations.get(firewallArn.toLowerCase());
  }

  /** Bedrock and SageMaker items of an account in a region. */
  aiResourcesIn(account: string, region: string | null): AwsAiResources {
    return this.aiResources.get(`${account}|${region ?? ""}`) ?? { bedrock: [], sagemaker: [] };
  }

  private addVirtualNetwork(resource: CanonicalResource): void {
    const peerings: VirtualNetworkPeering[] = [];
    const pattern = "properties.virtualNetworkPeerings[*].properties";
    for (const found of collectValues(resource.raw, pattern)) {
      const toId = readString(found.value, "remoteVirtualNetwork.id");
      if (toId === undefined) continue;
      const state = readString(found.value, "peeringState") ?? null;
      peerings.push({ fromKey: resource.key, toKey: armKey(toId), toId, state });
    }
    const record: VirtualNetworkRecord = {
      key: resource.key,
      id: resource.id,
      name: resource.name,
      account: resource.account,
      documented: isRecord(resource.raw.properties),
      peerings,
    };
    this.virtualNetworks.set(resource.key, record);
    pushTo(this.virtualNetworksByAccount, resource.account, record);
    for (const peering of peerings) pushTo(this.peeringsTo, peering.toKey, peering);
  }

  private addAzureFirewall(resource: CanonicalResource): void {
    const networks = new Set<string>();
    const pattern = "properties.ipConfigurations[*].properties.subnet.id";
    for (const found of collectValues(resource.raw, pattern)) {
      const network =
        typeof found.value === "string" ? virtualNetworkIdOfSubnet(found.value) : null;
      if (network !== null) networks.add(armKey(network));
    }
    if (networks.size === 0) pushTo(this.unplacedAzureFirewalls, resource.account, resource);
    for (const network of networks) pushTo(this.azureFirewallsByNetwork, network, resource);
  }

  private addAws(resource: CanonicalResource): void {
    if (resource.type.startsWith("AWS::Bedrock::")) {
      this.aiResourcesOf(resource).bedrock.push(resource.id);
      return;
    }
    if (resource.type.startsWith("AWS::SageMaker::")) {
      this.aiResourcesOf(resource).sagemaker.push(resource.id);
      return;
    }
    switch (resource.type) {
      case "AWS::EC2::VPC":
        pushTo(this.vpcsByAccount, resource.account, resource);
        return;
      case "AWS::EC2::VPCEndpoint": {
        const vpcId = readString(resource.raw, "configuration.vpcId");
        if (vpcId !== undefined)
          pushTo(this.vpcEndpoints, regionKey(resource.region, vpcId), resource);
        return;
      }
      case "AWS::NetworkFirewall::Firewall": {
        const vpcId = readString(resource.raw, "configuration.VpcId");
        if (vpcId === undefined) pushTo(this.unplacedNetworkFirewalls, resource.account, resource);
        else pushTo(this.networkFirewalls, regionKey(resource.region, vpcId), resource);
        return;
      }
      case "AWS::NetworkFirewall::LoggingConfiguration": {
        const arn = readString(resource.raw, "configuration.FirewallArn");
        if (arn !== undefined) this.loggingConfigurations.set(arn.toLowerCase(), resource);
        return;
      }
      default:
        return;
    }
  }

  private aiResourcesOf(resource: CanonicalResource): AwsAiResources {
    const key = `${resource.account}|${resource.region ?? ""}`;
    let entry = this.aiResources.get(key);
    if (entry === undefined) {
      entry = { bedrock: [], sagemaker: [] };
      this.aiResources.set(key, entry);
    }
    return entry;
  }
}
