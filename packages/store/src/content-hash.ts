import { createHash } from "node:crypto";
import canonicalize from "canonicalize";

/**
 * SHA-256 (hex) of the RFC 8785 canonical JSON of a document, so the same content hashes the
 * same whatever the order of its keys.
 */
export function hashContent(document: unknown): string {
  return createHash("sha256")
    .update(canonicalize(document) ?? "null")
    .digest("hex");
}
