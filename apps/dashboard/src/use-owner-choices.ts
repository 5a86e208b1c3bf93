import { tenantListResponseSchema } from "@plumbline/api/contract/tenants.js";
import type { Choice } from "./components/filter-field.js";
import { useApi } from "./use-api.js";

/** The owners the caller may see, as filter choices; none until the list has loaded. */
export function useOwnerChoices(): Choice[] {
  const tenants = useApi("/tenants", tenantListResponseSchema);
  return tenants.phase === "ready"
    ? tenants.data.items.map((tenant) => ({ value: tenant.id, label: tenant.name }))
    : [];
}
