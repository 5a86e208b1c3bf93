import type { Severity } from "../model.js";

/** How widely a model deployment may process prompts: one region, a data zone, or anywhere. */
export type ProcessingScope = "region" | "datazone" | "global";

/** The six stages of a tenant's data-flow map. */
export const DATAFLOW_STAGES = [
  "prompt-composition",
  "retrieval",
  "model-call",
  "response-logging",
  "tool-calls",
  "audit-trail",
] as const;

/** A stage of the data-flow map. */
export type DataflowStage = (typeof DATAFLOW_STAGES)[number];

/** The id the platform owner carries in findings and in `ownersOfAccount`. */
export const PLATFORM_OWNER_ID = "platform";

/** A region allowed only while a contract covers it. */
export interface FallbackRegion {
  /** Canonical region name. */
  region: string;
  /** Contract reference, e.g. `DPA-2026-014`. */
  contract: string;
  /** ISO date; the contract covers the region through the end of this day (UTC). */
  until: string;
}

/** A model entry of an allow or deny list. */
export interface ModelEntry {
  /** Model format, e.g. `OpenAI`, `Bedrock`. */
  format: string;
  name: string;
  /** A version, or `*` for any version (also when the file leaves it out). */
  version: string;
}

/** How a data-flow stage selects resources: any id glob matches, or all tags are carried. */
export interface StageSelector {
  /** Id globs, matched without case; `*` matches any run of characters including `/`. */
  resources: string[];
  /** Tags a resource must all carry. */
  tags: Record<string, string>;
}

/** A tenant or the platform, with everything the file says about it, defaults applied. */
export interface Owner {
  /** Tenant id, or `platform`. */
  id: string;
  name: string;
  /** Account ids per cloud: subscription ids lower-cased, AWS account ids as 12 digits. */
  accounts: { azure: string[]; aws: string[] };
  regions: {
    /** Canonical region names. */
    allowed: string[];
    fallback: FallbackRegion[];
  };
  processingScope: ProcessingScope;
  models: { allow: ModelEntry[]; deny: ModelEntry[] };
  /** Declared stages only; an absent stage is not declared. */
  dataflow: Partial<Record<DataflowStage, StageSelector>>;
}

/** Per-control settings from the file. */
export interface ControlSettings {
  /** False switches the control off: it emits nothing. */
  enabled: boolean;
  /** Overrides the control's default severity. */
  severity?: Severity;
}

/** A waiver: one control, one resource glob or one whole account, until a date. */
export interface Waiver {
  control: string;
  /** Resource id glob (matched without case), or null when the waiver covers an account. */
  resource: string | null;
  /** Account id, or null when the waiver covers a resource glob. */
  account: string | null;
  reason: string;
  approvedBy: string;
  ticket: string | null;
  /** ISO date; the waiver applies through the end of this day (UTC). */
  expires: string;
}

/** The AWS aggregator used for one aggregated query over all accounts. */
export interface AwsAggregator {
  name: string;
  /** The 12-digit account that holds the aggregator. */
  account: string;
  region: string;
}

/** How Plumbline reaches the clouds. */
export interface PolicySources {
  azure: {
    /** Entra tenant to authenticate against; null uses the credential's default. */
    tenantId: string | null;
  };
  aws: {
    /** Regions queried per account when there is no aggregator (default: the catalogue's). */
    regions: string[];
    aggregator: AwsAggregator | null;
    /** Role assumed in each account, or null to use the default credentials directly. */
    roleName: string | null;
  };
}

/** When scans run. */
export interface PolicySchedule {
  /** Cron expression for every account (default every 60 minutes: `0 * * * *`). */
  cron: string;
  /** Per-account cron overrides, keyed by account id. */
  accounts: Record<string, string>;
}

/** Where alerts go. */
export interface PolicyNotifications {
  slack: {
    /** Name of the environment variable that holds the webhook URL. */
    webhookUrlEnv: string;
    /** Least severity that is sent (default `high`). */
    minSeverity: Severity;
  } | null;
}

/** A validated policy file with every default applied. */
export interface Policy {
  version: 1;
  /** Shared landing-zone accounts, or null when the file names none. */
  platform: Owner | null;
  tenants: Owner[];
  /** Settings of the controls the file mentions, keyed by control id. */
  controls: Record<string, ControlSettings>;
  waivers: Waiver[];
  sources: PolicySources;
  schedule: PolicySchedule;
  notifications: PolicyNotifications;
}
