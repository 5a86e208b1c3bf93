/**
 * A state as a coloured word, styled by `badge {family}-{status}`; the word carries the
 * meaning, the colour only repeats it.
 */
export function StatusBadge({ family, status }: { family: string; status: string }) {
  return <span className={`badge ${family}-${status}`}>{status}</span>;
}

/** A verdict: pass, fail, error, waived or not-applicable. */
export function VerdictBadge({ status }: { status: string }) {
  return <StatusBadge family="verdict" status={status} />;
}

export function SeverityBadge({ severity }: { severity: string | null }) {
  if (severity === null) {
    return <span className="muted">—</span>;
  }
  return <StatusBadge family="severity" status={severity} />;
}

/** How completely an account was collected: complete, partial or failed. */
export function CollectionBadge({ status }: { status: string }) {
  return <StatusBadge family="collection" status={status} />;
}

/** Marks a finding carried on from an earlier scan because its account was not fully read. */
export function StaleBadge({ reason }: { reason: string | null }) {
  return (
    <span className="badge stale" title={reason ?? "carried on from an earlier scan"}>
      stale
    </span>
  );
}
