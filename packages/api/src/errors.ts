import type { ErrorCode } from "./contract/common.js";

/**
 * An expected failure of a request: it carries the HTTP status and the stable code the client
 * sees. Anything else thrown by a handler is answered as `internal_error` without detail.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function notFound(what: string): ApiError {
  return new ApiError(404, "not_found", `${what} was not found`);
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, "bad_request", message);
}

export function forbidden(message: string): ApiError {
  return new ApiError(403, "forbidden", message);
}
