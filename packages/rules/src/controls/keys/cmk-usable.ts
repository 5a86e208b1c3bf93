import { describeNotCollected, notCollected } from "../../canonical/collected.js";
import { isAbsent, readPath } from "../../canonical/document.js";
import type { CanonicalResource, Evidence, ResourceReference } from "../../model.js";
import {
  describeCollection,
  describeUnresolvedKms,
  judgeKeysInUse,
  KEY_HOLDING_TYPES,
  type KeyJudgement,
  unreadableKmsEvidence,
} from "../customer-keys.js";
import type { ControlVerdict, EvaluationContext, ResourceControl } from "../types.js";
import { derived, formatValue, observe } from "../verdicts.js";

const EXPECTED_KEY = "a key that exists and works";
const MANAGED_HSM = "Microsoft.KeyVault/managedHSMs";

function judgement(status: ControlVerdict, text: string, evidence: Evidence[]): KeyJudgement {
  return { status, text, evidence };
}

/** `vault kv-x` or `managed HSM hsm-x`, for messages. */
function describeVault(vault: CanonicalResource): string {
  return vault.type === MANAGED_HSM ? `managed HSM ${vault.name}` : `vault ${vault.name}`;
}

function formatEpochSeconds(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? String(seconds) : date.toISOString();
}

/** Checks a Key Vault or managed HSM key that exists: enabled, unexpired, purge-protected vault. */
function judgeExistingVaultKey(
  key: CanonicalResource,
  vault: CanonicalResource,
  keyLabel: string,
  now: Date,
  evidence: Evidence[],
): KeyJudgement {
  const enabledPath = "properties.attributes.enabled";
  const expiryPath = "properties.attributes.exp";
  const purgePath = "properties.enablePurgeProtection";
  const enabled = readPath(key.raw, enabledPath);
  const expiry = readPath(key.raw, expiryPath);
  const purge = readPath(vault.raw, purgePath);
  const all = [
    ...evidence,
    derived(`${key.id}#${enabledPath}`, enabled, true),
    derived(`${key.id}#${expiryPath}`, expiry, `absent, or after ${now.toISOString()}`),
    derived(`${vault.id}#${purgePath}`, purge, true),
  ];
  for (const [item, label] of [
    [key, keyLabel],
    [vault, describeVault(vault)],
  ] as const) {
    const state = notCollected(item);
    if (state !== null) {
      return judgement("error", `${label} ${describeNotCollected(state)}`, all);
    }
  }

  const problems: string[] = [];
  const unreadable: string[] = [];
  if (enabled === false) problems.push(`${keyLabel} is disabled (attributes.enabled false)`);
  else if (enabled !== true) {
    unreadable.push(`${keyLabel} has attributes.enabled ${formatValue(enabled)}`);
  }
  if (typeof expiry === "number") {
    if (expiry * 1000 <= now.getTime()) {
      problems.push(`${keyLabel} expired on ${formatEpochSeconds(expiry)}`);
    }
  } else if (!isAbsent(expiry)) {
    unreadable.push(`${keyLabel} has attributes.exp ${formatValue(expiry)}, not epoch seconds`);
  }
  // Without purge protection a deleted key can be purged before its retention ends.
  if (purge !== true) {
    const text = `${describeVault(vault)} has enablePurgeProtection ${formatValue(purge)}`;
    if (purge === false || isAbsent(purge)) problems.push(text);
    else unreadable.push(`${text}, not a boolean`);
  }

  if (problems.length > 0) return judgement("fail", problems.join(", "), all);
  if (unreadable.length > 0) return judgement("error", unreadable.join(", "), all);
  return judgement(
    "pass",
    `${keyLabel} is enabled, has no past expiry, and ${describeVault(vault)} has purge protection`,
    all,
  );
}

// Limitation: a key URI that names a version is judged by the key's current attributes (enabled,
// expiry), not by that version's own: the collectors list keys, not key versions.

function judgeAzureKey(
  resource: CanonicalResource,
  reference: ResourceReference,
  context: EvaluationContext,
): KeyJudgement {
  const evidence = [observe(resource, reference.path, EXPECTED_KEY)];
  const resolution = context.index.resolveAzureKey(reference.target);
  switch (resolution.status) {
    case "not-a-key-uri":
      return judgement(
        "error",
        `${reference.path} names ${formatValue(reference.target)}, which is not a Key Vault or ` +
          "managed HSM key URI",
        evidence,
      );
    case "vault-missing":
      return judgement(
        "error",
        `the vault or managed HSM ${resolution.host} that holds key ${resolution.keyName} is not ` +
          "in the inventory (its subscription was not collected, or it does not exist)",
        evidence,
      );
    case "resolved": {
      const { vault, key, keyName, version } = resolution;
      const keyLabel = `key ${keyName} in ${describeVault(vault)}`;
      if (key !== null) {
        const verdict = judgeExistingVaultKey(key, vault, keyLabel, context.now, evidence);
        const pinned =
          version === null ? "" : ` (version ${version} judged by the key's current attributes)`;
        return { ...verdict, text: `${verdict.text}${pinned}` };
      }
      const collection = describeCollection(context, "azure", vault.account, null);
      return context.index.isCollectedComplete("azure", vault.account)
        ? judgement(
            "fail",
            `${keyLabel} does not exist: the keys of ${describeVault(vault)} were listed completely (${collection})`,
            evidence,
          )
        : judgement("error", `${keyLabel} is not in the inventory: ${collection}`, evidence);
    }
  }
}

function judgeKmsKey(
  resource: CanonicalResource,
  reference: ResourceReference,
  context: EvaluationContext,
): KeyJudgement {
  const evidence = [observe(resource, reference.path, EXPECTED_KEY)];
  const resolution = context.index.resolveKmsKey(
    reference.target,
    resource.account,
    resource.region,
  );
  switch (resolution.status) {
    case "aws-managed":
      return judgement(
        "not-applicable",
        `${resolution.alias} is an AWS-managed key, not a customer-managed one`,
        evidence,
      );
    case "unresolved":
      // Unlike a key missing from a vault whose keys were listed, a KMS reference that resolves
      // to nothing is an error even in a completely collected account: whether Config records
      // every key and alias depends on the recorder's settings, so absence proves no deletion.
      return judgement(
        "error",
        `KMS key ${formatValue(reference.target)} resolves to nothing ` +
          `(${describeUnresolvedKms(context, resolution)})`,
        evidence,
      );
    case "unreadable":
      return judgement(
        "error",
        `KMS key ${formatValue(reference.target)} cannot be resolved: ${resolution.reason}`,
        [...evidence, ...unreadableKmsEvidence(resolution)],
      );
    case "resolved": {
      const { key, keyManager } = resolution;
      const via = resolution.alias === null ? "" : ` (through ${resolution.alias})`;
      const label = `KMS key ${key.id}${via}`;
      if (keyManager?.toUpperCase() === "AWS") {
        return judgement(
          "not-applicable",
          `${label} is AWS-managed (keyManager "AWS"), not a customer-managed key`,
          evidence,
        );
      }
      if (keyManager?.toUpperCase() !== "CUSTOMER") {
        // Only the key manager tells a customer key from an AWS-managed one; guessing either
        // way would judge a key that may not be the customer's.
        return judgement(
          "error",
          `${label} has keyManager ${formatValue(keyManager ?? undefined)}, a value this ` +
            "control does not know (CUSTOMER or AWS)",
          [...evidence, derived(`${key.id}#configuration.keyManager`, keyManager, "CUSTOMER")],
        );
      }
      const state = readPath(key.raw, "configuration.keyState");
      const all = [...evidence, derived(`${key.id}#configuration.keyState`, state, "Enabled")];
      const lower = typeof state === "string" ? state.toLowerCase() : undefined;
      if (lower === "enabled") return judgement("pass", `${label} is Enabled`, all);
      if (lower === "disabled" || lower === "pendingdeletion") {
        return judgement("fail", `${label} has keyState ${formatValue(state)}`, all);
      }
      return judgement(
        "error",
        `${label} has keyState ${formatValue(state)}, a value this control does not know ` +
          "(Enabled, Disabled or PendingDeletion)",
        all,
      );
    }
  }
}

/** Every customer-managed key in use exists and works. */
export const cmkUsable: ResourceControl = {
  id: "keys.cmk-usable",
  scope: "resource",
  title: "Every customer-managed key in use exists, is enabled and cannot be purged early",
  severity: "critical",
  rationale:
    "A customer-managed key that is deleted, disabled, expired or scheduled for deletion makes " +
    "the data it protects unreadable: the service stops, and once the key is purged the data " +
    "is lost for good. Checking the key itself, not just the encryption setting, catches that " +
    "before an outage or a ransom demand does.",
  remediation: {
    azure:
      "Re-enable the key or restore it from soft delete, extend or remove its expiry (rotate to " +
      "a new version before the old one expires), and turn on purge protection on its vault; if " +
      "the key is gone, point the resource at a working key while it can still be decrypted.",
    aws:
      "Enable the KMS key, or cancel its scheduled deletion (kms cancel-key-deletion) and enable " +
      "it again; if the key no longer exists, re-encrypt the data with a working customer-managed " +
      "key from a backup or snapshot.",
  },
  references: [
    { kind: "aws-config-rule", name: "kms-cmk-not-scheduled-for-deletion" },
    { kind: "azure-policy", name: "Key Vault keys should have an expiration date" },
    { kind: "azure-policy", name: "Key vaults should have deletion protection enabled" },
    {
      kind: "documentation",
      title: "AWS KMS: key states of AWS KMS keys",
      url: "https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html",
      provider: "aws",
    },
  ],
  resourceTypes: KEY_HOLDING_TYPES,

  evaluate(resource, context) {
    return judgeKeysInUse(resource, context, {
      nothingToDo: "nothing to check",
      verb: "check",
      judge: (holder, reference, evaluation) =>
        holder.provider === "azure"
          ? judgeAzureKey(holder, reference, evaluation)
          : judgeKmsKey(holder, reference, evaluation),
      passed: (name, seen) => `${name} uses working customer-managed keys: ${seen}`,
      failed: (name, status, seen) =>
        `${name} depends on a customer-managed key that ` +
        `${status === "fail" ? "does not work" : "cannot be checked"}: ${seen}; ` +
        (resource.provider === "azure"
          ? "expected an existing, enabled, unexpired key in a vault with purge protection"
          : "expected an existing KMS key with keyState Enabled"),
    });
  },
};
