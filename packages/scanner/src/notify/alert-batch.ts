import type { AlertBatch, AlertItem } from "@plumbline/rules";
import * as z from "zod";

const severitySchema = z.enum(["low", "medium", "high", "critical"]);

/** One change worth telling people about, as the evaluation wrote it into the outbox. */
const alertItemSchema = z.object({
  eventId: z.number().int(),
  kind: z.enum(["opened", "reopened", "waiver-expired", "resolved"]),
  tenant: z.string().nullable(),
  control: z.string(),
  controlTitle: z.string(),
  severity: severitySchema,
  resource: z.string(),
  subjectKey: z.string(),
  provider: z.enum(["azure", "aws"]).nullable(),
  account: z.string().nullable(),
  region: z.string().nullable(),
  message: z.string(),
  before: z.string().nullable(),
  after: z.string().nullable(),
  at: z.string(),
}) satisfies z.ZodType<AlertItem>;

/** The payload of one outbox row, checked as it is read back: the database is a boundary. */
export const alertBatchSchema = z.object({
  batchId: z.string(),
  scanId: z.string().nullable(),
  createdAt: z.string(),
  items: z.array(alertItemSchema),
}) satisfies z.ZodType<AlertBatch>;

/** Severity order, most severe first, for grouping and for picking a digest's top items. */
export const severityRank: Record<AlertItem["severity"], number> = {
  critical: 0,
  high: 1,
  medium: 2,
  low: 3,
};
