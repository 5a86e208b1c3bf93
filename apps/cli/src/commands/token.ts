import {
  type ApiTokenRecord,
  createApiToken,
  listApiTokens,
  revokeApiToken,
  roleScopeProblem,
  scopeProblems,
} from "@plumbline/api";
import { PLATFORM_OWNER_ID } from "@plumbline/rules";
import { z } from "zod";
import { ExitCode, type ExitCodeValue, UsageError } from "../errors.js";
import type { CommandIo } from "./command-io.js";
import { loadPolicyForCommand } from "./load-policy.js";
import { openCommandStore } from "./runtime.js";

export interface TokenCreateOptions {
  role: string;
  tenant?: string[];
  platform?: boolean;
  all?: boolean;
  expires?: string;
  name?: string;
  policy?: string;
  db?: string;
}

const isoDate = z.iso.date();
const rfc3339 = z.iso.datetime({ offset: true });

/** `--expires`: `YYYY-MM-DD` is 00:00 UTC of that day, or an RFC 3339 timestamp. */
function parseExpiry(value: string | undefined, now: Date): Date | null {
  if (value === undefined) return null;
  const expiry = isoDate.safeParse(value).success
    ? new Date(`${value}T00:00:00.000Z`)
    : rfc3339.safeParse(value).success
      ? new Date(value)
      : null;
  if (expiry === null) {
    throw new UsageError(`--expires: "${value}" is neither a date nor an RFC 3339 timestamp`);
  }
  if (expiry.getTime() <= now.getTime()) {
    throw new UsageError(`--expires: ${value} has already passed`);
  }
  return expiry;
}

/** The scope the flags ask for: named owners, or every owner with `--all`; never implicit. */
function parseScope(options: TokenCreateOptions): string[] | null {
  const owners = [...(options.tenant ?? []), ...(options.platform ? [PLATFORM_OWNER_ID] : [])];
  if (options.all === true && owners.length > 0) {
    throw new UsageError("--all cannot be combined with --tenant or --platform");
  }
  if (options.all === true) return null;
  if (owners.length === 0) {
    throw new UsageError("name the scope: --tenant ID (repeatable), --platform, or --all");
  }
  return owners;
}

function parseRole(value: string): "admin" | "auditor" {
  if (value === "admin" || value === "auditor") return value;
  throw new UsageError(`--role: "${value}" is not one of admin, auditor`);
}

/**
 * `plumbline token create`: prints the new secret on stdout, once; only its hash is stored.
 * Tenant ids are checked against the policy, so `--tenant` needs `--policy`: a mistyped id
 * would otherwise make a token that sees nothing, or the rows of a tenant added later under
 * that id.
 */
export async function tokenCreateCommand(
  options: TokenCreateOptions,
  io: CommandIo,
): Promise<ExitCodeValue> {
  const role = parseRole(options.role);
  const scope = parseScope(options);
  const mismatch = roleScopeProblem(role, scope);
  if (mismatch !== null) {
    // The API's wording names the fix in its terms; here name the two options that fix it.
    throw new UsageError(
      "--role admin: an admin token sees every owner; use --all, or --role auditor to keep " +
        "the scope",
    );
  }
  const now = io.clock();
  const expiresAt = parseExpiry(options.expires, now);
  if (options.policy === undefined && (options.tenant ?? []).length > 0) {
    throw new UsageError("--tenant needs --policy FILE, the policy that defines the tenant ids");
  }
  if (options.policy !== undefined) {
    const policy = await loadPolicyForCommand(options.policy, now, io);
    if (policy === null) return ExitCode.usageOrInput;
    const problems = scopeProblems(policy, scope);
    if (problems.length > 0) throw new UsageError(`scope: ${problems.join("; ")}`);
  }

  const store = await openCommandStore(options.db, io);
  try {
    const name = options.name ?? `${role} ${scope === null ? "all owners" : scope.join("+")}`;
    const { token, secret } = await createApiToken(store.database, {
      name,
      role,
      scope,
      expiresAt,
      now,
    });
    io.logger.info({ tokenId: token.id, role, scope }, "token created");
    io.stderr.write(
      `Created ${role} token ${token.id} (${describeScope(token)}` +
        `${expiresAt === null ? "" : `, expires ${expiresAt.toISOString()}`}). ` +
        "It is shown once:\n",
    );
    io.stdout.write(`${secret}\n`);
    if (expiresAt === null && role === "admin") {
      io.stderr.write(
        "warning: this admin token never expires; pass --expires and revoke it when done\n",
      );
    }
    return ExitCode.ok;
  } finally {
    await store.close();
  }
}

/** `plumbline token revoke ID`. */
export async function tokenRevokeCommand(
  id: string,
  options: { db?: string },
  io: CommandIo,
): Promise<ExitCodeValue> {
  if (!z.uuid().safeParse(id).success) throw new UsageError(`"${id}" is not a token id`);
  const store = await openCommandStore(options.db, io);
  try {
    const token = await revokeApiToken(store.database, id, io.clock());
    if (token === null) throw new UsageError(`no token has id ${id}`);
    io.logger.info({ tokenId: id }, "token revoked");
    io.stdout.write(`Revoked token ${id} (${token.name}) at ${token.revokedAt?.toISOString()}\n`);
    return ExitCode.ok;
  } finally {
    await store.close();
  }
}

function describeScope(token: ApiTokenRecord): string {
  return token.scope === null ? "every owner" : token.scope.join(", ");
}

function describeState(token: ApiTokenRecord, now: Date): string {
  if (token.revokedAt !== null) return `revoked ${token.revokedAt.toISOString()}`;
  if (token.expiresAt !== null && token.expiresAt.getTime() <= now.getTime()) {
    return `expired ${token.expiresAt.toISOString()}`;
  }
  return token.expiresAt === null ? "active" : `active until ${token.expiresAt.toISOString()}`;
}

/** `plumbline token list`: every token without its secret, one per line (or JSON). */
export async function tokenListCommand(
  options: { db?: string; format: string },
  io: CommandIo,
): Promise<ExitCodeValue> {
  if (options.format !== "table" && options.format !== "json") {
    throw new UsageError(`--format: "${options.format}" is not one of table, json`);
  }
  const store = await openCommandStore(options.db, io);
  try {
    const tokens = await listApiTokens(store.database);
    if (options.format === "json") {
      io.stdout.write(`${JSON.stringify(tokens, null, 2)}\n`);
      return ExitCode.ok;
    }
    const now = io.clock();
    const rows = tokens.map((token) => [
      token.id,
      token.role,
      describeScope(token),
      describeState(token, now),
      token.lastUsedAt?.toISOString() ?? "never used",
      token.name,
    ]);
    const header = ["ID", "ROLE", "SCOPE", "STATE", "LAST USED", "NAME"];
    const widths = header.map((title, column) =>
      Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
    );
    for (const row of [header, ...rows]) {
      io.stdout.write(
        `${row
          .map((cell, column) => cell.padEnd(widths[column] ?? 0))
          .join("  ")
          .trimEnd()}\n`,
      );
    }
    return ExitCode.ok;
  } finally {
    await store.close();
  }
}
