import { readPath } from "../../canonical/document.js";
import type { CanonicalResource } from "../../model.js";
import { judgeKeySetting, judgeKmsCustomerKey, STORAGE_KEY_SOURCE } from "../customer-keys.js";
import type { EvaluationContext, ResourceControl, VerdictRow } from "../types.js";
import { checkCollected, describeResource, formatValue, observe, row } from "../verdicts.js";

const KEY_VAULT_URI = "properties.encryption.keyvaultproperties.keyvaulturi";
const SSE_RULES = "supplementaryConfiguration.ServerSideEncryptionConfiguration.rules";
const SSE_ALGORITHM = `${SSE_RULES}[0].applyServerSideEncryptionByDefault.sseAlgorithm`;
const SSE_KEY_ID = `${SSE_RULES}[0].applyServerSideEncryptionByDefault.kmsMasterKeyID`;

function judgeStorageAccount(resource: CanonicalResource): VerdictRow {
  // Storage spells it `Microsoft.Keyvault`, Cognitive Services `Microsoft.KeyVault`: the
  // setting is compared without case. A managed HSM key is a customer-managed key too.
  const verdict = judgeKeySetting(resource, STORAGE_KEY_SOURCE);
  if (verdict.status !== "pass") return verdict;
  return {
    ...verdict,
    evidence: [
      ...verdict.evidence,
      observe(resource, KEY_VAULT_URI, "a key vault or managed HSM URI"),
    ],
  };
}

function judgeBucket(resource: CanonicalResource, context: EvaluationContext): VerdictRow {
  const name = describeResource(resource);
  const rules = readPath(resource.raw, SSE_RULES);
  const algorithm = readPath(resource.raw, SSE_ALGORITHM);
  const evidence = [observe(resource, SSE_ALGORITHM, "aws:kms or aws:kms:dsse")];

  if (!Array.isArray(rules) || rules.length === 0) {
    return row(
      "fail",
      `${name} has no default encryption rule (${SSE_RULES} ${formatValue(rules)}), ` +
        `so S3-managed keys apply; expected aws:kms with a customer-managed key`,
      [observe(resource, SSE_RULES, "one rule with aws:kms and a customer-managed key")],
    );
  }
  if (typeof algorithm !== "string" || algorithm === "") {
    return row(
      "error",
      `${name} has ${SSE_ALGORITHM} ${formatValue(algorithm)}; expected an algorithm name`,
      evidence,
    );
  }
  const normalised = algorithm.toLowerCase();
  if (normalised === "aes256") {
    return row(
      "fail",
      `${name} is encrypted with S3-managed keys (sseAlgorithm ${formatValue(algorithm)}); ` +
        `expected aws:kms with a customer-managed key`,
      evidence,
    );
  }
  if (normalised !== "aws:kms" && normalised !== "aws:kms:dsse") {
    return row(
      "error",
      `${name} has sseAlgorithm ${formatValue(algorithm)}, a value this control does not know; ` +
        `expected aws:kms, aws:kms:dsse or AES256`,
      evidence,
    );
  }

  // The bucket-key flag only reduces KMS calls; it says nothing about whose key encrypts.
  return judgeKmsCustomerKey(resource, context, {
    path: SSE_KEY_ID,
    keyId: readPath(resource.raw, SSE_KEY_ID),
    absentText: `${algorithm} uses the AWS-managed key aws/s3`,
    evidence,
  });
}

/** Object storage is encrypted with a customer-managed key. */
export const storageCmk: ResourceControl = {
  id: "keys.storage-cmk",
  scope: "resource",
  title: "Object storage is encrypted with a customer-managed key",
  severity: "high",
  rationale:
    "With a customer-managed key the organisation decides who may decrypt stored prompts, " +
    "documents and logs, can revoke that access at once, and proves key custody to auditors; " +
    "provider-managed keys leave all three with the cloud provider.",
  remediation: {
    azure:
      "Give the storage account a managed identity with wrap and unwrap rights on a Key Vault or " +
      "managed HSM key, then set encryption to customer-managed keys (keySource " +
      "Microsoft.Keyvault) with that key.",
    aws:
      "Create a customer-managed KMS key and set the bucket's default encryption to SSE-KMS (or " +
      "DSSE-KMS) with that key's ARN; the AWS-managed aws/s3 key and SSE-S3 do not count.",
  },
  references: [
    {
      kind: "azure-policy",
      name: "Storage accounts should use customer-managed key for encryption",
    },
    { kind: "aws-config-rule", name: "s3-default-encryption-kms" },
  ],
  resourceTypes: ["Microsoft.Storage/storageAccounts", "AWS::S3::Bucket"],

  evaluate(resource, context) {
    const notCollected = checkCollected(resource);
    if (notCollected !== null) return notCollected;
    return resource.provider === "azure"
      ? judgeStorageAccount(resource)
      : judgeBucket(resource, context);
  },
};
