/** A verdict as a coloured word; the word carries the meaning, the colour only repeats it. */
export function VerdictBadge({ status }: { status: string }) {
  return <span className={`badge verdict-${status}`}>{status}</span>;
}

export function SeverityBadge({ severity }: { severity: string | null }) {
  if (severity === null) {
    return <span className="muted">—</span>;
  }
  return <span className={`badge severity-${severity}`}>{severity}</span>;
}

/** How completely an account was collected: complete, partial or failed. */
export function CollectionBadge({ status }: { status: string }) {
  return <span className={`badge collection-${status}`}>{status}</span>;
}

/** Marks a finding carried on from an earlier scan because its account was not fully read. */
export function StaleBadge({ reason }: { reason: string | null }) {
  return (
    <span className="badge stale" title={reason ?? "carried on from an earlier scan"}>
      stale
    </span>
  );
}
