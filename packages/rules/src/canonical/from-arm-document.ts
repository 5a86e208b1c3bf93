import type { CanonicalResource, ReferenceKind, ResourceReference } from "../model.js";
import { canonicalRegionName } from "../regions/catalogue.js";
import { armKey, canonicalArmType, parseArmId } from "./arm-id.js";
import { collectValues } from "./collect.js";
import { isAbsent, isRecord, readString } from "./document.js";
import { DocumentError } from "./document-error.js";

/** Paths of plain id references in ARM documents, by the kind of thing they point at. */
const ARM_ID_REFERENCES: readonly { kind: ReferenceKind; pattern: string }[] = [
  {
    kind: "private-endpoint",
    pattern: "properties.privateEndpointConnections[*].properties.privateEndpoint.id",
  },
  { kind: "private-endpoint", pattern: "properties.privateEndpoint.id" },
  {
    kind: "private-link-service",
    pattern: "properties.privateLinkServiceConnections[*].properties.privateLinkServiceId",
  },
  {
    kind: "private-link-service",
    pattern: "properties.manualPrivateLinkServiceConnections[*].properties.privateLinkServiceId",
  },
  { kind: "subnet", pattern: "properties.subnet.id" },
  { kind: "subnet", pattern: "properties.network.delegatedSubnetResourceId" },
  { kind: "subnet", pattern: "properties.networkAcls.virtualNetworkRules[*].id" },
  { kind: "subnet", pattern: "properties.ipConfigurations[*].properties.subnet.id" },
  { kind: "dns-zone", pattern: "properties.network.privateDnsZoneArmResourceId" },
  {
    kind: "dns-zone",
    pattern: "properties.privateDnsZoneConfigs[*].properties.privateDnsZoneId",
  },
  {
    kind: "dns-zone",
    pattern:
      "properties.privateDnsZoneGroups[*].properties." +
      "privateDnsZoneConfigs[*].properties.privateDnsZoneId",
  },
  { kind: "virtual-network", pattern: "properties.virtualNetwork.id" },
  { kind: "virtual-network", pattern: "properties.remoteVirtualNetwork.id" },
  {
    kind: "virtual-network",
    pattern: "properties.virtualNetworkPeerings[*].properties.remoteVirtualNetwork.id",
  },
];

/** Key references written as one URI. */
const ARM_KEY_URI_REFERENCES: readonly string[] = [
  "properties.dataEncryption.primaryKeyURI",
  "properties.dataEncryption.geoBackupKeyURI",
  "properties.keyVaultKeyUri",
];

/**
 * Key references written as a vault URI plus a key name (and optional version). Storage spells
 * the nested keys in lower case; Cognitive Services in camelCase.
 */
// Limitation: Azure AI Search sets customer-managed keys per index and synonym map, not on the
// service; the service-level `encryptionKey` read here is the index shape applied to the
// service document, so a service's own document normally yields no key reference.
const ARM_VAULT_KEY_REFERENCES: readonly {
  base: string;
  vault: string;
  name: string;
  version: string;
}[] = [
  {
    base: "properties.encryption.keyvaultproperties",
    vault: "keyvaulturi",
    name: "keyname",
    version: "keyversion",
  },
  {
    base: "properties.encryption.keyVaultProperties",
    vault: "keyVaultUri",
    name: "keyName",
    version: "keyVersion",
  },
  {
    base: "properties.encryptionKey",
    vault: "keyVaultUri",
    name: "keyVaultKeyName",
    version: "keyVaultKeyVersion",
  },
];

function keyUri(vaultUri: string, name: string, version: string | undefined): string {
  const base = vaultUri.replace(/\/+$/, "");
  return version === undefined ? `${base}/keys/${name}` : `${base}/keys/${name}/${version}`;
}

function collectArmReferences(document: Record<string, unknown>): ResourceReference[] {
  const references: ResourceReference[] = [];

  for (const base of ARM_VAULT_KEY_REFERENCES) {
    const vault = readString(document, `${base.base}.${base.vault}`);
    const name = readString(document, `${base.base}.${base.name}`);
    if (vault === undefined || name === undefined) continue;
    const version = readString(document, `${base.base}.${base.version}`);
    references.push({
      kind: "key",
      target: keyUri(vault, name, version),
      path: `${base.base}.${base.vault}`,
    });
  }
  for (const path of ARM_KEY_URI_REFERENCES) {
    const uri = readString(document, path);
    if (uri !== undefined) references.push({ kind: "key", target: uri, path });
  }
  for (const { kind, pattern } of ARM_ID_REFERENCES) {
    for (const found of collectValues(document, pattern)) {
      if (typeof found.value === "string" && found.value !== "") {
        references.push({ kind, target: found.value, path: found.path });
      }
    }
  }
  return references;
}

/** Tags as a string map; Resource Graph sends `null` for a resource without tags. */
export function tagsOf(value: unknown): Record<string, string> {
  const tags: Record<string, string> = {};
  if (!isRecord(value)) return tags;
  for (const [key, tag] of Object.entries(value)) {
    if (tag === null || tag === undefined) continue;
    tags[key] = typeof tag === "string" ? tag : JSON.stringify(tag);
  }
  return tags;
}

/**
 * Converts an ARM document (an ARM GET body or a Resource Graph row) to a canonical resource.
 * The type comes from the id's provider and type segments, spelled as the table of known types
 * spells it; the account is the subscription in the id; a child without a location of its own
 * takes its parent's region.
 */
export function fromArmDocument(
  document: Record<string, unknown>,
  parent?: CanonicalResource,
): CanonicalResource {
  const id = document.id;
  if (typeof id !== "string" || id === "") {
    throw new DocumentError("ARM document has no id", { name: document.name });
  }
  const parts = parseArmId(id);
  const subscription =
    parts.subscription ??
    (typeof document.subscriptionId === "string" && !isAbsent(document.subscriptionId)
      ? document.subscriptionId.toLowerCase()
      : null);
  if (subscription === null) throw new DocumentError("ARM id names no subscription", { id });
  if (parts.type === null) throw new DocumentError("ARM id names no resource type", { id });

  const location =
    typeof document.location === "string" && !isAbsent(document.location)
      ? document.location
      : null;
  const parentKey = parent?.key ?? (parts.parentId === null ? null : armKey(parts.parentId));
  const ownRegion = canonicalRegionName(location);
  const region = location === null && parent !== undefined ? parent.region : ownRegion;
  const references = collectArmReferences(document);
  if (parts.parentId !== null) {
    references.push({ kind: "parent", target: parent?.id ?? parts.parentId, path: "id" });
  }

  return {
    provider: "azure",
    account: subscription,
    key: armKey(id),
    id,
    type: canonicalArmType(parts.type, document.type),
    region,
    location,
    name:
      typeof document.name === "string" && document.name !== ""
        ? document.name
        : (parts.name ?? id),
    tags: tagsOf(document.tags),
    raw: document,
    references,
    parentKey,
  };
}
