import { type Owner, PLATFORM_OWNER_ID } from "@plumbline/rules";
import { ownerVisible } from "../auth/access-scope.js";
import { type ApiContext, type ApiInstance, authOf } from "../context.js";
import { tenantListResponseSchema } from "../contract/tenants.js";
import { type LatestCollection, latestCollections } from "../read/account-status.js";
import { bearerSecurity, errorResponses } from "./route-schema.js";

const HOUR_MS = 3_600_000;

function accountStatuses(owner: Owner, latest: Map<string, LatestCollection>, now: Date) {
  return (["azure", "aws"] as const).flatMap((provider) =>
    owner.accounts[provider].map((account) => {
      const collection = latest.get(`${provider}|${account.toLowerCase()}`);
      if (collection === undefined) {
        return {
          provider,
          account,
          status: "never-collected" as const,
          reason: null,
          resources: null,
          lastScanId: null,
          lastCollectedAt: null,
          ageHours: null,
        };
      }
      const ageMs = now.getTime() - collection.collectedAt.getTime();
      return {
        provider,
        account,
        status: collection.status,
        reason: collection.reason,
        resources: collection.resources,
        lastScanId: collection.scanId,
        lastCollectedAt: collection.collectedAt.toISOString(),
        ageHours: Math.max(0, Math.round((ageMs / HOUR_MS) * 10) / 10),
      };
    }),
  );
}

export function registerTenantRoutes(app: ApiInstance, context: ApiContext): void {
  app.get(
    "/api/v1/tenants",
    {
      config: { access: "read" },
      schema: {
        tags: ["posture"],
        summary: "The tenants and the platform in scope, with their accounts' last collection",
        security: bearerSecurity,
        response: { 200: tenantListResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { scope } = authOf(request);
      const latest = await latestCollections(context.store.database);
      const now = context.clock();
      const owners = [context.policy.platform, ...context.policy.tenants].filter(
        (owner): owner is Owner => owner !== null && ownerVisible(scope, owner.id),
      );
      return {
        items: owners.map((owner) => ({
          id: owner.id,
          name: owner.name,
          kind: owner.id === PLATFORM_OWNER_ID ? ("platform" as const) : ("tenant" as const),
          regions: {
            allowed: owner.regions.allowed,
            fallback: owner.regions.fallback.map((entry) => ({ ...entry })),
          },
          processingScope: owner.processingScope,
          accounts: accountStatuses(owner, latest, now),
        })),
      };
    },
  );
}
