import { z } from "zod";
import { providerSchema, severitySchema } from "./common.js";

export const controlReferenceSchema = z.union([
  z.object({ kind: z.literal("azure-policy"), name: z.string() }),
  z.object({ kind: z.literal("aws-config-rule"), name: z.string() }),
  z.object({
    kind: z.literal("documentation"),
    title: z.string(),
    url: z.string(),
    provider: providerSchema.optional().describe("The cloud the page is about; absent = every"),
  }),
]);

/** A control of the catalogue, with the policy's settings and its framework mappings. */
export const controlShape = {
  id: z.string(),
  area: z.string(),
  title: z.string(),
  scope: z.enum(["resource", "owner"]),
  severity: severitySchema.describe("Effective severity (the policy may override)"),
  defaultSeverity: severitySchema,
  enabled: z.boolean(),
  rationale: z.string(),
  remediation: z.object({ azure: z.string().optional(), aws: z.string().optional() }),
  references: z.array(controlReferenceSchema),
  resourceTypes: z.array(z.string()),
  frameworks: z.array(
    z.object({
      framework: z.string(),
      frameworkTitle: z.string(),
      requirement: z.string(),
      requirementTitle: z.string(),
      reason: z.string(),
    }),
  ),
};

export const controlSchema = z.object(controlShape).meta({ id: "Control" });

export const controlListResponseSchema = z.object({ items: z.array(controlSchema) });
