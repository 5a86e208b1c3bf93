import { collectValues, type FoundValue } from "../../canonical/collect.js";
import { isAbsent } from "../../canonical/document.js";
import type { CanonicalResource } from "../../model.js";
import { PLATFORM_OWNER_ID } from "../../policy/types.js";
import { resourceSubject } from "../owner-subjects.js";
import { aiProcessingScope } from "../residency/ai-processing-scope.js";
import { regionAllowed } from "../residency/region-allowed.js";
import type { EvaluationContext, OwnerControl, OwnerVerdictRow, VerdictRow } from "../types.js";
import {
  checkCollected,
  derived,
  describeResource,
  formatValue,
  observe,
  row,
} from "../verdicts.js";

const AI_ACCOUNT = "Microsoft.CognitiveServices/accounts";

/**
 * Bedrock resources that send what they are given to a model, and the field (CloudFormation
 * names, under `configuration`) that names it by ARN or id.
 */
const BEDROCK_MODEL_FIELDS: Readonly<Record<string, string>> = {
  "AWS::Bedrock::KnowledgeBase":
    "configuration.KnowledgeBaseConfiguration.VectorKnowledgeBaseConfiguration.EmbeddingModelArn",
  "AWS::Bedrock::Prompt": "configuration.Variants[*].ModelId",
};

/** The field through which `residency.ai-processing-scope` reads a Bedrock model source. */
const COPY_FROM = "configuration.ModelSource.CopyFrom";
const APPLICATION_PROFILE_ARN =
  /^arn:aws[a-z-]*:bedrock:[^:]*:\d{12}:application-inference-profile\//i;
const BEDROCK_ARN = /^arn:aws[a-z-]*:bedrock:/i;
const IN_SCOPE = "a model within the tenant's processing scope";

/**
 * The resource as the region check reads it: a child without a location of its own (a model
 * deployment, a vault key) stands where its parent stands.
 */
function placed(resource: CanonicalResource): { view: CanonicalResource; inherited: boolean } {
  if (resource.parentKey === null || resource.location !== null || resource.region === null) {
    return { view: resource, inherited: false };
  }
  return { view: { ...resource, location: resource.region }, inherited: true };
}

function judgeRegion(resource: CanonicalResource, context: EvaluationContext): VerdictRow {
  const { view, inherited } = placed(resource);
  const verdict = regionAllowed.evaluate(view, context);
  if (!inherited) return verdict;
  return {
    ...verdict,
    evidence: verdict.evidence.map((item) =>
      item.path === "location" ? { ...item, path: "location (the parent's region)" } : item,
    ),
  };
}

function processesPrompts(resource: CanonicalResource): boolean {
  return (
    aiProcessingScope.appliesTo?.(resource) ??
    aiProcessingScope.resourceTypes.includes(resource.type)
  );
}

/** A verdict about another resource, its evidence paths prefixed with that resource's id. */
function about(resource: CanonicalResource, verdict: VerdictRow): VerdictRow {
  return {
    ...verdict,
    evidence: verdict.evidence.map((item) => ({ ...item, path: `${resource.id}#${item.path}` })),
  };
}

/**
 * The prompts sent to an Azure AI account are processed by its model deployments: each is judged
 * as `residency.ai-processing-scope` judges it. Deployments not seen are unknown unless the
 * account's subscription was collected completely.
 */
function judgeAccountDeployments(
  account: CanonicalResource,
  context: EvaluationContext,
): VerdictRow[] {
  const deployments = context.index.dataflow.modelDeploymentsOf(account.key);
  const verdicts = deployments.map((deployment) => {
    // A deployment read without its account has no region; it processes where the account is.
    const view =
      deployment.region === null && account.region !== null
        ? { ...deployment, region: account.region }
        : deployment;
    return about(deployment, aiProcessingScope.evaluate(view, context));
  });
  const evidence = [
    derived(
      `${account.id}/deployments`,
      deployments.map((deployment) => deployment.name),
      "every deployment within the tenant's processing scope",
    ),
  ];
  if (!context.index.isCollectedComplete("azure", account.account)) {
    verdicts.push(
      row(
        "error",
        `${describeResource(account)} may have model deployments that were not seen, because ` +
          `subscription ${account.account} was not collected completely; where its prompts are ` +
          "processed is unknown",
        evidence,
      ),
    );
  } else if (deployments.length === 0) {
    verdicts.push(
      row(
        "pass",
        `${describeResource(account)} has no model deployments, so it processes no prompts ` +
          "elsewhere",
        evidence,
      ),
    );
  }
  return verdicts;
}

/**
 * A Bedrock model named by id, as the ARN `residency.ai-processing-scope` reads: a system
 * inference profile id is a geography or `global.` prefix before a foundation model id
 * (`eu.anthropic.claude…`, two dots or more); a foundation model id is `<provider>.<model>`.
 */
function modelSourceArn(reference: string, resource: CanonicalResource): string | null {
  if (BEDROCK_ARN.test(reference)) return reference;
  const dots = reference.split(".").length - 1;
  const region = resource.region ?? "";
  if (dots >= 2)
    return `arn:aws:bedrock:${region}:${resource.account}:inference-profile/${reference}`;
  return dots === 1 ? `arn:aws:bedrock:${region}::foundation-model/${reference}` : null;
}

function judgeModelReference(
  resource: CanonicalResource,
  found: FoundValue,
  context: EvaluationContext,
): VerdictRow | null {
  const { path, value } = found;
  if (isAbsent(value)) return null;
  const name = describeResource(resource);
  const evidence = [observe(resource, path, IN_SCOPE)];
  if (typeof value !== "string") {
    return row(
      "error",
      `${name} has ${path} ${formatValue(value)}, not a model id or ARN`,
      evidence,
    );
  }
  const reference = value.trim();
  if (APPLICATION_PROFILE_ARN.test(reference)) {
    const profile = context.index.dataflow.inferenceProfile(reference);
    if (profile === undefined) {
      return row(
        "error",
        `${name} sends prompts through application inference profile ${reference} (${path}), ` +
          "which is not in the inventory; where it processes prompts is unknown",
        evidence,
      );
    }
    const verdict = about(profile, aiProcessingScope.evaluate(profile, context));
    return {
      ...verdict,
      message: `${name} sends prompts through the profile its ${path} names: ${verdict.message}`,
    };
  }
  const source = modelSourceArn(reference, resource);
  if (source === null) {
    return row(
      "error",
      `${name} has ${path} ${formatValue(value)}, which is neither a Bedrock model or inference ` +
        "profile ARN nor an id of one; where it processes prompts is unknown",
      evidence,
    );
  }
  // The processing-scope table reads a model source from an inference profile's CopyFrom, so
  // the named model is put there; messages and evidence then point back at the real field.
  const view = {
    ...resource,
    name: `${resource.name} (model ${formatValue(reference)} in ${path})`,
    raw: { ...resource.raw, configuration: { ModelSource: { CopyFrom: source } } },
  };
  const verdict = aiProcessingScope.evaluate(view, context);
  return {
    ...verdict,
    message: verdict.message.replaceAll(COPY_FROM, path).replaceAll("(copied from ", "(using "),
    evidence: verdict.evidence.map((item) => {
      if (item.path === COPY_FROM) return { ...item, path, actual: value };
      return { ...item, path: `${path}#${item.path}` };
    }),
  };
}

/** The models a selected Bedrock resource sends prompts to, each judged for its scope. */
function judgeBedrockModels(resource: CanonicalResource, context: EvaluationContext): VerdictRow[] {
  const pattern = BEDROCK_MODEL_FIELDS[resource.type];
  if (pattern === undefined) return [];
  const notCollected = checkCollected(resource);
  if (notCollected !== null) return [notCollected];
  return collectValues(resource.raw, pattern)
    .map((found) => judgeModelReference(resource, found, context))
    .filter((verdict): verdict is VerdictRow => verdict !== null);
}

/** What the model-call stage adds to the region check: where the resource's prompts go. */
function judgeModelCall(resource: CanonicalResource, context: EvaluationContext): VerdictRow[] {
  if (processesPrompts(resource)) return [aiProcessingScope.evaluate(resource, context)];
  if (resource.type === AI_ACCOUNT) return judgeAccountDeployments(resource, context);
  if (resource.provider === "aws") return judgeBedrockModels(resource, context);
  return [];
}

// Limitation: a Bedrock knowledge base or prompt selected by model-call is judged by the
// processing scope of the model it names; the region inside a foundation-model ARN is not
// compared with the resource's own region.
// Limitation: a Bedrock prompt variant without a model id, or a knowledge base without an
// embedding model, is judged by its region alone: the model it is used with is chosen by the
// caller and has to be selected by the stage itself.

/** Every resource a tenant's data-flow map selects is in an approved region of the tenant. */
export const stageRegion: OwnerControl = {
  id: "dataflow.stage-region",
  scope: "owner",
  title: "Every resource of a tenant's data flow is in one of the tenant's approved regions",
  severity: "critical",
  rationale:
    "The data-flow map is what the data-protection officer signs: each box must sit where the " +
    "tenant's data may be. A stage can use resources in shared platform accounts, and a model " +
    "call can process prompts outside the region its account sits in, so both the location and " +
    "the processing scope of every selected resource count.",
  remediation: {
    azure:
      "Move the selected resource to an approved region of the tenant (or record a fallback " +
      "region under contract), and redeploy model-call deployments with a deployment type " +
      "within the tenant's processing scope.",
    aws:
      "Move the selected resource to an approved region of the tenant (or record a fallback " +
      "region under contract), and recreate model-call inference profiles from a source within " +
      "the tenant's processing scope.",
  },
  references: [
    { kind: "azure-policy", name: "Allowed locations" },
    {
      kind: "documentation",
      title: "Amazon Bedrock: geographic cross-Region inference",
      url: "https://docs.aws.amazon.com/bedrock/latest/userguide/geographic-cross-region-inference.html",
      provider: "aws",
    },
  ],
  resourceTypes: ["*"],

  evaluate(context) {
    if (context.owner.id === PLATFORM_OWNER_ID) return [];
    return context.index.dataflow
      .selectionsOf(context.owner.id)
      .map(({ resource, stages }): OwnerVerdictRow => {
        const verdicts = [judgeRegion(resource, context)];
        if (stages.includes("model-call")) verdicts.push(...judgeModelCall(resource, context));
        const status = verdicts.some((v) => v.status === "fail")
          ? "fail"
          : verdicts.some((v) => v.status === "error")
            ? "error"
            : "pass";
        return {
          subject: resourceSubject(resource),
          status,
          message: `Selected by ${stages.join(", ")}: ${verdicts.map((v) => v.message).join("; ")}`,
          evidence: verdicts.flatMap((v) => v.evidence),
        };
      });
  },
};
