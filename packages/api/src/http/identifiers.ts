import { z } from "zod";
import { badRequest } from "../errors.js";

const providerSchema = z.enum(["azure", "aws"]);

/** base64url of the JSON text of a value: the shape of every opaque id and cursor. */
function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

/** The JSON value behind an opaque id, or undefined when it is not one. */
function decodeJson(text: string): unknown {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    return JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

/** A finding's identity, as the finding routes name it. */
export interface FindingIdentity {
  tenant: string | null;
  control: string;
  subjectKey: string;
}

const findingIdSchema = z.tuple([z.string().nullable(), z.string().min(1), z.string().min(1)]);

/** The route id of a finding: base64url of JSON [tenant, control, subjectKey]. */
export function encodeFindingId(identity: FindingIdentity): string {
  return encodeJson([identity.tenant, identity.control, identity.subjectKey]);
}

/** The identity behind a finding id, or null when the id is not one. */
export function decodeFindingId(id: string): FindingIdentity | null {
  const parsed = findingIdSchema.safeParse(decodeJson(id));
  if (!parsed.success) return null;
  const [tenant, control, subjectKey] = parsed.data;
  return { tenant, control, subjectKey };
}

/** A resource's identity: its cloud and key. */
export interface ResourceIdentity {
  provider: "azure" | "aws";
  key: string;
}

const resourceRefSchema = z.tuple([providerSchema, z.string().min(1)]);

/** The route key of a resource: base64url of JSON [provider, key] (keys hold slashes). */
export function encodeResourceRef(identity: ResourceIdentity): string {
  return encodeJson([identity.provider, identity.key]);
}

/** The identity behind a resource ref, or null when the ref is not one. */
export function decodeResourceRef(ref: string): ResourceIdentity | null {
  const parsed = resourceRefSchema.safeParse(decodeJson(ref));
  if (!parsed.success) return null;
  const [provider, key] = parsed.data;
  return { provider, key };
}

/**
 * An opaque keyset cursor: the sort values of the last row of a page, with a tag naming the
 * list and order it belongs to, so that a cursor of another list or order is refused.
 */
export function encodeCursor(tag: string, values: readonly (string | number | null)[]): string {
  return encodeJson([tag, ...values]);
}

/** The sort values of a cursor; a cursor of another list or order is a bad request. */
export function decodeCursor(
  tag: string,
  cursor: string,
  arity: number,
): (string | number | null)[] {
  const decoded = decodeJson(cursor);
  if (
    !Array.isArray(decoded) ||
    decoded[0] !== tag ||
    decoded.length !== arity + 1 ||
    !decoded.every((value) => value === null || ["string", "number"].includes(typeof value))
  ) {
    throw badRequest("cursor does not belong to this list and sort order");
  }
  return decoded.slice(1) as (string | number | null)[];
}

/** The values of a comma-separated filter, trimmed, without empties; undefined when absent. */
export function listValues(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const values = text
    .split(",")
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
  return values.length === 0 ? undefined : [...new Set(values)];
}

/** The values of a filter that must each be one of `allowed`; others are a bad request. */
export function enumValues<T extends string>(
  name: string,
  text: string | undefined,
  allowed: readonly T[],
): T[] | undefined {
  const values = listValues(text);
  if (values === undefined) return undefined;
  const wrong = values.filter((value) => !(allowed as readonly string[]).includes(value));
  if (wrong.length > 0) {
    throw badRequest(`${name}: ${wrong.join(", ")} is not one of ${allowed.join(", ")}`);
  }
  return values as T[];
}
