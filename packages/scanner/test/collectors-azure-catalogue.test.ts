import type { CanonicalResource } from "@plumbline/rules";
import { afterEach, describe, expect, it } from "vitest";
import { collectAzure } from "../src/collectors/index.js";
import {
  createEstate,
  createRecorder,
  type EmulatedClouds,
  readFixture,
  SUBSCRIPTION,
  startClouds,
  type TemporaryEstate,
} from "./collectors-support.js";

type ArmDocument = Record<string, unknown> & { id: string; name: string };

/** A platform subscription holding the hub network and the private DNS zones. */
const HUB_SUBSCRIPTION = "00000000-0000-0000-0000-00000000a0ff";

const subscriptionPath = `/subscriptions/${SUBSCRIPTION}`;
const hubPath = `/subscriptions/${HUB_SUBSCRIPTION}`;
const openAiId = `${subscriptionPath}/resourceGroups/rg-contoso-openai/providers/Microsoft.CognitiveServices/accounts/contoso-openai`;
const hubAiId = `${hubPath}/resourceGroups/rg-hub-ai/providers/Microsoft.CognitiveServices/accounts/contoso-aiservices`;
const vaultId = `${subscriptionPath}/resourceGroups/rg-contoso-kv2/providers/Microsoft.KeyVault/vaults/Kv-Contoso-Cmk`;
const hsmId = `${subscriptionPath}/resourceGroups/rg-contoso-hsm/providers/Microsoft.KeyVault/managedHSMs/contoso-hsm`;
const firewallId = `${subscriptionPath}/resourceGroups/rg-contoso-hub/providers/Microsoft.Network/azureFirewalls/afw-contoso`;
const spokeVnetId = `${subscriptionPath}/resourceGroups/rg-contoso-net/providers/Microsoft.Network/virtualNetworks/vnet-contoso`;
const hubVnetId = `${hubPath}/resourceGroups/rg-hub-net/providers/Microsoft.Network/virtualNetworks/vnet-hub`;
const zoneId = `${hubPath}/resourceGroups/rg-hub-dns/providers/Microsoft.Network/privateDnsZones/privatelink.openai.azure.com`;
const endpointId = `${subscriptionPath}/resourceGroups/rg-contoso-net/providers/Microsoft.Network/privateEndpoints/pe-contoso-openai`;

/** Vault keys as the Key Vault management API lists them (documented fields, made-up values). */
const enabledKey: ArmDocument = {
  id: `${vaultId}/keys/cmk-storage`,
  name: "cmk-storage",
  type: "Microsoft.KeyVault/vaults/keys",
  location: "westeurope",
  tags: {},
  properties: {
    attributes: { enabled: true, created: 1767225600, updated: 1767225600, exportable: false },
    kty: "RSA",
    keyOps: ["wrapKey", "unwrapKey"],
    keySize: 2048,
    keyUri: "https://kv-contoso-cmk.vault.azure.net/keys/cmk-storage",
    keyUriWithVersion: "https://kv-contoso-cmk.vault.azure.net/keys/cmk-storage/0123456789abcdef",
  },
};
/** A disabled key with an expiry, and no location of its own. */
const expiredKey: ArmDocument = {
  id: `${vaultId}/keys/cmk-legacy`,
  name: "cmk-legacy",
  type: "Microsoft.KeyVault/vaults/keys",
  properties: {
    attributes: {
      enabled: false,
      exp: 1764547200,
      nbf: 1735689600,
      created: 1735689600,
      updated: 1764547200,
      recoveryLevel: "Recoverable",
    },
    kty: "RSA",
    keySize: 3072,
    keyUri: "https://kv-contoso-cmk.vault.azure.net/keys/cmk-legacy",
  },
};

/** A managed HSM as an ARM GET returns it (documented fields, made-up values). */
const managedHsm: ArmDocument = {
  id: hsmId,
  name: "contoso-hsm",
  type: "Microsoft.KeyVault/managedHSMs",
  location: "West Europe",
  sku: { family: "B", name: "Standard_B1" },
  tags: { env: "prod" },
  properties: {
    tenantId: "11111111-1111-1111-1111-111111111111",
    hsmUri: "https://contoso-hsm.managedhsm.azure.net/",
    enableSoftDelete: true,
    softDeleteRetentionInDays: 90,
    enablePurgeProtection: true,
    publicNetworkAccess: "Disabled",
    provisioningState: "Succeeded",
  },
};
const hsmKey: ArmDocument = {
  id: `${hsmId}/keys/cmk-hsm`,
  name: "cmk-hsm",
  type: "Microsoft.KeyVault/managedHSMs/keys",
  properties: {
    attributes: { enabled: true, exp: 1893456000, created: 1767225600, exportable: false },
    kty: "RSA-HSM",
    keySize: 3072,
    keyUri: "https://contoso-hsm.managedhsm.azure.net/keys/cmk-hsm",
  },
};

/** Virtual networks and their children, as separate ARM documents (documented fields). */
const spokeVnetProperties = {
  addressSpace: { addressPrefixes: ["192.168.0.0/16"] },
  provisioningState: "Succeeded",
};
const spokeVnet: ArmDocument = {
  id: spokeVnetId,
  name: "vnet-contoso",
  type: "Microsoft.Network/virtualNetworks",
  location: "eastus",
  properties: spokeVnetProperties,
};
const spokeSubnet: ArmDocument = {
  id: `${spokeVnetId}/subnets/snet-pe`,
  name: "snet-pe",
  type: "Microsoft.Network/virtualNetworks/subnets",
  properties: { addressPrefix: "192.168.0.0/24", privateEndpointNetworkPolicies: "Disabled" },
};
const spokeToHub: ArmDocument = {
  id: `${spokeVnetId}/virtualNetworkPeerings/to-hub`,
  name: "to-hub",
  type: "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
  properties: {
    remoteVirtualNetwork: { id: hubVnetId },
    allowForwardedTraffic: true,
    useRemoteGateways: false,
    peeringState: "Connected",
    peeringSyncLevel: "FullyInSync",
  },
};
const hubVnet: ArmDocument = {
  id: hubVnetId,
  name: "vnet-hub",
  type: "Microsoft.Network/virtualNetworks",
  location: "eastus",
  properties: {
    addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
    subnets: [
      {
        id: `${hubVnetId}/subnets/AzureFirewallSubnet`,
        name: "AzureFirewallSubnet",
        properties: { addressPrefix: "10.0.0.0/26" },
      },
    ],
    virtualNetworkPeerings: [
      {
        id: `${hubVnetId}/virtualNetworkPeerings/to-spoke`,
        name: "to-spoke",
        properties: { remoteVirtualNetwork: { id: spokeVnetId }, peeringState: "Connected" },
      },
    ],
  },
};

let estate: TemporaryEstate | undefined;
let clouds: EmulatedClouds | undefined;

afterEach(async () => {
  await clouds?.close();
  await estate?.remove();
  clouds = undefined;
  estate = undefined;
});

/** Moves a fixture document into another subscription and resource group. */
function moveDocument<T extends ArmDocument>(document: T, from: string, to: string): T {
  return JSON.parse(JSON.stringify(document).replaceAll(from, to)) as T;
}

interface CatalogueEstate {
  estate: TemporaryEstate;
  documents: Record<string, ArmDocument>;
}

/**
 * An estate of two subscriptions holding every Azure shape the control catalogue reads, from
 * the fixtures where one exists.
 */
async function createCatalogueEstate(): Promise<CatalogueEstate> {
  const created = await createEstate();
  const openAi = await readFixture<ArmDocument>(
    "azure/Microsoft.CognitiveServices_accounts.OpenAI.arm.real.json",
  );
  const hubAi = moveDocument(
    await readFixture<ArmDocument>(
      "azure/Microsoft.CognitiveServices_accounts.AIServices.arm.real.json",
    ),
    `${subscriptionPath}/resourceGroups/rg-contoso-ai/`,
    `${hubPath}/resourceGroups/rg-hub-ai/`,
  );
  const deploymentList = await readFixture<{ value: ArmDocument[] }>(
    "azure/Microsoft.CognitiveServices_accounts_deployments.list.arm.real.json",
  );
  const [openAiDeployment] = deploymentList.value;
  if (!openAiDeployment) throw new Error("the deployment fixture is empty");
  const hubDeployment = {
    ...moveDocument(openAiDeployment, openAiId, hubAiId),
    sku: { name: "DataZoneStandard", capacity: 10 },
  };
  const vaults = await readFixture<{ value: ArmDocument[] }>(
    "azure/Microsoft.KeyVault_vaults.list.arm.real.json",
  );
  const vault = vaults.value.find((candidate) => candidate.id === vaultId);
  if (!vault) throw new Error("the vault fixture has no Kv-Contoso-Cmk");
  const firewall = await readFixture<ArmDocument>(
    "azure/Microsoft.Network_azureFirewalls.get.arm.spec-2024-05-01.json",
  );
  const setting = await readFixture<ArmDocument>(
    "azure/Microsoft.Insights_diagnosticSettings.get.arm.spec-2021-05-01-preview.json",
  );
  // Re-pointed at the firewall, with the lower-cased path real settings ids carry.
  const firewallSetting = {
    ...setting,
    id: `${firewallId.toLowerCase()}/providers/microsoft.insights/diagnosticSettings/fw-logs`,
    name: "fw-logs",
  };
  const zone = moveDocument(
    await readFixture<ArmDocument>(
      "azure/Microsoft.Network_privateDnsZones.get.arm.spec-2024-06-01.json",
    ),
    `${subscriptionPath}/resourceGroups/rg-contoso-dns/`,
    `${hubPath}/resourceGroups/rg-hub-dns/`,
  );
  const link = moveDocument(
    await readFixture<ArmDocument>(
      "azure/Microsoft.Network_privateDnsZones_virtualNetworkLinks.get.arm.spec-2024-06-01.json",
    ),
    `${subscriptionPath}/resourceGroups/rg-contoso-dns/`,
    `${hubPath}/resourceGroups/rg-hub-dns/`,
  );
  const endpoint = await readFixture<ArmDocument>(
    "azure/Microsoft.Network_privateEndpoints.get.arm.spec-2024-05-01.json",
  );

  const documents: Record<string, ArmDocument> = {
    openAi,
    hubAi,
    openAiDeployment,
    hubDeployment,
    vault,
    enabledKey,
    expiredKey,
    managedHsm,
    hsmKey,
    firewall,
    firewallSetting,
    zone,
    link,
    endpoint,
    spokeVnet,
    spokeSubnet,
    spokeToHub,
    hubVnet,
  };
  for (const [name, document] of Object.entries(documents)) {
    await created.write(`azure/${name}.json`, document);
  }
  return { estate: created, documents };
}

/** Collects both subscriptions of the catalogue estate. */
async function collectCatalogue(): Promise<{
  documents: Record<string, ArmDocument>;
  byKey: (id: string) => CanonicalResource | undefined;
  resources: CanonicalResource[];
}> {
  const catalogue = await createCatalogueEstate();
  estate = catalogue.estate;
  clouds = await startClouds(estate.dir);
  const recorder = createRecorder();

  const collections = await collectAzure({
    clients: clouds.azure,
    subscriptions: [SUBSCRIPTION, HUB_SUBSCRIPTION],
    onResources: recorder.onResources,
    sleep: recorder.sleep,
  });

  expect(collections.map((collection) => [collection.account, collection.status])).toEqual([
    [SUBSCRIPTION, "complete"],
    [HUB_SUBSCRIPTION, "complete"],
  ]);
  const resources = recorder.resources();
  return {
    documents: catalogue.documents,
    resources,
    byKey: (id) => resources.find((resource) => resource.key === id.toLowerCase()),
  };
}

describe("collectAzure over the shapes the control catalogue reads", () => {
  it("lists the model deployments of every AI services account, in each subscription", async () => {
    const { documents, byKey } = await collectCatalogue();

    for (const [deploymentName, accountId, region, sku] of [
      ["openAiDeployment", openAiId, "eastus", "Standard"],
      ["hubDeployment", hubAiId, "eastus", "DataZoneStandard"],
    ] as const) {
      const document = documents[deploymentName];
      const deployment = byKey(document?.id ?? "");
      expect(deployment?.type).toBe("Microsoft.CognitiveServices/accounts/deployments");
      expect(deployment?.account).toBe(accountId.split("/")[2]);
      expect(deployment?.parentKey).toBe(accountId.toLowerCase());
      expect(deployment?.region).toBe(region);
      expect(deployment?.location).toBeNull();
      expect(deployment?.references).toEqual([{ kind: "parent", target: accountId, path: "id" }]);
      expect(deployment?.raw).toEqual(document);
      expect(deployment?.raw.sku).toEqual(expect.objectContaining({ name: sku }));
      expect(deployment?.raw.properties).toMatchObject({
        model: { format: "OpenAI", name: "gpt-4o-mini", version: "2024-07-18" },
      });
    }
    expect(clouds?.emulator.requestCounts().listDeployments).toBe(2);
  });

  it("lists each vault's keys with their enabled flag and expiry as the API sends them", async () => {
    const { byKey } = await collectCatalogue();

    const vault = byKey(vaultId);
    expect(vault?.type).toBe("Microsoft.KeyVault/vaults");
    expect(vault?.raw.properties).toMatchObject({
      vaultUri: "https://kv-contoso-cmk.vault.azure.net/",
      enablePurgeProtection: true,
    });

    const enabled = byKey(enabledKey.id);
    expect(enabled?.type).toBe("Microsoft.KeyVault/vaults/keys");
    expect(enabled?.name).toBe("cmk-storage");
    expect(enabled?.parentKey).toBe(vaultId.toLowerCase());
    expect(enabled?.region).toBe("westeurope");
    expect(enabled?.raw).toEqual(enabledKey);
    expect(enabled?.raw.properties).toMatchObject({ attributes: { enabled: true } });
    expect(enabled?.raw.properties).not.toHaveProperty("attributes.exp");

    const expired = byKey(expiredKey.id);
    expect(expired?.type).toBe("Microsoft.KeyVault/vaults/keys");
    expect(expired?.parentKey).toBe(vaultId.toLowerCase());
    // A key without a location of its own takes its vault's region.
    expect(expired?.location).toBeNull();
    expect(expired?.region).toBe(vault?.region);
    expect(expired?.raw).toEqual(expiredKey);
    expect(expired?.raw.properties).toMatchObject({
      attributes: { enabled: false, exp: 1764547200 },
    });
    expect(clouds?.emulator.requestCounts().listVaultKeys).toBe(1);
  });

  it("takes managed HSMs from Resource Graph and lists their keys under them", async () => {
    const { byKey } = await collectCatalogue();

    const hsm = byKey(hsmId);
    expect(hsm?.type).toBe("Microsoft.KeyVault/managedHSMs");
    expect(hsm?.key).toBe(hsmId.toLowerCase());
    expect(hsm?.location).toBe("West Europe");
    expect(hsm?.region).toBe("westeurope");
    expect(hsm?.raw.type).toBe("microsoft.keyvault/managedhsms");
    expect(hsm?.raw.properties).toEqual(managedHsm.properties);
    expect(hsm?.tags).toEqual({ env: "prod" });

    const key = byKey(hsmKey.id);
    expect(key?.type).toBe("Microsoft.KeyVault/managedHSMs/keys");
    expect(key?.parentKey).toBe(hsmId.toLowerCase());
    expect(key?.region).toBe("westeurope");
    expect(key?.raw).toEqual(hsmKey);
    expect(key?.raw.properties).toMatchObject({ attributes: { enabled: true, exp: 1893456000 } });
    expect(clouds?.emulator.requestCounts().listManagedHsmKeys).toBe(1);
  });

  it("lists a firewall's diagnostic settings and keeps the firewall's subnet reference", async () => {
    const { documents, byKey } = await collectCatalogue();

    const firewall = byKey(firewallId);
    expect(firewall?.type).toBe("Microsoft.Network/azureFirewalls");
    expect(firewall?.region).toBe("westus");
    expect(firewall?.references).toContainEqual({
      kind: "subnet",
      target: `${subscriptionPath}/resourceGroups/rg-contoso-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/AzureFirewallSubnet`,
      path: "properties.ipConfigurations[0].properties.subnet.id",
    });

    const setting = byKey(documents.firewallSetting?.id ?? "");
    expect(setting?.type).toBe("Microsoft.Insights/diagnosticSettings");
    expect(setting?.parentKey).toBe(firewallId.toLowerCase());
    expect(setting?.region).toBe("westus");
    expect(setting?.raw).toEqual(documents.firewallSetting);
    expect(setting?.raw.properties).toMatchObject({
      logs: [{ categoryGroup: "allLogs", enabled: true }],
    });
    expect(clouds?.emulator.requestCounts().listDiagnosticSettings).toBe(1);
  });

  it("reads private DNS zones and their links as Resource Graph rows of the platform subscription", async () => {
    const { documents, byKey, resources } = await collectCatalogue();

    const zone = byKey(zoneId);
    expect(zone?.type).toBe("Microsoft.Network/privateDnsZones");
    expect(zone?.account).toBe(HUB_SUBSCRIPTION);
    expect(zone?.name).toBe("privatelink.openai.azure.com");
    expect(zone?.region).toBe("global");
    expect(zone?.parentKey).toBeNull();

    const link = byKey(documents.link?.id ?? "");
    expect(link?.type).toBe("Microsoft.Network/privateDnsZones/virtualNetworkLinks");
    expect(link?.account).toBe(HUB_SUBSCRIPTION);
    expect(link?.parentKey).toBe(zoneId.toLowerCase());
    expect(link?.region).toBe("global");
    expect(link?.raw.properties).toEqual(documents.link?.properties);
    expect(link?.references).toEqual([
      { kind: "virtual-network", target: spokeVnetId, path: "properties.virtualNetwork.id" },
      { kind: "parent", target: zoneId, path: "id" },
    ]);
    // One Resource Graph query per batch, and no child list for the links.
    expect(clouds?.emulator.requestCounts().resourceGraph).toBe(1);
    expect(
      resources.filter((resource) => resource.parentKey === zoneId.toLowerCase()),
    ).toHaveLength(1);
  });

  it("reads private endpoints with their target, group and subnet", async () => {
    const { documents, byKey } = await collectCatalogue();

    const endpoint = byKey(endpointId);
    expect(endpoint?.type).toBe("Microsoft.Network/privateEndpoints");
    expect(endpoint?.region).toBe("eastus");
    expect(endpoint?.raw.properties).toEqual(documents.endpoint?.properties);
    expect(endpoint?.references).toEqual([
      {
        kind: "private-link-service",
        target: `${subscriptionPath}/resourceGroups/rg-contoso-openai/providers/Microsoft.CognitiveServices/accounts/contoso-openai-locked`,
        path: "properties.privateLinkServiceConnections[0].properties.privateLinkServiceId",
      },
      {
        kind: "subnet",
        target: `${spokeVnetId}/subnets/snet-pe`,
        path: "properties.subnet.id",
      },
    ]);
  });

  it("reads virtual networks with their subnets and peerings embedded, not as resources of their own", async () => {
    const { byKey, resources } = await collectCatalogue();

    const spoke = byKey(spokeVnetId);
    expect(spoke?.type).toBe("Microsoft.Network/virtualNetworks");
    expect(spoke?.region).toBe("eastus");
    expect(spoke?.raw.properties).toEqual({
      ...spokeVnetProperties,
      subnets: [spokeSubnet],
      virtualNetworkPeerings: [spokeToHub],
    });
    expect(spoke?.references).toEqual([
      {
        kind: "virtual-network",
        target: hubVnetId,
        path: "properties.virtualNetworkPeerings[0].properties.remoteVirtualNetwork.id",
      },
    ]);

    const hub = byKey(hubVnetId);
    expect(hub?.account).toBe(HUB_SUBSCRIPTION);
    expect(hub?.raw.properties).toEqual(hubVnet.properties);
    expect(hub?.references).toEqual([
      {
        kind: "virtual-network",
        target: spokeVnetId,
        path: "properties.virtualNetworkPeerings[0].properties.remoteVirtualNetwork.id",
      },
    ]);
    const embeddedTypes = resources.filter((resource) =>
      /\/(subnets|virtualNetworkPeerings)$/.test(resource.type),
    );
    expect(embeddedTypes).toEqual([]);
  });

  it("marks the subscription partial, naming the HSM, when its keys cannot be listed", async () => {
    const catalogue = await createCatalogueEstate();
    estate = catalogue.estate;
    clouds = await startClouds(estate.dir, {
      faults: [{ operation: "listManagedHsmKeys", kind: "server-error" }],
    });
    const recorder = createRecorder();

    const [collection, hub] = await collectAzure({
      clients: clouds.azure,
      subscriptions: [SUBSCRIPTION, HUB_SUBSCRIPTION],
      onResources: recorder.onResources,
      sleep: recorder.sleep,
    });

    expect(collection?.status).toBe("partial");
    expect(collection?.reason).toMatch(
      new RegExp(`^managed HSM keys of ${hsmId} could not be listed: 500 `),
    );
    expect(hub?.status).toBe("complete");
    expect(recorder.byName("contoso-hsm")).toBeDefined();
    expect(recorder.byName("cmk-hsm")).toBeUndefined();
    expect(recorder.byName("cmk-storage")).toBeDefined();
  });
});
