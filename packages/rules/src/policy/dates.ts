const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function startOfUtcDay(date: Date): number {
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
}

/** Milliseconds since the epoch at the start (UTC) of an ISO date, or null when it is not one. */
function startOfIsoDate(isoDate: string): number | null {
  const match = ISO_DATE.exec(isoDate);
  if (match === null) return null;
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

const DAY_MS = 86_400_000;

/**
 * Whole days from the UTC day of `now` to an ISO date: 0 on the day itself, negative once it
 * has passed; null when the text is not an ISO date.
 */
export function daysUntil(isoDate: string, now: Date): number | null {
  const start = startOfIsoDate(isoDate);
  return start === null ? null : Math.round((start - startOfUtcDay(now)) / DAY_MS);
}

/**
 * True while a date-bounded grant (a contract or a waiver) runs: through the end of its day
 * (UTC).
 */
export function isInForce(isoDate: string, now: Date): boolean {
  const start = startOfIsoDate(isoDate);
  return start !== null && now.getTime() < start + DAY_MS;
}
