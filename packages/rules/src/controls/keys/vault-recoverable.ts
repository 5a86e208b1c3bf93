import { isAbsent, readPath } from "../../canonical/document.js";
import type { ResourceControl } from "../types.js";
import { checkCollected, describeResource, formatValue, observe, row } from "../verdicts.js";

const SOFT_DELETE = "properties.enableSoftDelete";
const PURGE_PROTECTION = "properties.enablePurgeProtection";

/** Key vaults and managed HSMs keep deleted keys and refuse to purge them early. */
export const vaultRecoverable: ResourceControl = {
  id: "keys.vault-recoverable",
  scope: "resource",
  title: "Key vaults cannot lose keys: soft delete and purge protection are both on",
  severity: "critical",
  rationale:
    "A customer-managed key that is deleted or purged makes every resource it encrypts " +
    "unreadable for good. Soft delete keeps deleted keys recoverable; purge protection stops " +
    "anyone, an attacker included, from purging them before the retention period ends.",
  remediation: {
    azure:
      "Turn on soft delete and purge protection on the vault (az keyvault update --name <vault> " +
      "--enable-purge-protection true; soft delete is on by default for new vaults and cannot be " +
      "turned off once on). Purge protection cannot be switched off again, which is the point.",
  },
  references: [
    { kind: "azure-policy", name: "Key vaults should have soft delete enabled" },
    { kind: "azure-policy", name: "Key vaults should have deletion protection enabled" },
    {
      kind: "azure-policy",
      name: "Azure Key Vault Managed HSM should have purge protection enabled",
    },
  ],
  resourceTypes: ["Microsoft.KeyVault/vaults", "Microsoft.KeyVault/managedHSMs"],

  evaluate(resource) {
    const notCollected = checkCollected(resource);
    if (notCollected !== null) return notCollected;

    const evidence = [
      observe(resource, SOFT_DELETE, true),
      observe(resource, PURGE_PROTECTION, true),
    ];
    const name = describeResource(resource);
    const settings = [
      { label: "soft delete", path: SOFT_DELETE, value: readPath(resource.raw, SOFT_DELETE) },
      {
        label: "purge protection",
        path: PURGE_PROTECTION,
        value: readPath(resource.raw, PURGE_PROTECTION),
      },
    ];
    const unreadable = settings.find((s) => !isAbsent(s.value) && typeof s.value !== "boolean");
    if (unreadable !== undefined) {
      return row(
        "error",
        `${name} has ${unreadable.path} = ${formatValue(unreadable.value)}, ` +
          "which is not a boolean; expected true",
        evidence,
      );
    }

    const notOn = settings.filter((s) => s.value !== true);
    if (notOn.length === 0) {
      return row("pass", `${name} has soft delete and purge protection explicitly true`, evidence);
    }
    const seen = notOn
      .map((s) => `${s.label} (${s.path}) is ${formatValue(s.value)}`)
      .join(" and ");
    return row(
      "fail",
      `${name}: ${seen}; expected soft delete and purge protection both explicitly true`,
      evidence,
    );
  },
};
