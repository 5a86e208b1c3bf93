import {
  type CanonicalResource,
  DATAFLOW_STAGES,
  DataflowIndex,
  isInForce,
  type Owner,
} from "@plumbline/rules";
import { tables } from "@plumbline/store";
import { and, eq, like } from "drizzle-orm";
import { accountVisible, ownerVisible } from "../auth/access-scope.js";
import { type ApiContext, type ApiInstance, authOf } from "../context.js";
import { dataflowParamsSchema, dataflowResponseSchema } from "../contract/dataflow.js";
import { forbidden, notFound } from "../errors.js";
import { encodeResourceRef } from "../http/identifiers.js";
import { type FindingView, findingsAbout } from "../read/finding-query.js";
import { bearerSecurity, errorResponses } from "./route-schema.js";

const STAGE_REGION = "dataflow.stage-region";

/** True when the region is one the tenant allows, or a fallback whose contract still runs. */
function regionApproved(owner: Owner, region: string | null, now: Date): boolean | null {
  if (region === null) return null;
  const wanted = region.toLowerCase();
  if (owner.regions.allowed.some((allowed) => allowed.toLowerCase() === wanted)) return true;
  return owner.regions.fallback.some(
    (fallback) => fallback.region.toLowerCase() === wanted && isInForce(fallback.until, now),
  );
}

/** The worst verdict among a stage's findings; a stage without any has no evidence: error. */
function stageStatus(findings: readonly FindingView[]): "pass" | "fail" | "error" {
  if (findings.some((finding) => finding.status === "fail")) return "fail";
  if (findings.some((finding) => finding.status === "error")) return "error";
  return findings.length === 0 ? "error" : "pass";
}

export function registerDataflowRoutes(app: ApiInstance, context: ApiContext): void {
  app.get(
    "/api/v1/dataflow/:tenant",
    {
      config: { access: "read" },
      schema: {
        tags: ["posture"],
        summary: "A tenant's data-flow map: the six stages, their resources, regions and findings",
        security: bearerSecurity,
        params: dataflowParamsSchema,
        response: { 200: dataflowResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { scope } = authOf(request);
      const owner = context.policy.tenants.find((tenant) => tenant.id === request.params.tenant);
      if (owner === undefined) throw notFound(`tenant ${request.params.tenant}`);
      if (!ownerVisible(scope, owner.id)) {
        throw forbidden("the tenant is outside the token's scope");
      }

      // Limitation: the map is rebuilt from the whole current inventory on every request, so
      // its cost grows with the estate rather than with the tenant's selection.
      const index = new DataflowIndex({ ...context.policy, tenants: [owner] });
      for await (const page of context.store.streamResources()) {
        for (const resource of page) index.add(resource);
      }
      const fs = tables.findingState;
      const findings = await findingsAbout(
        context.store.database,
        and(eq(fs.tenant, owner.id), like(fs.control, "dataflow.%")) ?? eq(fs.tenant, owner.id),
        scope,
      );
      const regionVerdicts = new Map(
        findings
          .filter((finding) => finding.control === STAGE_REGION)
          .map((finding) => [`${finding.provider}|${finding.subjectKey}`, finding.status]),
      );
      const now = context.clock();

      const stages = DATAFLOW_STAGES.map((stage) => {
        const selector = owner.dataflow[stage];
        const selected: CanonicalResource[] =
          selector === undefined ? [] : index.selectedBy(owner.id, stage);
        const keys = new Set(selected.map((resource) => `${resource.provider}|${resource.key}`));
        const stagePath = `tenant/${owner.id}/dataflow/${stage}`;
        const stageFindings = findings.filter(
          (finding) =>
            finding.subjectKey === stagePath ||
            (finding.control === STAGE_REGION &&
              keys.has(`${finding.provider}|${finding.subjectKey}`)),
        );
        return {
          stage,
          declared: selector !== undefined,
          selector:
            selector === undefined ? null : { resources: selector.resources, tags: selector.tags },
          status: selector === undefined ? ("not-declared" as const) : stageStatus(stageFindings),
          resources: selected.map((resource, position) => {
            const judged = {
              provider: resource.provider,
              type: resource.type,
              region: resource.region,
              regionApproved: regionApproved(owner, resource.region, now),
              verdict: regionVerdicts.get(`${resource.provider}|${resource.key}`) ?? null,
            };
            // A selector may reach into another owner's accounts; a scoped token learns where
            // the box is and how it was judged, not what the other owner's resource is.
            if (!accountVisible(scope, context.policy, resource.provider, resource.account)) {
              const blank = { key: "", resourceId: "", name: "", account: "" };
              return { ...judged, ...blank, ref: `hidden-${position}`, hidden: true };
            }
            return {
              ...judged,
              ref: encodeResourceRef(resource),
              key: resource.key,
              resourceId: resource.id,
              name: resource.name,
              account: resource.account,
              hidden: false,
            };
          }),
          findings: stageFindings,
        };
      });
      return {
        tenant: owner.id,
        name: owner.name,
        regions: {
          allowed: owner.regions.allowed,
          fallback: owner.regions.fallback.map((entry) => ({ ...entry })),
        },
        stages,
      };
    },
  );
}
