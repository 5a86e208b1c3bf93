import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { ErrorCode } from "../contract/common.js";

/** The longest path segment the router matches; ids are whole cloud ids, base64url-encoded. */
export const MAX_PATH_SEGMENT_LENGTH = 4000;

/** True for paths under /api: they are API routes or unknown, never pages of the dashboard. */
export function isApiPath(url: string): boolean {
  const path = url.split("?")[0] ?? url;
  return path === "/api" || path.startsWith("/api/");
}

/** True when a segment of the path is longer than the router matches. */
export function hasOverlongSegment(url: string): boolean {
  const path = url.split("?")[0] ?? url;
  return path.split("/").some((segment) => segment.length > MAX_PATH_SEGMENT_LENGTH);
}

/** Answers in the API's one error shape and notes the code for the access log. */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: ErrorCode,
  message: string,
): FastifyReply {
  request.errorCode = code;
  return reply.code(status).type("application/json").send({ error: { code, message } });
}

/** The stable code of an HTTP status that fastify or a plugin chose. */
export function codeOfStatus(status: number): ErrorCode {
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  if (status === 503) return "unavailable";
  return status >= 500 ? "internal_error" : "bad_request";
}

/** Messages for the client errors fastify and its plugins raise, so their internals never show. */
export function clientErrorMessage(error: Pick<FastifyError, "code">, status: number): string {
  if (
    error.code === "FST_ERR_CTP_INVALID_JSON_BODY" ||
    error.code === "FST_ERR_CTP_EMPTY_JSON_BODY"
  ) {
    return "the request body is not valid JSON";
  }
  if (error.code === "FST_ERR_BAD_URL") return "the URL is not valid";
  if (status === 403) return "the path is not allowed";
  if (status === 404) return "no such route";
  if (status === 413) return "the request body is too large";
  if (status === 414) return "the URL is too long";
  if (status === 415) return "the content type is not supported";
  return "the request is not valid";
}

/**
 * Answers what the router refuses before any hook runs (a broken percent-encoding, a segment
 * longer than any id) in the API's error shape; fastify's own answer quotes the path back.
 *
 * Limitation: requests refused before routing (here and in `answerClientError`) are answered
 * but not written to the access log: no hook runs for them, and no route or token is known.
 */
export function answerFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const status = error.statusCode ?? 500;
  request.log.debug({ code: error.code, status }, "request refused by the router");
  // The onSend hook that sets these for every /api answer does not run before routing.
  reply.header("cache-control", "no-store").header("x-content-type-options", "nosniff");
  if (status >= 500) {
    return sendError(
      request,
      reply,
      status,
      "internal_error",
      "the request could not be completed",
    );
  }
  return sendError(request, reply, status, codeOfStatus(status), clientErrorMessage(error, status));
}

/** What Node's HTTP parser reports on a connection it gives up on. */
export interface ConnectionError extends Error {
  code?: string;
}

const parserRefusals: Record<string, { status: number; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, message: "the request headers are too large" },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: "the request did not arrive in time" },
};

/**
 * Answers a request that Node's HTTP parser refused before fastify saw it (headers too large, a
 * broken request line, a timeout), in the API's error shape. No request exists yet, so there is
 * no route, token or access log line; the parser's state is lost, so the connection is closed.
 */
export function answerClientError(logger: Logger, error: ConnectionError, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const refusal = parserRefusals[error.code ?? ""] ?? {
    status: 400,
    message: "the request is not valid HTTP",
  };
  logger.debug({ code: error.code ?? null, status: refusal.status }, "request refused by parser");
  if (socket.writable) {
    const body = JSON.stringify({ error: { code: "bad_request", message: refusal.message } });
    socket.write(
      [
        `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? "Error"}`,
        "content-type: application/json; charset=utf-8",
        `content-length: ${Buffer.byteLength(body)}`,
        "cache-control: no-store",
        "x-content-type-options: nosniff",
        "connection: close",
        "",
        body,
      ].join("\r\n"),
    );
  }
  socket.destroy(error);
}
