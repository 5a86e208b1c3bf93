import type { CollectionStatus, Evidence, Finding, Provider, Verdict } from "../model.js";
import { accountKey, comparableText, findingIdentity } from "./identity.js";

/** What can happen to a finding between two evaluations of its owner. */
export const findingEventKinds = [
  "opened",
  "resolved",
  "reopened",
  "waived",
  "waiver-expired",
  "evidence-changed",
] as const;

export type FindingEventKind = (typeof findingEventKinds)[number];

/** A verdict as an event records it on either side of a change. */
export interface VerdictSnapshot {
  status: Verdict;
  message: string;
  evidence: Evidence[];
}

/** One change of a finding. */
export interface FindingEvent {
  kind: FindingEventKind;
  /** The finding after the change; for a subject that is gone, the finding it had before. */
  finding: Finding;
  /** Null for a finding that is new. */
  before: VerdictSnapshot | null;
  /** Null for a finding whose subject is gone. */
  after: VerdictSnapshot | null;
  at: Date;
}

/** The current state of one finding identity, as the store keeps it between evaluations. */
export interface FindingState {
  /** The verdict; `stale` and `staleReason` are set while it is carried on. */
  finding: Finding;
  /** When the identity was first evaluated. */
  firstSeen: Date;
  /** When the current status began. */
  statusSince: Date;
  /** When an evaluation last judged it from a fresh collection. */
  lastEvaluatedAt: Date;
  /** The scan of that evaluation, when the store knows it. */
  lastScanId?: string | null;
}

/** How completely an account's latest collection went, as far as drift needs to know. */
export interface CollectionOutcome {
  provider: Provider;
  account: string;
  status: CollectionStatus;
  /** Why the collection is not complete; null when it is. */
  reason: string | null;
}

/** Input of `diffFindings`: one owner's previous state and its new findings. */
export interface FindingDiffOptions {
  /** The owner's state before this evaluation. */
  previous: readonly FindingState[];
  /** The owner's findings from this evaluation, each identity once. */
  current: readonly Finding[];
  /** The latest collection of each account the findings may name. */
  collections: readonly CollectionOutcome[];
  /**
   * Subject keys of resources still in the inventory that the latest collection of their
   * account, partial or failed, did not see: their new verdicts rest on old documents.
   */
  unseenSubjects?: ReadonlySet<string>;
  /** Identities (`findingIdentity`) that were resolved at some point in the past. */
  resolvedBefore?: ReadonlySet<string>;
  /**
   * Identities that are open: their last opening or closing event left them open (`opened`,
   * `reopened`, `waiver-expired`), or they have no such event and failed at the owner's
   * baseline. A failure that was unreadable for a while and fails again is the same failure, not
   * a new one; one that passes again is resolved.
   */
  openBefore?: ReadonlySet<string>;
  /** When the evaluation is recorded: the time of events and state changes. */
  at: Date;
  /** The owner's first evaluation: state is computed, but no events are recorded. */
  baseline?: boolean;
}

/** What an evaluation changes. */
export interface FindingDiffResult {
  /** Events in the order of the new findings, then the resolutions of gone subjects. */
  events: FindingEvent[];
  /** The state of every identity that stays: fresh verdicts and stale ones carried on. */
  next: FindingState[];
  /** Previous findings whose subject is gone from a complete collection: their state ends. */
  removed: Finding[];
}

const clean = new Set<Verdict>(["pass", "not-applicable"]);

function snapshot(finding: Finding): VerdictSnapshot {
  return { status: finding.status, message: finding.message, evidence: finding.evidence };
}

function withoutStaleMark(finding: Finding): Finding {
  const { stale: _stale, staleReason: _reason, ...fresh } = finding;
  return fresh;
}

function markStale(finding: Finding, reason: string): Finding {
  return { ...withoutStaleMark(finding), stale: true, staleReason: reason };
}

/** Why an account's verdicts are carried on: its collection was partial or failed. */
function staleReasonOf(collection: CollectionOutcome): string {
  const account = `${collection.provider} account ${collection.account}`;
  const cause = collection.reason ?? "no reason was recorded";
  return `${account} was not collected completely (${collection.status}): ${cause}`;
}

/**
 * What a finding's evidence saw: path and value. The expected side is left out, since it may
 * describe the evaluation itself (a key expiry judged against the evaluation date) rather than
 * the resource.
 */
function observed(finding: Finding): unknown[] {
  return finding.evidence.map((evidence) => ({ path: evidence.path, actual: evidence.actual }));
}

/**
 * The event a verdict change records, or null when it records none. `fail` is the open
 * state; `error` (the data could not be read) neither opens nor resolves a finding, so what
 * follows an error is judged against whether the finding was open before it.
 */
function eventKind(
  before: Finding | undefined,
  after: Finding,
  history: { resolved: boolean; open: boolean },
): FindingEventKind | null {
  const was = before?.status;
  const is = after.status;
  if (before !== undefined && was === is) {
    return comparableText(observed(before)) === comparableText(observed(after))
      ? null
      : "evidence-changed";
  }
  if (is === "waived") return "waived";
  if (was === "waived" && (is === "fail" || is === "error")) return "waiver-expired";
  if (is === "fail") {
    if (was === "error" && history.open) return null;
    return history.resolved ? "reopened" : "opened";
  }
  if ((was === "fail" || was === "waived") && clean.has(is)) return "resolved";
  // An open failure that was unreadable for a while and now passes was fixed meanwhile: without
  // this event it would stay open in the history for good.
  if (was === "error" && history.open && clean.has(is)) return "resolved";
  // Limitation: a finding that moves between fail and error records no event, so the history
  // does not show how long an open failure was unreadable.
  return null;
}

/**
 * Diffs one owner's previous finding state against its new findings. A finding of an account
 * whose latest collection is partial or failed is never resolved: when it is missing, or its
 * resource was not seen, the previous verdict is carried on, marked stale with the reason, and
 * no event is recorded about it. Identity is (tenant, control, subject key); Azure subject keys
 * are lower-case, so an id whose case changed is the same finding.
 */
export function diffFindings(options: FindingDiffOptions): FindingDiffResult {
  const { at } = options;
  const collections = new Map(
    options.collections.map((collection) => [
      accountKey(collection.provider, collection.account),
      collection,
    ]),
  );
  const incompleteCollection = (finding: Finding): CollectionOutcome | undefined => {
    if (finding.provider === null || finding.account === null) return undefined;
    const collection = collections.get(accountKey(finding.provider, finding.account));
    return collection === undefined || collection.status === "complete" ? undefined : collection;
  };
  const previous = new Map(
    options.previous.map((state) => [findingIdentity(state.finding), state]),
  );
  const result: FindingDiffResult = { events: [], next: [], removed: [] };
  const record = (event: Omit<FindingEvent, "at">) => {
    if (options.baseline !== true) result.events.push({ ...event, at });
  };

  const judged = new Set<string>();
  for (const finding of options.current) {
    const identity = findingIdentity(finding);
    if (judged.has(identity)) continue;
    judged.add(identity);
    const before = previous.get(identity);
    const incomplete = incompleteCollection(finding);

    if (incomplete !== undefined && options.unseenSubjects?.has(finding.subjectKey) === true) {
      const carried = before ?? { firstSeen: at, statusSince: at, lastEvaluatedAt: at, finding };
      result.next.push({
        ...carried,
        finding: markStale(carried.finding, staleReasonOf(incomplete)),
      });
      continue;
    }

    const fresh = withoutStaleMark(finding);
    const kind = eventKind(before?.finding, fresh, {
      resolved: options.resolvedBefore?.has(identity) === true,
      open: options.openBefore?.has(identity) === true,
    });
    if (kind !== null) {
      record({
        kind,
        finding: fresh,
        before: before === undefined ? null : snapshot(before.finding),
        after: snapshot(fresh),
      });
    }
    result.next.push({
      finding: fresh,
      firstSeen: before?.firstSeen ?? at,
      statusSince:
        before !== undefined && before.finding.status === fresh.status ? before.statusSince : at,
      lastEvaluatedAt: at,
    });
  }

  // Gone subjects in identity order, so that a diff records its events in a stable order.
  const unjudged = [...previous].filter(([identity]) => !judged.has(identity));
  unjudged.sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  for (const [, state] of unjudged) {
    const incomplete = incompleteCollection(state.finding);
    if (incomplete !== undefined) {
      result.next.push({ ...state, finding: markStale(state.finding, staleReasonOf(incomplete)) });
      continue;
    }
    result.removed.push(state.finding);
    const was = state.finding.status;
    if (was === "fail" || was === "waived") {
      record({
        kind: "resolved",
        finding: state.finding,
        before: snapshot(state.finding),
        after: null,
      });
    }
  }
  return result;
}
