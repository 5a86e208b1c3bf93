import {
  type CollectionOutcome,
  diffFindings,
  type OwnerId,
  type Policy,
  type Verdict,
} from "@plumbline/rules";
import type { Store } from "@plumbline/store";
import type { Logger } from "pino";
import { bindNewFields } from "../logging/bind-new-fields.js";

/** Options of `recordOwnerFindings`. */
export interface RecordOwnerOptions {
  store: Store;
  policy: Policy;
  owner: OwnerId;
  /** The scan whose findings of the owner, each identity once, writeFindings has stored. */
  scanId: string;
  batchId: string;
  /** When the evaluation is recorded (wall clock). */
  at: Date;
  /** The latest collection of every account the findings may name. */
  collections: readonly CollectionOutcome[];
  /** Resource keys of incompletely collected accounts that their latest collection missed. */
  unseenSubjects?: ReadonlySet<string>;
  logger: Logger;
}

/** What one owner's recorded evaluation amounts to. */
export interface RecordOwnerResult {
  events: number;
  alerts: number;
  /** Findings written for the scan, stale ones included, by verdict. */
  verdicts: Record<Verdict, number>;
  /** Verdicts carried on from earlier evaluations. */
  stale: number;
}

/** Zero of every verdict. */
export function emptyVerdicts(): Record<Verdict, number> {
  return { pass: 0, fail: 0, error: 0, waived: 0, "not-applicable": 0 };
}

/**
 * Diffs the owner's findings of the scan, already stored, against its stored state and records
 * the result: the new state, the stale verdicts carried on, drift events and alerts, in one
 * transaction. The store hands the diff one slice of identities at a time, so memory holds a
 * slice, not the owner's findings. The owner's first evaluation is its baseline and records no
 * events.
 */
export async function recordOwnerFindings(options: RecordOwnerOptions): Promise<RecordOwnerResult> {
  const { store, policy, owner } = options;
  const verdicts = emptyVerdicts();
  let stale = 0;
  let findings = 0;

  const slack = policy.notifications.slack;
  const written = await store.recordOwnerEvaluation({
    scanId: options.scanId,
    batchId: options.batchId,
    owner,
    at: options.at,
    alerts: slack === null ? null : { channel: "slack", minSeverity: slack.minSeverity },
    diff: (chunk) => {
      const diff = diffFindings({
        previous: chunk.previous,
        current: chunk.current,
        collections: options.collections,
        ...(options.unseenSubjects ? { unseenSubjects: options.unseenSubjects } : {}),
        resolvedBefore: chunk.resolvedBefore,
        openBefore: chunk.openBefore,
        at: options.at,
        baseline: chunk.baseline,
      });
      for (const state of diff.next) {
        verdicts[state.finding.status] += 1;
        if (state.finding.stale === true) stale += 1;
      }
      findings += diff.next.length;
      return diff;
    },
  });

  // The caller's logger may name the owner already (an evaluation job's does).
  bindNewFields(options.logger, { owner }).info(
    {
      baseline: written.baseline,
      findings,
      stale,
      events: written.events,
      alerts: written.alerts,
    },
    "owner evaluation recorded",
  );
  return { events: written.events, alerts: written.alerts, verdicts, stale };
}
