import { z } from "zod";

/** Every error the API answers with: a stable machine code and a sentence for people. */
export const errorResponseSchema = z
  .object({
    error: z.object({
      code: z.enum([
        "unauthorized",
        "forbidden",
        "not_found",
        "bad_request",
        "conflict",
        "queue_unavailable",
        "not_ready",
        "unavailable",
        "internal_error",
      ]),
      message: z.string(),
    }),
  })
  .meta({ id: "Error" });

/** The stable error codes. */
export type ErrorCode = z.infer<typeof errorResponseSchema>["error"]["code"];

export const verdictSchema = z.enum(["pass", "fail", "error", "waived", "not-applicable"]);
export const severitySchema = z.enum(["low", "medium", "high", "critical"]);
export const providerSchema = z.enum(["azure", "aws"]);
export const roleSchema = z.enum(["admin", "auditor"]);

/** An instant, as an ISO 8601 string in UTC. */
export const instantSchema = z.string().describe("ISO 8601 timestamp (UTC)");

/** Counts of current findings by verdict. */
export const verdictCountsShape = {
  pass: z.number().int(),
  fail: z.number().int(),
  error: z.number().int(),
  waived: z.number().int(),
  notApplicable: z.number().int(),
};

export const verdictCountsSchema = z.object(verdictCountsShape).meta({ id: "VerdictCounts" });

/** One observation behind a verdict. */
export const evidenceSchema = z
  .object({
    path: z.string(),
    actual: z.unknown().optional().describe("Absent when the property is absent"),
    expected: z.unknown(),
  })
  .meta({ id: "Evidence" });

/** Keyset pagination: an opaque cursor from the previous page and a page size. */
export const pageQueryShape = {
  cursor: z.string().max(2000).optional().describe("nextCursor of the previous page"),
  limit: z.coerce.number().int().min(1).max(500).default(50),
};

/** The tenant value that stands for findings of accounts no owner maps (tenant null). */
export const UNMAPPED_TENANT = "(unmapped)";

export const idParamsSchema = z.object({ id: z.string().min(1).max(4000) });

/** A JSON value of a raw cloud document. */
export const rawDocumentSchema = z.record(z.string(), z.unknown());
