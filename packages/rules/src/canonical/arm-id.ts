import { knownArmType } from "./arm-types.js";

/**
 * Extension resource types: they always belong to the scope they are placed on (a resource, a
 * resource group or a subscription), even when the id has a single `providers` segment.
 */
const EXTENSION_TYPES = new Set([
  "microsoft.insights/diagnosticsettings",
  "microsoft.authorization/locks",
  "microsoft.authorization/policyassignments",
  "microsoft.authorization/roleassignments",
]);

/** What an ARM resource id says about the resource it names. */
export interface ArmIdParts {
  /** Subscription id, lower-cased; null when the id has none. */
  subscription: string | null;
  /** Type from the id's provider and type segments, spelled as the id spells it. */
  type: string | null;
  /** Id of the parent resource (as the id spells it), or null for a top-level resource. */
  parentId: string | null;
  /** Last name segment. */
  name: string | null;
}

/**
 * Splits an ARM id into subscription, type and parent. Extension resources
 * (`…/storageAccounts/x/providers/Microsoft.Insights/diagnosticSettings/d`) take the type after
 * the last `providers` segment and have the resource they extend as parent.
 */
export function parseArmId(id: string): ArmIdParts {
  const segments = id.split("/").filter((s) => s !== "");
  const lower = segments.map((s) => s.toLowerCase());
  const subscriptionAt = lower.indexOf("subscriptions");
  const subscription = subscriptionAt >= 0 ? (lower[subscriptionAt + 1] ?? null) : null;
  const name = segments.length > 0 ? (segments[segments.length - 1] ?? null) : null;
  const providersAt = lower.lastIndexOf("providers");

  if (providersAt < 0) {
    if (lower.length === 2 && lower[0] === "subscriptions") {
      return { subscription, type: "Microsoft.Resources/subscriptions", parentId: null, name };
    }
    if (lower.length === 4 && lower[2] === "resourcegroups") {
      return { subscription, type: "Microsoft.Resources/resourceGroups", parentId: null, name };
    }
    return { subscription, type: null, parentId: null, name };
  }

  const namespace = segments[providersAt + 1];
  const rest = segments.slice(providersAt + 2);
  if (namespace === undefined || rest.length < 2 || rest.length % 2 !== 0) {
    return { subscription, type: null, parentId: null, name };
  }
  const typeSegments = rest.filter((_, i) => i % 2 === 0);
  const type = [namespace, ...typeSegments].join("/");

  let parentSegments: string[] | null = null;
  if (typeSegments.length > 1) {
    parentSegments = segments.slice(0, segments.length - 2);
  } else if (lower.indexOf("providers") < providersAt || EXTENSION_TYPES.has(type.toLowerCase())) {
    parentSegments = segments.slice(0, providersAt);
  }
  // Ids without a leading slash (subscription-level diagnostic settings) still get a parent
  // id with one, so that parent keys match the keys of other documents.
  const parentId = parentSegments === null ? null : `/${parentSegments.join("/")}`;
  return { subscription, type, parentId, name };
}

/** The canonical type of an ARM id, comparing against the table of known types without case. */
export function canonicalArmType(idType: string, documentType?: unknown): string {
  const known = knownArmType(idType);
  if (known !== undefined) return known;
  if (
    typeof documentType === "string" &&
    documentType.toLowerCase() === idType.toLowerCase() &&
    documentType !== documentType.toLowerCase()
  ) {
    return documentType;
  }
  return idType;
}

/** The identity key of an ARM id: lower-cased, always with a leading slash. */
export function armKey(id: string): string {
  const lower = id.toLowerCase();
  return lower.startsWith("/") ? lower : `/${lower}`;
}
