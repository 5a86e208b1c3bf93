import { z } from "zod";

/**
 * The environment the command reads, parsed once. Everything else receives configuration as
 * arguments, so tests and embedders never touch `process.env`.
 */
const environmentSchema = z.object({
  /** PostgreSQL URL of the store; without it the embedded store under `./.plumbline/` is used. */
  DATABASE_URL: z.string().min(1).optional(),
  /** pino level for the structured logs written to stderr. */
  PLUMBLINE_LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
    .default("warn"),
  /** Set by CI systems; disables the interactive progress line. */
  CI: z.string().optional(),
  /** Base URL of the dashboard, linked from alerts (default http://127.0.0.1:8080). */
  PLUMBLINE_DASHBOARD_URL: z.url().optional(),
  /** Redis for the job queues (`redis://host:port/db`); `worker` and `scan-now` need it. */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /** Prefix of every Redis key, to keep deployments that share one Redis apart. */
  PLUMBLINE_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional(),
  /** Job lock and account lock lifetime in ms: how soon a dead worker's job is retried. */
  PLUMBLINE_JOB_LOCK_MS: z.coerce.number().int().min(100).optional(),
  /** How often each worker checks for stalled jobs, in ms. */
  PLUMBLINE_STALLED_INTERVAL_MS: z.coerce.number().int().min(100).optional(),
  /** Longest a stopping worker waits for its jobs in flight, in ms (default 25 000). */
  PLUMBLINE_DRAIN_TIMEOUT_MS: z.coerce.number().int().min(0).optional(),
  /** Wait after an inventory before its owners are evaluated, in ms (default 5 000). */
  PLUMBLINE_EVALUATE_DELAY_MS: z.coerce.number().int().min(0).optional(),
});

export type Environment = z.infer<typeof environmentSchema>;

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`environment variable ${String(first?.path[0])}: ${first?.message}`);
  }
  return parsed.data;
}

/**
 * Reads the variable a policy names for a secret (the Slack webhook URL). The name is only
 * known once the policy is read, so it cannot be part of the schema above.
 */
export function readNamedSecret(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}

/** The embedded store's default folder, relative to the working directory. */
export const DEFAULT_DATA_DIR = ".plumbline";
