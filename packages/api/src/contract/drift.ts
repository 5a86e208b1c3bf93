import type { DriftEventKind } from "@plumbline/rules";
import { z } from "zod";
import { instantSchema, pageQueryShape, providerSchema, severitySchema } from "./common.js";

// The contract stays free of runtime imports from the rules package so that the dashboard can
// bundle it; the contract's tests hold this list to the rules' own.
export const DRIFT_KINDS = [
  "opened",
  "resolved",
  "reopened",
  "waived",
  "waiver-expired",
  "evidence-changed",
  "appeared",
  "disappeared",
  "changed",
] as const satisfies readonly DriftEventKind[];

export const driftQuerySchema = z.object({
  from: z.string().optional().describe("ISO instant, inclusive; default 30 days before `to`"),
  to: z.string().optional().describe("ISO instant, exclusive; default now"),
  tenant: z.string().optional().describe("Comma-separated owner ids; `(unmapped)` for null"),
  control: z.string().optional(),
  kind: z.string().optional().describe("Comma-separated event kinds"),
  severity: z.string().optional(),
  account: z.string().optional(),
  region: z.string().optional(),
  q: z.string().max(200).optional().describe("Text within the resource"),
  ...pageQueryShape,
});

/** One recorded change, newest first in lists. */
export const driftEventSchema = z
  .object({
    id: z.number().int(),
    at: instantSchema,
    kind: z.enum(DRIFT_KINDS),
    tenant: z.string().nullable(),
    control: z.string().nullable().describe("Null for resource events"),
    subjectKey: z.string(),
    resource: z.string(),
    resourceRef: z
      .string()
      .nullable()
      .describe("Route key of the resource page; null when not stored or outside the scope"),
    findingId: z.string().nullable().describe("Route id of the finding, for finding events"),
    provider: providerSchema.nullable(),
    account: z.string().nullable(),
    region: z.string().nullable(),
    severity: severitySchema.nullable(),
    before: z.unknown(),
    after: z.unknown(),
    scanId: z.string().nullable(),
    batchId: z.string(),
  })
  .meta({ id: "DriftEvent" });

export const driftListResponseSchema = z.object({
  items: z.array(driftEventSchema),
  nextCursor: z.string().nullable(),
});
