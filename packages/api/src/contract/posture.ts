import { z } from "zod";
import { instantSchema, verdictCountsSchema, verdictCountsShape } from "./common.js";

export const postureQuerySchema = z.object({
  tenant: z.string().optional().describe("Comma-separated owner ids; `(unmapped)` for tenant null"),
});

/** Current verdict counts of one owner in one control area. */
export const postureAreaSchema = z.object({
  area: z.string().describe("Control id prefix: keys, network, identity, residency, …"),
  counts: verdictCountsSchema,
});

/** One day of an owner's trend: the counts of the latest evaluation by that day's end. */
export const trendPointSchema = z.object({
  date: z.string().describe("YYYY-MM-DD (UTC)"),
  // Inlined rather than referenced: OpenAPI 3.0 cannot make a referenced schema nullable.
  counts: z
    .object(verdictCountsShape)
    .nullable()
    .describe("Null before the first evaluation in range"),
});

export const ownerPostureSchema = z
  .object({
    tenant: z.string().nullable().describe("Owner id; null = unmapped accounts"),
    totals: verdictCountsSchema,
    openBySeverity: z
      .object({
        critical: z.number().int(),
        high: z.number().int(),
        medium: z.number().int(),
        low: z.number().int(),
      })
      .describe("Current fail and error findings by severity"),
    stale: z.number().int().describe("Current findings carried on from an incomplete collection"),
    areas: z.array(postureAreaSchema),
    trend: z.array(trendPointSchema).describe("30 points, oldest first, ending today"),
  })
  .meta({ id: "OwnerPosture" });

export const postureResponseSchema = z.object({
  generatedAt: instantSchema,
  owners: z.array(ownerPostureSchema),
});
