import { ownersOfAccount, type Policy, type Provider } from "@plumbline/rules";
import { type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";

/**
 * What a token may see: every owner (`all`, which includes unmapped accounts), or the listed
 * owners (tenant ids and/or `platform`). Rows of any other owner never leave the API.
 */
export interface AccessScope {
  all: boolean;
  owners: ReadonlySet<string>;
  /** The accounts of the visible owners, as `provider|account`. */
  accounts: ReadonlySet<string>;
  /**
   * The owners the loaded policy declares. A tenant removed from the policy is evaluated no
   * more, so its last findings are history, never current posture (see `currentOwnerCondition`).
   */
  declaredOwners: ReadonlySet<string>;
}

function accountKey(provider: string, account: string): string {
  return `${provider}|${account.toLowerCase()}`;
}

/** The ids of the owners a policy declares: its tenants and its platform, if any. */
export function declaredOwnersOf(policy: Policy): ReadonlySet<string> {
  const owners = [policy.platform, ...policy.tenants].flatMap((owner) =>
    owner === null ? [] : [owner.id],
  );
  return new Set(owners);
}

/** The scope of a token's stored scope list (null = every owner). */
export function accessScopeOf(policy: Policy, scope: string[] | null): AccessScope {
  const declaredOwners = declaredOwnersOf(policy);
  if (scope === null) return { all: true, owners: new Set(), accounts: new Set(), declaredOwners };
  const owners = new Set(scope);
  const accounts = new Set<string>();
  for (const owner of [policy.platform, ...policy.tenants]) {
    if (owner === null || !owners.has(owner.id)) continue;
    for (const provider of ["azure", "aws"] as const) {
      for (const account of owner.accounts[provider]) accounts.add(accountKey(provider, account));
    }
  }
  return { all: false, owners, accounts, declaredOwners };
}

/** True when rows of this owner (null = unmapped accounts) are visible. */
export function ownerVisible(scope: AccessScope, owner: string | null): boolean {
  return scope.all || (owner !== null && scope.owners.has(owner));
}

/** True when the resources of this account are visible: an owner of it is in scope. */
export function accountVisible(
  scope: AccessScope,
  policy: Policy,
  provider: Provider,
  account: string,
): boolean {
  if (scope.all) return true;
  if (scope.accounts.has(accountKey(provider, account))) return true;
  return ownersOfAccount(policy, provider, account).some((owner) => scope.owners.has(owner));
}

/** A condition on an owner column that keeps only visible owners; undefined = no condition. */
export function ownerCondition(scope: AccessScope, column: AnyPgColumn): SQL | undefined {
  if (scope.all) return undefined;
  if (scope.owners.size === 0) return sql`false`;
  const owners = [...scope.owners];
  return sql`${column} in (${sql.join(
    owners.map((owner) => sql`${owner}`),
    sql`, `,
  )})`;
}

/**
 * A condition on the tenant column of current findings that keeps unmapped accounts (null) and
 * owners the policy still declares. Rows of a tenant removed from the policy stay stored, as
 * the record of what was once judged, but are never served as its current posture.
 *
 * Limitation: a tenant put back into the policy shows the findings it had when it was removed
 * as current until its next evaluation replaces them; their `lastEvaluatedAt` tells their age.
 */
export function declaredOwnerCondition(declared: ReadonlySet<string>, column: AnyPgColumn): SQL {
  if (declared.size === 0) return sql`${column} is null`;
  const owners = [...declared].map((owner) => sql`${owner}`);
  return sql`(${column} is null or ${column} in (${sql.join(owners, sql`, `)}))`;
}

/** The condition on finding_state's tenant column: visible to the token and still declared. */
export function currentOwnerCondition(scope: AccessScope, column: AnyPgColumn): SQL {
  const declared = declaredOwnerCondition(scope.declaredOwners, column);
  const visible = ownerCondition(scope, column);
  return visible === undefined ? declared : sql`(${visible} and ${declared})`;
}

/**
 * A condition on a (provider, account) pair of columns that keeps only accounts of visible
 * owners; undefined = no condition.
 */
export function accountCondition(
  scope: AccessScope,
  provider: AnyPgColumn,
  account: AnyPgColumn,
): SQL | undefined {
  if (scope.all) return undefined;
  if (scope.accounts.size === 0) return sql`false`;
  const pairs = [...scope.accounts].map((key) => {
    const [cloud = "", id = ""] = key.split("|");
    return sql`(${cloud}, ${id})`;
  });
  return sql`(${provider}::text, lower(${account})) in (${sql.join(pairs, sql`, `)})`;
}
