import type { Logger } from "pino";

/**
 * A child logger that binds only the fields its parent has not bound yet. pino writes every
 * binding of a chain, so a field the worker binds for its job (`owner`, `account`, `channel`)
 * and the pipeline step binds again would appear twice on each line; many log stores refuse
 * such lines or keep one value at random. The parent's value wins: it names the same thing.
 */
export function bindNewFields(logger: Logger, fields: Record<string, unknown>): Logger {
  const bound = logger.bindings();
  const fresh = Object.entries(fields).filter(([key]) => !Object.hasOwn(bound, key));
  return fresh.length === 0 ? logger : logger.child(Object.fromEntries(fresh));
}
