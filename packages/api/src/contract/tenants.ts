import { z } from "zod";
import { instantSchema, providerSchema } from "./common.js";

/** The latest collection of one account of an owner. */
export const accountStatusSchema = z
  .object({
    provider: providerSchema,
    account: z.string(),
    status: z.enum(["complete", "partial", "failed", "never-collected"]),
    reason: z.string().nullable(),
    resources: z.number().int().nullable(),
    lastScanId: z.string().nullable(),
    lastCollectedAt: instantSchema.nullable().describe("When that collection finished"),
    ageHours: z.number().nullable().describe("Hours since lastCollectedAt"),
  })
  .meta({ id: "AccountStatus" });

/** A tenant or the platform, as the policy names it, with its accounts' last collection. */
export const tenantSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(["tenant", "platform"]),
    regions: z.object({
      allowed: z.array(z.string()),
      fallback: z.array(z.object({ region: z.string(), contract: z.string(), until: z.string() })),
    }),
    processingScope: z.enum(["region", "datazone", "global"]),
    accounts: z.array(accountStatusSchema),
  })
  .meta({ id: "Tenant" });

export const tenantListResponseSchema = z.object({ items: z.array(tenantSchema) });
