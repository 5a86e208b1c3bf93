import {
  DataflowIndex,
  daysUntil,
  ownersOfAccount,
  type Policy,
  WAIVER_WARNING_DAYS,
  type Waiver,
} from "@plumbline/rules";
import { tables } from "@plumbline/store";
import { and, count, eq, sql } from "drizzle-orm";
import {
  type AccessScope,
  declaredOwnerCondition,
  declaredOwnersOf,
  ownerVisible,
} from "../auth/access-scope.js";
import { type ApiContext, type ApiInstance, authOf } from "../context.js";
import { waiverListResponseSchema } from "../contract/waivers.js";
import { bearerSecurity, errorResponses } from "./route-schema.js";

/**
 * The owners a waiver is known to concern: the owners of its account, of the accounts its
 * resource glob pins (a glob that could match any account pins none), and of the current
 * findings it waives. A waiver that concerns no owner is shown to all-owner tokens only.
 */
function ownersOfWaiver(
  policy: Policy,
  index: DataflowIndex,
  waiver: Waiver,
  waivedTenants: readonly (string | null)[],
): string[] {
  const owners = new Set<string>();
  if (waiver.account !== null) {
    for (const provider of ["azure", "aws"] as const) {
      for (const owner of ownersOfAccount(policy, provider, waiver.account)) owners.add(owner);
    }
  }
  if (waiver.resource !== null) {
    const accounts = index.accountsSelectableBy({ resources: [waiver.resource], tags: {} });
    if (accounts.length < index.namedAccounts().length) {
      for (const { provider, account } of accounts) {
        for (const owner of ownersOfAccount(policy, provider, account)) owners.add(owner);
      }
    }
  }
  for (const tenant of waivedTenants) if (tenant !== null) owners.add(tenant);
  return [...owners].sort();
}

function visible(scope: AccessScope, owners: readonly string[]): boolean {
  return scope.all || owners.some((owner) => scope.owners.has(owner));
}

export function registerWaiverRoutes(app: ApiInstance, context: ApiContext): void {
  const index = new DataflowIndex(context.policy);
  const declared = declaredOwnersOf(context.policy);

  app.get(
    "/api/v1/waivers",
    {
      config: { access: "read" },
      schema: {
        tags: ["controls"],
        summary: "The policy's waivers in scope, with days to expiry",
        security: bearerSecurity,
        response: { 200: waiverListResponseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { scope } = authOf(request);
      const now = context.clock();
      const fs = tables.findingState;
      const items = [];
      for (const waiver of context.policy.waivers) {
        const applied = await context.store.database
          .select({ tenant: fs.tenant, total: count() })
          .from(fs)
          .where(
            and(
              eq(fs.status, "waived"),
              declaredOwnerCondition(declared, fs.tenant),
              eq(fs.control, waiver.control),
              sql`${fs.waiver}->>'expires' = ${waiver.expires}`,
              sql`${fs.waiver}->>'reason' = ${waiver.reason}`,
            ),
          )
          .groupBy(fs.tenant);
        const owners = ownersOfWaiver(
          context.policy,
          index,
          waiver,
          applied.map((row) => row.tenant),
        );
        if (!visible(scope, owners)) continue;
        const findings = applied
          .filter((row) => ownerVisible(scope, row.tenant))
          .reduce((sum, row) => sum + row.total, 0);
        const days = daysUntil(waiver.expires, now) ?? 0;
        items.push({
          ...waiver,
          owners,
          daysToExpiry: days,
          state:
            days < 0
              ? ("expired" as const)
              : days <= WAIVER_WARNING_DAYS
                ? ("expiring" as const)
                : ("active" as const),
          findings,
        });
      }
      return { items };
    },
  );
}
