import { z } from "zod";
import { instantSchema, pageQueryShape, providerSchema, rawDocumentSchema } from "./common.js";
import { findingSchema } from "./findings.js";

export const resourceListQuerySchema = z.object({
  tenant: z.string().optional().describe("Comma-separated owner ids; `(unmapped)` for none"),
  provider: z.string().optional(),
  account: z.string().optional(),
  type: z.string().optional(),
  region: z.string().optional(),
  q: z.string().max(200).optional().describe("Text within the id or name"),
  deleted: z.enum(["include", "exclude", "only"]).default("exclude"),
  ...pageQueryShape,
});

/** An inventoried resource in lists. */
export const resourceSummarySchema = z
  .object({
    ref: z.string().describe("Route key: base64url of JSON [provider, key]"),
    provider: providerSchema,
    key: z.string(),
    resourceId: z.string().describe("The id exactly as the cloud gave it"),
    name: z.string(),
    type: z.string(),
    account: z.string(),
    owners: z.array(z.string()).describe("Owner ids the policy maps the account to"),
    region: z.string().nullable(),
    location: z.string().nullable(),
    tags: z.record(z.string(), z.string()),
    firstSeen: instantSchema,
    lastSeen: instantSchema,
    deletedAt: instantSchema.nullable(),
  })
  .meta({ id: "ResourceSummary" });

export const resourceListResponseSchema = z.object({
  items: z.array(resourceSummarySchema),
  nextCursor: z.string().nullable(),
});

const snapshotSummaryShape = {
  id: z.number().int(),
  contentHash: z.string(),
  capturedAt: instantSchema,
  scanId: z.string().nullable(),
};

export const snapshotSummarySchema = z.object(snapshotSummaryShape).meta({ id: "SnapshotSummary" });

export const resourceDetailResponseSchema = z
  .object({
    resource: resourceSummarySchema.extend({
      raw: rawDocumentSchema,
      references: z.array(z.object({ kind: z.string(), target: z.string(), path: z.string() })),
      parentKey: z.string().nullable(),
      contentHash: z.string(),
    }),
    snapshots: z.array(snapshotSummarySchema).describe("Oldest first"),
    findings: z.array(findingSchema).describe("Current findings about this resource"),
  })
  .meta({ id: "ResourceDetail" });

export const resourceParamsSchema = z.object({ ref: z.string().min(1).max(4000) });

export const snapshotParamsSchema = z.object({
  ref: z.string().min(1).max(4000),
  snapshotId: z.coerce.number().int().positive(),
});

export const snapshotResponseSchema = snapshotSummarySchema.extend({ raw: rawDocumentSchema });

export const diffQuerySchema = z.object({
  from: z.coerce.number().int().positive().optional().describe("Snapshot id; default previous"),
  to: z.coerce.number().int().positive().optional().describe("Snapshot id; default latest"),
});

/** One difference between two snapshots, at a dotted path (array items as `[n]`). */
export const diffChangeSchema = z.object({
  path: z.string(),
  kind: z.enum(["added", "removed", "changed"]),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});

export const diffResponseSchema = z
  .object({
    // Inlined rather than referenced: OpenAPI 3.0 cannot make a referenced schema nullable.
    from: z
      .object(snapshotSummaryShape)
      .nullable()
      .describe("Null when the resource has one snapshot"),
    to: snapshotSummarySchema,
    changes: z.array(diffChangeSchema),
  })
  .meta({ id: "SnapshotDiff" });
