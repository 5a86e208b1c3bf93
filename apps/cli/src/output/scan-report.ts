import type { Finding, OwnerId, Provider } from "@plumbline/rules";
import type { DriftEventRecord } from "@plumbline/store";

/** One inventoried account as the report shows it: once per owner. */
export interface ReportAccount {
  provider: Provider;
  account: string;
  tenant: OwnerId;
  status: "complete" | "partial" | "failed";
  resources: number;
  reason: string | null;
  skippedRegions: string[];
}

/** The `scan` object of the JSON report; the field names are a published contract. */
export interface ReportScan {
  id: string;
  startedAt: string;
  finishedAt: string | null;
  status: "complete" | "partial" | "failed";
  accounts: ReportAccount[];
  unmapped: { provider: Provider; account: string }[];
  /** Why an account list could not be read in full; `unmapped` may then miss accounts. */
  discoveryErrors: string[];
}

/** Reads the scan's findings page by page, so a large estate never sits in memory at once. */
export type FindingPages = AsyncIterable<Finding[]>;

/** The public shape of one finding; internal identity fields stay out of the report. */
export function toReportFinding(finding: Finding): Record<string, unknown> {
  const row: Record<string, unknown> = {
    control: finding.control,
    provider: finding.provider,
    account: finding.account,
    tenant: finding.tenant,
    resource: finding.resource,
    type: finding.type,
    region: finding.region,
    status: finding.status,
    severity: finding.severity,
    message: finding.message,
    evidence: finding.evidence,
  };
  if (finding.waiver !== undefined) {
    row.waiver = finding.waiver;
  }
  if (finding.stale === true) {
    row.stale = true;
    row.staleReason = finding.staleReason ?? "";
  }
  return row;
}

/** One drift event as the report shows it. */
export interface ReportDriftEvent {
  kind: DriftEventRecord["kind"];
  tenant: OwnerId;
  control?: string;
  resource: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  at: string;
}

/** The public shape of a drift event: ids, batch and scan stay out of the report. */
export function toReportDriftEvent(event: DriftEventRecord): ReportDriftEvent {
  const row: ReportDriftEvent = {
    kind: event.kind,
    tenant: event.tenant,
    resource: event.resource,
    at: event.at.toISOString(),
  };
  if (event.control !== null) row.control = event.control;
  if (event.before !== null) row.before = event.before as Record<string, unknown>;
  if (event.after !== null) row.after = event.after as Record<string, unknown>;
  return row;
}
