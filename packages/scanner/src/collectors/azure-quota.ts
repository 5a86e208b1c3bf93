import type { HttpHeaders } from "@azure/core-rest-pipeline";

/** Quota headers Resource Graph sends on every response. */
const QUOTA_REMAINING = "x-ms-user-quota-remaining";
const QUOTA_RESETS_AFTER = "x-ms-user-quota-resets-after";

/**
 * Parses a duration as Resource Graph writes it (`hh:mm:ss`, seconds may carry a fraction)
 * into milliseconds; undefined when the text is not such a duration.
 */
export function parseQuotaDuration(text: string | undefined): number | undefined {
  const match = text?.trim().match(/^(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/);
  if (!match) return undefined;
  const [, hours, minutes, seconds] = match;
  return Math.ceil((Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds)) * 1000);
}

/**
 * Parses `Retry-After` (seconds or an HTTP date) into milliseconds from `now`; undefined when
 * absent or unreadable.
 */
export function parseRetryAfter(text: string | undefined, now: number): number | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Tracks the Resource Graph user quota across queries: once a response says no query is left,
 * the next query waits until the announced reset.
 */
export class ResourceGraphQuota {
  /** Epoch milliseconds before which no query should be sent. */
  private resumeAt = 0;

  constructor(
    private readonly sleep: (milliseconds: number) => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reads the quota headers of a response (successful or not). */
  observe(headers: HttpHeaders | undefined): void {
    if (!headers) return;
    const remaining = Number(headers.get(QUOTA_REMAINING));
    if (headers.get(QUOTA_REMAINING) === undefined || !Number.isFinite(remaining)) return;
    if (remaining > 0) return;
    const waitMs = parseQuotaDuration(headers.get(QUOTA_RESETS_AFTER)) ?? 5000;
    this.resumeAt = Math.max(this.resumeAt, this.now() + waitMs);
  }

  /** How long a throttled response asks to wait, in milliseconds, if it says so at all. */
  throttleDelay(headers: HttpHeaders | undefined): number | undefined {
    if (!headers) return undefined;
    return (
      parseRetryAfter(headers.get("retry-after"), this.now()) ??
      parseQuotaDuration(headers.get(QUOTA_RESETS_AFTER))
    );
  }

  /** Holds back the next query for `milliseconds` (a throttled answer's wait). */
  holdFor(milliseconds: number): void {
    this.resumeAt = Math.max(this.resumeAt, this.now() + milliseconds);
  }

  /** Waits out an exhausted quota; returns the milliseconds waited (0 when none). */
  async waitForQuota(): Promise<number> {
    const waitMs = this.resumeAt - this.now();
    this.resumeAt = 0;
    if (waitMs <= 0) return 0;
    await this.sleep(waitMs);
    return waitMs;
  }
}
