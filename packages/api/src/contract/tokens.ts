import { z } from "zod";
import { instantSchema, roleSchema } from "./common.js";

/** A token as listed: never its secret. */
export const tokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: roleSchema,
    scope: z.array(z.string()).nullable().describe("Null = every owner"),
    createdAt: instantSchema,
    expiresAt: instantSchema.nullable(),
    revokedAt: instantSchema.nullable(),
    lastUsedAt: instantSchema.nullable(),
  })
  .meta({ id: "Token" });

export const tokenListResponseSchema = z.object({ items: z.array(tokenSchema) });

export const createTokenBodySchema = z.object({
  name: z.string().trim().min(1).max(200),
  role: roleSchema,
  scope: z
    .array(z.string().min(1).max(200))
    .min(1)
    .nullable()
    .describe("Tenant ids and/or `platform`; null = every owner"),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});

export const createTokenResponseSchema = tokenSchema.extend({
  token: z.string().describe("The secret; shown once, only its hash is kept"),
});

export const tokenParamsSchema = z.object({ id: z.uuid() });
