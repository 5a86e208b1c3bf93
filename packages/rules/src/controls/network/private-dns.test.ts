import { describe, expect, it } from "vitest";
import {
  completeAccount,
  contextWith,
  partialAccount,
  TEST_NOW,
} from "../../../test/support/evaluation.js";
import { armDocumentsOf, azureFixture, readTestData } from "../../../test/support/fixtures.js";
import { fromArmDocument } from "../../canonical/from-arm-document.js";
import { InventoryIndex } from "../../evaluate/inventory-index.js";
import type { AccountCollection, CanonicalResource } from "../../model.js";
import { parsePolicy } from "../../policy/parse-policy.js";
import type { EvaluationContext } from "../types.js";
import { privateDns } from "./private-dns.js";

const SPOKE_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
const HUB_SUBSCRIPTION = "00000000-0000-0000-0000-00000000a0ff";
const SPOKE_NETWORK = `/subscriptions/${SPOKE_SUBSCRIPTION}/resourceGroups/rg-contoso-net/providers/Microsoft.Network/virtualNetworks/vnet-contoso`;
const HUB_NETWORK = `/subscriptions/${HUB_SUBSCRIPTION}/resourceGroups/rg-hub-network/providers/Microsoft.Network/virtualNetworks/vnet-hub`;
const ENDPOINT_ID = `/subscriptions/${SPOKE_SUBSCRIPTION}/resourceGroups/rg-contoso-net/providers/Microsoft.Network/privateEndpoints/pe-contoso-openai`;
const BOTH_COMPLETE = [
  completeAccount("azure", SPOKE_SUBSCRIPTION),
  completeAccount("azure", HUB_SUBSCRIPTION),
];

function fixture(fileName: string, name?: string): Record<string, unknown> {
  const documents = armDocumentsOf(azureFixture(fileName));
  const document = name === undefined ? documents[0] : documents.find((d) => d.name === name);
  if (document === undefined) throw new Error(`no ${name ?? "document"} in ${fileName}`);
  return structuredClone(document);
}

const lockedDown = () =>
  fixture("Microsoft.CognitiveServices_accounts.OpenAI-locked-down.arm.composed.json");

/** The spec private endpoint, connected to `target` with `groupIds`, in the spoke network. */
function endpointTo(target: Record<string, unknown>, groupIds: string[]): CanonicalResource {
  const endpoint = fixture("Microsoft.Network_privateEndpoints.get.arm.spec-2024-05-01.json");
  const properties = endpoint.properties as {
    privateLinkServiceConnections: { properties: Record<string, unknown> }[];
  };
  const first = properties.privateLinkServiceConnections[0];
  if (first !== undefined) {
    first.properties.privateLinkServiceId = target.id;
    first.properties.groupIds = groupIds;
  }
  return fromArmDocument(endpoint);
}

/** A data-plane document with one Approved connection to the spec endpoint. */
function approvedOn(
  document: Record<string, unknown>,
  groupIds: string[],
): Record<string, unknown> {
  return {
    ...document,
    properties: {
      ...(document.properties as object),
      privateEndpointConnections: [
        {
          id: `${String(document.id)}/privateEndpointConnections/pe-contoso-openai.1`,
          properties: {
            privateEndpoint: { id: ENDPOINT_ID },
            groupIds,
            privateLinkServiceConnectionState: { status: "Approved" },
          },
        },
      ],
    },
  };
}

function zone(name: string, subscription = HUB_SUBSCRIPTION): CanonicalResource {
  const document = fixture("Microsoft.Network_privateDnsZones.get.arm.spec-2024-06-01.json");
  document.id = `/subscriptions/${subscription}/resourceGroups/rg-hub-dns/providers/Microsoft.Network/privateDnsZones/${name}`;
  document.name = name;
  return fromArmDocument(document);
}

function link(
  zoneName: string,
  networkId: string,
  state?: unknown,
  subscription = HUB_SUBSCRIPTION,
) {
  const document = fixture(
    "Microsoft.Network_privateDnsZones_virtualNetworkLinks.get.arm.spec-2024-06-01.json",
  );
  document.id = `/subscriptions/${subscription}/resourceGroups/rg-hub-dns/providers/Microsoft.Network/privateDnsZones/${zoneName}/virtualNetworkLinks/link-${zoneName}`;
  document.name = `link-${zoneName}`;
  const properties = document.properties as Record<string, unknown>;
  properties.virtualNetwork = { id: networkId };
  if (state === undefined) delete properties.virtualNetworkLinkState;
  else properties.virtualNetworkLinkState = state;
  return fromArmDocument(document);
}

/** A virtual network document with its peerings embedded, as Resource Graph returns it. */
function network(id: string, peerings: { remote: string; state?: string }[]): CanonicalResource {
  return fromArmDocument({
    id,
    name: id.split("/").pop(),
    type: "Microsoft.Network/virtualNetworks",
    location: "eastus",
    properties: {
      provisioningState: "Succeeded",
      addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
      subnets: [],
      virtualNetworkPeerings: peerings.map((peering, index) => ({
        name: `peering-${index}`,
        properties: {
          remoteVirtualNetwork: { id: peering.remote },
          allowVirtualNetworkAccess: true,
          ...(peering.state === undefined ? {} : { peeringState: peering.state }),
        },
      })),
    },
  });
}

/** Everything an OpenAI account's endpoint needs to resolve through a hub-linked zone. */
function hubAndSpoke(state = "Connected"): CanonicalResource[] {
  return [
    endpointTo(lockedDown(), ["account"]),
    network(SPOKE_NETWORK, [{ remote: HUB_NETWORK, state }]),
    network(HUB_NETWORK, [{ remote: SPOKE_NETWORK, state }]),
    zone("privatelink.openai.azure.com"),
    link("privatelink.openai.azure.com", HUB_NETWORK, "Completed"),
  ];
}

function judge(
  document: Record<string, unknown>,
  resources: CanonicalResource[],
  accounts: AccountCollection[] = BOTH_COMPLETE,
) {
  return privateDns.evaluate(fromArmDocument(document), contextWith({ resources, accounts }));
}

/**
 * A context whose index follows a policy in which the platform lists the hub subscription and
 * the tenant the spoke subscription, as an evaluation builds it.
 */
function policyIndexedContext(
  resources: CanonicalResource[],
  accounts: AccountCollection[],
): EvaluationContext {
  const policy = parsePolicy(
    [
      "version: 1",
      "platform:",
      `  accounts: { azure: [${HUB_SUBSCRIPTION}] }`,
      "  regions: { allowed: [eastus] }",
      "tenants:",
      "  - id: acme",
      `    accounts: { azure: [${SPOKE_SUBSCRIPTION}] }`,
      "    regions: { allowed: [eastus] }",
    ].join("\n"),
    "plumbline.yaml",
    { now: TEST_NOW },
  ).policy;
  const index = new InventoryIndex({ policy });
  for (const resource of resources) index.add(resource);
  index.setAccounts(accounts);
  const owner = policy.tenants[0];
  if (owner === undefined) throw new Error("the policy names a tenant");
  return { owner, now: TEST_NOW, index, discovered: [] };
}

describe("network.private-dns", () => {
  it("passes when the zone is linked (Completed) to the endpoint's own network", () => {
    const resources = [
      endpointTo(lockedDown(), ["account"]),
      zone("privatelink.openai.azure.com", SPOKE_SUBSCRIPTION),
      link("privatelink.openai.azure.com", SPOKE_NETWORK, "Completed", SPOKE_SUBSCRIPTION),
    ];
    const verdict = judge(lockedDown(), resources);
    expect(verdict.status).toBe("pass");
    expect(verdict.message).toContain(
      "privatelink.openai.azure.com linked (Completed) to vnet-contoso",
    );
  });

  it("passes when a zone in the platform subscription is linked to a hub peered with the spoke", () => {
    const verdict = judge(lockedDown(), hubAndSpoke());
    expect(verdict.status).toBe("pass");
    expect(verdict.message).toContain("linked (Completed) to vnet-hub");
  });

  it("finds the peering from the hub's side when the spoke's document is not in the inventory", () => {
    const resources = hubAndSpoke().filter((r) => r.key !== SPOKE_NETWORK.toLowerCase());
    expect(judge(lockedDown(), resources).status).toBe("pass");
  });

  it("matches zone names, link targets and peerings without regard to case", () => {
    const resources = [
      endpointTo(lockedDown(), ["ACCOUNT"]),
      network(SPOKE_NETWORK, [{ remote: HUB_NETWORK.toLowerCase(), state: "connected" }]),
      zone("PrivateLink.OpenAI.Azure.com"),
      link("PrivateLink.OpenAI.Azure.com", HUB_NETWORK.toUpperCase(), "completed"),
    ];
    expect(judge(lockedDown(), resources).status).toBe("pass");
  });

  it("does not count a peering that is only Initiated", () => {
    const verdict = judge(lockedDown(), hubAndSpoke("Initiated"));
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain(
      "privatelink.openai.azure.com not linked to vnet-contoso or a peer",
    );
  });

  it("is an error when a peering's state is absent", () => {
    const resources = [
      endpointTo(lockedDown(), ["account"]),
      network(SPOKE_NETWORK, [{ remote: HUB_NETWORK }]),
      zone("privatelink.openai.azure.com"),
      link("privatelink.openai.azure.com", HUB_NETWORK, "Completed"),
    ];
    const verdict = judge(lockedDown(), resources);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("peeringState absent");
  });

  it("fails a link whose state is InProgress", () => {
    const resources = hubAndSpoke();
    resources[4] = link("privatelink.openai.azure.com", HUB_NETWORK, "InProgress");
    const verdict = judge(lockedDown(), resources);
    expect(verdict.status).toBe("fail");
    expect(verdict.evidence).toContainEqual({
      path: `${resources[4]?.id}#properties.virtualNetworkLinkState`,
      actual: "InProgress",
      expected: "Completed",
    });
  });

  it("is an error when a link's state is absent or unknown", () => {
    for (const state of [undefined, "Linking"]) {
      const resources = hubAndSpoke();
      resources[4] = link("privatelink.openai.azure.com", HUB_NETWORK, state);
      expect(judge(lockedDown(), resources).status).toBe("error");
    }
  });

  it("fails an AI Services account missing two of the three zones its kind needs", () => {
    const aiServices = fixture("Microsoft.CognitiveServices_accounts.AIServices.arm.real.json");
    const document = approvedOn(aiServices, ["account"]);
    const resources = [
      endpointTo(document, ["account"]),
      network(SPOKE_NETWORK, [{ remote: HUB_NETWORK, state: "Connected" }]),
      zone("privatelink.openai.azure.com"),
      link("privatelink.openai.azure.com", HUB_NETWORK, "Completed"),
    ];
    const verdict = judge(document, resources);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("zone privatelink.cognitiveservices.azure.com missing");
    expect(verdict.message).toContain("zone privatelink.services.ai.azure.com missing");
    expect(verdict.message).not.toContain("privatelink.openai.azure.com");
    expect(verdict.evidence).toContainEqual({
      path: "Microsoft.Network/privateDnsZones/privatelink.services.ai.azure.com",
      expected: "linked (Completed) to vnet-contoso or a virtual network peered with it",
    });
  });

  it("is an error when a subscription that could hold the zone was collected partly", () => {
    const resources = hubAndSpoke().filter((r) => r.type !== "Microsoft.Network/privateDnsZones");
    const verdict = judge(lockedDown(), resources, [
      completeAccount("azure", SPOKE_SUBSCRIPTION),
      partialAccount("azure", HUB_SUBSCRIPTION),
    ]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(HUB_SUBSCRIPTION);
  });

  it("is an error naming a subscription the policy names that has no collection record", () => {
    const resources = hubAndSpoke().filter((r) => r.type !== "Microsoft.Network/privateDnsZones");
    const context = policyIndexedContext(resources, [completeAccount("azure", SPOKE_SUBSCRIPTION)]);
    const verdict = privateDns.evaluate(fromArmDocument(lockedDown()), context);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(
      `zone privatelink.openai.azure.com missing, but subscription(s) ${HUB_SUBSCRIPTION} ` +
        "(not collected) that could hold it were not collected completely",
    );
  });

  it("is an error for a missing link when a policy-named subscription has no collection record", () => {
    const resources = hubAndSpoke().filter(
      (r) => r.type !== "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    );
    const context = policyIndexedContext(resources, [completeAccount("azure", SPOKE_SUBSCRIPTION)]);
    const verdict = privateDns.evaluate(fromArmDocument(lockedDown()), context);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(`${HUB_SUBSCRIPTION} (not collected)`);
  });

  it("fails a missing zone once every subscription the policy names was collected completely", () => {
    const resources = hubAndSpoke().filter((r) => r.type !== "Microsoft.Network/privateDnsZones");
    const context = policyIndexedContext(resources, BOTH_COMPLETE);
    const verdict = privateDns.evaluate(fromArmDocument(lockedDown()), context);
    expect(verdict.status).toBe("fail");
    expect(verdict.message).toContain("zone privatelink.openai.azure.com missing");
  });

  it("is an error when the private endpoint lives in a subscription that was not scanned", () => {
    const verdict = judge(lockedDown(), [], [completeAccount("azure", HUB_SUBSCRIPTION)]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain(`subscription ${SPOKE_SUBSCRIPTION}, which holds it`);
  });

  it("is not applicable without an approved private endpoint (known case oai-demo03, Pending)", () => {
    const document = readTestData("cases/estate/azure/oai-demo03.json") as Record<string, unknown>;
    const verdict = judge(document, []);
    expect(verdict.status).toBe("not-applicable");
    expect(verdict.message).toContain("has no approved private endpoint");
  });

  it("is not applicable to a VNet-integrated PostgreSQL server, and says so", () => {
    const document = fixture("Microsoft.DBforPostgreSQL_flexibleServers.list.arm.real.json");
    const verdict = judge(document, []);
    expect(verdict.status).toBe("not-applicable");
    expect(verdict.message).toContain("VNet integration");
  });

  it("is an error when the only connection's state cannot be read", () => {
    const document = approvedOn(lockedDown(), ["account"]);
    const connections = (
      document.properties as {
        privateEndpointConnections: { properties: Record<string, unknown> }[];
      }
    ).privateEndpointConnections;
    delete connections[0]?.properties.privateLinkServiceConnectionState;
    expect(judge(document, []).status).toBe("error");
  });

  it("is an error when the account's kind is absent, so the zones of group id account are unknown", () => {
    const { kind: _, ...document } = lockedDown();
    const verdict = judge(document, hubAndSpoke());
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain("kind");
  });

  it("is an error naming a group id whose zones the catalogue does not document", () => {
    const storage = fixture("Microsoft.Storage_storageAccounts.get-cmk.arm.spec-2023-05-01.json");
    const document = approvedOn(storage, ["file"]);
    const verdict = judge(document, [endpointTo(document, ["file"])]);
    expect(verdict.status).toBe("error");
    expect(verdict.message).toContain('group id "file"');
  });

  it("is an error when the document has no properties", () => {
    const { properties: _, ...bare } = lockedDown();
    expect(judge(bare, hubAndSpoke()).status).toBe("error");
  });

  const services: [string, Record<string, unknown>, string, string][] = [
    [
      "storage (blob)",
      fixture("Microsoft.Storage_storageAccounts.get-cmk.arm.spec-2023-05-01.json"),
      "blob",
      "privatelink.blob.core.windows.net",
    ],
    [
      "key vault",
      fixture("Microsoft.KeyVault_vaults.get.arm.spec-2023-07-01.json"),
      "vault",
      "privatelink.vaultcore.azure.net",
    ],
    [
      "search",
      fixture("Microsoft.Search_searchServices.cmk-enforced.arm.spec-2025-05-01.json"),
      "searchService",
      "privatelink.search.windows.net",
    ],
    [
      "PostgreSQL",
      fixture(
        "Microsoft.DBforPostgreSQL_flexibleServers.get-systemmanaged-public.arm.spec-2024-08-01.json",
      ),
      "postgresqlServer",
      "privatelink.postgres.database.azure.com",
    ],
    [
      "an OpenAI account",
      fixture("Microsoft.CognitiveServices_accounts.OpenAI.arm.real.json"),
      "account",
      "privatelink.openai.azure.com",
    ],
    [
      "an account of another kind",
      {
        ...fixture("Microsoft.CognitiveServices_accounts.OpenAI.arm.real.json"),
        kind: "TextAnalytics",
      },
      "account",
      "privatelink.cognitiveservices.azure.com",
    ],
  ];
  for (const [service, base, groupId, zoneName] of services) {
    it(`needs ${zoneName} for ${service} (group id ${groupId})`, () => {
      const document = approvedOn(base, [groupId]);
      const resources = [
        endpointTo(document, [groupId]),
        network(SPOKE_NETWORK, [{ remote: HUB_NETWORK, state: "Connected" }]),
        zone(zoneName),
      ];
      const unlinked = judge(document, resources);
      const linked = judge(document, [...resources, link(zoneName, HUB_NETWORK, "Completed")]);
      expect([unlinked.status, linked.status]).toEqual(["fail", "pass"]);
      expect(linked.message).toContain(zoneName);
    });
  }
});
