import { describeNotCollected, notCollected } from "../../canonical/collected.js";
import { isAbsent, isRecord, readArray, readPath } from "../../canonical/document.js";
import type { CanonicalResource, Evidence } from "../../model.js";
import { judgeBooleanSetting } from "../boolean-setting.js";
import type { EvaluationContext, ResourceControl, VerdictRow } from "../types.js";
import {
  checkCollected,
  checkReferenceCollected,
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
  const open = isAbsent(value) || (typeof value === "string" && value.toLowerCase() === "enabled");
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
  const absent = isAbsent(value) ? " (absent means Enabled)" : "";
  return row(
    "fail",
    `${name} has ${switchPath} ${formatValue(value)}${absent}: ` +
      `${describeOpenEndpoint(resource, aclPath)}; expected Disabled`,
    evidence,
  );
}

/** Where the account-level block stands: usable, absent, or present but unreadable. */
type AccountBlock =
  | { kind: "readable"; item: CanonicalResource }
  | { kind: "unreadable"; item: CanonicalResource; why: string; evidence: Evidence[] }
  | { kind: "none" };

function accountBlockOf(resource: CanonicalResource, context: EvaluationContext): AccountBlock {
  const item = context.index.accountPublicAccessBlock(resource.account);
  if (item === undefined) return { kind: "none" };
  const state = notCollected(item);
  if (state === null) return { kind: "readable", item };
  const evidence = checkReferenceCollected(item)?.evidence ?? [];
  return { kind: "unreadable", item, why: describeNotCollected(state), evidence };
}

function judgeBucket(resource: CanonicalResource, context: EvaluationContext): VerdictRow {
  const name = describeResource(resource);
  const block = accountBlockOf(resource, context);
  const accountItem = block.kind === "none" ? undefined : block.item;
  const accountId = accountItem?.id ?? `AWS::S3::AccountPublicAccessBlock/${resource.account}`;
  const evidence: Evidence[] = [];
  const unset: string[] = [];

  for (const flag of PUBLIC_ACCESS_BLOCK_FLAGS) {
    const bucketValue = readPath(resource.raw, `${BUCKET_BLOCK}.${flag}`);
    const accountValue =
      block.kind === "readable" ? readPath(block.item.raw, `configuration.${flag}`) : undefined;
    evidence.push(observe(resource, `${BUCKET_BLOCK}.${flag}`, true));
    if (block.kind !== "unreadable") {
      evidence.push(derived(`${accountId}#configuration.${flag}`, accountValue, true));
    }
    for (const [where, value] of [
      ["bucket", bucketValue],
      ["account", accountValue],
    ] as const) {
      if (!isAbsent(value) && typeof value !== "boolean") {
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
  if (block.kind === "unreadable") evidence.push(...block.evidence);

  if (unset.length === 0) {
    return row(
      "pass",
      `${name} blocks public access: ` +
        `all four public-access-block flags are true on the bucket or its account`,
      evidence,
    );
  }
  if (block.kind === "unreadable") {
    return row(
      "error",
      `${name} lacks bucket-level ${unset.join(", ")}, and the account-level public-access ` +
        `block ${block.item.id} of account ${resource.account} ${block.why}, so whether the ` +
        "account blocks public access is unknown; expected all four flags true",
      evidence,
    );
  }
  if (
    block.kind === "none" &&
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
    block.kind === "none"
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

const CLUSTER_PUBLIC = "configuration.publiclyAccessible";

/**
 * Multi-AZ DB clusters carry `publiclyAccessible`; Aurora clusters leave it out and set public
 * accessibility on each DB instance, which is judged on its own row.
 */
function judgeCluster(resource: CanonicalResource): VerdictRow {
  const value = readPath(resource.raw, CLUSTER_PUBLIC);
  if (isAbsent(value)) {
    return row(
      "not-applicable",
      `${describeResource(resource)} has ${CLUSTER_PUBLIC} ${formatValue(value)}: an Aurora ` +
        "cluster sets public accessibility per DB instance, and each instance is judged on " +
        "its own row",
      [observe(resource, CLUSTER_PUBLIC, "false, or absent on an Aurora cluster")],
    );
  }
  return judgeBooleanSetting(resource, {
    path: CLUSTER_PUBLIC,
    expected: false,
    meaning: "the cluster is not publicly accessible",
  });
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
  if (isAbsent(value) || (typeof value === "string" && value.toLowerCase() === "enabled")) {
    return row(
      "fail",
      `${name} has ${path} ${formatValue(value)}` +
        `${isAbsent(value) ? " (absent means Enabled)" : ""}; ` +
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
      "PubliclyAccessible to false on RDS instances and Multi-AZ DB clusters (Aurora: on each " +
      "instance of the cluster), and create SageMaker notebook instances with " +
      "DirectInternetAccess Disabled inside a VPC.",
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
    {
      kind: "documentation",
      title: "Amazon RDS API Reference: ModifyDBCluster (PubliclyAccessible)",
      url: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBCluster.html",
      provider: "aws",
    },
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
    "AWS::RDS::DBCluster",
    "AWS::SageMaker::NotebookInstance",
  ],

  evaluate(resource, context) {
    const notCollected = checkCollected(resource);
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
      case "AWS::RDS::DBCluster":
        return judgeCluster(resource);
      case "AWS::SageMaker::NotebookInstance":
        return judgeNotebook(resource);
      default:
        return judgeAzure(resource);
    }
  },
};
