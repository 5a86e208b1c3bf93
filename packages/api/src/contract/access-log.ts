import { z } from "zod";
import { instantSchema, pageQueryShape } from "./common.js";

export const accessLogQuerySchema = z.object({
  tokenId: z.uuid().optional(),
  status: z.coerce.number().int().min(100).max(599).optional(),
  ...pageQueryShape,
});

/** One API request. */
export const accessLogEntrySchema = z
  .object({
    id: z.number().int(),
    at: instantSchema,
    tokenId: z.string().nullable(),
    method: z.string(),
    route: z.string().describe("Route pattern, not the URL"),
    status: z.number().int(),
    outcome: z.string(),
    durationMs: z.number().int(),
  })
  .meta({ id: "AccessLogEntry" });

export const accessLogResponseSchema = z.object({
  items: z.array(accessLogEntrySchema).describe("Newest first"),
  nextCursor: z.string().nullable(),
});
