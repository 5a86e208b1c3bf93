import { controlById } from "../controls/registry.js";
import type { Provider, Severity, Verdict } from "../model.js";
import { findingEventKinds } from "./finding-diff.js";
import { resourceEventKinds } from "./resource-diff.js";

/** Every kind of drift event the store records: finding events, then resource events. */
export const driftEventKinds = [...findingEventKinds, ...resourceEventKinds] as const;

export type DriftEventKind = (typeof driftEventKinds)[number];

/** The events that can become an alert. */
export type AlertKind = "opened" | "reopened" | "waiver-expired" | "resolved";

/** One alert: a recorded drift event as a notifier renders it. */
export interface AlertItem {
  /** The id of the drift event (`drift_events.id`). */
  eventId: number;
  kind: AlertKind;
  /** The owner id; null for an account the policy does not map. */
  tenant: string | null;
  /** The control id. */
  control: string;
  controlTitle: string;
  severity: Severity;
  /** The subject's display id. */
  resource: string;
  subjectKey: string;
  provider: Provider | null;
  account: string | null;
  region: string | null;
  /** The verdict message after the change (before it, for a subject that is gone). */
  message: string;
  /** The previous verdict (e.g. `pass`); null when the finding is new. */
  before: string | null;
  /** The new verdict; null when the subject is gone. */
  after: string | null;
  /** ISO timestamp of the event. */
  at: string;
}

/** The alerts of one evaluation or collection: one outbox row, one message. */
export interface AlertBatch {
  batchId: string;
  scanId: string | null;
  /** ISO timestamp. */
  createdAt: string;
  items: AlertItem[];
}

/** A recorded drift event, as alert selection reads it. */
export interface AlertCandidate {
  eventId: number;
  kind: DriftEventKind;
  tenant: string | null;
  /** Null for resource events, which never alert. */
  control: string | null;
  severity: Severity | null;
  resource: string;
  subjectKey: string;
  provider: Provider | null;
  account: string | null;
  region: string | null;
  message: string;
  before: Verdict | null;
  after: Verdict | null;
  at: Date;
  /** Whether the event is about a verdict carried on from an incomplete collection. */
  stale: boolean;
}

const severityRank: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

function isAlertKind(kind: DriftEventKind): kind is AlertKind {
  return (
    kind === "opened" || kind === "reopened" || kind === "waiver-expired" || kind === "resolved"
  );
}

/**
 * The events worth an alert: `opened`, `reopened` and `waiver-expired` at or above
 * `minSeverity`, `resolved` only for critical findings, and never an event about a stale
 * finding or a resource.
 */
export function selectAlerts(
  candidates: readonly AlertCandidate[],
  options: { minSeverity: Severity },
): AlertItem[] {
  const items: AlertItem[] = [];
  for (const candidate of candidates) {
    const { kind, control, severity } = candidate;
    if (candidate.stale || control === null || severity === null || !isAlertKind(kind)) continue;
    const wanted =
      kind === "resolved"
        ? severity === "critical"
        : severityRank[severity] >= severityRank[options.minSeverity];
    if (!wanted) continue;
    items.push({
      eventId: candidate.eventId,
      kind,
      tenant: candidate.tenant,
      control,
      controlTitle: controlById(control)?.title ?? control,
      severity,
      resource: candidate.resource,
      subjectKey: candidate.subjectKey,
      provider: candidate.provider,
      account: candidate.account,
      region: candidate.region,
      message: candidate.message,
      before: candidate.before,
      after: candidate.after,
      at: candidate.at.toISOString(),
    });
  }
  return items;
}
