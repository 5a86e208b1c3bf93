/** Every field of a configuration item that advanced queries can select. */
export const CONFIG_ITEM_FIELDS = [
  "version",
  "accountId",
  "configurationItemCaptureTime",
  "configurationItemStatus",
  "configurationStateId",
  "arn",
  "resourceType",
  "resourceId",
  "resourceName",
  "awsRegion",
  "availabilityZone",
  "tags",
  "relationships",
  "configuration",
  "supplementaryConfiguration",
] as const;

/**
 * Resource types Plumbline reads through advanced queries (Select). The logging configuration of
 * each `AWS::NetworkFirewall::Firewall` is not a Config type; it is read through the Network
 * Firewall API.
 */
export const SELECT_RESOURCE_TYPES = [
  "AWS::S3::Bucket",
  "AWS::S3::AccountPublicAccessBlock",
  "AWS::KMS::Key",
  "AWS::KMS::Alias",
  "AWS::EC2::VPC",
  "AWS::EC2::VPCEndpoint",
  "AWS::RDS::DBInstance",
  "AWS::RDS::DBCluster",
  "AWS::SageMaker::NotebookInstance",
  "AWS::NetworkFirewall::Firewall",
  "AWS::IAM::Role",
] as const;

/**
 * Resource types advanced queries do not support; read through `ListDiscoveredResources` and
 * `BatchGetResourceConfig` (or their aggregate forms) instead.
 */
export const DISCOVERED_RESOURCE_TYPES = [
  "AWS::Bedrock::Guardrail",
  "AWS::Bedrock::KnowledgeBase",
  "AWS::Bedrock::ApplicationInferenceProfile",
  "AWS::Bedrock::Prompt",
] as const;

/** Quotes a value as an advanced-query string literal. */
function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The advanced query selecting every field of the given resource types. */
export function buildSelectExpression(resourceTypes: readonly string[]): string {
  const types = resourceTypes.map(quote).join(", ");
  return `SELECT ${CONFIG_ITEM_FIELDS.join(", ")} WHERE resourceType IN (${types})`;
}

/** Parses one Select result row; null when it is not a JSON object. */
export function parseSelectRow(row: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(row);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * Turns a `BaseConfigurationItem` as the SDK returns it into the wire form of a Select row:
 * the SDK turns capture and creation times into `Date`, which become ISO strings again, and
 * fields the SDK leaves undefined are dropped.
 */
export function batchItemToWireForm(item: object): Record<string, unknown> {
  const wire: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    wire[name] = value instanceof Date ? value.toISOString() : value;
  }
  return wire;
}
