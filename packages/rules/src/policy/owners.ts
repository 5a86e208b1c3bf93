import type { Provider } from "../model.js";
import type { Owner, Policy } from "./types.js";

/** The platform (when the file names it) and every tenant, platform first. */
export function ownersOf(policy: Policy): Owner[] {
  return policy.platform === null ? [...policy.tenants] : [policy.platform, ...policy.tenants];
}

function listsAccount(owner: Owner, provider: Provider, account: string): boolean {
  if (provider === "azure") return owner.accounts.azure.includes(account.toLowerCase());
  return owner.accounts.aws.includes(account);
}

/**
 * Ids of the owners that list an account: tenant ids and/or `platform`. Empty for an unmapped
 * account; more than one when the file lists it twice (a `tenancy.account-dedicated` finding,
 * not a file error).
 */
export function ownersOfAccount(policy: Policy, provider: Provider, account: string): string[] {
  return ownersOf(policy)
    .filter((owner) => listsAccount(owner, provider, account))
    .map((owner) => owner.id);
}

/** The owner with an id (a tenant id or `platform`), or undefined. */
export function ownerById(policy: Policy, id: string): Owner | undefined {
  return ownersOf(policy).find((owner) => owner.id === id);
}

/**
 * True when a resource id matches a glob: without regard to case, `*` matching any run of
 * characters including `/`, everything else literally.
 */
export function matchesGlob(glob: string, id: string): boolean {
  const pattern = glob
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${pattern}$`, "is").test(id);
}
