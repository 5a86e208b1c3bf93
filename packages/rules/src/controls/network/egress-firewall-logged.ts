import { armKey, parseArmId } from "../../canonical/arm-id.js";
import { isAbsent, isRecord, readArray, readPath, readString } from "../../canonical/document.js";
import type { VirtualNetworkRecord } from "../../evaluate/network-index.js";
import type { CanonicalResource, Evidence, Provider } from "../../model.js";
import { PLATFORM_OWNER_ID } from "../../policy/types.js";
import { accountSubject, describeAccount } from "../owner-subjects.js";
import type { OwnerControl, OwnerEvaluationContext, OwnerVerdictRow } from "../types.js";
import { derived, formatValue } from "../verdicts.js";

type Outcome = { status: "pass" | "fail" | "error"; text: string };

/** Destinations a diagnostic setting can send to; one non-empty is enough. */
const DESTINATIONS = [
  "workspaceId",
  "storageAccountId",
  "eventHubAuthorizationRuleId",
  "marketplacePartnerId",
] as const;

/** Rule-hit categories, as pairs: the legacy tables or the resource-specific ones. */
const RULE_CATEGORY_PAIRS = [
  ["azurefirewallapplicationrule", "azurefirewallnetworkrule"],
  ["azfwapplicationrule", "azfwnetworkrule"],
] as const;

/** Network Firewall log types as the API documents them, lower-cased. */
const AWS_LOG_TYPES = new Set(["alert", "flow", "tls"]);

function combine(outcomes: Outcome[]): Outcome["status"] {
  if (outcomes.some((o) => o.status === "fail")) return "fail";
  if (outcomes.some((o) => o.status === "error")) return "error";
  return "pass";
}

function nameOf(id: string): string {
  return parseArmId(id).name ?? id;
}

/** Why a diagnostic setting does not log rule hits, or null when it does. */
function settingShortfall(setting: CanonicalResource): { fact: boolean; text: string } | null {
  if (!isRecord(setting.raw.properties)) {
    return { fact: false, text: `diagnostic setting ${setting.name} has no properties` };
  }
  const destination = DESTINATIONS.find(
    (field) => !isAbsent(readPath(setting.raw, `properties.${field}`)),
  );
  if (destination === undefined) {
    return { fact: true, text: `diagnostic setting ${setting.name} has no destination` };
  }
  const enabled = new Map<string, string>();
  let allLogs = false;
  for (const entry of readArray(setting.raw, "properties.logs")) {
    if (readPath(entry, "enabled") !== true) continue;
    const group = readString(entry, "categoryGroup");
    if (group?.toLowerCase() === "alllogs") allLogs = true;
    const category = readString(entry, "category");
    if (category !== undefined) enabled.set(category.toLowerCase(), category);
  }
  if (allLogs) return null;
  if (RULE_CATEGORY_PAIRS.some((pair) => pair.every((category) => enabled.has(category)))) {
    return null;
  }
  const seen = enabled.size === 0 ? "no log category" : [...enabled.values()].join(", ");
  return {
    fact: true,
    text:
      `diagnostic setting ${setting.name} sends ${seen}, not allLogs or both rule categories ` +
      "(AzureFirewallApplicationRule and AzureFirewallNetworkRule, or AZFWApplicationRule and " +
      "AZFWNetworkRule)",
  };
}

function judgeAzureFirewall(
  firewall: CanonicalResource,
  context: OwnerEvaluationContext,
  evidence: Evidence[],
): Outcome {
  const settings = context.index.network.diagnosticSettingsOf(firewall.key);
  const shortfalls: { fact: boolean; text: string }[] = [];
  for (const setting of settings) {
    const shortfall = settingShortfall(setting);
    evidence.push(
      derived(
        `${setting.id}#properties.logs`,
        readPath(setting.raw, "properties.logs"),
        "allLogs or both rule categories, enabled, with a destination",
      ),
    );
    if (shortfall === null) {
      return { status: "pass", text: `${firewall.name} logs rule hits through ${setting.name}` };
    }
    shortfalls.push(shortfall);
  }
  if (settings.length === 0) {
    evidence.push(
      derived(`${firewall.id}#diagnosticSettings`, [], "a setting that logs rule hits"),
    );
    return context.index.isCollectedComplete("azure", firewall.account)
      ? { status: "fail", text: `${firewall.name} has no diagnostic setting` }
      : {
          status: "error",
          text:
            `${firewall.name} shows no diagnostic setting, but subscription ${firewall.account} ` +
            "was not collected completely",
        };
  }
  const text = `${firewall.name}: ${shortfalls.map((s) => s.text).join("; ")}`;
  return { status: shortfalls.every((s) => s.fact) ? "fail" : "error", text };
}

/** The networks whose firewalls can take a network's egress: itself and connected peers. */
function egressNetworks(network: VirtualNetworkRecord, context: OwnerEvaluationContext): string[] {
  const networks = [network.id];
  for (const peering of context.index.network.peeringsOf(network.id)) {
    if (peering.state?.toLowerCase() !== "connected") continue;
    const neighbour =
      peering.fromKey === network.key
        ? peering.toId
        : (context.index.network.virtualNetwork(peering.fromKey)?.id ?? peering.fromKey);
    if (!networks.some((id) => armKey(id) === armKey(neighbour))) networks.push(neighbour);
  }
  return networks;
}

function judgeAzureNetwork(
  network: VirtualNetworkRecord,
  context: OwnerEvaluationContext,
  evidence: Evidence[],
): Outcome {
  if (!network.documented) {
    return {
      status: "error",
      text: `${network.name} has no properties, so its peerings are unknown`,
    };
  }
  const candidates = egressNetworks(network, context);
  const firewalls = candidates.flatMap((id) => [...context.index.network.azureFirewallsIn(id)]);
  const outcomes = firewalls.map((firewall) => judgeAzureFirewall(firewall, context, evidence));
  const logged = outcomes.find((o) => o.status === "pass");
  if (logged !== undefined) return { status: "pass", text: `${network.name}: ${logged.text}` };

  const subscriptions = new Set(
    candidates.map((id) => parseArmId(id).subscription).filter((s): s is string => s !== null),
  );
  const unplaced = [...subscriptions].flatMap((s) => [
    ...context.index.network.unplacedAzureFirewallsOf(s),
  ]);
  const incomplete = [...subscriptions].filter(
    (s) => !context.index.isCollectedComplete("azure", s),
  );
  const reached = candidates.map(nameOf).join(", ");
  if (firewalls.length === 0) {
    evidence.push(
      derived(
        `${network.id}#egress firewall`,
        undefined,
        "an Azure firewall in it or a peered network",
      ),
    );
    if (unplaced.length > 0) {
      return {
        status: "error",
        text:
          `${network.name}: no firewall found in ${reached}, and firewall(s) ` +
          `${unplaced.map((f) => f.name).join(", ")} name no virtual network`,
      };
    }
    return incomplete.length > 0
      ? {
          status: "error",
          text:
            `${network.name}: no firewall found in ${reached}, but subscription(s) ` +
            `${incomplete.join(", ")} were not collected completely`,
        }
      : { status: "fail", text: `${network.name}: no firewall in ${reached}` };
  }
  // A fail needs every firewall that could carry the egress to fail as a fact.
  const settled = incomplete.length === 0 && unplaced.length === 0;
  return {
    status: settled && outcomes.every((o) => o.status === "fail") ? "fail" : "error",
    text: `${network.name}: ${outcomes.map((o) => o.text).join("; ")}`,
  };
}

/**
 * An `error` outcome when the account was not collected completely, so networks that were not
 * seen may lack a logged firewall: a pass must cover every network of the account. For AWS the
 * account's record must be complete, since every region in scope could hold VPCs and a partial
 * record does not list the regions that failed.
 */
function incompleteCollection(
  provider: Provider,
  accountId: string,
  context: OwnerEvaluationContext,
  evidence: Evidence[],
): Outcome | null {
  if (context.index.isCollectedComplete(provider, accountId)) return null;
  const collection = context.index.accountCollection(provider, accountId);
  const subject = accountSubject(provider, accountId);
  evidence.push(derived(`${subject.resource}#collection.status`, collection?.status, "complete"));
  const account = describeAccount(provider, accountId);
  if (collection === undefined) {
    return { status: "error", text: `${account} was not collected, so its networks are unknown` };
  }
  const how =
    collection.status === "failed" ? "could not be collected" : "was collected only partly";
  const reason = collection.reason === null ? "" : ` (${collection.reason})`;
  if (provider === "azure") {
    return {
      status: "error",
      text: `${account} ${how}${reason}, so virtual networks not seen may lack a logged firewall`,
    };
  }
  const regions =
    collection.completeRegions.length === 0
      ? "no region was collected completely"
      : `only ${collection.completeRegions.join(", ")} collected completely`;
  return {
    status: "error",
    text:
      `${account} ${how}${reason}, ${regions}, so VPCs in its other regions may lack a ` +
      "logged firewall",
  };
}

function judgeSubscription(subscription: string, context: OwnerEvaluationContext): OwnerVerdictRow {
  const subject = accountSubject("azure", subscription);
  const account = describeAccount("azure", subscription);
  const networks = context.index.network.virtualNetworksOf(subscription);
  if (networks.length === 0) {
    const evidence = [
      derived("Microsoft.Network/virtualNetworks", [], "none, or each behind a logged firewall"),
    ];
    return context.index.isCollectedComplete("azure", subscription)
      ? {
          subject,
          status: "not-applicable",
          message: `${account} has no virtual networks, so no egress to inspect`,
          evidence,
        }
      : {
          subject,
          status: "error",
          message:
            `${account} shows no virtual networks, but it was not collected completely; ` +
            "whether egress is inspected is unknown",
          evidence,
        };
  }
  const evidence: Evidence[] = [];
  const outcomes = networks.map((network) => judgeAzureNetwork(network, context, evidence));
  const incomplete = incompleteCollection("azure", subscription, context, evidence);
  if (incomplete !== null) outcomes.push(incomplete);
  return accountRow(subject, account, outcomes, evidence, "virtual network");
}

function accountRow(
  subject: OwnerVerdictRow["subject"],
  account: string,
  outcomes: Outcome[],
  evidence: Evidence[],
  noun: string,
): OwnerVerdictRow {
  const status = combine(outcomes);
  const details = outcomes.map((o) => o.text).join("; ");
  const message =
    status === "pass"
      ? `${account}: every ${noun} leaves through a firewall that logs rule hits (${details})`
      : status === "fail"
        ? `${account}: egress is not logged everywhere (${details}); expected every ${noun} ` +
          "behind a firewall whose rule hits are logged"
        : `${account}: egress logging cannot be judged (${details})`;
  return { subject, status, message, evidence };
}

/** The destination of a Network Firewall log destination config, when it names one. */
function hasDestination(config: unknown): boolean {
  const destination = readPath(config, "LogDestination");
  if (!isRecord(destination)) return false;
  const named = Object.values(destination).some((value) => !isAbsent(value));
  return named && !isAbsent(readPath(config, "LogDestinationType"));
}

function judgeNetworkFirewall(
  firewall: CanonicalResource,
  context: OwnerEvaluationContext,
  evidence: Evidence[],
): Outcome {
  const arn =
    readString(firewall.raw, "arn") ?? readString(firewall.raw, "configuration.FirewallArn");
  const logging = arn === undefined ? undefined : context.index.network.loggingConfigurationOf(arn);
  const path = "configuration.LoggingConfiguration.LogDestinationConfigs";
  if (logging === undefined) {
    evidence.push(
      derived(`${arn ?? firewall.id}#logging`, undefined, "ALERT or FLOW logs to a destination"),
    );
    return context.index.isCollectedComplete("aws", firewall.account, firewall.region)
      ? { status: "fail", text: `${firewall.name} has no logging configuration` }
      : {
          status: "error",
          text:
            `no logging configuration seen for ${firewall.name}, but region ` +
            `${firewall.region ?? "unknown"} of AWS account ${firewall.account} ` +
            "was not collected completely",
        };
  }
  const configs = readArray(logging.raw, path);
  evidence.push(
    derived(`${logging.id}#${path}`, readPath(logging.raw, path), "ALERT or FLOW to a destination"),
  );
  const types: string[] = [];
  const unknown: string[] = [];
  for (const config of configs) {
    const logType = readPath(config, "LogType");
    if (typeof logType !== "string" || !AWS_LOG_TYPES.has(logType.toLowerCase())) {
      unknown.push(formatValue(logType));
      continue;
    }
    types.push(logType);
    const lower = logType.toLowerCase();
    if ((lower === "alert" || lower === "flow") && hasDestination(config)) {
      return { status: "pass", text: `${firewall.name} sends ${logType} logs to a destination` };
    }
  }
  if (unknown.length > 0) {
    return {
      status: "error",
      text:
        `${firewall.name} has log type(s) ${unknown.join(", ")}, ` +
        "which this control does not know",
    };
  }
  const sent = types.length === 0 ? "no logs" : types.join(", ");
  return {
    status: "fail",
    text: `${firewall.name} sends ${sent}, not ALERT or FLOW logs to a destination`,
  };
}

function judgeVpc(
  vpc: CanonicalResource,
  context: OwnerEvaluationContext,
  evidence: Evidence[],
): Outcome {
  const vpcId =
    readString(vpc.raw, "configuration.vpcId") ?? readString(vpc.raw, "resourceId") ?? vpc.id;
  const firewalls = context.index.network.networkFirewallsIn(vpc.region, vpcId);
  const outcomes = firewalls.map((firewall) => judgeNetworkFirewall(firewall, context, evidence));
  const logged = outcomes.find((o) => o.status === "pass");
  if (logged !== undefined) return { status: "pass", text: `${vpc.name}: ${logged.text}` };
  if (firewalls.length > 0) {
    return {
      status: outcomes.every((o) => o.status === "fail") ? "fail" : "error",
      text: `${vpc.name}: ${outcomes.map((o) => o.text).join("; ")}`,
    };
  }
  evidence.push(
    derived(`${vpc.id}#AWS::NetworkFirewall::Firewall`, undefined, "a firewall in the VPC"),
  );
  const unplaced = context.index.network.unplacedNetworkFirewallsOf(vpc.account);
  if (unplaced.length > 0) {
    return {
      status: "error",
      text:
        `${vpc.name}: no firewall found, and firewall(s) ` +
        `${unplaced.map((f) => f.name).join(", ")} name no VPC`,
    };
  }
  return context.index.isCollectedComplete("aws", vpc.account, vpc.region)
    ? { status: "fail", text: `${vpc.name}: no Network Firewall in the VPC` }
    : {
        status: "error",
        text:
          `${vpc.name}: no Network Firewall seen, but region ${vpc.region ?? "unknown"} ` +
          "was not collected completely",
      };
}

function judgeAwsAccount(accountId: string, context: OwnerEvaluationContext): OwnerVerdictRow {
  const subject = accountSubject("aws", accountId);
  const account = describeAccount("aws", accountId);
  const evidence: Evidence[] = [];
  const outcomes: Outcome[] = [];
  let nonDefault = 0;
  for (const vpc of context.index.network.vpcsOf(accountId)) {
    const isDefault = readPath(vpc.raw, "configuration.isDefault");
    if (isDefault === true) continue;
    if (isDefault !== false) {
      evidence.push(derived(`${vpc.id}#configuration.isDefault`, isDefault, false));
      outcomes.push({
        status: "error",
        text:
          `${vpc.name} has configuration.isDefault ${formatValue(isDefault)}, ` +
          "so whether it is a default VPC is unknown",
      });
      continue;
    }
    nonDefault += 1;
    outcomes.push(judgeVpc(vpc, context, evidence));
  }
  if (outcomes.length === 0) {
    const noVpc = [
      derived("AWS::EC2::VPC (non-default)", [], "none, or each with a logged firewall"),
    ];
    return context.index.isCollectedComplete("aws", accountId)
      ? {
          subject,
          status: "not-applicable",
          message: `${account} has no non-default VPC`,
          evidence: noVpc,
        }
      : {
          subject,
          status: "error",
          message:
            `${account} shows no non-default VPC, but it was not collected completely; ` +
            "whether egress is inspected is unknown",
          evidence: noVpc,
        };
  }
  const incomplete = incompleteCollection("aws", accountId, context, evidence);
  if (incomplete !== null) outcomes.push(incomplete);
  return accountRow(
    subject,
    account,
    outcomes,
    evidence,
    nonDefault === 1 ? "VPC" : "non-default VPC",
  );
}

// Limitation: Azure routes are not read: a firewall in the virtual network, or in one peered
// with it, counts as the egress path even when no route table sends traffic through it.
// Limitation: Azure firewalls in a Virtual WAN hub (`AZFW_Hub`, no virtual network subnet) are
// not recognised as egress firewalls.
// Limitation: AWS inspection in a central VPC behind a Transit Gateway is not recognised: only a
// Network Firewall in the VPC itself counts.

/** Egress leaves every network of a tenant's accounts through a firewall that logs rule hits. */
export const egressFirewallLogged: OwnerControl = {
  id: "network.egress-firewall-logged",
  scope: "owner",
  title: "Egress leaves through a firewall whose rule hits are logged",
  severity: "high",
  rationale:
    "Prompts and retrieved documents can leave through any outbound path. A firewall on the " +
    "egress path limits where data may go, and only logged rule hits let an investigator show " +
    "what left, where to and when; without logs a breach cannot be scoped.",
  remediation: {
    azure:
      "Place an Azure Firewall in each virtual network or in the hub it peers with, route egress " +
      "through it, and add a diagnostic setting that sends allLogs (or the application and " +
      "network rule categories) to a Log Analytics workspace, storage account or event hub.",
    aws:
      "Deploy AWS Network Firewall in each non-default VPC and configure logging that sends " +
      "ALERT and FLOW logs to CloudWatch Logs, S3 or Kinesis Data Firehose.",
  },
  references: [
    {
      kind: "azure-policy",
      name:
        "Enable logging by category group for Firewall " +
        "(microsoft.network/azurefirewalls) to Log Analytics",
    },
    {
      kind: "documentation",
      title: "Monitor Azure Firewall logs and metrics",
      url: "https://learn.microsoft.com/azure/firewall/firewall-diagnostics",
      provider: "azure",
    },
    { kind: "aws-config-rule", name: "netfw-logging-enabled" },
  ],
  resourceTypes: ["Microsoft.Resources/subscriptions", "AWS::::Account"],

  evaluate(context) {
    // The subject is a tenant's account: the platform's shared accounts get no rows of their
    // own, and an account a tenant lists too gets its row from that tenant's evaluation.
    if (context.owner.id === PLATFORM_OWNER_ID) return [];
    return [
      ...context.owner.accounts.azure.map((subscription) =>
        judgeSubscription(subscription, context),
      ),
      ...context.owner.accounts.aws.map((account) => judgeAwsAccount(account, context)),
    ];
  },
};
