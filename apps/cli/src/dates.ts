import { z } from "zod";
import { UsageError } from "./errors.js";

const isoDate = z.iso.date();
const rfc3339 = z.iso.datetime({ offset: true });

/**
 * Parses `--now`: `YYYY-MM-DD` means 00:00 UTC of that day; otherwise an RFC 3339 timestamp
 * with a zone. Without a value, the current time.
 */
export function parseEvaluationDate(value: string | undefined, clock: () => Date): Date {
  if (value === undefined) {
    return clock();
  }
  if (isoDate.safeParse(value).success) {
    return new Date(`${value}T00:00:00.000Z`);
  }
  if (rfc3339.safeParse(value).success) {
    return new Date(value);
  }
  throw new UsageError(
    `--now: "${value}" is neither a date (YYYY-MM-DD) nor an RFC 3339 timestamp`,
  );
}
