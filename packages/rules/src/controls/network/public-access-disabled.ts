import { isRecord, readArray, readPath } from "../../canonical/document.js";
import type { CanonicalResource, Evidence } from "../../model.js";
import { judgeBooleanSetting } from "../boolean-setting.js";
import type { EvaluationContext, ResourceControl, VerdictRow } from "../types.js";
import {
  checkCollected,
  derived,
  describeResource,
  formatValue,
  observe,
  row,
} from "../verdicts.js";

const PUBLIC_ACCESS_BLOCK_FLAGS = [
  "blockPublicAcls",
  "ignorePublicAcls",
  "blockPublicPolicy",
  "restrictPublicBuckets",
] as const;
const BUCKET_BLOCK = "supplementaryConfiguration.PublicAccessBlockConfiguration";

/** Where each Azure type keeps its public-network switch and its firewall rules. */
function azureSwitchPaths(type: string): { switchPath: string; aclPath: string } {
  switch (type) {
    case "Microsoft.DBforPostgreSQL/flexibleServers":
      return { switchPath: "properties.network.publicNetworkAccess", aclPath: "" };
    case "Microsoft.Search/searchServices":
      return { switchPath: "properties.publicNetworkAccess", aclPath: "properties.networkRuleSet" };
    default:
      return { switchPath: "properties.publicNetworkAccess", aclPath: "properties.networkAcls" };
  }
}

function describeOpenEndpoint(resource: CanonicalResource, aclPath: string): string {
  if (aclPath === "") return "the public endpoint is open";
  const defaultAction = readPath(resource.raw, `${aclPath}.defaultAction`);
  const ipRules = readArray(resource.raw, `${aclPath}.ipRules`);
  if (typeof defaultAction === "string" && defaultAction.toLowerCase() === "deny") {
    const denied = `${aclPath}.defaultAction is "${defaultAction}"`;
    return ipRules.length > 0
      ? `the public endpoint stays open to the ${ipRules.length} IP range(s) in ` +
          `${aclPath}.ipRules although ${denied}`
      : `the public endpoint stays reachable although ${denied}`;
  }
  return "the public endpoint is open to every network";
}

function judgeAzure(resource: CanonicalResource): VerdictRow {
  const name = describeResource(resource);
  const { switchPath, aclPath } = azureSwitchPaths(resource.type);
  const value = readPath(resource.raw, switchPath);
  const evidence: Evidence[] = [observe(resource, switchPath, "Disabled")];

  if (typeof value === "string" && value.toLowerCase() === "disabled") {
    return row(
      "pass",
      `${name} has ${switchPath} ${formatValue(value)}, ` +
        `which closes the public endpoint whatever its firewall rules list`,
      evidence,
    );
  }
  const open =
    value === undefined ||
    value === null ||
    value === "" ||
    (typeof value === "string" && value.toLowerCase() === "enabled");
  if (!open) {
    return row(
      "error",
      `${name} has ${switchPath} = ${formatValue(value)}, a value this control does not know; ` +
        `expected Disabled`,
      evidence,
    );
  }
  if (aclPath !== "" && isRecord(readPath(resource.raw, aclPath))) {
    evidence.push(
      observe(resource, `${aclPath}.defaultAction`, "not relied on"),
      observe(resource, `${aclPath}.ipRules`, "not relied on"),
    );
  }
  const absent =
    value === undefined || value === null || value === "" ? " (absent means Enabled)" : "";
  return row(
    "fail",
    `${name} has ${switchPath} ${formatValue(value)}${absent}: ` +
      `${describeOpenEndpoint(resource, aclPath)}; expected Disabled`,
    evidence,
  );
}

function judgeBucket(resource: CanonicalResource, context: EvaluationContext): VerdictRow {
  const name = describeResource(resource);
  const accountBlock = context.index.accountPublicAccessBlock(resource.account);
  const evidence: Evidence[] = [];
  const unset: string[] = [];

  for (const flag of PUBLIC_ACCESS_BLOCK_FLAGS) {
    const bucketValue = readPath(resource.raw, `${BUCKET_BLOCK}.${flag}`);
    const accountValue =
      accountBlock === undefined ? undefined : readPath(accountBlock.raw, `configuration.${flag}`);
    evidence.push(observe(resource, `${BUCKET_BLOCK}.${flag}`, true));
    const accountId = accountBlock?.id ?? `AWS::S3::AccountPublicAccessBlock/${resource.account}`;
    evidence.push(derived(`${accountId}#configuration.${flag}`, accountValue, true));
    for (const [where, value] of [
      ["bucket", bucketValue],
      ["account", accountValue],
    ] as const) {
      if (value !== undefined && value !== null && typeof value !== "boolean") {
        return row(
          "error",
          `${name} has ${where}-level public-access block ${flag} = ${formatValue(value)}, ` +
            `which is not a boolean; expected true`,
          evidence,
        );
      }
    }
    if (bucketValue !== true && accountValue !== true) unset.push(flag);
  }

  if (unset.length === 0) {
    return row(
      "pass",
      `${name} blocks public access: ` +
        `all four public-access-block flags are true on the bucket or its account`,
      evidence,
    );
  }
  if (
    accountBlock === undefined &&
    !context.index.isCollectedComplete("aws", resource.account, resource.region)
  ) {
    return row(
      "error",
      `${name} lacks bucket-level ${unset.join(", ")}, ` +
        `and whether account ${resource.account} has an account-level public-access block ` +
        "is unknown: the account was not collected completely",
      evidence,
    );
  }
  const where =
    accountBlock === undefined
      ? "the bucket, and the account has no account-level block"
      : "the bucket or its account";
  return row(
    "fail",
    `${name} does not block public access: ` +
      `${unset.join(", ")} ${unset.length === 1 ? "is" : "are"} not true on ${where}; ` +
      `expected all four flags true`,
    evidence,
  );
}

function judgeNotebook(resource: CanonicalResource): VerdictRow {
  const name = describeResource(resource);
  const path = "configuration.DirectInternetAccess";
  const value = readPath(resource.raw, path);
  const evidence = [observe(resource, path, "Disabled")];
  if (typeof value === "string" && value.toLowerCase() === "disabled") {
    return row(
      "pass",
      `${name} has no direct internet access (${path} ${formatValue(value)})`,
      evidence,
    );
  }
  if (
    value === undefined ||
    value === null ||
    value === "" ||
    (typeof value === "string" && value.toLowerCase() === "enabled")
  ) {
    return row(
      "fail",
      `${name} has ${path} ${formatValue(value)}` +
        `${typeof value === "string" && value !== "" ? "" : " (absent means Enabled)"}; ` +
        "expected Disabled",
      evidence,
    );
  }
  return row(
    "error",
    `${name} has ${path} = ${formatValue(value)}, a value this control does not know; ` +
      `expected Disabled`,
    evidence,
  );
}

// Limitation: Config records the account-level S3 public-access block per region; it is looked
// up by account only, whichever region recorded it.
// Limitation: on AWS only RDS DB instances are judged for public accessibility; Multi-AZ DB
// clusters, which carry their own `publiclyAccessible`, are not covered yet.

/** No data-plane resource accepts public traffic. */
export const publicAccessDisabled: ResourceControl = {
  id: "network.public-access-disabled",
  scope: "resource",
  title: "No data-plane resource accepts public network traffic",
  severity: "critical",
  rationale:
    "A public endpoint exposes prompts, documents, keys and databases to the internet, where " +
    "stolen credentials or a misconfigured firewall rule are enough to reach them. Private " +
    "endpoints keep data-plane traffic on the organisation's network; IP allow-lists do not.",
  remediation: {
    azure:
      "Set publicNetworkAccess to Disabled on AI services, search services, storage accounts and " +
      "key vaults, and network.publicNetworkAccess to Disabled on PostgreSQL flexible servers, " +
      "after private endpoints (or VNet integration) are in place; IP rules are not a substitute.",
    aws:
      "Turn on all four S3 Block Public Access settings on the bucket or the account, set " +
      "PubliclyAccessible to false on RDS instances, and create SageMaker notebook instances " +
      "with DirectInternetAccess Disabled inside a VPC.",
  },
  references: [
    { kind: "azure-policy", name: "Azure AI Services resources should restrict network access" },
    { kind: "azure-policy", name: "Azure AI Search services should disable public network access" },
    { kind: "azure-policy", name: "Storage accounts should disable public network access" },
    { kind: "azure-policy", name: "Azure Key Vault should disable public network access" },
    {
      kind: "azure-policy",
      name: "Public network access should be disabled for PostgreSQL flexible servers",
    },
    { kind: "aws-config-rule", name: "s3-bucket-level-public-access-prohibited" },
    { kind: "aws-config-rule", name: "s3-account-level-public-access-blocks-periodic" },
    { kind: "aws-config-rule", name: "rds-instance-public-access-check" },
    { kind: "aws-config-rule", name: "sagemaker-notebook-no-direct-internet-access" },
  ],
  resourceTypes: [
    "Microsoft.CognitiveServices/accounts",
    "Microsoft.Search/searchServices",
    "Microsoft.Storage/storageAccounts",
    "Microsoft.KeyVault/vaults",
    "Microsoft.DBforPostgreSQL/flexibleServers",
    "AWS::S3::Bucket",
    "AWS::RDS::DBInstance",
    "AWS::SageMaker::NotebookInstance",
  ],

  evaluate(resource, context) {
    const notCollected = checkCollected(resource, {
      properties: true,
      configuration: true,
      supplementaryConfiguration: resource.type === "AWS::S3::Bucket",
    });
    if (notCollected !== null) return notCollected;

    switch (resource.type) {
      case "AWS::S3::Bucket":
        return judgeBucket(resource, context);
      case "AWS::RDS::DBInstance":
        return judgeBooleanSetting(resource, {
          path: "configuration.publiclyAccessible",
          expected: false,
          meaning: "the instance is not publicly accessible",
        });
      case "AWS::SageMaker::NotebookInstance":
        return judgeNotebook(resource);
      default:
        return judgeAzure(resource);
    }
  },
};
