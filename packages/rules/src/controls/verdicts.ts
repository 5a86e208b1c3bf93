import { describeNotCollected, type NotCollected, notCollected } from "../canonical/collected.js";
import { readPath } from "../canonical/document.js";
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

function notCollectedEvidence(state: NotCollected): Evidence[] {
  switch (state.kind) {
    case "not-recorded":
      return [
        {
          path: "configurationItemStatus",
          actual: "ResourceNotRecorded",
          expected: "OK or ResourceDiscovered",
        },
      ];
    case "unknown-status":
      return [
        {
          path: "configurationItemStatus",
          actual: state.status,
          expected: "OK or ResourceDiscovered",
        },
      ];
    default:
      return state.parts.map((path) => ({ path, expected: "an object" }));
  }
}

/**
 * The guard every resource-level control applies first: an `error` row when the data was not
 * collected (an AWS item Config did not record, an Azure document without `properties`, an AWS
 * item without `configuration`, an S3 bucket without `supplementaryConfiguration`); null when
 * the document can be judged.
 */
export function checkCollected(resource: CanonicalResource): VerdictRow | null {
  const state = notCollected(resource);
  if (state === null) return null;
  const name = describeResource(resource);
  const message =
    state.kind !== "missing"
      ? `${name} ${describeNotCollected(state)}; its settings cannot be judged`
      : `${name} ${describeNotCollected(state)}; the data needed was not collected`;
  return row("error", message, notCollectedEvidence(state));
}

/**
 * The `checkCollected` row of a resource another one refers to (an account-level block, a KMS
 * key or alias), with evidence paths prefixed by its id; null when it can be read.
 */
export function checkReferenceCollected(item: CanonicalResource): VerdictRow | null {
  const verdict = checkCollected(item);
  if (verdict === null) return null;
  return {
    ...verdict,
    evidence: verdict.evidence.map((e) => ({ ...e, path: `${item.id}#${e.path}` })),
  };
}
