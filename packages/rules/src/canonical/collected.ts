import type { CanonicalResource } from "../model.js";
import { isRecord } from "./document.js";

/** Why the settings of a collected resource cannot be read. */
export type NotCollected =
  /** AWS Config lists the item but did not record its configuration (`ResourceNotRecorded`). */
  | { kind: "not-recorded" }
  /** The item's `configurationItemStatus` is a value AWS Config does not document. */
  | { kind: "unknown-status"; status: unknown }
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

/** Statuses of an item whose configuration was recorded, lower-cased. */
const RECORDED_STATUSES = new Set(["ok", "resourcediscovered"]);

/**
 * What keeps a resource's settings from being judged, or null when they can be: an AWS item
 * Config did not record, or a document without one of its `requiredParts`. Such a resource
 * was not collected; no verdict may rest on it.
 */
export function notCollected(resource: CanonicalResource): NotCollected | null {
  if (resource.provider === "aws") {
    const status = resource.raw.configurationItemStatus;
    const known = typeof status === "string" ? status.toLowerCase() : undefined;
    if (known === "resourcenotrecorded") return { kind: "not-recorded" };
    if (status !== undefined && (known === undefined || !RECORDED_STATUSES.has(known))) {
      return { kind: "unknown-status", status };
    }
  }
  const missing = requiredParts(resource).filter((part) => !isRecord(resource.raw[part]));
  return missing.length === 0 ? null : { kind: "missing", parts: missing };
}

/** How messages say why a resource cannot be read, after its name. */
export function describeNotCollected(state: NotCollected): string {
  switch (state.kind) {
    case "not-recorded":
      return "was not recorded by AWS Config (ResourceNotRecorded)";
    case "unknown-status":
      return (
        `has configurationItemStatus ${JSON.stringify(state.status)}, a status this version ` +
        "does not know (OK, ResourceDiscovered, ResourceNotRecorded)"
      );
    default:
      return `has no ${state.parts.join(" or ")} in the collected document`;
  }
}
