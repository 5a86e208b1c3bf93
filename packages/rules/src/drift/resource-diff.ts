import type { CanonicalResource } from "../model.js";
import { comparableText } from "./identity.js";

/** What can happen to a resource between two collections of its account. */
export const resourceEventKinds = ["appeared", "disappeared", "changed"] as const;

export type ResourceEventKind = (typeof resourceEventKinds)[number];

/** One change of a resource, with the watched properties on either side. */
export interface ResourceChange {
  kind: ResourceEventKind;
  /** The resource after the change, or as it was last stored when it disappeared. */
  resource: CanonicalResource;
  /** Watched properties before: all of them for `disappeared`, the changed ones for `changed`. */
  before: Record<string, unknown> | null;
  /** Watched properties after: all of them for `appeared`, the changed ones for `changed`. */
  after: Record<string, unknown> | null;
}

type Reader = (resource: CanonicalResource) => unknown;

function at(path: string): Reader {
  const parts = path.split(".");
  return (resource) => {
    let value: unknown = resource.raw;
    for (const part of parts) {
      if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
      value = (value as Record<string, unknown>)[part];
    }
    return value;
  };
}

const deploymentType = "microsoft.cognitiveservices/accounts/deployments";

function onlyFor(type: string, read: Reader): Reader {
  return (resource) => (resource.type.toLowerCase() === type ? read(resource) : undefined);
}

/**
 * The properties whose change is drift worth recording, by name: public reachability, how data
 * is encrypted, whether keys and passwords work, where the resource lives, and which model a
 * deployment runs at which SKU. Other changes are kept only as snapshots.
 */
const watched: Record<string, Reader> = {
  region: (resource) => resource.region ?? undefined,
  publicNetworkAccess: at("properties.publicNetworkAccess"),
  networkDefaultAction: at("properties.networkAcls.defaultAction"),
  publiclyAccessible: at("configuration.publiclyAccessible"),
  publicAccessBlock: at("supplementaryConfiguration.PublicAccessBlockConfiguration"),
  keySource: at("properties.encryption.keySource"),
  cmkEnforcement: at("properties.encryptionWithCmk.enforcement"),
  dataEncryption: at("properties.dataEncryption.type"),
  serverSideEncryption: at("supplementaryConfiguration.ServerSideEncryptionConfiguration"),
  storageEncrypted: at("configuration.storageEncrypted"),
  kmsKey: (resource) =>
    at("configuration.kmsKeyId")(resource) ??
    at("configuration.KmsKeyArn")(resource) ??
    at("configuration.KmsKeyId")(resource),
  disableLocalAuth: at("properties.disableLocalAuth"),
  allowSharedKeyAccess: at("properties.allowSharedKeyAccess"),
  deploymentSku: onlyFor(deploymentType, at("sku.name")),
  deploymentModel: onlyFor(deploymentType, at("properties.model")),
  modelSource: at("configuration.ModelSource"),
};

/** The watched properties a resource has; absent ones are left out. */
export function watchedProperties(resource: CanonicalResource): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, read] of Object.entries(watched)) {
    const value = read(resource);
    if (value !== undefined && value !== null && value !== "") values[name] = value;
  }
  return values;
}

/**
 * The change between the stored and the newly collected version of one resource, or null when
 * none of its watched properties changed. Values are compared without regard to case (enum
 * values, ids and regions arrive in mixed case), so a case change alone is not drift.
 */
export function diffResource(
  before: CanonicalResource | undefined,
  after: CanonicalResource | undefined,
): ResourceChange | null {
  if (after === undefined) {
    return before === undefined
      ? null
      : { kind: "disappeared", resource: before, before: watchedProperties(before), after: null };
  }
  if (before === undefined) {
    return { kind: "appeared", resource: after, before: null, after: watchedProperties(after) };
  }

  const old = watchedProperties(before);
  const now = watchedProperties(after);
  const changedBefore: Record<string, unknown> = {};
  const changedAfter: Record<string, unknown> = {};
  for (const name of new Set([...Object.keys(old), ...Object.keys(now)])) {
    if (comparableText(old[name], true) === comparableText(now[name], true)) continue;
    changedBefore[name] = old[name] ?? null;
    changedAfter[name] = now[name] ?? null;
  }
  if (Object.keys(changedAfter).length === 0) return null;
  return { kind: "changed", resource: after, before: changedBefore, after: changedAfter };
}
