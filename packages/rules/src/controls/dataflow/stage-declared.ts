import { DATAFLOW_STAGES, PLATFORM_OWNER_ID } from "../../policy/types.js";
import { stageSubject } from "../owner-subjects.js";
import type { OwnerControl, OwnerVerdictRow } from "../types.js";

const EXPECTED = "a selector: resource globs, tags or both";

/** Each tenant's data-flow map declares all six stages. */
export const stageDeclared: OwnerControl = {
  id: "dataflow.stage-declared",
  scope: "owner",
  title: "Each tenant's data-flow map declares all six stages of its LLM workload",
  severity: "medium",
  rationale:
    "An auditor signs off where prompts are composed, where retrieval runs, where the model is " +
    "called and where responses, tool calls and the audit trail go. A stage missing from the " +
    "map is a part of the data flow that no residency check can see.",
  remediation: {
    azure:
      "Add the missing stage to the tenant's dataflow map in the policy file, selecting its " +
      "Azure resources by id glob (for example a resource group) or by a stage tag on them.",
    aws:
      "Add the missing stage to the tenant's dataflow map in the policy file, selecting its AWS " +
      "resources by ARN glob or by a stage tag on the resources.",
  },
  references: [
    {
      kind: "documentation",
      title: "GDPR Article 30: records of processing activities",
      url: "https://gdpr-info.eu/art-30-gdpr/",
    },
  ],
  resourceTypes: ["*"],

  evaluate(context) {
    const { owner } = context;
    if (owner.id === PLATFORM_OWNER_ID) return [];
    return DATAFLOW_STAGES.map((stage): OwnerVerdictRow => {
      const selector = owner.dataflow[stage];
      const path = `tenants[${owner.id}].dataflow.${stage}`;
      if (selector === undefined) {
        return {
          subject: stageSubject(owner.id, stage),
          status: "fail",
          message:
            `Tenant ${owner.id}'s data-flow map does not declare stage ${stage}; ` +
            "expected all six stages declared",
          evidence: [{ path, expected: EXPECTED }],
        };
      }
      return {
        subject: stageSubject(owner.id, stage),
        status: "pass",
        message: `Tenant ${owner.id}'s data-flow map declares stage ${stage}`,
        evidence: [{ path, actual: selector, expected: EXPECTED }],
      };
    });
  },
};
