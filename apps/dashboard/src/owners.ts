import { UNMAPPED_TENANT } from "@plumbline/api/contract/common.js";
import type { Tenant } from "./api/types.js";

/** The owner id filters use: a tenant id, `platform`, or the marker for unmapped accounts. */
export function ownerFilterValue(tenant: string | null): string {
  return tenant ?? UNMAPPED_TENANT;
}

/** A person's name for an owner: the policy's name, else its id. */
export function ownerName(tenant: string | null, tenants: Tenant[]): string {
  if (tenant === null) {
    return "Unmapped accounts";
  }
  return tenants.find((candidate) => candidate.id === tenant)?.name ?? tenant;
}
