import { z } from "zod";
import {
  evidenceSchema,
  instantSchema,
  pageQueryShape,
  providerSchema,
  rawDocumentSchema,
  severitySchema,
  verdictSchema,
} from "./common.js";
import { controlShape } from "./controls.js";
import { driftEventSchema } from "./drift.js";

export const FINDING_SORTS = [
  "severity",
  "-severity",
  "statusSince",
  "-statusSince",
  "tenant",
  "control",
  "resource",
] as const;

/** Filters shared by the finding list and the exports; each takes a comma-separated list. */
export const findingFilterShape = {
  tenant: z.string().optional().describe("Owner ids; `(unmapped)` for tenant null"),
  control: z.string().optional().describe("Control ids"),
  area: z.string().optional().describe("Control areas (id prefix before the dot)"),
  status: z.string().optional().describe("pass, fail, error, waived, not-applicable"),
  severity: z.string().optional().describe("low, medium, high, critical"),
  region: z.string().optional(),
  account: z.string().optional(),
  provider: z.string().optional().describe("azure, aws"),
  stale: z.enum(["true", "false"]).optional(),
  q: z.string().max(200).optional().describe("Text within resource, message or control"),
  sort: z.enum(FINDING_SORTS).default("severity").describe("`-` reverses; default severity"),
};

export const findingListQuerySchema = z.object({ ...findingFilterShape, ...pageQueryShape });

/** A current finding (one row of finding_state). */
export const findingSchema = z
  .object({
    id: z.string().describe("base64url of JSON [tenant, control, subjectKey]"),
    tenant: z.string().nullable(),
    control: z.string(),
    controlTitle: z.string(),
    area: z.string(),
    subjectKey: z.string(),
    resource: z.string().describe("Display id of the subject"),
    resourceRef: z.string().nullable().describe("Route key of the resource, when inventoried"),
    provider: providerSchema.nullable(),
    account: z.string().nullable(),
    type: z.string().nullable(),
    region: z.string().nullable(),
    status: verdictSchema,
    severity: severitySchema,
    message: z.string(),
    evidence: z.array(evidenceSchema),
    waiver: z
      .object({
        reason: z.string(),
        approvedBy: z.string(),
        ticket: z.string().nullable(),
        expires: z.string(),
        verdict: verdictSchema,
      })
      .nullable(),
    stale: z.boolean(),
    staleReason: z.string().nullable(),
    firstSeen: instantSchema,
    statusSince: instantSchema,
    lastEvaluatedAt: instantSchema,
    lastScanId: z.string().nullable(),
  })
  .meta({ id: "Finding" });

export const findingListResponseSchema = z.object({
  items: z.array(findingSchema),
  nextCursor: z.string().nullable(),
  total: z.number().int().describe("Findings matching the filters, all pages"),
});

export const findingDetailResponseSchema = z
  .object({
    finding: findingSchema,
    // Inlined rather than referenced: OpenAPI 3.0 cannot make a referenced schema nullable.
    control: z.object(controlShape).nullable(),
    resource: z
      .object({
        ref: z.string(),
        provider: providerSchema,
        key: z.string(),
        resourceId: z.string(),
        type: z.string(),
        region: z.string().nullable(),
        deletedAt: instantSchema.nullable(),
        raw: rawDocumentSchema,
      })
      .nullable()
      .describe("The inventoried resource the finding is about; null for accounts and stages"),
    history: z.array(driftEventSchema).describe("Drift events of this finding, oldest first"),
  })
  .meta({ id: "FindingDetail" });
