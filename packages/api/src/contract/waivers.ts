import { z } from "zod";

/** A waiver of the policy, with how long it has left. */
export const waiverSchema = z
  .object({
    control: z.string(),
    resource: z.string().nullable().describe("Resource id glob, or null for an account waiver"),
    account: z.string().nullable(),
    owners: z.array(z.string()).describe("Owners whose accounts the waiver can cover"),
    reason: z.string(),
    approvedBy: z.string(),
    ticket: z.string().nullable(),
    expires: z.string().describe("YYYY-MM-DD, valid through its end (UTC)"),
    daysToExpiry: z.number().int().describe("Negative once expired"),
    state: z.enum(["active", "expiring", "expired"]),
    findings: z.number().int().describe("Current findings this waiver waives, within scope"),
  })
  .meta({ id: "Waiver" });

export const waiverListResponseSchema = z.object({ items: z.array(waiverSchema) });
