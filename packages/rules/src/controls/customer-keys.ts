import { isAbsent, readPath } from "../canonical/document.js";
import type { KmsKeyResolution } from "../evaluate/inventory-index.js";
import type { CanonicalResource, Evidence, Provider, ResourceReference } from "../model.js";
import type { ControlVerdict, EvaluationContext, VerdictRow } from "./types.js";
import {
  checkCollected,
  checkReferenceCollected,
  derived,
  describeResource,
  formatValue,
  observe,
  row,
} from "./verdicts.js";

/**
 * A setting that chooses between a customer-managed key and a provider-managed one, written as
 * an enum (`encryption.keySource`, `dataEncryption.type`, `encryptionWithCmk.enforcement`).
 */
export interface KeySetting {
  /** Dotted path of the setting in the raw document. */
  path: string;
  /** The value that selects a customer-managed key, spelled as the service documents it. */
  customer: string;
  /** The other documented values; each, and absence, leaves the provider's key in charge. */
  others: readonly string[];
  /** What the customer value means, for pass messages ("is encrypted with a customer key"). */
  passText: string;
  /** What the other values mean, for fail messages ("is encrypted with Microsoft-managed keys"). */
  failText: string;
  /** What absence means, for fail messages ("Microsoft-managed keys encrypt it"). */
  absentText: string;
}

/** How a key setting reads: the customer value, another documented value, absent, or unknown. */
export type KeySettingState = "customer" | "other" | "absent" | "unknown";

/** Reads a key setting, comparing enum values without case. */
export function readKeySetting(resource: CanonicalResource, setting: KeySetting): KeySettingState {
  const value = readPath(resource.raw, setting.path);
  if (isAbsent(value)) return "absent";
  if (typeof value !== "string") return "unknown";
  const lower = value.toLowerCase();
  if (lower === setting.customer.toLowerCase()) return "customer";
  return setting.others.some((other) => other.toLowerCase() === lower) ? "other" : "unknown";
}

/**
 * Judges an Azure key setting on its own: the customer value passes, another documented value or
 * absence fails (every service defaults to its own keys), anything else is an error naming it.
 */
export function judgeKeySetting(resource: CanonicalResource, setting: KeySetting): VerdictRow {
  const name = describeResource(resource);
  const value = readPath(resource.raw, setting.path);
  const evidence = [observe(resource, setting.path, setting.customer)];
  switch (readKeySetting(resource, setting)) {
    case "customer":
      return row(
        "pass",
        `${name} ${setting.passText} (${setting.path} = ${formatValue(value)})`,
        evidence,
      );
    case "other":
      return row(
        "fail",
        `${name} ${setting.failText} (${setting.path} = ${formatValue(value)}); ` +
          `expected ${setting.customer}`,
        evidence,
      );
    case "absent":
      return row(
        "fail",
        `${name} has ${setting.path} ${formatValue(value)}, so ${setting.absentText}; ` +
          `expected ${setting.customer}`,
        evidence,
      );
    case "unknown":
      return row(
        "error",
        `${name} has ${setting.path} = ${formatValue(value)}, a value this control does not ` +
          `know; expected ${[setting.customer, ...setting.others].join(" or ")}`,
        evidence,
      );
  }
}

/** The key setting of Azure Storage, which spells its customer value `Microsoft.Keyvault`. */
export const STORAGE_KEY_SOURCE: KeySetting = {
  path: "properties.encryption.keySource",
  customer: "Microsoft.Keyvault",
  others: ["Microsoft.Storage"],
  passText: "is encrypted with a customer-managed key",
  failText: "is encrypted with Microsoft-managed keys",
  absentText: "Microsoft-managed keys encrypt it",
};

/** The key setting of Azure AI services, which spells its customer value `Microsoft.KeyVault`. */
export const COGNITIVE_KEY_SOURCE: KeySetting = {
  path: "properties.encryption.keySource",
  customer: "Microsoft.KeyVault",
  others: ["Microsoft.CognitiveServices"],
  passText: "is encrypted with a customer-managed key",
  failText: "is encrypted with Microsoft-managed keys",
  absentText: "Microsoft-managed keys encrypt it",
};

/** The data-encryption type of PostgreSQL flexible servers. */
export const POSTGRES_KEY_TYPE: KeySetting = {
  path: "properties.dataEncryption.type",
  customer: "AzureKeyVault",
  others: ["SystemManaged"],
  passText: "is encrypted with a customer-managed key",
  failText: "is encrypted with service-managed keys",
  absentText: "service-managed keys encrypt it",
};

/**
 * Types whose documents can name a customer-managed key: the subjects of the controls that
 * follow the key (`residency.key-location`, `keys.cmk-usable`).
 */
export const KEY_HOLDING_TYPES: readonly string[] = [
  "Microsoft.Storage/storageAccounts",
  "Microsoft.CognitiveServices/accounts",
  "Microsoft.Search/searchServices",
  "Microsoft.DBforPostgreSQL/flexibleServers",
  "Microsoft.DocumentDB/databaseAccounts",
  "AWS::S3::Bucket",
  "AWS::RDS::DBInstance",
  "AWS::RDS::DBCluster",
  "AWS::SageMaker::NotebookInstance",
  "AWS::Bedrock::Guardrail",
];

/** Which customer-managed keys protect a resource, as its encryption setting says. */
export type KeyUse =
  /** No customer-managed key protects it: no key named, or the setting picks the provider's. */
  | { kind: "none"; reason: string; evidence: Evidence[] }
  /** The setting cannot be read, or picks a customer key without naming one. */
  | { kind: "unreadable"; reason: string; evidence: Evidence[] }
  /** The key references in force, at least one. */
  | { kind: "keys"; references: ResourceReference[]; evidence: Evidence[] };

const S3_RULE = "supplementaryConfiguration.ServerSideEncryptionConfiguration.rules[0]";
const S3_ALGORITHM = `${S3_RULE}.applyServerSideEncryptionByDefault.sseAlgorithm`;

/** Key references of a resource, one per target (compared without case). */
function keyReferencesOf(resource: CanonicalResource): ResourceReference[] {
  const seen = new Set<string>();
  return resource.references.filter((reference) => {
    const target = reference.target.toLowerCase();
    if (reference.kind !== "key" || seen.has(target)) return false;
    seen.add(target);
    return true;
  });
}

function keysNamed(
  resource: CanonicalResource,
  evidence: Evidence[],
  whenNone: string,
  customerChosen: boolean,
): KeyUse {
  const references = keyReferencesOf(resource);
  if (references.length > 0) return { kind: "keys", references, evidence };
  return customerChosen
    ? { kind: "unreadable", reason: `${whenNone}, yet the document names no key`, evidence }
    : { kind: "none", reason: whenNone, evidence };
}

function keysBySetting(resource: CanonicalResource, setting: KeySetting): KeyUse {
  const value = readPath(resource.raw, setting.path);
  const evidence = [observe(resource, setting.path, setting.customer)];
  const seen = `${setting.path} is ${formatValue(value)}`;
  switch (readKeySetting(resource, setting)) {
    case "customer":
      return keysNamed(resource, evidence, `${seen} (a customer-managed key)`, true);
    case "unknown":
      return {
        kind: "unreadable",
        reason: `${seen}, a value this control does not know`,
        evidence,
      };
    default:
      return { kind: "none", reason: `${seen}, so no customer-managed key is used`, evidence };
  }
}

function keysOfRdsStorage(resource: CanonicalResource): KeyUse {
  const path = "configuration.storageEncrypted";
  const value = readPath(resource.raw, path);
  const evidence = [observe(resource, path, true)];
  if (value === true) {
    return keysNamed(resource, evidence, `${path} is true`, true);
  }
  if (value === false || isAbsent(value)) {
    return {
      kind: "none",
      reason: `${path} is ${formatValue(value)}: storage is not encrypted`,
      evidence,
    };
  }
  return {
    kind: "unreadable",
    reason: `${path} is ${formatValue(value)}, not a boolean`,
    evidence,
  };
}

function keysOfBucket(resource: CanonicalResource): KeyUse {
  const algorithm = readPath(resource.raw, S3_ALGORITHM);
  const evidence = [observe(resource, S3_ALGORITHM, "aws:kms or aws:kms:dsse")];
  const seen = `sseAlgorithm is ${formatValue(algorithm)}`;
  if (isAbsent(algorithm)) {
    return { kind: "none", reason: "no default encryption rule names a KMS key", evidence };
  }
  if (typeof algorithm !== "string") {
    return { kind: "unreadable", reason: `${seen}, not an algorithm name`, evidence };
  }
  const lower = algorithm.toLowerCase();
  if (lower === "aes256") {
    return { kind: "none", reason: `${seen}: S3-managed keys, no KMS key`, evidence };
  }
  if (lower !== "aws:kms" && lower !== "aws:kms:dsse") {
    return { kind: "unreadable", reason: `${seen}, a value this control does not know`, evidence };
  }
  // SSE-KMS without a key id is the AWS-managed aws/s3 key.
  return keysNamed(resource, evidence, `${seen} without a kmsMasterKeyID (aws/s3)`, false);
}

/**
 * The customer-managed keys that protect a resource now. References left behind by a setting
 * that picks the provider's keys do not count; a setting that picks a customer key but names
 * none, or a value outside the documented set, is unreadable.
 */
export function keysInUse(resource: CanonicalResource): KeyUse {
  switch (resource.type) {
    case "Microsoft.Storage/storageAccounts":
      return keysBySetting(resource, STORAGE_KEY_SOURCE);
    case "Microsoft.CognitiveServices/accounts":
      return keysBySetting(resource, COGNITIVE_KEY_SOURCE);
    case "Microsoft.DBforPostgreSQL/flexibleServers":
      return keysBySetting(resource, POSTGRES_KEY_TYPE);
    case "AWS::RDS::DBInstance":
    case "AWS::RDS::DBCluster":
      return keysOfRdsStorage(resource);
    case "AWS::S3::Bucket":
      return keysOfBucket(resource);
    default:
      return keysNamed(resource, [], "the document names no customer-managed key", false);
  }
}

/**
 * How an account (and AWS region) was collected, for messages about something not found there:
 * `account 1111 was not collected`, `… was collected only partly`, `… was collected completely`.
 */
export function describeCollection(
  context: EvaluationContext,
  provider: Provider,
  account: string,
  region: string | null,
): string {
  const label =
    provider === "azure"
      ? `subscription ${account}`
      : region === null
        ? `account ${account}`
        : `account ${account} region ${region}`;
  if (context.index.isCollectedComplete(provider, account, region)) {
    return `${label} was collected completely`;
  }
  const collection = context.index.accountCollection(provider, account);
  if (collection === undefined) return `${label} was not collected (not scanned)`;
  return collection.status === "failed"
    ? `the collection of ${label} failed`
    : `${label} was collected only partly`;
}

/** Why a KMS reference resolves to nothing, with how the account that would hold it was read. */
export function describeUnresolvedKms(
  context: EvaluationContext,
  resolution: Extract<KmsKeyResolution, { status: "unresolved" }>,
): string {
  if (resolution.missing === "alias-target") return resolution.reason;
  return `${resolution.reason}; ${describeCollection(context, "aws", resolution.account, resolution.region)}`;
}

/** Evidence of the KMS alias or key item a reference leads to that cannot be read. */
export function unreadableKmsEvidence(
  resolution: Extract<KmsKeyResolution, { status: "unreadable" }>,
): Evidence[] {
  return checkReferenceCollected(resolution.item)?.evidence ?? [];
}

/** What a CMK control needs to judge an AWS key reference. */
export interface KmsKeyField {
  /** Dotted path of the field that names the key. */
  path: string;
  /** The value written there: a key id, key ARN, alias name or alias ARN, or absent. */
  keyId: unknown;
  /** What an absent key means, for the fail message ("so an AWS-owned key encrypts it"). */
  absentText: string;
  /** Evidence gathered before the key was looked at. */
  evidence: Evidence[];
}

/**
 * Judges an AWS key reference for the CMK controls: only a key that resolves to a `CUSTOMER`
 * key passes; no key or an AWS-managed one (`alias/aws/*` or keyManager `AWS`) fails; a
 * reference that resolves to nothing or through an item that cannot be read, or a key whose
 * manager cannot be read, is an error.
 */
export function judgeKmsCustomerKey(
  resource: CanonicalResource,
  context: EvaluationContext,
  field: KmsKeyField,
): VerdictRow {
  const name = describeResource(resource);
  const label = field.path.split(".").pop() ?? field.path;
  const evidence = [...field.evidence, observe(resource, field.path, "a customer-managed KMS key")];
  if (isAbsent(field.keyId)) {
    return row(
      "fail",
      `${name} has ${label} ${formatValue(field.keyId)}, so ${field.absentText}; ` +
        "expected a customer-managed KMS key",
      evidence,
    );
  }
  if (typeof field.keyId !== "string") {
    return row(
      "error",
      `${name} has ${label} = ${formatValue(field.keyId)}, which is not a key reference; ` +
        "expected a customer-managed KMS key",
      evidence,
    );
  }

  const resolution = context.index.resolveKmsKey(field.keyId, resource.account, resource.region);
  switch (resolution.status) {
    case "aws-managed":
      return row(
        "fail",
        `${name} is encrypted with the AWS-managed key ${resolution.alias} ` +
          `(${label} ${formatValue(field.keyId)}); expected a customer-managed key`,
        evidence,
      );
    case "unresolved":
      return row(
        "error",
        `${name} names KMS key ${formatValue(field.keyId)}, which resolves to nothing ` +
          `(${describeUnresolvedKms(context, resolution)}); cannot tell who manages it`,
        evidence,
      );
    case "unreadable":
      return row(
        "error",
        `${name} names KMS key ${formatValue(field.keyId)}, which cannot be resolved: ` +
          `${resolution.reason}; cannot tell who manages it`,
        [...evidence, ...unreadableKmsEvidence(resolution)],
      );
    case "resolved": {
      const managerEvidence = derived(
        `${resolution.key.id}#configuration.keyManager`,
        resolution.keyManager ?? undefined,
        "CUSTOMER",
      );
      const via = resolution.alias === null ? "" : ` through ${resolution.alias}`;
      const manager = resolution.keyManager?.toUpperCase();
      if (manager === "CUSTOMER") {
        return row(
          "pass",
          `${name} is encrypted with the customer-managed KMS key ${resolution.key.id}${via}`,
          [...evidence, managerEvidence],
        );
      }
      if (manager === "AWS") {
        return row(
          "fail",
          `${name} is encrypted with the AWS-managed KMS key ${resolution.key.id}${via} ` +
            `(keyManager ${formatValue(resolution.keyManager)}); expected keyManager CUSTOMER`,
          [...evidence, managerEvidence],
        );
      }
      return row(
        "error",
        `${name} is encrypted with KMS key ${resolution.key.id}${via} whose keyManager is ` +
          `${formatValue(resolution.keyManager ?? undefined)}; expected CUSTOMER or AWS`,
        [...evidence, managerEvidence],
      );
    }
  }
}

/**
 * The verdict of a resource that uses several keys: any fail fails, then any error errs, then
 * any pass passes; only keys that are all out of scope leave it not applicable.
 */
export function combineKeyVerdicts(statuses: readonly ControlVerdict[]): ControlVerdict {
  for (const status of ["fail", "error", "pass"] as const) {
    if (statuses.includes(status)) return status;
  }
  return "not-applicable";
}

/** The verdict on one key a resource uses, as a clause of the resource's message. */
export interface KeyJudgement {
  status: ControlVerdict;
  text: string;
  evidence: Evidence[];
}

/** One question asked of every customer-managed key a resource uses. */
export interface KeyCheck {
  /** Ends the not-applicable message: `nothing to check`. */
  nothingToDo: string;
  /** Ends the error message when the key in use cannot be told: `check`, `locate`. */
  verb: string;
  /** Judges one key reference. */
  judge(
    resource: CanonicalResource,
    reference: ResourceReference,
    context: EvaluationContext,
  ): KeyJudgement;
  /** The message of a pass, given the resource's name and the keys' clauses. */
  passed(name: string, seen: string): string;
  /** The message of a fail or an error. */
  failed(name: string, status: "fail" | "error", seen: string, context: EvaluationContext): string;
}

/**
 * Judges a resource by every customer-managed key it uses: not applicable without one, an
 * error when the key in use cannot be told, else the keys' verdicts combined.
 */
export function judgeKeysInUse(
  resource: CanonicalResource,
  context: EvaluationContext,
  check: KeyCheck,
): VerdictRow {
  const notCollected = checkCollected(resource);
  if (notCollected !== null) return notCollected;

  const name = describeResource(resource);
  const use = keysInUse(resource);
  if (use.kind === "none") {
    return row(
      "not-applicable",
      `${name} uses no customer-managed key (${use.reason}); ${check.nothingToDo}`,
      use.evidence,
    );
  }
  if (use.kind === "unreadable") {
    return row(
      "error",
      `${name}: ${use.reason}; cannot tell which customer-managed key to ${check.verb}`,
      use.evidence,
    );
  }

  const judgements = use.references.map((reference) => check.judge(resource, reference, context));
  const status = combineKeyVerdicts(judgements.map((j) => j.status));
  const evidence = [...use.evidence, ...judgements.flatMap((j) => j.evidence)];
  const seen = judgements.map((j) => j.text).join("; ");
  switch (status) {
    case "pass":
      return row("pass", check.passed(name, seen), evidence);
    case "not-applicable":
      return row("not-applicable", `${name} uses no customer-managed key: ${seen}`, evidence);
    default:
      return row(status, check.failed(name, status, seen, context), evidence);
  }
}
