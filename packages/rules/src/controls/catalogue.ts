/**
 * Every control id of the catalogue (CONTROLS.md, v1), whether or not it is implemented yet:
 * the policy file may configure and waive any of them.
 */
export const CONTROL_IDS = [
  "residency.region-allowed",
  "residency.ai-processing-scope",
  "residency.key-location",
  "keys.storage-cmk",
  "keys.ai-cmk",
  "keys.database-cmk",
  "keys.vault-recoverable",
  "keys.cmk-usable",
  "identity.local-auth-disabled",
  "identity.managed-identity",
  "network.public-access-disabled",
  "network.private-endpoint",
  "network.private-dns",
  "network.egress-firewall-logged",
  "tenancy.account-dedicated",
  "tenancy.model-allowed",
  "dataflow.stage-declared",
  "dataflow.stage-resolves",
  "dataflow.stage-region",
] as const;

/** A control id of the catalogue. */
export type ControlId = (typeof CONTROL_IDS)[number];

const controlIds: ReadonlySet<string> = new Set(CONTROL_IDS);

/** True when `id` names a control of the catalogue. */
export function isControlId(id: string): id is ControlId {
  return controlIds.has(id);
}
