import { readPath } from "../../canonical/document.js";
import type { KeySetting } from "../customer-keys.js";
import { COGNITIVE_KEY_SOURCE, judgeKeySetting, judgeKmsCustomerKey } from "../customer-keys.js";
import type { ResourceControl } from "../types.js";
import { checkCollected } from "../verdicts.js";

/**
 * Azure AI Search has no key source: customer-managed keys are set per index and synonym map,
 * and the service-level enforcement policy makes every new object carry one.
 */
const SEARCH_CMK_ENFORCEMENT: KeySetting = {
  path: "properties.encryptionWithCmk.enforcement",
  customer: "Enabled",
  others: ["Disabled", "Unspecified"],
  passText: "enforces customer-managed keys on every index and synonym map",
  failText:
    "does not enforce customer-managed keys, so Microsoft-managed keys may encrypt its data",
  absentText:
    "customer-managed keys are not enforced and Microsoft-managed keys may encrypt its data",
};

// Limitation: for Azure AI Search the enforcement policy is judged, not each index: objects
// created before enforcement was switched on may still be encrypted with Microsoft-managed
// keys, and the collectors do not read indexes.

/** AI services and retrieval stores use customer-managed keys. */
export const aiCmk: ResourceControl = {
  id: "keys.ai-cmk",
  scope: "resource",
  title: "AI services and retrieval stores are encrypted with customer-managed keys",
  severity: "high",
  rationale:
    "AI services keep fine-tuning data, uploaded files, guardrail definitions and search " +
    "indexes built from company documents. A customer-managed key lets the organisation revoke " +
    "all of it at once and proves to auditors who holds the key; provider-managed keys leave " +
    "that control with the cloud provider.",
  remediation: {
    azure:
      "Give the AI services account a managed identity with wrap and unwrap rights on a Key Vault " +
      "or managed HSM key and set its encryption key source to Microsoft.KeyVault with that key; " +
      "on Azure AI Search set the encryptionWithCmk enforcement to Enabled and recreate indexes " +
      "with an encryption key.",
    aws:
      "Create a customer-managed KMS key and set it as the KmsKeyArn of each Bedrock guardrail and " +
      "the KmsKeyId of each SageMaker notebook instance (notebooks take the key only when they " +
      "are created, so recreate them); AWS-owned and AWS-managed keys do not count.",
  },
  references: [
    {
      kind: "azure-policy",
      name: "Azure AI Services resources should encrypt data at rest with a customer-managed key (CMK)",
    },
    {
      kind: "azure-policy",
      name: "Azure AI Search services should use customer-managed keys to encrypt data at rest",
    },
    { kind: "aws-config-rule", name: "sagemaker-notebook-instance-kms-key-configured" },
    {
      kind: "documentation",
      title: "Amazon Bedrock: create a customer managed key for your guardrail",
      url: "https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions-kms.html",
      provider: "aws",
    },
  ],
  resourceTypes: [
    "Microsoft.CognitiveServices/accounts",
    "Microsoft.Search/searchServices",
    "AWS::Bedrock::Guardrail",
    "AWS::SageMaker::NotebookInstance",
  ],

  evaluate(resource, context) {
    const notCollected = checkCollected(resource);
    if (notCollected !== null) return notCollected;

    switch (resource.type) {
      case "Microsoft.CognitiveServices/accounts":
        return judgeKeySetting(resource, COGNITIVE_KEY_SOURCE);
      case "Microsoft.Search/searchServices":
        return judgeKeySetting(resource, SEARCH_CMK_ENFORCEMENT);
      case "AWS::Bedrock::Guardrail":
        return judgeKmsCustomerKey(resource, context, {
          path: "configuration.KmsKeyArn",
          keyId: readPath(resource.raw, "configuration.KmsKeyArn"),
          absentText: "an AWS-owned key encrypts the guardrail",
          evidence: [],
        });
      default:
        return judgeKmsCustomerKey(resource, context, {
          path: "configuration.KmsKeyId",
          keyId: readPath(resource.raw, "configuration.KmsKeyId"),
          absentText: "an AWS-managed key encrypts the notebook's storage volume",
          evidence: [],
        });
    }
  },
};
