import { armKey, parseArmId } from "../canonical/arm-id.js";
import { collectValues } from "../canonical/collect.js";
import { isAbsent, readPath, readString } from "../canonical/document.js";
import type { CanonicalResource, Evidence } from "../model.js";
import type { EvaluationContext } from "./types.js";
import { derived, formatValue } from "./verdicts.js";

/**
 * The Azure data-plane types that must be reached through private endpoints: AI services, search
 * services, storage accounts, key vaults and PostgreSQL flexible servers.
 */
export const AZURE_DATA_PLANE_TYPES = [
  "Microsoft.CognitiveServices/accounts",
  "Microsoft.Search/searchServices",
  "Microsoft.Storage/storageAccounts",
  "Microsoft.KeyVault/vaults",
  "Microsoft.DBforPostgreSQL/flexibleServers",
] as const;

/** Where a PostgreSQL flexible server names the subnet it is integrated into. */
export const DELEGATED_SUBNET_PATH = "properties.network.delegatedSubnetResourceId";

/** Where the data-plane resources list their private endpoint connections. */
export const CONNECTIONS_PATH = "properties.privateEndpointConnections";

const STATE_PATH = "privateLinkServiceConnectionState.status";
const NOT_APPROVED = new Set(["pending", "rejected", "disconnected"]);

/**
 * What one listed connection comes to: `approved` carries traffic; `not-approved` is Pending,
 * Rejected or Disconnected; `unknown-status` is a state outside that set; `unresolved` means no
 * state could be read, neither on the connection nor on its private endpoint.
 */
export type ConnectionOutcome = "approved" | "not-approved" | "unknown-status" | "unresolved";

/** One private endpoint connection of a data-plane resource, with its state resolved. */
export interface ConnectionStanding {
  /** Path of the connection in the resource's document (`…privateEndpointConnections[0]`). */
  path: string;
  /** The private endpoint id the connection names, as written; null when it names none. */
  endpointId: string | null;
  /** The private endpoint from the inventory, or null when it is not there. */
  endpoint: CanonicalResource | null;
  /** The state read, from the connection or else from the private endpoint. */
  status: unknown;
  outcome: ConnectionOutcome;
  /** Why no state could be read, for `unresolved`; null otherwise. */
  reason: string | null;
  /** Group ids of the connection (or of the endpoint's side of it); null when neither has any. */
  groupIds: string[] | null;
  /** The state as evidence: where it was read and what it was. */
  evidence: Evidence;
}

function classify(status: unknown): ConnectionOutcome {
  if (typeof status !== "string") return "unknown-status";
  const lower = status.toLowerCase();
  if (lower === "approved") return "approved";
  return NOT_APPROVED.has(lower) ? "not-approved" : "unknown-status";
}

function groupIdsAt(document: unknown, path: string): string[] | null {
  const value = readPath(document, path);
  if (!Array.isArray(value)) return null;
  const ids = value.filter((id): id is string => typeof id === "string" && id !== "");
  return ids.length === 0 ? null : ids;
}

/** The endpoint's own record of its connection to `target`, automatic or manual. */
function endpointSideOf(
  endpoint: CanonicalResource,
  target: CanonicalResource,
): { path: string; value: unknown } | null {
  for (const list of ["privateLinkServiceConnections", "manualPrivateLinkServiceConnections"]) {
    for (const found of collectValues(endpoint.raw, `properties.${list}[*].properties`)) {
      const id = readString(found.value, "privateLinkServiceId");
      if (id !== undefined && armKey(id) === target.key) return found;
    }
  }
  return null;
}

function missingEndpointReason(endpointId: string, context: EvaluationContext): string {
  const subscription = parseArmId(endpointId).subscription;
  if (subscription === null) return `private endpoint id ${endpointId} names no subscription`;
  return context.index.isCollectedComplete("azure", subscription)
    ? `private endpoint ${endpointId} is not in the inventory of subscription ${subscription}`
    : `subscription ${subscription}, which holds private endpoint ${endpointId}, ` +
        "was not collected completely";
}

function standingOf(
  resource: CanonicalResource,
  connection: unknown,
  path: string,
  context: EvaluationContext,
): ConnectionStanding {
  const endpointId = readString(connection, "properties.privateEndpoint.id") ?? null;
  const endpoint =
    endpointId === null ? null : (context.index.network.privateEndpoint(endpointId) ?? null);
  const endpointSide = endpoint === null ? null : endpointSideOf(endpoint, resource);
  const groupIds =
    groupIdsAt(connection, "properties.groupIds") ??
    (endpointSide === null ? null : groupIdsAt(endpointSide.value, "groupIds"));
  const base = { path, endpointId, endpoint, groupIds };
  const ownPath = `${path}.properties.${STATE_PATH}`;

  const status = readPath(connection, `properties.${STATE_PATH}`);
  if (!isAbsent(status)) {
    return {
      ...base,
      status,
      outcome: classify(status),
      reason: null,
      evidence: { path: ownPath, actual: status, expected: "Approved" },
    };
  }

  // The connection lists no state: the private endpoint keeps its own copy of it.
  const unresolved = (reason: string): ConnectionStanding => ({
    ...base,
    status,
    outcome: "unresolved",
    reason,
    evidence: derived(ownPath, status, "Approved"),
  });
  if (endpointId === null) return unresolved("the connection names no private endpoint");
  if (endpoint === null) return unresolved(missingEndpointReason(endpointId, context));
  if (endpointSide === null) {
    return unresolved(`private endpoint ${endpoint.name} has no connection to ${resource.name}`);
  }
  const endpointStatus = readPath(endpointSide.value, STATE_PATH);
  if (isAbsent(endpointStatus)) {
    return unresolved(
      `neither the connection nor private endpoint ${endpoint.name} gives a state ` +
        `(${formatValue(endpointStatus)})`,
    );
  }
  return {
    ...base,
    status: endpointStatus,
    outcome: classify(endpointStatus),
    reason: null,
    evidence: {
      path: `${endpoint.id}#${endpointSide.path}.${STATE_PATH}`,
      actual: endpointStatus,
      expected: "Approved",
    },
  };
}

/**
 * The private endpoint connections a data-plane resource lists, each with its state: the
 * connection's own `privateLinkServiceConnectionState.status`, or, when the connection lists
 * none, the state the private endpoint records for its connection to the resource. Empty when
 * the resource lists no connections.
 */
export function readConnectionStandings(
  resource: CanonicalResource,
  context: EvaluationContext,
): ConnectionStanding[] {
  const list = readPath(resource.raw, CONNECTIONS_PATH);
  if (!Array.isArray(list)) return [];
  return list.map((connection, index) =>
    standingOf(resource, connection, `${CONNECTIONS_PATH}[${index}]`, context),
  );
}

/** How a message names a connection: its private endpoint's name, or its path. */
export function describeConnection(standing: ConnectionStanding): string {
  if (standing.endpoint !== null) return `private endpoint ${standing.endpoint.name}`;
  if (standing.endpointId !== null) {
    return `private endpoint ${parseArmId(standing.endpointId).name ?? standing.endpointId}`;
  }
  return `connection ${standing.path}`;
}
