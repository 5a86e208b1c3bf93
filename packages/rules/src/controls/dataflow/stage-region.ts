import type { CanonicalResource } from "../../model.js";
import { PLATFORM_OWNER_ID } from "../../policy/types.js";
import { resourceSubject } from "../owner-subjects.js";
import { aiProcessingScope } from "../residency/ai-processing-scope.js";
import { regionAllowed } from "../residency/region-allowed.js";
import type { EvaluationContext, OwnerControl, OwnerVerdictRow, VerdictRow } from "../types.js";

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
    },
  ],
  resourceTypes: ["*"],

  evaluate(context) {
    if (context.owner.id === PLATFORM_OWNER_ID) return [];
    return context.index.dataflow
      .selectionsOf(context.owner.id)
      .map(({ resource, stages }): OwnerVerdictRow => {
        const verdicts = [judgeRegion(resource, context)];
        if (stages.includes("model-call") && processesPrompts(resource)) {
          verdicts.push(aiProcessingScope.evaluate(resource, context));
        }
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
