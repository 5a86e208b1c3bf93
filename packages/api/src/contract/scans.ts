import { z } from "zod";
import { instantSchema, pageQueryShape, providerSchema, verdictCountsSchema } from "./common.js";

/**
 * What a scan did. `discovery` is the evaluation the `discover` job records for the accounts
 * the clouds report and no owner lists: stored as an `evaluation` without an owner.
 */
const scanKindSchema = z.enum(["full", "inventory", "evaluation", "discovery"]);

export const scanListQuerySchema = z.object({
  kind: scanKindSchema.optional(),
  status: z.enum(["running", "complete", "partial", "failed"]).optional(),
  ...pageQueryShape,
});

export const cloudCallsSchema = z.object({
  calls: z.number().int(),
  throttled: z.number().int(),
  byService: z.record(z.string(), z.object({ calls: z.number(), throttled: z.number() })),
});

export const scanSummarySchema = z
  .object({
    id: z.string(),
    kind: scanKindSchema,
    owner: z.string().nullable().describe("The owner an evaluation judged"),
    account: z
      .object({ provider: providerSchema, account: z.string() })
      .nullable()
      .describe("The account an inventory scan collected; null for other kinds and while running"),
    status: z.enum(["running", "complete", "partial", "failed"]),
    trigger: z.string(),
    startedAt: instantSchema,
    finishedAt: instantSchema.nullable(),
    durationMs: z.number().int().nullable(),
    cloudCalls: cloudCallsSchema.nullable(),
    accounts: z.object({
      complete: z.number().int(),
      partial: z.number().int(),
      failed: z.number().int(),
    }),
  })
  .meta({ id: "ScanSummary" });

export const scanListResponseSchema = z.object({
  items: z.array(scanSummarySchema).describe("Newest first"),
  nextCursor: z.string().nullable(),
});

export const scanAccountSchema = z.object({
  provider: providerSchema,
  account: z.string(),
  owner: z.string().nullable(),
  status: z.enum(["complete", "partial", "failed"]),
  reason: z.string().nullable(),
  resources: z.number().int(),
  skippedRegions: z.array(z.string()),
  completeRegions: z.array(z.string()),
  startedAt: instantSchema.nullable(),
  finishedAt: instantSchema.nullable(),
});

export const scanDetailResponseSchema = z
  .object({
    scan: scanSummarySchema,
    accounts: z.array(scanAccountSchema),
    findings: verdictCountsSchema.describe("Verdicts this scan recorded, within scope"),
  })
  .meta({ id: "ScanDetail" });

export const triggerScanBodySchema = z
  .object({
    // An empty list would queue nothing yet answer 202, as if a scan had started.
    accounts: z
      .array(z.string().min(1))
      .min(1, "name at least one account, or leave accounts out to scan every account")
      .optional()
      .describe("Account ids, at least one; absent = every account"),
  })
  .nullish()
  .describe("Optional; no body scans every account");

export const triggerScanResponseSchema = z.object({ jobIds: z.array(z.string()) });
