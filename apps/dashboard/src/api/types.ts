import type { controlSchema } from "@plumbline/api/contract/controls.js";
import type { driftEventSchema } from "@plumbline/api/contract/drift.js";
import type { findingSchema } from "@plumbline/api/contract/findings.js";
import type { meResponseSchema } from "@plumbline/api/contract/me.js";
import type { ownerPostureSchema } from "@plumbline/api/contract/posture.js";
import type { scanSummarySchema } from "@plumbline/api/contract/scans.js";
import type { accountStatusSchema, tenantSchema } from "@plumbline/api/contract/tenants.js";

/** What a zod schema of the contract yields, without importing zod here. */
type Output<Schema extends { _zod: { output: unknown } }> = Schema["_zod"]["output"];

export type Identity = Output<typeof meResponseSchema>;
export type Finding = Output<typeof findingSchema>;
export type Control = Output<typeof controlSchema>;
export type DriftEvent = Output<typeof driftEventSchema>;
export type OwnerPosture = Output<typeof ownerPostureSchema>;
export type Tenant = Output<typeof tenantSchema>;
export type AccountStatus = Output<typeof accountStatusSchema>;
export type ScanSummary = Output<typeof scanSummarySchema>;
