import { z } from "zod";
import { providerSchema, verdictSchema } from "./common.js";
import { findingSchema } from "./findings.js";

export const dataflowParamsSchema = z.object({ tenant: z.string().min(1).max(200) });

/** A resource a stage selects. */
export const dataflowResourceSchema = z.object({
  ref: z.string(),
  provider: providerSchema,
  key: z.string(),
  resourceId: z.string(),
  name: z.string(),
  type: z.string(),
  account: z.string(),
  region: z.string().nullable(),
  regionApproved: z
    .boolean()
    .nullable()
    .describe("In the tenant's allowed regions or a fallback under contract; null: no region"),
  verdict: verdictSchema
    .nullable()
    .describe("Current dataflow.stage-region verdict of the resource; null when none"),
  hidden: z
    .boolean()
    .describe(
      "The resource belongs to an account outside the token's scope: its ref, key, id, name " +
        "and account are empty; provider, type, region and verdicts remain",
    ),
});

export const dataflowStageSchema = z.object({
  stage: z.enum([
    "prompt-composition",
    "retrieval",
    "model-call",
    "response-logging",
    "tool-calls",
    "audit-trail",
  ]),
  declared: z.boolean(),
  selector: z
    .object({ resources: z.array(z.string()), tags: z.record(z.string(), z.string()) })
    .nullable(),
  status: z
    .enum(["pass", "fail", "error", "not-declared"])
    .describe("Worst verdict of the stage's findings (waived counts as pass)"),
  resources: z.array(dataflowResourceSchema),
  findings: z
    .array(findingSchema)
    .describe("Current dataflow findings about the stage or its selected resources"),
});

export const dataflowResponseSchema = z
  .object({
    tenant: z.string(),
    name: z.string(),
    regions: z.object({
      allowed: z.array(z.string()),
      fallback: z.array(z.object({ region: z.string(), contract: z.string(), until: z.string() })),
    }),
    stages: z.array(dataflowStageSchema).describe("The six stages in order"),
  })
  .meta({ id: "Dataflow" });
