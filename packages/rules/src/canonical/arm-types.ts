/**
 * Canonical spelling of the Azure resource types Plumbline reads. Resource Graph lower-cases
 * `type`, and ids nested in properties are often lower-cased too, so types are derived from the
 * id and looked up here without regard to case.
 */
const KNOWN_ARM_TYPES = [
  "Microsoft.AppConfiguration/configurationStores",
  "Microsoft.Cdn/profiles",
  "Microsoft.CognitiveServices/accounts",
  "Microsoft.CognitiveServices/accounts/deployments",
  "Microsoft.CognitiveServices/accounts/privateEndpointConnections",
  "Microsoft.CognitiveServices/accounts/projects",
  "Microsoft.Compute/virtualMachines",
  "Microsoft.DBforPostgreSQL/flexibleServers",
  "Microsoft.DBforPostgreSQL/flexibleServers/privateEndpointConnections",
  "Microsoft.DocumentDB/databaseAccounts",
  "Microsoft.Insights/actionGroups",
  "Microsoft.Insights/activityLogAlerts",
  "Microsoft.Insights/components",
  "Microsoft.Insights/diagnosticSettings",
  "Microsoft.KeyVault/managedHSMs",
  "Microsoft.KeyVault/managedHSMs/keys",
  "Microsoft.KeyVault/vaults",
  "Microsoft.KeyVault/vaults/keys",
  "Microsoft.KeyVault/vaults/privateEndpointConnections",
  "Microsoft.MachineLearningServices/workspaces",
  "Microsoft.ManagedIdentity/userAssignedIdentities",
  "Microsoft.Network/azureFirewalls",
  "Microsoft.Network/dnsZones",
  "Microsoft.Network/firewallPolicies",
  "Microsoft.Network/frontDoors",
  "Microsoft.Network/frontdoorWebApplicationFirewallPolicies",
  "Microsoft.Network/loadBalancers",
  "Microsoft.Network/networkInterfaces",
  "Microsoft.Network/networkSecurityGroups",
  "Microsoft.Network/privateDnsZones",
  "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
  "Microsoft.Network/privateEndpoints",
  "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
  "Microsoft.Network/publicIPAddresses",
  "Microsoft.Network/routeTables",
  "Microsoft.Network/trafficManagerProfiles",
  "Microsoft.Network/virtualNetworks",
  "Microsoft.Network/virtualNetworks/subnets",
  "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
  "Microsoft.OperationalInsights/workspaces",
  "Microsoft.Resources/resourceGroups",
  "Microsoft.Resources/subscriptions",
  "Microsoft.Search/searchServices",
  "Microsoft.Search/searchServices/privateEndpointConnections",
  "Microsoft.Storage/storageAccounts",
  "Microsoft.Storage/storageAccounts/blobServices",
  "Microsoft.Storage/storageAccounts/privateEndpointConnections",
  "Microsoft.Web/sites",
] as const;

const byLowerCase = new Map<string, string>(KNOWN_ARM_TYPES.map((t) => [t.toLowerCase(), t]));

/** The canonical spelling of a known type, or undefined for a type outside the table. */
export function knownArmType(type: string): string | undefined {
  return byLowerCase.get(type.toLowerCase());
}
