import { z } from "zod";

export const healthResponseSchema = z.object({ status: z.literal("ok") });

export const readyResponseSchema = z.object({
  status: z.enum(["ready", "not-ready"]),
  checks: z.object({ database: z.boolean(), migrations: z.boolean() }),
});
