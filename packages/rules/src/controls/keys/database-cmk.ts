import { isAbsent, readPath } from "../../canonical/document.js";
import type { CanonicalResource } from "../../model.js";
import {
  judgeKeySetting,
  judgeKmsCustomerKey,
  POSTGRES_KEY_TYPE,
  readKeySetting,
} from "../customer-keys.js";
import type { EvaluationContext, ResourceControl, VerdictRow } from "../types.js";
import { checkCollected, describeResource, formatValue, observe, row } from "../verdicts.js";

const PRIMARY_KEY_URI = "properties.dataEncryption.primaryKeyURI";
const STORAGE_ENCRYPTED = "configuration.storageEncrypted";
const RDS_KEY_ID = "configuration.kmsKeyId";

function judgePostgresServer(resource: CanonicalResource): VerdictRow {
  const verdict = judgeKeySetting(resource, POSTGRES_KEY_TYPE);
  if (readKeySetting(resource, POSTGRES_KEY_TYPE) !== "customer") return verdict;

  const uri = readPath(resource.raw, PRIMARY_KEY_URI);
  const evidence = [...verdict.evidence, observe(resource, PRIMARY_KEY_URI, "a key URI")];
  if (typeof uri !== "string" || uri === "") {
    return row(
      "error",
      `${describeResource(resource)} has dataEncryption.type "AzureKeyVault" but ` +
        `${PRIMARY_KEY_URI} ${formatValue(uri)}; expected the URI of the customer-managed key`,
      evidence,
    );
  }
  return { ...verdict, evidence };
}

function judgeRdsStorage(resource: CanonicalResource, context: EvaluationContext): VerdictRow {
  const name = describeResource(resource);
  const encrypted = readPath(resource.raw, STORAGE_ENCRYPTED);
  const evidence = [observe(resource, STORAGE_ENCRYPTED, true)];
  if (encrypted === false || isAbsent(encrypted)) {
    return row(
      "fail",
      `${name} has ${STORAGE_ENCRYPTED} ${formatValue(encrypted)}: its storage is not ` +
        "encrypted; expected true with a customer-managed KMS key",
      evidence,
    );
  }
  if (encrypted !== true) {
    return row(
      "error",
      `${name} has ${STORAGE_ENCRYPTED} = ${formatValue(encrypted)}, which is not a boolean; ` +
        "expected true",
      evidence,
    );
  }

  const keyId = readPath(resource.raw, RDS_KEY_ID);
  if (isAbsent(keyId)) {
    // RDS always records the key of an encrypted database, the AWS-managed aws/rds included;
    // without it the item is incomplete.
    return row(
      "error",
      `${name} is encrypted but has ${RDS_KEY_ID} ${formatValue(keyId)}; ` +
        "cannot tell which key encrypts it",
      [...evidence, observe(resource, RDS_KEY_ID, "a customer-managed KMS key")],
    );
  }
  return judgeKmsCustomerKey(resource, context, {
    path: RDS_KEY_ID,
    keyId,
    absentText: "no key is recorded",
    evidence,
  });
}

/** Databases use customer-managed keys. */
export const databaseCmk: ResourceControl = {
  id: "keys.database-cmk",
  scope: "resource",
  title: "Databases are encrypted with customer-managed keys",
  severity: "high",
  rationale:
    "Databases behind LLM applications hold conversation history, embeddings and customer " +
    "records. With a customer-managed key the organisation can revoke access to the data and " +
    "its backups at once and proves who holds the key; service-managed keys leave both with " +
    "the cloud provider.",
  remediation: {
    azure:
      "Create the PostgreSQL flexible server with data encryption from a Key Vault or managed HSM " +
      "key (dataEncryption.type AzureKeyVault) and a user-assigned identity that can use the key; " +
      "the mode is chosen at creation, so migrate existing servers to a new one.",
    aws:
      "Create RDS instances and clusters with storage encryption and a customer-managed KMS key; " +
      "encryption cannot be added in place, so restore an encrypted copy of a snapshot made with " +
      "that key and switch over. The AWS-managed aws/rds key does not count.",
  },
  references: [
    {
      kind: "azure-policy",
      name: "PostgreSQL flexible servers should use customer-managed keys to encrypt data at rest",
    },
    { kind: "aws-config-rule", name: "rds-storage-encrypted" },
    { kind: "aws-config-rule", name: "rds-cluster-encrypted-at-rest" },
  ],
  resourceTypes: [
    "Microsoft.DBforPostgreSQL/flexibleServers",
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
  ],

  evaluate(resource, context) {
    const notCollected = checkCollected(resource);
    if (notCollected !== null) return notCollected;
    return resource.provider === "azure"
      ? judgePostgresServer(resource)
      : judgeRdsStorage(resource, context);
  },
};
