import type { CanonicalResource, Evidence, ResourceReference } from "../../model.js";
import type { Owner } from "../../policy/types.js";
import {
  describeUnresolvedKms,
  judgeKeysInUse,
  KEY_HOLDING_TYPES,
  type KeyJudgement,
  unreadableKmsEvidence,
} from "../customer-keys.js";
import type { EvaluationContext, ResourceControl } from "../types.js";
import { derived, formatValue, observe } from "../verdicts.js";

function allowedList(owner: Owner): string {
  return owner.regions.allowed.join(", ");
}

/**
 * Judges the region a key lives in. Only the owner's allowed regions count: a fallback region
 * admits resources under contract, not the keys that guard them.
 */
function judgePlace(
  holder: string,
  region: string | null,
  location: string | null,
  owner: Owner,
  evidence: Evidence[],
): KeyJudgement {
  if (region === null) {
    return {
      status: "error",
      text: `${holder} has location ${formatValue(location ?? undefined)}, which is not in the region catalogue`,
      evidence,
    };
  }
  if (owner.regions.allowed.includes(region)) {
    return { status: "pass", text: `${holder} is in ${region}, an allowed region`, evidence };
  }
  const fallback = owner.regions.fallback.some((f) => f.region === region)
    ? " (a fallback region, which does not admit keys)"
    : "";
  return {
    status: "fail",
    text: `${holder} is in ${region}${fallback}, not an allowed region of ${owner.id}`,
    evidence,
  };
}

function judgeAzureKeyPlace(
  resource: CanonicalResource,
  reference: ResourceReference,
  context: EvaluationContext,
): KeyJudgement {
  const evidence = [observe(resource, reference.path, "a key in an allowed region")];
  const resolution = context.index.resolveAzureKey(reference.target);
  switch (resolution.status) {
    case "not-a-key-uri":
      return {
        status: "error",
        text: `${reference.path} names ${formatValue(reference.target)}, which is not a key URI`,
        evidence,
      };
    case "vault-missing":
      return {
        status: "error",
        text:
          `the vault or managed HSM ${resolution.host} that holds key ${resolution.keyName} ` +
          "is not in the inventory (its subscription was not scanned, or it does not exist)",
        evidence,
      };
    case "resolved": {
      const { vault } = resolution;
      const kind = vault.type === "Microsoft.KeyVault/managedHSMs" ? "managed HSM" : "vault";
      return judgePlace(
        `key ${resolution.keyName} in ${kind} ${vault.name}`,
        vault.region,
        vault.location,
        context.owner,
        [
          ...evidence,
          derived(
            `${vault.id}#location`,
            vault.location ?? undefined,
            `one of: ${allowedList(context.owner)}`,
          ),
        ],
      );
    }
  }
}

function judgeKmsKeyPlace(
  resource: CanonicalResource,
  reference: ResourceReference,
  context: EvaluationContext,
): KeyJudgement {
  const evidence = [observe(resource, reference.path, "a key in an allowed region")];
  const resolution = context.index.resolveKmsKey(
    reference.target,
    resource.account,
    resource.region,
  );
  switch (resolution.status) {
    case "aws-managed":
      return {
        status: "not-applicable",
        text: `${resolution.alias} is an AWS-managed key, not a customer-managed one`,
        evidence,
      };
    case "unresolved":
      return {
        status: "error",
        text:
          `KMS key ${formatValue(reference.target)} cannot be located ` +
          `(${describeUnresolvedKms(context, resolution)})`,
        evidence,
      };
    case "unreadable":
      return {
        status: "error",
        text: `KMS key ${formatValue(reference.target)} cannot be located: ${resolution.reason}`,
        evidence: [...evidence, ...unreadableKmsEvidence(resolution)],
      };
    case "resolved": {
      const { key } = resolution;
      const via = resolution.alias === null ? "" : ` (through ${resolution.alias})`;
      if (resolution.keyManager?.toUpperCase() === "AWS") {
        return {
          status: "not-applicable",
          text: `KMS key ${key.id}${via} is AWS-managed, not a customer-managed key`,
          evidence,
        };
      }
      return judgePlace(`KMS key ${key.id}${via}`, key.region, key.location, context.owner, [
        ...evidence,
        derived(
          `${key.id}#awsRegion`,
          key.location ?? undefined,
          `one of: ${allowedList(context.owner)}`,
        ),
      ]);
    }
  }
}

/** The customer-managed key that protects a resource lives in an allowed region. */
export const keyLocation: ResourceControl = {
  id: "residency.key-location",
  scope: "resource",
  title: "Customer-managed keys live in an allowed region of the resource's owner",
  severity: "high",
  rationale:
    "A customer-managed key is only as sovereign as the place that holds it: a key kept in a " +
    "vault or KMS region outside the approved regions puts the power to decrypt the data under " +
    "another jurisdiction, even when the data itself stays at home.",
  remediation: {
    azure:
      "Create the key in a Key Vault or managed HSM located in an allowed region (a central key " +
      "subscription may hold it) and point the resource's encryption settings at that key; keep " +
      "the old key until the resource has re-wrapped its data.",
    aws:
      "Create a customer-managed KMS key in an allowed region, or a multi-Region replica there, " +
      "and re-encrypt the resource with it (a new encrypted copy for RDS and notebook volumes, a " +
      "new default encryption key and a copy of existing objects for S3).",
  },
  references: [
    {
      kind: "documentation",
      title: "Azure Key Vault: security worlds and geographic boundaries",
      url: "https://learn.microsoft.com/en-us/azure/key-vault/general/overview-security-worlds",
      provider: "azure",
    },
    {
      kind: "documentation",
      title: "AWS KMS: multi-Region keys",
      url: "https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html",
      provider: "aws",
    },
  ],
  resourceTypes: KEY_HOLDING_TYPES,

  evaluate(resource, context) {
    return judgeKeysInUse(resource, context, {
      nothingToDo: "no key location to check",
      verb: "locate",
      judge: (holder, reference, evaluation) =>
        holder.provider === "azure"
          ? judgeAzureKeyPlace(holder, reference, evaluation)
          : judgeKmsKeyPlace(holder, reference, evaluation),
      passed: (name, seen) => `${name} is protected by keys in allowed regions: ${seen}`,
      failed: (name, status, seen, evaluation) =>
        `${name} is protected by a key ` +
        `${status === "fail" ? "outside the allowed regions" : "that cannot be located"}: ` +
        `${seen}; expected a key in one of ${allowedList(evaluation.owner)}`,
    });
  },
};
