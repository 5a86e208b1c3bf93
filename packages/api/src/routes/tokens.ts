import type { ApiTokenRecord } from "../auth/token-store.js";
import {
  createApiToken,
  listApiTokens,
  revokeApiToken,
  roleScopeProblem,
  scopeProblems,
} from "../auth/token-store.js";
import { type ApiContext, type ApiInstance, authOf } from "../context.js";
import { errorResponseSchema } from "../contract/common.js";
import {
  createTokenBodySchema,
  createTokenResponseSchema,
  tokenListResponseSchema,
  tokenParamsSchema,
  tokenSchema,
} from "../contract/tokens.js";
import { badRequest, notFound } from "../errors.js";
import { isoOrNull } from "../read/views.js";
import { bearerSecurity, errorResponses } from "./route-schema.js";

/** A token as the API lists it: never its hash or secret. */
export function tokenView(token: ApiTokenRecord) {
  return {
    id: token.id,
    name: token.name,
    role: token.role,
    scope: token.scope,
    createdAt: token.createdAt.toISOString(),
    expiresAt: isoOrNull(token.expiresAt),
    revokedAt: isoOrNull(token.revokedAt),
    lastUsedAt: isoOrNull(token.lastUsedAt),
  };
}

export function registerTokenRoutes(app: ApiInstance, context: ApiContext): void {
  const db = context.store.database;

  app.get(
    "/api/v1/tokens",
    {
      config: { access: "admin" },
      schema: {
        tags: ["access"],
        summary: "Every API token, without secrets (admin)",
        security: bearerSecurity,
        response: { 200: tokenListResponseSchema, ...errorResponses },
      },
    },
    async () => ({ items: (await listApiTokens(db)).map(tokenView) }),
  );

  app.post(
    "/api/v1/tokens",
    {
      config: { access: "admin" },
      schema: {
        tags: ["access"],
        summary: "Create a token; its secret is in this response only (admin)",
        security: bearerSecurity,
        body: createTokenBodySchema,
        response: { 201: createTokenResponseSchema, 409: errorResponseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { token: caller } = authOf(request);
      const body = request.body;
      const problems = scopeProblems(context.policy, body.scope);
      if (problems.length > 0) throw badRequest(`scope: ${problems.join("; ")}`);
      const mismatch = roleScopeProblem(body.role, body.scope);
      if (mismatch !== null) throw badRequest(`scope: ${mismatch}`);
      const now = context.clock();
      const expiresAt = body.expiresAt === undefined ? null : new Date(body.expiresAt);
      if (expiresAt !== null && expiresAt.getTime() <= now.getTime()) {
        throw badRequest("expiresAt: must be in the future");
      }
      const created = await createApiToken(db, {
        name: body.name,
        role: body.role,
        scope: body.scope,
        expiresAt,
        now,
      });
      context.logger.info(
        { tokenId: created.token.id, role: created.token.role, createdBy: caller.id },
        "token created",
      );
      return reply.code(201).send({ ...tokenView(created.token), token: created.secret });
    },
  );

  app.delete(
    "/api/v1/tokens/:id",
    {
      config: { access: "admin" },
      schema: {
        tags: ["access"],
        summary: "Revoke a token from now on (admin)",
        security: bearerSecurity,
        params: tokenParamsSchema,
        response: { 200: tokenSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { token: caller } = authOf(request);
      const revoked = await revokeApiToken(db, request.params.id, context.clock());
      if (revoked === null) throw notFound("the token");
      context.logger.info({ tokenId: revoked.id, revokedBy: caller.id }, "token revoked");
      return tokenView(revoked);
    },
  );
}
