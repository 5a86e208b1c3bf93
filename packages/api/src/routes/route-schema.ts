import { errorResponseSchema } from "../contract/common.js";

/**
 * The error answers every /api/v1 route can give, for the OpenAPI document; 503 is an
 * unreachable database (`unavailable`), or no job queue for a scan (`queue_unavailable`).
 */
export const errorResponses = {
  400: errorResponseSchema,
  401: errorResponseSchema,
  403: errorResponseSchema,
  404: errorResponseSchema,
  500: errorResponseSchema,
  503: errorResponseSchema,
} as const;

/** The security requirement of the versioned routes. */
export const bearerSecurity = [{ bearerAuth: [] }];
