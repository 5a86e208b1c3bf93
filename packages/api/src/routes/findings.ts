import { referencesForProvider } from "@plumbline/rules";
import { tables } from "@plumbline/store";
import { and, asc, eq, sql } from "drizzle-orm";
import { accountVisible, ownerVisible } from "../auth/access-scope.js";
import { type ApiContext, type ApiInstance, authOf } from "../context.js";
import { idParamsSchema } from "../contract/common.js";
import {
  findingDetailResponseSchema,
  findingListQuerySchema,
  findingListResponseSchema,
} from "../contract/findings.js";
import { notFound } from "../errors.js";
import { decodeFindingId, encodeResourceRef } from "../http/identifiers.js";
import { countFindings, findingsAbout, queryFindingPage } from "../read/finding-query.js";
import { controlViewById, driftEventView, isoOrNull } from "../read/views.js";
import { bearerSecurity, errorResponses } from "./route-schema.js";

export function registerFindingRoutes(app: ApiInstance, context: ApiContext): void {
  const db = context.store.database;

  app.get(
    "/api/v1/findings",
    {
      config: { access: "read" },
      schema: {
        tags: ["findings"],
        summary: "Current findings, filtered and sorted, one keyset page at a time",
        security: bearerSecurity,
        querystring: findingListQuerySchema,
        response: { 200: findingListResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { scope } = authOf(request);
      const { sort, limit, cursor, ...filters } = request.query;
      const [page, total] = await Promise.all([
        queryFindingPage(db, { filters, scope, sort, limit, cursor }),
        countFindings(db, filters, scope),
      ]);
      return { ...page, total };
    },
  );

  app.get(
    "/api/v1/findings/:id",
    {
      config: { access: "read" },
      schema: {
        tags: ["findings"],
        summary: "One current finding with its evidence, control, resource and history",
        security: bearerSecurity,
        params: idParamsSchema,
        response: { 200: findingDetailResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { scope } = authOf(request);
      const identity = decodeFindingId(request.params.id);
      // A finding outside the scope answers like one that does not exist.
      if (identity === null || !ownerVisible(scope, identity.tenant)) throw notFound("the finding");
      const fs = tables.findingState;
      const [finding] = await findingsAbout(
        db,
        and(
          sql`${fs.tenant} is not distinct from ${identity.tenant}`,
          eq(fs.control, identity.control),
          eq(fs.subjectKey, identity.subjectKey),
        ) ?? sql`false`,
        scope,
      );
      if (finding === undefined) throw notFound("the finding");

      const r = tables.resources;
      const [stored] =
        finding.provider === null
          ? []
          : await db
              .select({
                provider: r.provider,
                key: r.key,
                resourceId: r.id,
                account: r.account,
                type: r.type,
                region: r.region,
                deletedAt: r.deletedAt,
                raw: r.raw,
              })
              .from(r)
              .where(and(eq(r.provider, finding.provider), eq(r.key, finding.subjectKey)));
      // A finding of an owner in scope may be about a resource in another owner's account (a
      // data-flow stage reaching across); that resource is shown only where its page would be.
      const resource =
        stored !== undefined &&
        accountVisible(scope, context.policy, stored.provider, stored.account)
          ? stored
          : undefined;
      const resourceRef = resource === undefined ? null : encodeResourceRef(resource);
      const de = tables.driftEvents;
      const history = await db
        .select()
        .from(de)
        .where(
          and(
            sql`${de.tenant} is not distinct from ${identity.tenant}`,
            eq(de.control, identity.control),
            eq(de.subjectKey, identity.subjectKey),
          ),
        )
        .orderBy(asc(de.at), asc(de.id));
      const control = controlViewById(finding.control, context.policy);
      return {
        finding,
        control:
          control === null
            ? null
            : {
                ...control,
                // The other cloud's rules and pages say nothing about this subject.
                references: referencesForProvider(control.references, finding.provider),
              },
        resource:
          resource === undefined || resourceRef === null
            ? null
            : {
                provider: resource.provider,
                key: resource.key,
                resourceId: resource.resourceId,
                type: resource.type,
                region: resource.region,
                raw: resource.raw,
                ref: resourceRef,
                deletedAt: isoOrNull(resource.deletedAt),
              },
        history: history.map((event) => driftEventView(event, resourceRef)),
      };
    },
  );
}
