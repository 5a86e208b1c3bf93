import { isRecord, readPath } from "../canonical/document.js";
import type { CanonicalResource, Evidence } from "../model.js";
import type { ControlVerdict, VerdictRow } from "./types.js";

/** A value as messages show it: `absent`, `null`, strings quoted, everything else as JSON. */
export function formatValue(value: unknown): string {
  if (value === undefined) return "absent";
  return JSON.stringify(value);
}

/** How messages name a resource: its name and canonical type. */
export function describeResource(resource: CanonicalResource): string {
  return `${resource.type} ${resource.name}`;
}

/**
 * Evidence for one path of the raw document: `actual` is left out when the property is absent
 * and kept (also as null) when it is present.
 */
export function observe(resource: CanonicalResource, path: string, expected: unknown): Evidence {
  const actual = readPath(resource.raw, path);
  return actual === undefined ? { path, expected } : { path, actual, expected };
}

/** Evidence of a value the control derived itself (a canonical region, a resolved key). */
export function derived(path: string, actual: unknown, expected: unknown): Evidence {
  return actual === undefined ? { path, expected } : { path, actual, expected };
}

/** A verdict row. */
export function row(status: ControlVerdict, message: string, evidence: Evidence[]): VerdictRow {
  return { status, message, evidence };
}

/** The status of a configuration item, when the item has one. */
function configItemStatus(resource: CanonicalResource): string | undefined {
  const status = resource.raw.configurationItemStatus;
  return typeof status === "string" ? status : undefined;
}

/** What a control needs from a raw document before it can judge it. */
export interface DocumentNeeds {
  /** The Azure `properties` object. */
  properties?: boolean;
  /** The AWS `configuration` object. */
  configuration?: boolean;
  /** The AWS `supplementaryConfiguration` object (S3 buckets keep their settings there). */
  supplementaryConfiguration?: boolean;
}

/**
 * An `error` row when the data a control needs was not collected: an AWS item Config did not
 * record, an Azure document without `properties`, an AWS item without `configuration` (or
 * `supplementaryConfiguration`); null when the document can be judged.
 */
export function checkCollected(
  resource: CanonicalResource,
  needs: DocumentNeeds,
): VerdictRow | null {
  if (resource.provider === "aws" && configItemStatus(resource) === "ResourceNotRecorded") {
    return row(
      "error",
      `${describeResource(resource)} was not recorded by AWS Config (ResourceNotRecorded); ` +
        "its settings cannot be judged",
      [
        {
          path: "configurationItemStatus",
          actual: "ResourceNotRecorded",
          expected: "OK or ResourceDiscovered",
        },
      ],
    );
  }
  const missing: string[] = [];
  if (
    resource.provider === "azure" &&
    needs.properties === true &&
    !isRecord(resource.raw.properties)
  ) {
    missing.push("properties");
  }
  if (resource.provider === "aws") {
    if (needs.configuration === true && !isRecord(resource.raw.configuration)) {
      missing.push("configuration");
    }
    if (
      needs.supplementaryConfiguration === true &&
      !isRecord(resource.raw.supplementaryConfiguration)
    ) {
      missing.push("supplementaryConfiguration");
    }
  }
  if (missing.length === 0) return null;
  return row(
    "error",
    `${describeResource(resource)} has no ${missing.join(" or ")} in the collected document; ` +
      "the data needed was not collected",
    missing.map((path) => ({ path, expected: "an object" })),
  );
}
