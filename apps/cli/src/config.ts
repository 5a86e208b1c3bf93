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

/** The embedded store's default folder, relative to the working directory. */
export const DEFAULT_DATA_DIR = ".plumbline";
