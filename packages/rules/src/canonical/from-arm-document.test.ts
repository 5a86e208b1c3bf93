import { describe, expect, it } from "vitest";
import { armDocumentsOf, azureFixture } from "../../test/support/fixtures.js";
import { fromArmDocument } from "./from-arm-document.js";

const SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";

function firstDocument(fileName: string): Record<string, unknown> {
  const [document] = armDocumentsOf(azureFixture(fileName));
  if (document === undefined) throw new Error(`${fileName} holds no document`);
  return document;
}

describe("fromArmDocument", () => {
  it("converts an ARM GET of an OpenAI account with its id, type and region", () => {
    const document = firstDocument("Microsoft.CognitiveServices_accounts.OpenAI.arm.real.json");
    const resource = fromArmDocument(document);

    expect(resource.provider).toBe("azure");
    expect(resource.account).toBe(SUBSCRIPTION);
    expect(resource.id).toBe(document.id);
    expect(resource.key).toBe(String(document.id).toLowerCase());
    expect(resource.type).toBe("Microsoft.CognitiveServices/accounts");
    expect(resource.region).toBe(String(document.location).toLowerCase());
    expect(resource.parentKey).toBeNull();
    expect(resource.raw).toBe(document);
  });

  it("derives the canonical type from the id for Resource Graph rows with lower-case types", () => {
    const rows = armDocumentsOf(
      azureFixture("Microsoft.ResourceGraph_resources.objectArray-mixed-types.http.composed.json"),
    );
    const resources = rows.map((row) => fromArmDocument(row));

    expect(rows.map((row) => row.type)).toEqual([
      "microsoft.cognitiveservices/accounts",
      "microsoft.keyvault/vaults",
      "microsoft.storage/storageaccounts",
    ]);
    expect(resources.map((r) => r.type)).toEqual([
      "Microsoft.CognitiveServices/accounts",
      "Microsoft.KeyVault/vaults",
      "Microsoft.Storage/storageAccounts",
    ]);
    expect(resources[1]?.key).toBe(
      `/subscriptions/${SUBSCRIPTION}/resourcegroups/rg-contoso-net/providers/microsoft.keyvault/vaults/kv-contoso-vnet`,
    );
    expect(resources[1]?.id).toContain("RG-Contoso-Net");
  });

  it("gives the ARM and the Resource Graph spelling of one resource the same key", () => {
    const casing = azureFixture("Microsoft.Compute_virtualMachines.arm-vs-arg-id-casing.real.json");
    const record = casing as Record<string, string>;
    const fromArm = fromArmDocument({ id: record.arm_list_item_id, location: record.arm_location });
    const fromArg = fromArmDocument({
      id: record.arg_row_id,
      type: record.arg_row_type,
      location: record.arm_location,
    });

    expect(fromArm.key).toBe(fromArg.key);
    expect(fromArm.type).toBe("Microsoft.Compute/virtualMachines");
    expect(fromArg.type).toBe("Microsoft.Compute/virtualMachines");
    expect(fromArm.id).not.toBe(fromArg.id);
  });

  it("gives model deployments their parent's key and region", () => {
    const account = fromArmDocument({
      id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-contoso-openai/providers/Microsoft.CognitiveServices/accounts/contoso-openai`,
      location: "Sweden Central",
      properties: {},
    });
    const deployments = armDocumentsOf(
      azureFixture("Microsoft.CognitiveServices_accounts_deployments.list.arm.real.json"),
    );
    const [withParent] = deployments.map((d) => fromArmDocument(d, account));
    const [withoutParent] = deployments.map((d) => fromArmDocument(d));

    expect(withParent?.type).toBe("Microsoft.CognitiveServices/accounts/deployments");
    expect(withParent?.region).toBe("swedencentral");
    expect(withParent?.location).toBeNull();
    expect(withParent?.parentKey).toBe(account.key);
    expect(withoutParent?.parentKey).toBe(account.key);
    expect(withoutParent?.region).toBeNull();
    expect(withParent?.references).toContainEqual({
      kind: "parent",
      target: account.id,
      path: "id",
    });
  });

  it("canonicalises a display-name location and keeps the original spelling", () => {
    const [search] = armDocumentsOf(
      azureFixture("Microsoft.Search_searchServices.list.arm-2015-08-19.real.json"),
    ).map((d) => fromArmDocument(d));

    expect(search?.location).toBe("South Central US");
    expect(search?.region).toBe("southcentralus");
    expect(search?.type).toBe("Microsoft.Search/searchServices");
  });

  it("keeps an unknown location as written and leaves the region null", () => {
    const storage = fromArmDocument(
      firstDocument("Microsoft.Storage_storageAccounts.get-cmk.arm.spec-2023-05-01.json"),
    );
    expect(storage.location).toBe("eastus2(stage)");
    expect(storage.region).toBeNull();
  });

  it("keeps global and geography locations in canonical form", () => {
    const zone = fromArmDocument(
      firstDocument("Microsoft.Network_privateDnsZones.get.arm.spec-2024-06-01.json"),
    );
    expect(zone.region).toBe("global");
    expect(zone.type).toBe("Microsoft.Network/privateDnsZones");

    const geography = fromArmDocument({
      id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Insights/components/appi`,
      location: "Europe",
    });
    expect(geography.region).toBe("europe");
  });

  it("reads the lower-case Storage key vault properties as a key reference", () => {
    const storage = fromArmDocument(
      firstDocument("Microsoft.Storage_storageAccounts.get-cmk.arm.spec-2023-05-01.json"),
    );
    const raw = storage.raw as {
      properties: { encryption: { keyvaultproperties: Record<string, string> } };
    };
    const vault = raw.properties.encryption.keyvaultproperties;

    expect(storage.references.filter((r) => r.kind === "key")).toEqual([
      {
        kind: "key",
        target: `${String(vault.keyvaulturi).replace(/\/$/, "")}/keys/${vault.keyname}${
          vault.keyversion ? `/${vault.keyversion}` : ""
        }`,
        path: "properties.encryption.keyvaultproperties.keyvaulturi",
      },
    ]);
  });

  it("reads the camelCase Cognitive Services key and its private endpoint connection", () => {
    const account = fromArmDocument(
      firstDocument("Microsoft.CognitiveServices_accounts.OpenAI-locked-down.arm.composed.json"),
    );
    const key = account.references.find((r) => r.kind === "key");
    const endpoint = account.references.find((r) => r.kind === "private-endpoint");

    expect(key?.path).toBe("properties.encryption.keyVaultProperties.keyVaultUri");
    expect(key?.target).toMatch(/^https:\/\/[^/]+\/keys\/[^/]+/);
    expect(endpoint?.path).toBe(
      "properties.privateEndpointConnections[0].properties.privateEndpoint.id",
    );
    expect(endpoint?.target).toContain("/providers/Microsoft.Network/privateEndpoints/");
    expect(account.references.filter((r) => r.kind === "subnet").length).toBeGreaterThan(0);
  });

  it("reads PostgreSQL key URIs, delegated subnets and private DNS zones", () => {
    const server = fromArmDocument(
      firstDocument(
        "Microsoft.DBforPostgreSQL_flexibleServers.get-cmk-vnet.arm.spec-2024-08-01.json",
      ),
    );
    const raw = server.raw as {
      properties: { dataEncryption: { primaryKeyURI: string }; network: Record<string, string> };
    };

    expect(server.references).toContainEqual({
      kind: "key",
      target: raw.properties.dataEncryption.primaryKeyURI,
      path: "properties.dataEncryption.primaryKeyURI",
    });
    expect(server.references).toContainEqual({
      kind: "subnet",
      target: raw.properties.network.delegatedSubnetResourceId,
      path: "properties.network.delegatedSubnetResourceId",
    });
    expect(server.references).toContainEqual({
      kind: "dns-zone",
      target: raw.properties.network.privateDnsZoneArmResourceId,
      path: "properties.network.privateDnsZoneArmResourceId",
    });
  });

  it("reads a private endpoint's target service and subnet", () => {
    const endpoint = fromArmDocument(
      firstDocument("Microsoft.Network_privateEndpoints.get.arm.spec-2024-05-01.json"),
    );
    expect(endpoint.references).toContainEqual({
      kind: "private-link-service",
      target: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-contoso-openai/providers/Microsoft.CognitiveServices/accounts/contoso-openai-locked`,
      path: "properties.privateLinkServiceConnections[0].properties.privateLinkServiceId",
    });
    expect(endpoint.references).toContainEqual({
      kind: "subnet",
      target: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-contoso-net/providers/Microsoft.Network/virtualNetworks/vnet-contoso/subnets/snet-pe`,
      path: "properties.subnet.id",
    });
  });

  it("links a private DNS zone link to its virtual network", () => {
    const link = fromArmDocument(
      firstDocument(
        "Microsoft.Network_privateDnsZones_virtualNetworkLinks.get.arm.spec-2024-06-01.json",
      ),
    );
    expect(link.type).toBe("Microsoft.Network/privateDnsZones/virtualNetworkLinks");
    expect(link.parentKey).toMatch(/\/providers\/microsoft\.network\/privatednszones\/[^/]+$/);
    expect(link.references.some((r) => r.kind === "virtual-network")).toBe(true);
  });

  it("treats subscription-level diagnostic settings without a leading slash as children", () => {
    const [setting] = armDocumentsOf(
      azureFixture("Microsoft.Insights_diagnosticSettings.list-on-subscription.http.real.json"),
    ).map((d) => fromArmDocument(d));

    expect(setting?.id.startsWith("subscriptions/")).toBe(true);
    expect(setting?.key.startsWith("/subscriptions/")).toBe(true);
    expect(setting?.type).toBe("Microsoft.Insights/diagnosticSettings");
    expect(setting?.parentKey).toBe(`/subscriptions/${SUBSCRIPTION}`);
    expect(setting?.account).toBe(SUBSCRIPTION);
  });

  it("types resource-level diagnostic settings from their lower-cased id", () => {
    const loadBalancer = fromArmDocument({
      id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-contoso-diag/providers/Microsoft.Network/loadBalancers/lb-contoso`,
      location: "westeurope",
    });
    const [setting] = armDocumentsOf(
      azureFixture("Microsoft.Insights_diagnosticSettings.list-on-resource.http.real.json"),
    ).map((d) => fromArmDocument(d));
    const [withParent] = armDocumentsOf(
      azureFixture("Microsoft.Insights_diagnosticSettings.list-on-resource.http.real.json"),
    ).map((d) => fromArmDocument(d, loadBalancer));

    expect(setting?.type).toBe("Microsoft.Insights/diagnosticSettings");
    expect(setting?.parentKey).toBe(loadBalancer.key);
    expect(setting?.tags).toEqual({});
    expect(withParent?.region).toBe("westeurope");
  });

  it("converts every document of every ARM fixture without losing its id", () => {
    const files = [
      "Microsoft.AppConfiguration_configurationStores.list-with-privateEndpointConnections.arm.real.json",
      "Microsoft.CognitiveServices_accounts.AIServices.arm.real.json",
      "Microsoft.CognitiveServices_accounts.list-by-subscription.http.real.json",
      "Microsoft.DBforPostgreSQL_flexibleServers.list.arm.real.json",
      "Microsoft.DBforPostgreSQL_flexibleServers.get-privateendpoint.arm.spec-2024-08-01.json",
      "Microsoft.DBforPostgreSQL_flexibleServers.get-systemmanaged-public.arm.spec-2024-08-01.json",
      "Microsoft.Insights_diagnosticSettings.get.arm.spec-2021-05-01-preview.json",
      "Microsoft.KeyVault_vaults.get.arm.spec-2023-07-01.json",
      "Microsoft.KeyVault_vaults.list.arm.real.json",
      "Microsoft.Network_azureFirewalls.get.arm.spec-2024-05-01.json",
      "Microsoft.Search_searchServices.cmk-enforced.arm.spec-2025-05-01.json",
      "Microsoft.Search_searchServices.public-disabled.arm.spec-2025-05-01.json",
      "Microsoft.Storage_storageAccounts.list.arm.real.json",
    ];
    for (const file of files) {
      for (const document of armDocumentsOf(azureFixture(file))) {
        const resource = fromArmDocument(document);
        expect(resource.id).toBe(document.id);
        expect(resource.account).toBe(SUBSCRIPTION);
        expect(resource.type.toLowerCase()).toBe(
          String(document.type ?? resource.type).toLowerCase(),
        );
      }
    }
  });

  it("spells the Azure Firewall display-name region canonically", () => {
    const firewall = fromArmDocument(
      firstDocument("Microsoft.Network_azureFirewalls.get.arm.spec-2024-05-01.json"),
    );
    expect(firewall.location).toBe("West US");
    expect(firewall.region).toBe("westus");
    expect(firewall.type).toBe("Microsoft.Network/azureFirewalls");
  });

  it("rejects a document without an id", () => {
    expect(() => fromArmDocument({ name: "nameless" })).toThrow("ARM document has no id");
  });

  it("takes the subscription from subscriptionId only when it is present, never from an empty one", () => {
    const row = {
      id: "/providers/Microsoft.Management/managementGroups/mg-contoso",
      name: "mg-contoso",
      type: "microsoft.management/managementgroups",
    };
    expect(
      fromArmDocument({ ...row, subscriptionId: "00000000-0000-0000-0000-00000000A001" }).account,
    ).toBe("00000000-0000-0000-0000-00000000a001");
    for (const subscriptionId of [undefined, null, ""]) {
      expect(() => fromArmDocument({ ...row, subscriptionId }), String(subscriptionId)).toThrow(
        "ARM id names no subscription",
      );
    }
  });
});
