import type { AccountStatus } from "./api/types.js";

/**
 * An account's evidence is stale when its last collection is older than a day, or was not
 * complete, or never happened: its verdicts may no longer describe the estate.
 * Limitation: the threshold is a fixed 24 hours, not derived from the policy's schedule, so an
 * account scheduled hourly that missed a few runs is not yet marked stale.
 */
export const STALE_AFTER_HOURS = 24;

export function isAccountStale(account: AccountStatus): boolean {
  return (
    account.status !== "complete" ||
    account.ageHours === null ||
    account.ageHours > STALE_AFTER_HOURS
  );
}
