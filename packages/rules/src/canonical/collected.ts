import type { CanonicalResource } from "../model.js";
import { isRecord } from "./document.js";

/** Why the settings of a collected resource cannot be read. */
export type NotCollected =
  /** AWS Config lists the item but did not record its configuration (`ResourceNotRecorded`). */
  | { kind: "not-recorded" }
  /** Parts of the document that hold the settings are missing (`properties`, `configuration`). */
  | { kind: "missing"; parts: string[] };

/**
 * The parts of a document that hold a resource's settings: `properties` for Azure,
 * `configuration` for AWS, and for S3 buckets also `supplementaryConfiguration`, where Config
 * keeps their encryption and public-access settings.
 */
export function requiredParts(resource: CanonicalResource): string[] {
  if (resource.provider === "azure") return ["properties"];
  return resource.type === "AWS::S3::Bucket"
    ? ["configuration", "supplementaryConfiguration"]
    : ["configuration"];
}

/**
 * What keeps a resource's settings from being judged, or null when they can be: an AWS item
 * Config did not record, or a document without one of its `requiredParts`. Such a resource
 * was not collected; no verdict may rest on it.
 */
export function notCollected(resource: CanonicalResource): NotCollected | null {
  if (
    resource.provider === "aws" &&
    resource.raw.configurationItemStatus === "ResourceNotRecorded"
  ) {
    return { kind: "not-recorded" };
  }
  const missing = requiredParts(resource).filter((part) => !isRecord(resource.raw[part]));
  return missing.length === 0 ? null : { kind: "missing", parts: missing };
}

/** How messages say why a resource cannot be read, after its name. */
export function describeNotCollected(state: NotCollected): string {
  return state.kind === "not-recorded"
    ? "was not recorded by AWS Config (ResourceNotRecorded)"
    : `has no ${state.parts.join(" or ")} in the collected document`;
}
