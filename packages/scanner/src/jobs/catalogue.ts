import type { Provider } from "@plumbline/rules";
import { z } from "zod";

/**
 * Every background job Plumbline runs, in one place: its payload schema, how often it is
 * attempted, how long to wait between attempts, and how long one attempt may run. Producers
 * validate a payload before they enqueue it and workers parse it again before they act, so a
 * job written by an older or newer release is refused rather than misread.
 */

/** Why a job runs: `schedule`, `scan-now`, `api`, or the job that asked for it. */
const trigger = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9-]*$/, { error: "a trigger is a lower-case word, e.g. schedule" });

const provider = z.enum(["azure", "aws"]);

/** `inventory`: collect one account into the store. */
export const inventoryPayloadSchema = z.strictObject({
  provider,
  /** Subscription id (lower-cased) or 12-digit AWS account id, as the policy lists it. */
  account: z.string().min(1).max(200),
  trigger,
  /** Who asked for a manual round (a token name or `cli`); absent for the schedule. */
  requestedBy: z.string().min(1).max(200).optional(),
});

/** `evaluate`: evaluate one owner (a tenant id or `platform`) over the latest inventory. */
export const evaluatePayloadSchema = z.strictObject({
  owner: z.string().min(1).max(200),
  trigger,
});

/** `notify`: drain the pending alert batches of one channel. */
export const notifyPayloadSchema = z.strictObject({
  channel: z.literal("slack"),
  trigger,
  /** The batch whose writing asked for this drain, for the logs; the drain sends every one. */
  batchId: z.string().min(1).max(200).optional(),
});

/** `discover`: list the accounts the credentials can see and evaluate the unmapped ones. */
export const discoverPayloadSchema = z.strictObject({
  trigger,
});

export type InventoryPayload = z.output<typeof inventoryPayloadSchema>;
export type EvaluatePayload = z.output<typeof evaluatePayloadSchema>;
export type NotifyPayload = z.output<typeof notifyPayloadSchema>;
export type DiscoverPayload = z.output<typeof discoverPayloadSchema>;

/** The names of the jobs. */
export type JobName = "inventory" | "evaluate" | "notify" | "discover";

/** The payload of each job, by name. */
export interface JobPayloads {
  inventory: InventoryPayload;
  evaluate: EvaluatePayload;
  notify: NotifyPayload;
  discover: DiscoverPayload;
}

/** How one job is retried and bounded. */
export interface JobDefinition<Name extends JobName> {
  name: Name;
  /** One sentence on what the job does. */
  description: string;
  payload: z.ZodType<JobPayloads[Name]>;
  /** Total attempts, the first included, before the job is failed for good. */
  attempts: number;
  /** Wait before attempt n+1: `delayMs`, doubled per attempt when exponential. */
  backoff: { type: "fixed" | "exponential"; delayMs: number };
  /**
   * Longest one attempt may run, in milliseconds. A longer attempt fails and is retried; the
   * work it started is not cancelled, so the account lock stays held until that work settles.
   */
  timeoutMs: number;
}

const minute = 60_000;

/** The job catalogue. */
export const jobCatalogue: { [Name in JobName]: JobDefinition<Name> } = {
  inventory: {
    name: "inventory",
    description: "collects one account through the cloud's inventory API into the store",
    payload: inventoryPayloadSchema,
    attempts: 3,
    backoff: { type: "exponential", delayMs: 30_000 },
    timeoutMs: 60 * minute,
  },
  evaluate: {
    name: "evaluate",
    description: "evaluates one owner over the latest inventory and records drift and alerts",
    payload: evaluatePayloadSchema,
    attempts: 3,
    backoff: { type: "exponential", delayMs: 15_000 },
    timeoutMs: 20 * minute,
  },
  notify: {
    name: "notify",
    description: "sends the pending alert batches of a channel and marks them delivered",
    payload: notifyPayloadSchema,
    attempts: 5,
    backoff: { type: "exponential", delayMs: 30_000 },
    timeoutMs: 5 * minute,
  },
  discover: {
    name: "discover",
    description: "lists the accounts the credentials can see and evaluates the unmapped ones",
    payload: discoverPayloadSchema,
    attempts: 3,
    backoff: { type: "exponential", delayMs: 60_000 },
    timeoutMs: 10 * minute,
  },
};

/** The queues: inventory has one per cloud, so each cloud gets its own rate limit. */
export const QUEUE_NAMES = [
  "inventory-azure",
  "inventory-aws",
  "evaluate",
  "notify",
  "discover",
] as const;

export type QueueName = (typeof QUEUE_NAMES)[number];

/** The queue of an inventory job for a cloud. */
export function inventoryQueueOf(cloud: Provider): QueueName {
  return cloud === "azure" ? "inventory-azure" : "inventory-aws";
}

/** The job a queue carries. */
export function jobOfQueue(queue: QueueName): JobName {
  return queue === "inventory-azure" || queue === "inventory-aws" ? "inventory" : queue;
}

/** BullMQ's retry options for a job of the catalogue. */
export function retryOptionsOf(name: JobName): {
  attempts: number;
  backoff: { type: "fixed" | "exponential"; delay: number };
} {
  const definition = jobCatalogue[name];
  return {
    attempts: definition.attempts,
    backoff: { type: definition.backoff.type, delay: definition.backoff.delayMs },
  };
}

/** A payload that does not match its job's schema. */
export class JobPayloadError extends Error {
  constructor(
    readonly job: JobName,
    readonly issues: string[],
  ) {
    super(`invalid ${job} job payload: ${issues.join("; ")}`);
    this.name = "JobPayloadError";
  }
}

/** Parses a payload against its job's schema; throws JobPayloadError naming every problem. */
export function parseJobPayload<Name extends JobName>(
  name: Name,
  data: unknown,
): JobPayloads[Name] {
  const parsed = jobCatalogue[name].payload.safeParse(data);
  if (!parsed.success) {
    throw new JobPayloadError(
      name,
      parsed.error.issues.map((issue) => `${issue.path.join(".") || "payload"}: ${issue.message}`),
    );
  }
  return parsed.data;
}
