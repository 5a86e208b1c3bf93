import { DATAFLOW_STAGES, PLATFORM_OWNER_ID } from "../../policy/types.js";
import { describeAccount, stageSubject } from "../owner-subjects.js";
import type { OwnerControl, OwnerVerdictRow } from "../types.js";

const EXPECTED = "at least one resource of the latest inventory";
const LISTED = 5;

/** Each declared stage selects at least one resource. */
export const stageResolves: OwnerControl = {
  id: "dataflow.stage-resolves",
  scope: "owner",
  title: "Each declared data-flow stage selects resources that exist",
  severity: "high",
  rationale:
    "A stage whose selector matches nothing describes infrastructure that is not there: the map " +
    "is stale, and the resources that really do the work are outside every residency check " +
    "while the diagram still looks complete.",
  remediation: {
    azure:
      "Correct the stage's resource globs or tags in the policy file so that they match the " +
      "Azure resources the stage runs on, or tag those resources with the stage's tags.",
    aws:
      "Correct the stage's ARN globs or tags in the policy file so that they match the AWS " +
      "resources the stage runs on, or tag those resources with the stage's tags.",
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
    const { owner, index } = context;
    if (owner.id === PLATFORM_OWNER_ID) return [];
    return DATAFLOW_STAGES.flatMap((stage): OwnerVerdictRow[] => {
      const selector = owner.dataflow[stage];
      if (selector === undefined) return [];
      const subject = stageSubject(owner.id, stage);
      const path = `tenants[${owner.id}].dataflow.${stage}`;
      const selected = index.dataflow.selectedBy(owner.id, stage);
      const evidence = [
        { path, actual: selector, expected: EXPECTED },
        { path: "selected", actual: selected.map((resource) => resource.id), expected: EXPECTED },
      ];
      if (selected.length > 0) {
        const names = selected.slice(0, LISTED).map((resource) => resource.name);
        const more = selected.length > LISTED ? `, and ${selected.length - LISTED} more` : "";
        return [
          {
            subject,
            status: "pass",
            message:
              `Stage ${stage} of tenant ${owner.id} selects ${selected.length} resource(s): ` +
              `${names.join(", ")}${more}`,
            evidence,
          },
        ];
      }
      const incomplete = index.dataflow
        .accountsSelectableBy(selector)
        .filter(({ provider, account }) => !index.isCollectedComplete(provider, account));
      if (incomplete.length > 0) {
        return [
          {
            subject,
            status: "error",
            message:
              `Stage ${stage} of tenant ${owner.id} selects nothing, but ` +
              `${incomplete.map((a) => describeAccount(a.provider, a.account)).join(", ")}, ` +
              "where it could match, was not collected completely",
            evidence,
          },
        ];
      }
      return [
        {
          subject,
          status: "fail",
          message:
            `Stage ${stage} of tenant ${owner.id} selects nothing in the latest inventory: its ` +
            `selector is stale; expected ${EXPECTED}`,
          evidence,
        },
      ];
    });
  },
};
