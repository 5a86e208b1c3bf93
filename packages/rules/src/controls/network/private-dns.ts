import { armKey, parseArmId } from "../../canonical/arm-id.js";
import { isAbsent, readPath, readString } from "../../canonical/document.js";
import { virtualNetworkIdOfSubnet } from "../../evaluate/network-index.js";
import type { CanonicalResource, Evidence } from "../../model.js";
import {
  AZURE_DATA_PLANE_TYPES,
  type ConnectionStanding,
  DELEGATED_SUBNET_PATH,
  describeConnection,
  readConnectionStandings,
} from "../private-endpoint-connections.js";
import type { EvaluationContext, ResourceControl, VerdictRow } from "../types.js";
import { checkCollected, derived, describeResource, formatValue, row } from "../verdicts.js";

const OPENAI_ZONE = "privatelink.openai.azure.com";
const COGNITIVE_ZONE = "privatelink.cognitiveservices.azure.com";
const AI_SERVICES_ZONE = "privatelink.services.ai.azure.com";

/** Zones by group id (lower-cased), for every group id but `account`, whose zones follow `kind`. */
const ZONES_BY_GROUP: Readonly<Record<string, readonly string[]>> = {
  blob: ["privatelink.blob.core.windows.net"],
  vault: ["privatelink.vaultcore.azure.net"],
  searchservice: ["privatelink.search.windows.net"],
  postgresqlserver: ["privatelink.postgres.database.azure.com"],
};

const LINK_STATES = new Set(["completed", "inprogress"]);
const PEERING_STATES = new Set(["connected", "initiated", "disconnected"]);

type Outcome = { status: "pass" | "fail" | "error"; text: string };

/** The private DNS zones a group id needs; for `account`, by the account's kind. */
function zonesFor(groupId: string, resource: CanonicalResource): string[] | string {
  const lower = groupId.toLowerCase();
  if (lower === "account") {
    const kind = resource.raw.kind;
    if (typeof kind !== "string" || kind === "") {
      return `group id account needs the account's kind, which is ${formatValue(kind)}`;
    }
    switch (kind.toLowerCase()) {
      case "openai":
        return [OPENAI_ZONE];
      case "aiservices":
        return [COGNITIVE_ZONE, OPENAI_ZONE, AI_SERVICES_ZONE];
      default:
        return [COGNITIVE_ZONE];
    }
  }
  const zones = ZONES_BY_GROUP[lower];
  return zones === undefined
    ? `group id ${formatValue(groupId)} is not one whose zones this control knows`
    : [...zones];
}

/** The virtual networks whose zone links serve an endpoint's network, and peerings in doubt. */
function reachableNetworks(context: EvaluationContext, networkId: string) {
  const networks = new Map<string, string>([[armKey(networkId), networkId]]);
  const doubtful: string[] = [];
  const own = armKey(networkId);
  for (const peering of context.index.network.peeringsOf(networkId)) {
    const neighbourKey = peering.fromKey === own ? peering.toKey : peering.fromKey;
    const neighbourId =
      peering.fromKey === own
        ? peering.toId
        : (context.index.network.virtualNetwork(peering.fromKey)?.id ?? peering.fromKey);
    const state = peering.state?.toLowerCase() ?? null;
    if (state === "connected") networks.set(neighbourKey, neighbourId);
    else if (state === null || !PEERING_STATES.has(state)) {
      doubtful.push(
        `peering to ${neighbourId} has peeringState ${formatValue(peering.state ?? undefined)}`,
      );
    }
  }
  return { networkId, networks, doubtful };
}

function nameOf(id: string): string {
  return parseArmId(id).name ?? id;
}

/**
 * Subscriptions not collected completely that matter to a missing zone or link: any subscription
 * the policy names (whichever owner lists it, recorded or not) or the scan recorded may hold the
 * zone, and the endpoint network's own subscription holds the document that lists its peerings.
 */
function incompleteSubscriptions(context: EvaluationContext, networkId: string): string[] {
  const subscriptions = new Set<string>();
  for (const named of context.index.dataflow.namedAccounts()) {
    if (named.provider === "azure") subscriptions.add(named.account.toLowerCase());
  }
  for (const collection of context.index.accountCollections()) {
    if (collection.provider === "azure") subscriptions.add(collection.account.toLowerCase());
  }
  const own = parseArmId(networkId).subscription;
  if (own !== null) subscriptions.add(own);
  return [...subscriptions]
    .filter((subscription) => !context.index.isCollectedComplete("azure", subscription))
    .map((subscription) => {
      const status = context.index.accountCollection("azure", subscription)?.status;
      return `${subscription} (${status ?? "not collected"})`;
    });
}

function judgeZone(
  zoneName: string,
  reach: ReturnType<typeof reachableNetworks>,
  networkName: string,
  context: EvaluationContext,
  evidence: Evidence[],
): Outcome {
  const expected = `linked (Completed) to ${networkName} or a virtual network peered with it`;
  const zones = context.index.network.privateDnsZonesNamed(zoneName);
  const pending: string[] = [];
  const unreadable: string[] = [];
  const linkedElsewhere: string[] = [];
  for (const zone of zones) {
    for (const link of context.index.network.virtualNetworkLinksOf(zone.key)) {
      const linkedId = readString(link.raw, "properties.virtualNetwork.id");
      if (linkedId === undefined) {
        unreadable.push(`link ${link.name} of ${zone.id} names no virtual network`);
        continue;
      }
      if (!reach.networks.has(armKey(linkedId))) {
        linkedElsewhere.push(nameOf(linkedId));
        continue;
      }
      const statePath = "properties.virtualNetworkLinkState";
      const state = readPath(link.raw, statePath);
      evidence.push(derived(`${link.id}#${statePath}`, state, "Completed"));
      const lower = typeof state === "string" ? state.toLowerCase() : null;
      if (lower === "completed") {
        return { status: "pass", text: `${zoneName} linked (Completed) to ${nameOf(linkedId)}` };
      }
      if (lower !== null && LINK_STATES.has(lower)) {
        pending.push(
          `${zoneName} link ${link.name} to ${nameOf(linkedId)} is ${formatValue(state)}`,
        );
      } else {
        unreadable.push(
          `${zoneName} link ${link.name} has virtualNetworkLinkState ${formatValue(state)}` +
            (isAbsent(state) ? "" : ", which this control does not know"),
        );
      }
    }
  }

  if (unreadable.length > 0 || reach.doubtful.length > 0) {
    return { status: "error", text: [...unreadable, ...reach.doubtful].join("; ") };
  }
  if (pending.length > 0) return { status: "fail", text: pending.join("; ") };
  const absence =
    zones.length === 0
      ? `zone ${zoneName} missing`
      : `${zoneName} not linked to ${networkName} or a peer` +
        (linkedElsewhere.length > 0 ? ` (linked to ${linkedElsewhere.join(", ")})` : "");
  evidence.push(
    zones.length === 0
      ? derived(`Microsoft.Network/privateDnsZones/${zoneName}`, undefined, expected)
      : derived(`${zones[0]?.id ?? zoneName}#virtualNetworkLinks`, linkedElsewhere, expected),
  );
  const incomplete = incompleteSubscriptions(context, reach.networkId);
  if (incomplete.length > 0) {
    return {
      status: "error",
      text:
        `${absence}, but subscription(s) ${incomplete.join(", ")} that could hold it ` +
        "were not collected completely",
    };
  }
  return { status: "fail", text: absence };
}

function judgeConnection(
  resource: CanonicalResource,
  standing: ConnectionStanding,
  context: EvaluationContext,
  evidence: Evidence[],
): Outcome[] {
  const connection = describeConnection(standing);
  if (standing.groupIds === null) {
    return [{ status: "error", text: `${connection} names no group id, so its zones are unknown` }];
  }
  const endpoint = standing.endpoint;
  if (endpoint === null) {
    const subscription =
      standing.endpointId === null ? null : parseArmId(standing.endpointId).subscription;
    const why =
      subscription !== null && !context.index.isCollectedComplete("azure", subscription)
        ? `subscription ${subscription}, which holds it, was not collected completely`
        : "it is not in the inventory";
    return [{ status: "error", text: `the virtual network of ${connection} is unknown: ${why}` }];
  }
  const subnetId = readString(endpoint.raw, "properties.subnet.id");
  const networkId = subnetId === undefined ? null : virtualNetworkIdOfSubnet(subnetId);
  evidence.push(derived(`${endpoint.id}#properties.subnet.id`, subnetId, "a subnet id"));
  if (networkId === null) {
    return [
      {
        status: "error",
        text:
          `${connection} has properties.subnet.id ${formatValue(subnetId)}, ` +
          "which names no virtual network",
      },
    ];
  }

  const zoneNames = new Set<string>();
  const outcomes: Outcome[] = [];
  for (const groupId of standing.groupIds) {
    const zones = zonesFor(groupId, resource);
    if (typeof zones === "string") outcomes.push({ status: "error", text: zones });
    else for (const zone of zones) zoneNames.add(zone);
  }
  const reach = reachableNetworks(context, networkId);
  for (const zoneName of zoneNames) {
    outcomes.push(judgeZone(zoneName, reach, nameOf(networkId), context, evidence));
  }
  return outcomes.map((outcome) => ({ ...outcome, text: `${connection}: ${outcome.text}` }));
}

function judgeAzure(resource: CanonicalResource, context: EvaluationContext): VerdictRow {
  const name = describeResource(resource);
  const standings = readConnectionStandings(resource, context);
  const approved = standings.filter((standing) => standing.outcome === "approved");

  if (approved.length === 0) {
    const doubtful = standings.filter(
      (standing) => standing.outcome === "unresolved" || standing.outcome === "unknown-status",
    );
    const evidence = standings.map((standing) => standing.evidence);
    if (doubtful.length > 0) {
      return row(
        "error",
        `${name}: whether it has an approved private endpoint is unknown ` +
          `(${doubtful.map(describeConnection).join(", ")} without a readable state)`,
        evidence,
      );
    }
    const integrated =
      resource.type === "Microsoft.DBforPostgreSQL/flexibleServers" &&
      !isAbsent(readPath(resource.raw, DELEGATED_SUBNET_PATH));
    return row(
      "not-applicable",
      integrated
        ? `${name} uses VNet integration and has no private endpoint whose DNS to judge`
        : `${name} has no approved private endpoint, so there is no private name to resolve`,
      evidence,
    );
  }

  const evidence: Evidence[] = [];
  const outcomes = approved.flatMap((standing) =>
    judgeConnection(resource, standing, context, evidence),
  );
  const failed = outcomes.filter((outcome) => outcome.status === "fail");
  if (failed.length > 0) {
    return row(
      "fail",
      `${name} does not resolve privately: ${failed.map((o) => o.text).join("; ")}`,
      evidence,
    );
  }
  const unknown = outcomes.filter((outcome) => outcome.status === "error");
  if (unknown.length > 0) {
    return row(
      "error",
      `${name}: private name resolution cannot be judged: ${unknown.map((o) => o.text).join("; ")}`,
      evidence,
    );
  }
  return row(
    "pass",
    `${name} resolves privately: ${outcomes.map((o) => o.text).join("; ")}`,
    evidence,
  );
}

// Limitation: DNS is judged by zone links alone; a spoke network that resolves through a custom
// DNS server or a DNS Private Resolver forwarding to the hub is not recognised unless the zone is
// linked to the spoke or to a network peered with it.
// Limitation: a VNet-integrated PostgreSQL server's own private DNS zone
// (network.privateDnsZoneArmResourceId) is not judged: the control covers private endpoints only.
// Limitation: zones are looked for in the subscriptions the policy names only; a zone held in a
// subscription outside the policy counts as missing.
// Limitation: storage endpoints for the file, queue, table, dfs and web sub-resources are errors
// (group ids whose zones the catalogue does not list), not judged against their zones.

/** Every approved private endpoint resolves to its private address. */
export const privateDns: ResourceControl = {
  id: "network.private-dns",
  scope: "resource",
  title: "Every approved private endpoint resolves through a linked private DNS zone",
  severity: "high",
  rationale:
    "A private endpoint only helps when clients resolve the service's name to its private " +
    "address. Without the privatelink zone linked to the endpoint's virtual network (or a hub " +
    "peered with it), names resolve to the public endpoint: calls fail once public access is " +
    "off, or silently leave the private network while it is on.",
  remediation: {
    azure:
      "Create the private DNS zone each group id needs (for example privatelink.openai.azure.com " +
      "for OpenAI accounts), add the endpoint to it through a DNS zone group, and link the zone " +
      "to the endpoint's virtual network or to the hub network it peers with.",
  },
  references: [
    {
      kind: "azure-policy",
      name: "Configure Cognitive Services accounts to use private DNS zones",
    },
    {
      kind: "azure-policy",
      name: "Configure Azure Cognitive Search services to use private DNS zones",
    },
    {
      kind: "documentation",
      title: "Azure Private Endpoint private DNS zone values",
      url: "https://learn.microsoft.com/azure/private-link/private-endpoint-dns",
      provider: "azure",
    },
  ],
  resourceTypes: [...AZURE_DATA_PLANE_TYPES],

  evaluate(resource, context) {
    const notCollected = checkCollected(resource);
    if (notCollected !== null) return notCollected;
    return judgeAzure(resource, context);
  },
};
