import { isAbsent, isRecord, readPath, readString } from "../../canonical/document.js";
import type { CanonicalResource, Evidence } from "../../model.js";
import {
  AZURE_DATA_PLANE_TYPES,
  CONNECTIONS_PATH,
  type ConnectionStanding,
  DELEGATED_SUBNET_PATH,
  describeConnection,
  readConnectionStandings,
} from "../private-endpoint-connections.js";
import type { EvaluationContext, ResourceControl, VerdictRow } from "../types.js";
import {
  checkCollected,
  derived,
  describeResource,
  formatValue,
  observe,
  row,
} from "../verdicts.js";

/** The AI runtimes a VPC must reach privately, by the AWS items that show they are in use. */
const AI_RUNTIMES = [
  { uses: "bedrock", label: "Bedrock", suffix: "bedrock-runtime" },
  { uses: "sagemaker", label: "SageMaker", suffix: "sagemaker.runtime" },
] as const;

/** VPC endpoint states as EC2 documents them, lower-cased; anything else is an error. */
const ENDPOINT_STATES = new Set([
  "pendingacceptance",
  "pending",
  "available",
  "deleting",
  "deleted",
  "rejected",
  "failed",
  "expired",
  "partial",
]);

function describeStanding(standing: ConnectionStanding): string {
  const connection = describeConnection(standing);
  switch (standing.outcome) {
    case "unresolved":
      return `${connection}: ${standing.reason ?? "no state"}`;
    case "unknown-status":
      return (
        `${connection} is in state ${formatValue(standing.status)}, ` +
        "which this control does not know"
      );
    default:
      return `${connection} is ${formatValue(standing.status)}`;
  }
}

function judgeVnetIntegration(resource: CanonicalResource): VerdictRow | null {
  const subnet = readPath(resource.raw, DELEGATED_SUBNET_PATH);
  if (isAbsent(subnet)) return null;
  const evidence = [observe(resource, DELEGATED_SUBNET_PATH, "a delegated subnet id")];
  if (typeof subnet !== "string") {
    return row(
      "error",
      `${describeResource(resource)} has ${DELEGATED_SUBNET_PATH} = ${formatValue(subnet)}, ` +
        "which is not a subnet id",
      evidence,
    );
  }
  return row(
    "pass",
    `${describeResource(resource)} is integrated into a virtual network ` +
      `(${DELEGATED_SUBNET_PATH} = ${formatValue(subnet)}), so it is reached privately`,
    evidence,
  );
}

function judgeAzure(resource: CanonicalResource, context: EvaluationContext): VerdictRow {
  const name = describeResource(resource);
  if (resource.type === "Microsoft.DBforPostgreSQL/flexibleServers") {
    const integrated = judgeVnetIntegration(resource);
    if (integrated !== null) return integrated;
  }

  const list = readPath(resource.raw, CONNECTIONS_PATH);
  const expected = "at least one connection in state Approved";
  if (!isAbsent(list) && !Array.isArray(list)) {
    return row(
      "error",
      `${name} has ${CONNECTIONS_PATH} = ${formatValue(list)}, which is not a list; expected ` +
        expected,
      [observe(resource, CONNECTIONS_PATH, expected)],
    );
  }
  const standings = readConnectionStandings(resource, context);
  if (standings.length === 0) {
    return row(
      "fail",
      `${name} lists no private endpoint connection (${CONNECTIONS_PATH} ` +
        `${formatValue(list)}); expected ${expected}`,
      [observe(resource, CONNECTIONS_PATH, expected)],
    );
  }

  const evidence = standings.map((standing) => standing.evidence);
  const approved = standings.filter((standing) => standing.outcome === "approved");
  if (approved.length > 0) {
    return row(
      "pass",
      `${name} has ${approved.length} Approved private endpoint connection(s) ` +
        `(${approved.map(describeConnection).join(", ")})`,
      evidence,
    );
  }
  const unreadable = standings.filter(
    (standing) => standing.outcome === "unresolved" || standing.outcome === "unknown-status",
  );
  if (unreadable.length > 0) {
    return row(
      "error",
      `${name} has no connection known to be Approved: ` +
        `${standings.map(describeStanding).join("; ")}; expected ${expected}`,
      evidence,
    );
  }
  return row(
    "fail",
    `${name} has no Approved private endpoint connection ` +
      `(${standings.map(describeStanding).join("; ")}); Pending, Rejected and Disconnected ` +
      "connections carry no traffic",
    evidence,
  );
}

/** The state of a VPC endpoint, written as a string or as `{ value }`. */
function endpointState(endpoint: CanonicalResource): unknown {
  const state = readPath(endpoint.raw, "configuration.state");
  return isRecord(state) ? state.value : state;
}

type RuntimeOutcome = { status: "pass" | "fail" | "error"; text: string };

function judgeRuntime(
  runtime: (typeof AI_RUNTIMES)[number],
  endpoints: readonly CanonicalResource[],
  complete: boolean,
  evidence: Evidence[],
  where: string,
): RuntimeOutcome {
  const matching = endpoints.filter((endpoint) =>
    (readString(endpoint.raw, "configuration.serviceName") ?? "")
      .toLowerCase()
      .endsWith(runtime.suffix),
  );
  for (const endpoint of matching) {
    evidence.push(
      derived(`${endpoint.id}#configuration.state`, endpointState(endpoint), "available"),
    );
  }
  const states = matching.map((endpoint) => ({ endpoint, state: endpointState(endpoint) }));
  const available = states.filter(
    ({ state }) => typeof state === "string" && state.toLowerCase() === "available",
  );
  if (available.length > 0) {
    return {
      status: "pass",
      text:
        `${runtime.suffix} endpoint ` +
        `${available.map(({ endpoint }) => endpoint.name).join(", ")} is available`,
    };
  }
  const unknown = states.filter(
    ({ state }) => typeof state !== "string" || !ENDPOINT_STATES.has(state.toLowerCase()),
  );
  if (unknown.length > 0) {
    return {
      status: "error",
      text: unknown
        .map(
          ({ endpoint, state }) =>
            `${runtime.suffix} endpoint ${endpoint.name} has state ${formatValue(state)}, ` +
            "which this control does not know",
        )
        .join("; "),
    };
  }
  if (states.length > 0) {
    return {
      status: "fail",
      text: states
        .map(
          ({ endpoint, state }) =>
            `${runtime.suffix} endpoint ${endpoint.name} is ${formatValue(state)}`,
        )
        .join("; "),
    };
  }
  evidence.push(
    derived(
      `AWS::EC2::VPCEndpoint with serviceName ending ${runtime.suffix}`,
      undefined,
      "available",
    ),
  );
  return complete
    ? { status: "fail", text: `no ${runtime.suffix} endpoint` }
    : {
        status: "error",
        text: `no ${runtime.suffix} endpoint seen, but ${where} was not collected completely`,
      };
}

function judgeVpc(resource: CanonicalResource, context: EvaluationContext): VerdictRow {
  const name = describeResource(resource);
  const isDefault = readPath(resource.raw, "configuration.isDefault");
  const evidence: Evidence[] = [observe(resource, "configuration.isDefault", false)];
  if (isDefault === true) {
    return row(
      "not-applicable",
      `${name} is a default VPC (configuration.isDefault true)`,
      evidence,
    );
  }
  if (isDefault !== false) {
    return row(
      "error",
      `${name} has configuration.isDefault ${formatValue(isDefault)}; whether it is a default ` +
        "VPC cannot be told (expected true or false)",
      evidence,
    );
  }
  const vpcId =
    readString(resource.raw, "configuration.vpcId") ?? readString(resource.raw, "resourceId");
  if (vpcId === undefined) {
    return row("error", `${name} has no configuration.vpcId`, [
      observe(resource, "configuration.vpcId", "a VPC id"),
    ]);
  }

  const where = `region ${resource.region ?? "unknown"} of AWS account ${resource.account}`;
  const complete = context.index.isCollectedComplete("aws", resource.account, resource.region);
  const inUse = context.index.network.aiResourcesIn(resource.account, resource.region);
  const needed = AI_RUNTIMES.filter((runtime) => inUse[runtime.uses].length > 0);
  if (needed.length === 0) {
    return complete
      ? row(
          "not-applicable",
          `${name}: ${where} holds no Bedrock or SageMaker resources, ` +
            "so no runtime endpoint is needed",
          evidence,
        )
      : row(
          "error",
          `${name}: whether ${where} holds Bedrock or SageMaker resources is unknown, because it ` +
            "was not collected completely",
          evidence,
        );
  }

  const endpoints = context.index.network.vpcEndpointsOf(resource.region, vpcId);
  const outcomes = needed.map((runtime) => ({
    runtime,
    ...judgeRuntime(runtime, endpoints, complete, evidence, where),
  }));
  const summary = outcomes
    .map((o) => `${o.runtime.label} (${inUse[o.runtime.uses].length} resource(s)): ${o.text}`)
    .join("; ");
  const expected = needed.map((runtime) => runtime.suffix).join(" and ");
  if (outcomes.some((o) => o.status === "fail")) {
    return row(
      "fail",
      `${name} in ${where} has no available runtime endpoint for every AI service used there: ` +
        `${summary}; expected an available ${expected} endpoint`,
      evidence,
    );
  }
  if (outcomes.some((o) => o.status === "error")) {
    return row("error", `${name} in ${where} cannot be judged: ${summary}`, evidence);
  }
  // The pass covers the runtimes in use; one not seen in a partly collected region may be in use.
  const unseen = AI_RUNTIMES.filter((runtime) => !needed.includes(runtime));
  if (!complete && unseen.length > 0) {
    evidence.push(
      derived(
        `${resource.account}/${resource.region ?? "unknown"}#collection.status`,
        context.index.accountCollection("aws", resource.account)?.status,
        "complete",
      ),
    );
    return row(
      "error",
      `${name} reaches ${needed.map((runtime) => runtime.label).join(" and ")} privately ` +
        `(${summary}), but ${where} was not collected completely, so whether it also runs ` +
        `${unseen.map((runtime) => runtime.label).join(" or ")}, which would need an available ` +
        `${unseen.map((runtime) => runtime.suffix).join(" or ")} endpoint, is unknown`,
      evidence,
    );
  }
  return row("pass", `${name} reaches the AI services of ${where} privately: ${summary}`, evidence);
}

// Limitation: VPC endpoints that another account creates in a shared VPC are found only when
// that account is scanned too; a missing endpoint is judged on the VPC owner's collection.

/** Data-plane resources are reached through approved private endpoints. */
export const privateEndpoint: ResourceControl = {
  id: "network.private-endpoint",
  scope: "resource",
  title: "Every data-plane resource has an approved private endpoint",
  severity: "high",
  rationale:
    "With public access switched off, a private endpoint is the only path to a service; a " +
    "connection that is still Pending, or was Rejected or Disconnected, carries no traffic. " +
    "On AWS, workloads in a VPC that call Bedrock or SageMaker without an interface endpoint " +
    "send prompts over the internet path instead of the AWS network.",
  remediation: {
    azure:
      "Create a private endpoint for the resource (group id account, searchService, blob, vault " +
      "or postgresqlServer) in the workload's virtual network and approve its connection on the " +
      "resource; PostgreSQL flexible servers may use VNet integration instead.",
    aws:
      "Create interface VPC endpoints for com.amazonaws.<region>.bedrock-runtime and " +
      "com.amazonaws.<region>.sagemaker.runtime in each non-default VPC of a region that runs " +
      "Bedrock or SageMaker, and accept them so that their state is available.",
  },
  references: [
    { kind: "azure-policy", name: "Cognitive Services should use private link" },
    { kind: "azure-policy", name: "Azure Cognitive Search services should use private link" },
    { kind: "azure-policy", name: "Storage accounts should use private link" },
    { kind: "azure-policy", name: "Azure Key Vaults should use private link" },
    {
      kind: "azure-policy",
      name: "Private endpoint should be enabled for PostgreSQL flexible servers",
    },
    { kind: "aws-config-rule", name: "service-vpc-endpoint-enabled" },
  ],
  resourceTypes: [...AZURE_DATA_PLANE_TYPES, "AWS::EC2::VPC"],

  evaluate(resource, context) {
    const notCollected = checkCollected(resource);
    if (notCollected !== null) return notCollected;
    return resource.provider === "aws"
      ? judgeVpc(resource, context)
      : judgeAzure(resource, context);
  },
};
