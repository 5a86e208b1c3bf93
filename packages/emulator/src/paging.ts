import { createHash } from "node:crypto";

/** Where the next page starts and which page number it is (1 = first page). */
export interface PageCursor {
  offset: number;
  page: number;
}

/** A fingerprint of what a token pages through, so a token cannot be used for another query. */
export function fingerprintQuery(...parts: unknown[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("base64url").slice(0, 16);
}

/** An opaque continuation token for the cursor within the query fingerprinted by `scope`. */
export function encodePageToken(scope: string, cursor: PageCursor): string {
  const payload = JSON.stringify({ s: scope, o: cursor.offset, p: cursor.page });
  return Buffer.from(payload).toString("base64url");
}

/** The cursor inside a token, or undefined when the token is not one of this query's. */
export function decodePageToken(scope: string, token: string): PageCursor | undefined {
  try {
    const payload: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (typeof payload !== "object" || payload === null) return undefined;
    const { s, o, p } = payload as Record<string, unknown>;
    if (s !== scope || !Number.isInteger(o) || !Number.isInteger(p)) return undefined;
    if ((o as number) < 0 || (p as number) < 2) return undefined;
    return { offset: o as number, page: p as number };
  } catch {
    return undefined;
  }
}

/** One page of `rows` from `cursor`, and the cursor of the next page when rows remain. */
export function slicePage<T>(
  rows: readonly T[],
  cursor: PageCursor,
  size: number,
): { page: T[]; next: PageCursor | undefined } {
  const end = cursor.offset + size;
  const page = rows.slice(cursor.offset, end);
  const next = end < rows.length ? { offset: end, page: cursor.page + 1 } : undefined;
  return { page, next };
}

/** The cursor of a first page. */
export const firstPage: PageCursor = { offset: 0, page: 1 };
