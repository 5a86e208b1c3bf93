import type { FastifyRequest } from "fastify";
import type { ApiContext } from "../context.js";
import { ApiError } from "../errors.js";
import { accessScopeOf } from "./access-scope.js";
import { bearerSecret } from "./token-secret.js";
import { findTokenBySecret, tokenRefusal, touchToken } from "./token-store.js";

/** True for the paths that need a token: the versioned API. */
export function needsToken(url: string): boolean {
  const path = url.split("?")[0] ?? url;
  return path === "/api/v1" || path.startsWith("/api/v1/");
}

/**
 * Authenticates a request by its bearer token: unknown, expired and revoked tokens are all
 * 401 with the same message, so a caller learns nothing about which it was.
 */
export async function authenticate(request: FastifyRequest, context: ApiContext): Promise<void> {
  const secret = bearerSecret(request.headers.authorization);
  if (secret === null) {
    throw new ApiError(401, "unauthorized", "a bearer token is required");
  }
  const token = await findTokenBySecret(context.store.database, secret);
  const now = context.clock();
  const refusal = token === null ? "unknown" : tokenRefusal(token, now);
  if (token === null || refusal !== null) {
    context.logger.info({ tokenId: token?.id ?? null, refusal }, "token refused");
    throw new ApiError(401, "unauthorized", "the token is not valid");
  }
  request.auth = { token, scope: accessScopeOf(context.policy, token.scope) };
  await touchToken(context.store.database, token.id, now);
}

/** Refuses a request whose token may not call the route. */
export function authorize(request: FastifyRequest): void {
  if (request.routeOptions.config.access !== "admin") return;
  const token = request.auth?.token;
  if (token?.role !== "admin") {
    throw new ApiError(403, "forbidden", "this action needs an admin token");
  }
  // Admin routes reach across owners; a scoped admin (made before scopes were refused for
  // admins) may not use them.
  if (token.scope !== null) {
    throw new ApiError(403, "forbidden", "this action needs an admin token that sees every owner");
  }
}
