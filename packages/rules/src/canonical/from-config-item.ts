import type { CanonicalResource, ReferenceKind, ResourceReference } from "../model.js";
import { canonicalRegionName } from "../regions/catalogue.js";
import { collectValues } from "./collect.js";
import { isRecord, readPath } from "./document.js";
import { DocumentError } from "./document-error.js";

/** Key and network references in AWS Config items, by resource type. */
const CONFIG_REFERENCES: Readonly<
  Record<string, readonly { kind: ReferenceKind; pattern: string }[]>
> = {
  "AWS::S3::Bucket": [
    {
      kind: "key",
      pattern:
        "supplementaryConfiguration.ServerSideEncryptionConfiguration.rules[*]." +
        "applyServerSideEncryptionByDefault.kmsMasterKeyID",
    },
  ],
  "AWS::RDS::DBInstance": [{ kind: "key", pattern: "configuration.kmsKeyId" }],
  "AWS::RDS::DBCluster": [{ kind: "key", pattern: "configuration.kmsKeyId" }],
  "AWS::SageMaker::NotebookInstance": [
    { kind: "key", pattern: "configuration.KmsKeyId" },
    { kind: "subnet", pattern: "configuration.SubnetId" },
  ],
  "AWS::Bedrock::Guardrail": [{ kind: "key", pattern: "configuration.KmsKeyArn" }],
  "AWS::KMS::Alias": [{ kind: "key", pattern: "configuration.TargetKeyId" }],
  "AWS::EC2::VPCEndpoint": [{ kind: "virtual-network", pattern: "configuration.vpcId" }],
  "AWS::NetworkFirewall::Firewall": [{ kind: "virtual-network", pattern: "configuration.VpcId" }],
};

/**
 * AWS types that are a setting of another resource rather than a resource of their own, with the
 * field that names the owning resource. A Network Firewall's logging configuration is read
 * through the Network Firewall API (AWS Config does not record it) and belongs to its firewall,
 * as an Azure firewall's diagnostic setting does: a child, not a top-level resource.
 */
const CONFIG_PARENTS: Readonly<Record<string, string>> = {
  "AWS::NetworkFirewall::LoggingConfiguration": "configuration.FirewallArn",
};

/** Nesting depth up to which string-encoded JSON is decoded (the S3 ACL is encoded twice). */
// Limitation: a supplementary value that is a plain string but reads as JSON (`"123"`, `"true"`)
// is decoded to a number or boolean, because BatchGet encodes every value as JSON text and the
// two cannot be told apart.
const MAX_ENCODING_DEPTH = 3;

function decodeJsonText(value: unknown): unknown {
  let current = value;
  for (let depth = 0; depth < MAX_ENCODING_DEPTH && typeof current === "string"; depth += 1) {
    const text = current.trim();
    const looksEncoded =
      text.startsWith("{") ||
      text.startsWith("[") ||
      text.startsWith('"') ||
      text === "true" ||
      text === "false" ||
      text === "null" ||
      /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text);
    if (!looksEncoded) break;
    try {
      current = JSON.parse(text);
    } catch {
      break;
    }
  }
  return current;
}

function decodeObjectText(value: unknown): unknown {
  const decoded = decodeJsonText(value);
  return isRecord(decoded) || Array.isArray(decoded) ? decoded : value;
}

/**
 * Turns the string-encoded fields of a configuration item back into JSON values:
 * BatchGetResourceConfig and GetResourceConfigHistory send `configuration` as a JSON string
 * and every `supplementaryConfiguration` value as one (the S3 `AccessControlList` twice), while
 * Select sends objects except for a few supplementary values (the ACL, a KMS key `Policy`).
 * Decoding both fully makes every path yield the same document. Already decoded items come back
 * unchanged in content.
 */
export function decodeBatchGetItem(item: Record<string, unknown>): Record<string, unknown> {
  const decoded: Record<string, unknown> = { ...item };
  if (Object.hasOwn(item, "configuration")) {
    decoded.configuration = decodeObjectText(item.configuration);
  }
  const supplementary = decodeObjectText(item.supplementaryConfiguration);
  if (isRecord(supplementary)) {
    const values: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(supplementary)) values[name] = decodeJsonText(value);
    decoded.supplementaryConfiguration = values;
  }
  return decoded;
}

function addTagEntries(tags: Record<string, string>, value: unknown): void {
  if (Array.isArray(value)) {
    for (const entry of value) {
      if (!isRecord(entry)) continue;
      const key = entry.key ?? entry.Key ?? entry.tagKey;
      const tag = entry.value ?? entry.Value ?? entry.tagValue;
      if (
        typeof key === "string" &&
        !Object.hasOwn(tags, key) &&
        tag !== undefined &&
        tag !== null
      ) {
        tags[key] = typeof tag === "string" ? tag : JSON.stringify(tag);
      }
    }
    return;
  }
  if (isRecord(value)) {
    for (const [key, tag] of Object.entries(value)) {
      if (!Object.hasOwn(tags, key) && tag !== undefined && tag !== null) {
        tags[key] = typeof tag === "string" ? tag : JSON.stringify(tag);
      }
    }
  }
}

/**
 * Tags of a configuration item: the item's `tags` (a `{k: v}` map or a `[{key, value}]` array)
 * first, then tags recorded inside `configuration` or `supplementaryConfiguration`, since Select
 * does not always fill the top-level field.
 */
function configItemTags(item: Record<string, unknown>): Record<string, string> {
  const tags: Record<string, string> = {};
  addTagEntries(tags, item.tags);
  addTagEntries(tags, readPath(item, "configuration.tags"));
  addTagEntries(tags, readPath(item, "configuration.Tags"));
  addTagEntries(tags, readPath(item, "supplementaryConfiguration.Tags"));
  return tags;
}

function collectConfigReferences(
  resourceType: string,
  item: Record<string, unknown>,
): ResourceReference[] {
  const references: ResourceReference[] = [];
  for (const { kind, pattern } of CONFIG_REFERENCES[resourceType] ?? []) {
    for (const found of collectValues(item, pattern)) {
      if (typeof found.value === "string" && found.value !== "") {
        references.push({ kind, target: found.value, path: found.path });
      }
    }
  }
  return references;
}

function textOf(value: unknown): string | null {
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number") return String(value);
  return null;
}

/**
 * The key of the resource an item is a setting of, or null for a resource of its own. Without
 * the naming field the item's resource id stands in: the collector sets it to the firewall's
 * ARN, or its name when the ARN is unknown.
 */
function parentKeyOf(
  resourceType: string,
  resourceId: string,
  raw: Record<string, unknown>,
): string | null {
  const field = CONFIG_PARENTS[resourceType];
  if (field === undefined) return null;
  return textOf(readPath(raw, field)) ?? resourceId;
}

/**
 * Converts an AWS Config configuration item (a Select row, an aggregate row, or a decoded
 * BatchGetResourceConfig item) to a canonical resource. The key is the ARN as given, or
 * `<resourceType>/<resourceId>` where the item has none; `configurationItemStatus` stays in
 * `raw`. A setting of another resource (a firewall's logging configuration) gets that
 * resource's key as `parentKey`.
 */
export function fromConfigItem(item: Record<string, unknown>): CanonicalResource {
  const resourceType = textOf(item.resourceType);
  const resourceId = textOf(item.resourceId);
  const account = textOf(item.accountId);
  if (resourceType === null || resourceId === null) {
    throw new DocumentError("configuration item has no resourceType or resourceId", {
      resourceType: item.resourceType,
      resourceId: item.resourceId,
    });
  }
  if (account === null) {
    throw new DocumentError("configuration item has no accountId", { resourceType, resourceId });
  }

  const raw = decodeBatchGetItem(item);
  const arn = textOf(item.arn);
  const key = arn ?? `${resourceType}/${resourceId}`;
  const location = textOf(item.awsRegion);

  return {
    provider: "aws",
    account,
    key,
    id: key,
    type: resourceType,
    region: canonicalRegionName(location),
    location,
    name: textOf(item.resourceName) ?? resourceId,
    tags: configItemTags(raw),
    raw,
    references: collectConfigReferences(resourceType, raw),
    parentKey: parentKeyOf(resourceType, resourceId, raw),
  };
}

/** Configuration item states in which the resource no longer exists. */
const DELETED_STATUSES = new Set(["resourcedeleted", "resourcedeletednotrecorded"]);

/**
 * False for AWS items that record a deleted resource: they are not part of the inventory and
 * get no verdict. Azure resources and items without a status are always inventoried.
 */
export function isInventoried(resource: CanonicalResource): boolean {
  if (resource.provider !== "aws") return true;
  const status = resource.raw.configurationItemStatus;
  return !(typeof status === "string" && DELETED_STATUSES.has(status.toLowerCase()));
}
