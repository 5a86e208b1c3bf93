import { randomUUID } from "node:crypto";
import { jsonResponse, type WireResponse } from "../wire.js";

const contentType = "application/json; charset=utf-8";

/** An ARM error answer: HTTP status, `error.code` and `error.message`. */
export class AzureServiceError extends Error {
  override readonly name = "AzureServiceError";

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly details: { code: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/** The error answer in ARM's `{"error":{code,message}}` shape. */
export function azureErrorResponse(
  error: AzureServiceError,
  headers: Record<string, string> = {},
): WireResponse {
  const body = {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details.length === 0 ? {} : { details: error.details }),
    },
  };
  return jsonResponse(error.status, body, contentType, {
    "x-ms-request-id": randomUUID(),
    ...headers,
    ...error.headers,
  });
}

/** A successful ARM answer. */
export function azureResponse(body: unknown, headers: Record<string, string> = {}): WireResponse {
  return jsonResponse(200, body, contentType, { "x-ms-request-id": randomUUID(), ...headers });
}

/** A 400 `BadRequest` with the given message. */
export function badRequest(message: string): AzureServiceError {
  return new AzureServiceError(400, "BadRequest", message);
}
