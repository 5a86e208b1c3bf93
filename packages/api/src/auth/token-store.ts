import { PLATFORM_OWNER_ID, type Policy } from "@plumbline/rules";
import { type StoreDatabase, tables } from "@plumbline/store";
import { and, asc, eq, isNull, lt, or } from "drizzle-orm";
import { generateTokenSecret, hashTokenSecret } from "./token-secret.js";

/** Who may do what: an admin may change things, an auditor only reads. */
export type TokenRole = "admin" | "auditor";

/** A stored token, never with its secret. */
export interface ApiTokenRecord {
  id: string;
  name: string;
  role: TokenRole;
  /** Tenant ids and/or `platform`; null sees every owner, unmapped accounts included. */
  scope: string[] | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

/** What a new token is for. */
export interface CreateApiTokenOptions {
  name: string;
  role: TokenRole;
  scope: string[] | null;
  expiresAt?: Date | null;
  now: Date;
}

/** A created token: its record and the secret, which is shown once and kept nowhere. */
export interface CreatedApiToken {
  token: ApiTokenRecord;
  secret: string;
}

const columns = {
  id: tables.apiTokens.id,
  name: tables.apiTokens.name,
  role: tables.apiTokens.role,
  scope: tables.apiTokens.scope,
  createdAt: tables.apiTokens.createdAt,
  expiresAt: tables.apiTokens.expiresAt,
  revokedAt: tables.apiTokens.revokedAt,
  lastUsedAt: tables.apiTokens.lastUsedAt,
};

/**
 * The problems of a scope against the policy: every entry must name a tenant of the policy or
 * the platform; an empty list would see nothing. Empty when the scope is acceptable. The one
 * problem of unknown entries names them and the policy's tenants, so a typo is seen at once.
 */
export function scopeProblems(policy: Policy, scope: string[] | null): string[] {
  if (scope === null) return [];
  if (scope.length === 0) return ["a scope needs at least one tenant or `platform`"];
  const tenants = policy.tenants.map((tenant) => tenant.id);
  const known = new Set([PLATFORM_OWNER_ID, ...tenants]);
  const unknown = [...new Set(scope.filter((entry) => !known.has(entry)))];
  if (unknown.length === 0) return [];
  const named = unknown.map((entry) => `"${entry}"`).join(", ");
  const what = unknown.length === 1 ? "is neither a tenant" : "are neither tenants";
  const listed = tenants.length === 0 ? "it has none" : `its tenants: ${tenants.join(", ")}`;
  return [`${named} ${what} of the policy nor \`platform\` (${listed})`];
}

/**
 * Why a role and scope cannot go together, or null. An admin manages tokens, reads the access
 * log and starts scans of every account, which no scope could contain, so admins see everything.
 */
export function roleScopeProblem(role: TokenRole, scope: string[] | null): string | null {
  return role === "admin" && scope !== null
    ? "an admin token sees every owner; give a scoped token the auditor role"
    : null;
}

/** Creates a token and returns its secret once; only the secret's hash is stored. */
export async function createApiToken(
  db: StoreDatabase,
  options: CreateApiTokenOptions,
): Promise<CreatedApiToken> {
  const problem = roleScopeProblem(options.role, options.scope);
  if (problem !== null) throw new Error(problem);
  const secret = generateTokenSecret();
  const scope = options.scope === null ? null : [...new Set(options.scope)].sort();
  const [token] = await db
    .insert(tables.apiTokens)
    .values({
      name: options.name,
      tokenHash: hashTokenSecret(secret),
      role: options.role,
      scope,
      createdAt: options.now,
      expiresAt: options.expiresAt ?? null,
    })
    .returning(columns);
  if (token === undefined) throw new Error("the token row was not returned");
  return { token, secret };
}

/** Every token, oldest first. */
export async function listApiTokens(db: StoreDatabase): Promise<ApiTokenRecord[]> {
  return db
    .select(columns)
    .from(tables.apiTokens)
    .orderBy(asc(tables.apiTokens.createdAt), asc(tables.apiTokens.id));
}

/**
 * Revokes a token from now on; revoking twice keeps the first moment. Null when no token has
 * this id.
 */
export async function revokeApiToken(
  db: StoreDatabase,
  id: string,
  now: Date,
): Promise<ApiTokenRecord | null> {
  await db
    .update(tables.apiTokens)
    .set({ revokedAt: now })
    .where(and(eq(tables.apiTokens.id, id), isNull(tables.apiTokens.revokedAt)));
  const [token] = await db
    .select(columns)
    .from(tables.apiTokens)
    .where(eq(tables.apiTokens.id, id));
  return token ?? null;
}

/** The token a secret belongs to, whatever its state; null when the secret is unknown. */
export async function findTokenBySecret(
  db: StoreDatabase,
  secret: string,
): Promise<ApiTokenRecord | null> {
  const [token] = await db
    .select(columns)
    .from(tables.apiTokens)
    .where(eq(tables.apiTokens.tokenHash, hashTokenSecret(secret)));
  return token ?? null;
}

/** Why a token cannot be used now, or null when it can. */
export function tokenRefusal(token: ApiTokenRecord, now: Date): "revoked" | "expired" | null {
  if (token.revokedAt !== null && token.revokedAt.getTime() <= now.getTime()) return "revoked";
  if (token.expiresAt !== null && token.expiresAt.getTime() <= now.getTime()) return "expired";
  return null;
}

/** How stale last_used_at may be, so a busy token does not write on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Records that the token was used, at most once a minute. */
export async function touchToken(db: StoreDatabase, id: string, now: Date): Promise<void> {
  const before = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  await db
    .update(tables.apiTokens)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(tables.apiTokens.id, id),
        or(isNull(tables.apiTokens.lastUsedAt), lt(tables.apiTokens.lastUsedAt, before)),
      ),
    );
}
