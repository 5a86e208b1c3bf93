import {
  DescribeLoggingConfigurationCommand,
  type NetworkFirewallClient,
} from "@aws-sdk/client-network-firewall";
import { type CanonicalResource, isRecord } from "@plumbline/rules";

/** AWS Config type of a Network Firewall firewall. */
export const FIREWALL_RESOURCE_TYPE = "AWS::NetworkFirewall::Firewall";

/**
 * Type of the resource that carries a firewall's logging configuration. AWS Config does not
 * record it; the collector reads it through the Network Firewall API and gives it the shape of
 * a configuration item, as estate documents of this type have it.
 */
export const LOGGING_CONFIGURATION_RESOURCE_TYPE = "AWS::NetworkFirewall::LoggingConfiguration";

/** A collected firewall whose logging configuration is to be read. */
export interface FirewallTarget {
  /** 12-digit account id of the firewall. */
  account: string;
  /** AWS region of the firewall. */
  region: string;
  /** Firewall ARN; null when the configuration item names none. */
  arn: string | null;
  /** Firewall name, used for the call when the ARN is unknown. */
  name: string;
}

/**
 * The firewall a canonical `AWS::NetworkFirewall::Firewall` names, or null for other types and
 * for a firewall without a region (the regional API cannot be asked about it).
 */
export function findFirewallTarget(resource: CanonicalResource): FirewallTarget | null {
  if (resource.type !== FIREWALL_RESOURCE_TYPE) return null;
  // The API is asked in the region as AWS spells it, even one the region catalogue lacks.
  const region =
    typeof resource.raw.awsRegion === "string" && resource.raw.awsRegion !== ""
      ? resource.raw.awsRegion
      : resource.region;
  if (region === null) return null;
  const configuration = isRecord(resource.raw.configuration) ? resource.raw.configuration : {};
  const arn = [resource.raw.arn, configuration.FirewallArn, resource.raw.resourceId].find(
    (value): value is string => typeof value === "string" && value.startsWith("arn:"),
  );
  const name =
    typeof configuration.FirewallName === "string" && configuration.FirewallName !== ""
      ? configuration.FirewallName
      : resource.name;
  return { account: resource.account, region, arn: arn ?? null, name };
}

/**
 * Reads one firewall's logging configuration (`DescribeLoggingConfiguration`) and returns it
 * as a configuration item: `accountId`, `awsRegion`, `resourceType`, `resourceId` (the firewall
 * ARN), `resourceName` and `configuration` holding the answer (`FirewallArn`,
 * `LoggingConfiguration.LogDestinationConfigs`, and any other field the API sends). A firewall
 * without logging yields an empty `LogDestinationConfigs`. Errors of the call are thrown.
 */
export async function readLoggingConfigurationItem(
  client: NetworkFirewallClient,
  firewall: FirewallTarget,
): Promise<Record<string, unknown>> {
  const output = await client.send(
    new DescribeLoggingConfigurationCommand(
      firewall.arn === null ? { FirewallName: firewall.name } : { FirewallArn: firewall.arn },
    ),
  );
  const { $metadata: _metadata, ...answer } = output;
  const firewallArn = answer.FirewallArn ?? firewall.arn;
  // The API may leave `LoggingConfiguration` out for a firewall that never had logging.
  const configuration = {
    ...answer,
    ...(firewallArn === null ? {} : { FirewallArn: firewallArn }),
    LoggingConfiguration: {
      ...answer.LoggingConfiguration,
      LogDestinationConfigs: answer.LoggingConfiguration?.LogDestinationConfigs ?? [],
    },
  };
  return {
    accountId: firewall.account,
    awsRegion: firewall.region,
    resourceType: LOGGING_CONFIGURATION_RESOURCE_TYPE,
    resourceId: firewallArn ?? firewall.name,
    resourceName: firewall.name,
    // A JSON round trip drops the fields the SDK leaves undefined, as the wire form has them.
    configuration: JSON.parse(JSON.stringify(configuration)) as Record<string, unknown>,
  };
}
