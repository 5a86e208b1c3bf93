import type { Finding, WaiverApplied } from "../model.js";
import { isInForce } from "../policy/dates.js";
import { matchesGlob } from "../policy/owners.js";
import type { Policy, Waiver } from "../policy/types.js";

function covers(waiver: Waiver, finding: Finding): boolean {
  if (waiver.control !== finding.control) return false;
  if (waiver.resource !== null) return matchesGlob(waiver.resource, finding.resource);
  return (
    waiver.account !== null &&
    finding.account !== null &&
    waiver.account.toLowerCase() === finding.account.toLowerCase()
  );
}

/**
 * The waiver in force that covers a finding (by resource glob or whole account); where several
 * overlap, the one that expires last. Expired waivers no longer apply.
 */
export function findWaiver(policy: Policy, finding: Finding, now: Date): Waiver | undefined {
  let chosen: Waiver | undefined;
  for (const waiver of policy.waivers) {
    if (!covers(waiver, finding) || !isInForce(waiver.expires, now)) continue;
    if (chosen === undefined || waiver.expires > chosen.expires) chosen = waiver;
  }
  return chosen;
}

/**
 * Turns a `fail` or `error` finding into `waived` when a waiver in force covers it, keeping the
 * evidence and recording the underlying verdict; other findings come back unchanged.
 */
export function applyWaivers(policy: Policy, finding: Finding, now: Date): Finding {
  if (finding.status !== "fail" && finding.status !== "error") return finding;
  const waiver = findWaiver(policy, finding, now);
  if (waiver === undefined) return finding;
  const applied: WaiverApplied = {
    reason: waiver.reason,
    approvedBy: waiver.approvedBy,
    ticket: waiver.ticket,
    expires: waiver.expires,
    verdict: finding.status,
  };
  return { ...finding, status: "waived", waiver: applied };
}
