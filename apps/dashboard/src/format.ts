/** Short UTC date and time, the same for every reader of an audit: `2026-12-03 19:10 UTC`. */
export function formatMoment(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) {
    return "—";
  }
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** `2026-12-03` from an ISO timestamp or date. */
export function formatDay(iso: string | null | undefined): string {
  return iso === null || iso === undefined ? "—" : iso.slice(0, 10);
}

/** How long ago, in the largest whole unit: `3 min`, `5 h`, `2 days`. */
export function formatAge(iso: string | null | undefined, now: Date = new Date()): string {
  if (iso === null || iso === undefined) {
    return "never";
  }
  const minutes = Math.max(0, Math.floor((now.getTime() - new Date(iso).getTime()) / 60_000));
  if (minutes < 1) {
    return "just now";
  }
  if (minutes < 60) {
    return `${minutes} min ago`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 48) {
    return `${hours} h ago`;
  }
  return `${Math.floor(hours / 24)} days ago`;
}

/** A JSON value as one readable line: strings unquoted, absent as "absent". */
export function formatValue(value: unknown, present = true): string {
  if (!present || value === undefined) {
    return "absent";
  }
  if (typeof value === "string") {
    return value;
  }
  return JSON.stringify(value);
}

/** The last segment of an ARM id or ARN, which is what people call the resource. */
export function shortName(resource: string): string {
  const trimmed = resource.replace(/\/+$/, "");
  const segment = trimmed.slice(trimmed.lastIndexOf("/") + 1);
  return segment.slice(segment.lastIndexOf(":") + 1) || trimmed;
}
