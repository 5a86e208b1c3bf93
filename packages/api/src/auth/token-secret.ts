import { createHash, randomBytes } from "node:crypto";

/** Every secret starts with this, so a leaked one is easy to recognise and to scan for. */
export const TOKEN_PREFIX = "plb_";

/** Random bytes behind a secret: 256 bits. */
const SECRET_BYTES = 32;

/** A new bearer secret: the prefix and 32 random bytes in base64url. */
export function generateTokenSecret(): string {
  return `${TOKEN_PREFIX}${randomBytes(SECRET_BYTES).toString("base64url")}`;
}

/** The hash kept in the database: SHA-256 (hex) of the whole secret. */
export function hashTokenSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** The secret of an `Authorization: Bearer …` header, or null when there is none. */
export function bearerSecret(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}
