import { type ApiContext, type ApiInstance, authOf } from "../context.js";
import { UNMAPPED_TENANT } from "../contract/common.js";
import { postureQuerySchema, postureResponseSchema } from "../contract/posture.js";
import { listValues } from "../http/identifiers.js";
import { computePosture } from "../read/posture.js";
import { bearerSecurity, errorResponses } from "./route-schema.js";

export function registerPostureRoutes(app: ApiInstance, context: ApiContext): void {
  app.get(
    "/api/v1/posture",
    {
      config: { access: "read" },
      schema: {
        tags: ["posture"],
        summary: "Current verdict counts per owner and area, with a 30-day trend",
        security: bearerSecurity,
        querystring: postureQuerySchema,
        response: { 200: postureResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { scope } = authOf(request);
      const wanted = listValues(request.query.tenant);
      const only = (tenant: string | null) =>
        wanted === undefined || wanted.includes(tenant ?? UNMAPPED_TENANT);
      const owners = [
        context.policy.platform?.id ?? null,
        ...context.policy.tenants.map((t) => t.id),
      ]
        .filter((owner): owner is string => owner !== null)
        .filter((owner) => scope.all || scope.owners.has(owner));
      const now = context.clock();
      const result = await computePosture(context.store.database, scope, owners, now, only);
      return { generatedAt: now.toISOString(), owners: result };
    },
  );
}
