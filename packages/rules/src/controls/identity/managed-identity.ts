import { isAbsent, isRecord, readPath } from "../../canonical/document.js";
import type { CanonicalResource, Evidence } from "../../model.js";
import type { KeySetting } from "../customer-keys.js";
import { POSTGRES_KEY_TYPE, readKeySetting, STORAGE_KEY_SOURCE } from "../customer-keys.js";
import type { ResourceControl, VerdictRow } from "../types.js";
import { checkCollected, describeResource, formatValue, observe, row } from "../verdicts.js";

const IDENTITY = "identity";
const IDENTITY_TYPE = "identity.type";
const EXPECTED = "SystemAssigned or UserAssigned";
const IDENTITY_KINDS = new Set(["systemassigned", "userassigned"]);

/** The key setting that makes a storage account or server call Key Vault, by type. */
function keySettingOf(resource: CanonicalResource): KeySetting | null {
  switch (resource.type) {
    case "Microsoft.Storage/storageAccounts":
      return STORAGE_KEY_SOURCE;
    case "Microsoft.DBforPostgreSQL/flexibleServers":
      return POSTGRES_KEY_TYPE;
    default:
      return null;
  }
}

function judgeIdentity(resource: CanonicalResource, evidence: Evidence[]): VerdictRow {
  const name = describeResource(resource);
  const identity = resource.raw[IDENTITY];
  const type = readPath(resource.raw, IDENTITY_TYPE);
  const all = [...evidence, observe(resource, IDENTITY_TYPE, EXPECTED)];

  if (!isAbsent(identity) && !isRecord(identity)) {
    return row(
      "error",
      `${name} has ${IDENTITY} = ${formatValue(identity)}, which is not an object; ` +
        `expected an identity of type ${EXPECTED}`,
      all,
    );
  }
  if (isAbsent(type)) {
    return row(
      "fail",
      `${name} has ${IDENTITY_TYPE} ${formatValue(type)}: it carries no managed identity; ` +
        `expected ${EXPECTED}`,
      all,
    );
  }
  if (typeof type !== "string") {
    return row(
      "error",
      `${name} has ${IDENTITY_TYPE} = ${formatValue(type)}, which is not an identity type; ` +
        `expected ${EXPECTED}`,
      all,
    );
  }

  // Services write both kinds together in several spellings: "SystemAssigned, UserAssigned",
  // "SystemAssigned,UserAssigned".
  const kinds = type
    .split(",")
    .map((kind) => kind.trim().toLowerCase())
    .filter((kind) => kind !== "");
  const unknown = kinds.filter((kind) => kind !== "none" && !IDENTITY_KINDS.has(kind));
  if (unknown.length > 0 || kinds.length === 0) {
    return row(
      "error",
      `${name} has ${IDENTITY_TYPE} = ${formatValue(type)}, a value this control does not know; ` +
        `expected ${EXPECTED}`,
      all,
    );
  }
  if (kinds.some((kind) => IDENTITY_KINDS.has(kind))) {
    return row(
      "pass",
      `${name} carries a managed identity (${IDENTITY_TYPE} = ${formatValue(type)})`,
      all,
    );
  }
  return row(
    "fail",
    `${name} has ${IDENTITY_TYPE} ${formatValue(type)}: it carries no managed identity; ` +
      `expected ${EXPECTED}`,
    all,
  );
}

/** Services that call other services carry a managed identity. */
export const managedIdentity: ResourceControl = {
  id: "identity.managed-identity",
  scope: "resource",
  title: "Services that call other services do so with a managed identity",
  severity: "medium",
  rationale:
    "AI and search services call storage, key vaults and each other, and CMK-encrypted storage " +
    "and databases call Key Vault for every unwrap. A managed identity lets them do so without " +
    "stored secrets, with access that is scoped, audited and revoked in one place.",
  remediation: {
    azure:
      "Assign a system-assigned or user-assigned managed identity to the AI services account, " +
      "search service, storage account or PostgreSQL flexible server, grant it the roles it " +
      "needs (for CMK: Key Vault Crypto Service Encryption User on the key), and remove any " +
      "keys or connection strings it used before.",
  },
  references: [
    { kind: "azure-policy", name: "Cognitive Services accounts should use a managed identity" },
    {
      kind: "documentation",
      title: "What are managed identities for Azure resources?",
      url: "https://learn.microsoft.com/en-us/entra/identity/managed-identities-azure-resources/overview",
      provider: "azure",
    },
  ],
  resourceTypes: [
    "Microsoft.CognitiveServices/accounts",
    "Microsoft.Search/searchServices",
    "Microsoft.Storage/storageAccounts",
    "Microsoft.DBforPostgreSQL/flexibleServers",
  ],

  evaluate(resource) {
    const notCollected = checkCollected(resource);
    if (notCollected !== null) return notCollected;

    const setting = keySettingOf(resource);
    if (setting === null) return judgeIdentity(resource, []);

    const name = describeResource(resource);
    const value = readPath(resource.raw, setting.path);
    const evidence = [observe(resource, setting.path, setting.customer)];
    switch (readKeySetting(resource, setting)) {
      case "customer":
        return judgeIdentity(resource, evidence);
      case "unknown":
        return row(
          "error",
          `${name} has ${setting.path} = ${formatValue(value)}, a value this control does not ` +
            `know; cannot tell whether it calls Key Vault`,
          evidence,
        );
      default:
        return row(
          "not-applicable",
          `${name} is not encrypted with a customer-managed key (${setting.path} ` +
            `${formatValue(value)}), so it needs no managed identity to reach a key`,
          evidence,
        );
    }
  },
};
