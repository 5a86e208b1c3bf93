import type { InventoryIndex } from "../evaluate/inventory-index.js";
import type {
  CanonicalResource,
  DiscoveredAccount,
  Evidence,
  Provider,
  Severity,
  Verdict,
} from "../model.js";
import type { Owner } from "../policy/types.js";
import type { ControlId } from "./catalogue.js";

/** A verdict a control can reach on its own; `waived` is applied later, from the policy. */
export type ControlVerdict = Exclude<Verdict, "waived">;

/** One verdict on one subject, with the one-sentence message and the evidence behind it. */
export interface VerdictRow {
  status: ControlVerdict;
  /** Names the resource, the value seen and what was expected. */
  message: string;
  evidence: Evidence[];
}

/**
 * A published rule or page that states the same requirement. An Azure Policy built-in belongs
 * to Azure and an AWS Config rule to AWS; a page names the cloud it is about as `provider`,
 * and one without (a regulation, a neutral guide) applies to every cloud.
 */
export type ControlReference =
  | { kind: "azure-policy"; name: string }
  | { kind: "aws-config-rule"; name: string }
  | { kind: "documentation"; title: string; url: string; provider?: Provider };

/** Steps that fix a failing resource, per cloud, in words. */
export interface ControlRemediation {
  azure?: string;
  aws?: string;
}

/** What a control says about itself; validated by the registry test. */
export interface ControlMetadata {
  /** `<area>.<control-name>`, matching the file that defines the control. */
  id: ControlId;
  /** The good state, stated as a fact ("Key vaults cannot lose keys"). */
  title: string;
  /** Default severity; the policy may override it per control. */
  severity: Severity;
  /** Why the good state matters. */
  rationale: string;
  /** How to reach the good state, for each cloud the control covers. */
  remediation: ControlRemediation;
  references: ControlReference[];
  /**
   * Canonical types the control judges. `*` stands for every type (the control narrows it
   * with `appliesTo`).
   */
  resourceTypes: readonly string[];
}

/** The owner being evaluated and what the evaluation may consult. */
export interface EvaluationContext {
  /** The tenant or platform whose account holds the resource, with its regions and models. */
  owner: Owner;
  /** Evaluation time: contracts and key expiry are judged against it. */
  now: Date;
  /** References across the whole latest inventory, whoever owns it. */
  index: InventoryIndex;
  /** Accounts the clouds report that the policy does not map, for account-level controls. */
  discovered: readonly DiscoveredAccount[];
}

/** A control that judges one resource at a time. */
export interface ResourceControl extends ControlMetadata {
  scope: "resource";
  /**
   * True when the control emits a row for the resource. Defaults to membership of
   * `resourceTypes`; controls with a narrower subject (top-level resources only) refine it.
   */
  appliesTo?(resource: CanonicalResource): boolean;
  evaluate(resource: CanonicalResource, context: EvaluationContext): VerdictRow;
}

/** What an owner-level control may consult besides its own owner. */
export interface OwnerEvaluationContext extends EvaluationContext {
  /** Every owner the policy names, platform first, to tell an account that two of them list. */
  owners: readonly Owner[];
}

/** The evaluation of accounts no owner maps; their rows carry tenant null. */
export interface UnmappedEvaluationContext {
  now: Date;
  index: InventoryIndex;
  /** Discovered accounts that no tenant and not the platform lists, each once. */
  discovered: readonly DiscoveredAccount[];
}

/** The subject of a row that is not one inventoried resource: an account or a data-flow stage. */
export interface OwnerSubject {
  resource: string;
  subjectKey: string;
  provider: CanonicalResource["provider"] | null;
  account: string | null;
  type: string | null;
  region: string | null;
}

/** A row of an owner-level control together with its subject. */
export interface OwnerVerdictRow extends VerdictRow {
  subject: OwnerSubject;
}

/** A control that judges an owner as a whole: its accounts or its data-flow stages. */
export interface OwnerControl extends ControlMetadata {
  scope: "owner";
  /** Rows for the owner in `context`: once per tenant and once for the platform. */
  evaluate(context: OwnerEvaluationContext): OwnerVerdictRow[];
  /** Rows for the accounts no owner maps (tenant null); absent when the control has none. */
  evaluateUnmapped?(context: UnmappedEvaluationContext): OwnerVerdictRow[];
}

/** Any control of the catalogue. */
export type Control = ResourceControl | OwnerControl;
