import { z } from "zod";
import { roleSchema } from "./common.js";

/** The token the request carries: who it is, what it may do and which owners it sees. */
export const meResponseSchema = z
  .object({
    tokenId: z.string(),
    name: z.string(),
    role: roleSchema,
    scope: z
      .array(z.string())
      .nullable()
      .describe("Tenant ids and/or `platform`; null sees every owner, unmapped accounts too"),
    expiresAt: z.string().nullable(),
  })
  .meta({ id: "Me" });
