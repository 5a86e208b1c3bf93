/**
 * The canonical resource model: every document a collector reads from a cloud becomes one
 * `CanonicalResource`, whatever API delivered it. Controls read only this model.
 */

export type Provider = "azure" | "aws";

/** How completely one account (or one AWS region of it) was collected. */
export type CollectionStatus = "complete" | "partial" | "failed";

/** What a resource points at; resolved by the evaluation, never by a collector. */
export type ReferenceKind =
  | "key"
  | "private-endpoint"
  | "subnet"
  | "virtual-network"
  | "dns-zone"
  /** The resource a private endpoint connects to (its `privateLinkServiceId`). */
  | "private-link-service"
  | "parent";

export interface ResourceReference {
  kind: ReferenceKind;
  /** The referenced id, key URI, key ARN or alias exactly as the document wrote it. */
  target: string;
  /** Dotted path of the field that holds the reference, for evidence. */
  path: string;
}

export interface CanonicalResource {
  provider: Provider;
  /** Subscription id (lower case) or 12-digit AWS account id. */
  account: string;
  /**
   * Identity of the resource: the Azure ARM id lower-cased, the AWS ARN as given, or
   * `<resourceType>/<resourceId>` for an AWS item without an ARN.
   */
  key: string;
  /** The id exactly as the cloud gave it (Azure ARM id, AWS ARN or type/id), for display. */
  id: string;
  /**
   * Canonical type: `Microsoft.KeyVault/vaults`,
   * `Microsoft.CognitiveServices/accounts/deployments`, `AWS::S3::Bucket`.
   */
  type: string;
  /** Canonical region (`westeurope`, `eu-west-1`, `global`), or null when the document has none. */
  region: string | null;
  /** The location string exactly as the document had it (display names, odd casing). */
  location: string | null;
  name: string;
  tags: Record<string, string>;
  /** The document as the cloud sent it (string-encoded AWS fields decoded). */
  raw: Record<string, unknown>;
  references: ResourceReference[];
  /** Key of the parent resource for child resources (deployments, vault keys, settings). */
  parentKey: string | null;
}

/** Collection result of one account in one scan. */
export interface AccountCollection {
  provider: Provider;
  account: string;
  status: CollectionStatus;
  /** Why the account is not complete; null when it is. */
  reason: string | null;
  /** Number of resources collected. */
  resources: number;
  /** AWS regions skipped because they are not enabled for the account. */
  skippedRegions: string[];
  /**
   * AWS regions collected completely, for "absence of a thing" verdicts; empty for Azure,
   * where the whole subscription is collected in one pass.
   */
  completeRegions: string[];
}

/** An account the clouds report, whether or not the policy maps it. */
export interface DiscoveredAccount {
  provider: Provider;
  account: string;
}

export type Verdict = "pass" | "fail" | "error" | "waived" | "not-applicable";

export type Severity = "low" | "medium" | "high" | "critical";

/** One observation behind a verdict: the path read, the value seen and the value expected. */
export interface Evidence {
  /** Dotted path into the raw document (`properties.enablePurgeProtection`). */
  path: string;
  /** The value seen; the key is left out when the property is absent, null when it is null. */
  actual?: unknown;
  /** The value (or a description of the values) that passes. */
  expected: unknown;
}

export interface WaiverApplied {
  reason: string;
  approvedBy: string;
  ticket: string | null;
  /** ISO date, valid through its end (UTC). */
  expires: string;
  /** The verdict the waiver covers. */
  verdict: Verdict;
}

/** The owner a finding belongs to: a tenant id, `platform`, or null for an unmapped account. */
export type OwnerId = string | null;

export interface Finding {
  control: string;
  provider: Provider | null;
  account: string | null;
  tenant: OwnerId;
  /** Subject as CONTROLS.md names it (ARM id as given, ARN, account, or stage path). */
  resource: string;
  /** Identity of the subject: Azure ids lower-cased, everything else as given. */
  subjectKey: string;
  type: string | null;
  region: string | null;
  status: Verdict;
  severity: Severity;
  message: string;
  evidence: Evidence[];
  waiver?: WaiverApplied;
  /**
   * Set when the verdict was carried on from an earlier evaluation because the account it
   * belongs to was not collected completely this time; `staleReason` says why.
   */
  stale?: true;
  staleReason?: string;
}
