/** Helpers for ARM resource ids; comparisons never depend on case. */

const diagnosticSettingsSegment = "/providers/microsoft.insights/diagnosticsettings/";

/** The id lower-cased with exactly one leading slash and no trailing slash: a lookup key. */
export function normaliseArmId(id: string): string {
  const trimmed = id.trim().replace(/\/+$/, "").replace(/^\/*/, "/");
  return trimmed.toLowerCase();
}

/** The subscription id inside an ARM id, spelled as the id spells it. */
export function readSubscriptionId(id: string): string | undefined {
  return /^\/?subscriptions\/([^/]+)/i.exec(id.trim())?.[1];
}

/** The resource group inside an ARM id, spelled as the id spells it. */
export function readResourceGroup(id: string): string | undefined {
  return /^\/?subscriptions\/[^/]+\/resourcegroups\/([^/]+)/i.exec(id.trim())?.[1];
}

/**
 * The resource type an id names, lower-cased: `microsoft.keyvault/vaults/keys`. Extension
 * resources (ids with several `/providers/`) give the type after the last one.
 */
export function readTypeFromId(id: string): string | undefined {
  const key = normaliseArmId(id);
  const at = key.lastIndexOf("/providers/");
  if (at < 0) return undefined;
  const segments = key.slice(at + "/providers/".length).split("/");
  const namespace = segments[0];
  if (namespace === undefined || segments.length < 3) return undefined;
  const types: string[] = [];
  for (let index = 1; index < segments.length; index += 2) {
    const segment = segments[index];
    if (segment !== undefined) types.push(segment);
  }
  return [namespace, ...types].join("/");
}

/** How many `/providers/` segments an id has: more than one marks an extension resource. */
export function countProviderSegments(id: string): number {
  return normaliseArmId(id).split("/providers/").length - 1;
}

/** For a diagnostic setting's id, the normalised id of the resource it is attached to. */
export function readDiagnosticSettingParent(id: string): string | undefined {
  const key = normaliseArmId(id);
  const at = key.lastIndexOf(diagnosticSettingsSegment);
  if (at <= 0) return undefined;
  return key.slice(0, at);
}

/** The normalised id of a child resource's parent (the id without its last type/name pair). */
export function readParentId(id: string): string {
  const segments = normaliseArmId(id).split("/");
  return segments.slice(0, -2).join("/");
}
