import { driftEventKinds } from "@plumbline/rules";
import { z } from "zod";

/**
 * The JSON report of `plumbline scan --format json`, as a zod schema. It is the published
 * contract: `docs/scan-report.schema.json` is generated from it, and tests validate real output
 * against it. Fields may be added; none may be renamed.
 */
const provider = z.enum(["azure", "aws"]);
const collectionStatus = z.enum(["complete", "partial", "failed"]);
const verdict = z.enum(["pass", "fail", "error", "waived", "not-applicable"]);

const evidence = z
  .object({
    path: z.string().describe("Dotted path into the raw document"),
    actual: z
      .unknown()
      .optional()
      .describe("The value seen; left out when the property is absent, null when it is null"),
    expected: z.unknown().describe("The value that passes"),
  })
  .describe("One observation behind a verdict");

const waiver = z.object({
  reason: z.string(),
  approvedBy: z.string(),
  ticket: z.string().nullable(),
  expires: z.iso.date(),
  verdict: verdict.describe("The verdict the waiver covers"),
});

const driftEvent = z
  .object({
    kind: z
      .enum(driftEventKinds)
      .describe("Finding events, then resource events for watched properties"),
    tenant: z.string().nullable().describe("Owner: a tenant id, `platform`, or null if unmapped"),
    control: z.string().optional().describe("The control, for finding events"),
    resource: z.string().describe("The subject's id as the cloud gives it"),
    before: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("Finding events: status, message, evidence; resource events: watched properties"),
    after: z.record(z.string(), z.unknown()).optional().describe("The same, after the change"),
    at: z.iso.datetime(),
  })
  .describe("One change since the previous scan");

export const scanReportSchema = z
  .object({
    scan: z.object({
      id: z.string(),
      startedAt: z.iso.datetime(),
      finishedAt: z.iso.datetime().nullable(),
      status: collectionStatus,
      accounts: z
        .array(
          z.object({
            provider,
            account: z.string(),
            tenant: z.string().nullable().describe("Owner: a tenant id or `platform`"),
            status: collectionStatus,
            resources: z.number().int().nonnegative(),
            reason: z.string().nullable().describe("Why the account is not complete"),
            skippedRegions: z.array(z.string()).describe("AWS regions not enabled"),
          }),
        )
        .describe("Inventoried accounts, once per owner"),
      unmapped: z
        .array(z.object({ provider, account: z.string() }))
        .describe("Discovered accounts the policy does not name"),
      discoveryErrors: z
        .array(z.string())
        .describe(
          "Why an account list could not be read in full; when not empty, `unmapped` may miss " +
            "accounts",
        ),
    }),
    drift: z
      .array(driftEvent)
      .describe("What changed since the previous scan; empty for the first scan into a store"),
    findings: z.array(
      z.object({
        control: z.string(),
        provider: provider.nullable(),
        account: z.string().nullable(),
        tenant: z.string().nullable(),
        resource: z.string(),
        type: z.string().nullable(),
        region: z.string().nullable(),
        status: verdict,
        severity: z.enum(["low", "medium", "high", "critical"]),
        message: z.string(),
        evidence: z.array(evidence),
        waiver: waiver.optional(),
        stale: z
          .literal(true)
          .optional()
          .describe("Carried on from an earlier scan: the account was not collected completely"),
        staleReason: z.string().optional().describe("Why the finding is stale"),
      }),
    ),
  })
  .describe("Report of one Plumbline scan");

export type ScanReport = z.infer<typeof scanReportSchema>;

/** The JSON Schema published in docs/. */
export function scanReportJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(scanReportSchema, { target: "draft-2020-12", io: "output" }) as Record<
    string,
    unknown
  >;
}
