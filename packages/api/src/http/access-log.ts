import { tables } from "@plumbline/store";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ApiContext } from "../context.js";

/** The route pattern of a request, never its URL (which holds ids and filter values). */
export function routePattern(request: FastifyRequest): string {
  return request.routeOptions.url ?? "(no route)";
}

/** How a request ended, in one word: `ok` or the error code. */
export function outcomeOf(request: FastifyRequest, reply: FastifyReply): string {
  if (request.errorCode !== null) return request.errorCode;
  return reply.statusCode < 400 ? "ok" : `http_${reply.statusCode}`;
}

/**
 * Appends the request to the access log before the response leaves, so that no answered request
 * is missing from it. A failed write is logged; the response still goes out.
 */
export async function recordAccess(
  request: FastifyRequest,
  reply: FastifyReply,
  context: ApiContext,
): Promise<void> {
  try {
    await context.store.database.insert(tables.accessLog).values({
      at: context.clock(),
      tokenId: request.auth?.token.id ?? null,
      method: request.method,
      route: routePattern(request),
      status: reply.statusCode,
      outcome: outcomeOf(request, reply),
      durationMs: Math.round(reply.elapsedTime),
    });
  } catch (error) {
    context.logger.error({ err: error, route: routePattern(request) }, "access log write failed");
  }
}
