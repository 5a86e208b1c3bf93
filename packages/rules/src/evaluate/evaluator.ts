import { isInventoried } from "../canonical/from-config-item.js";
import { CONTROLS } from "../controls/registry.js";
import type { Control, OwnerControl, ResourceControl, VerdictRow } from "../controls/types.js";
import type {
  AccountCollection,
  CanonicalResource,
  DiscoveredAccount,
  Finding,
  Severity,
} from "../model.js";
import { ownerById, ownersOf, ownersOfAccount } from "../policy/owners.js";
import type { Owner, Policy } from "../policy/types.js";
import { InventoryIndex } from "./inventory-index.js";
import { applyWaivers } from "./waivers.js";

/** Everything one evaluation reads: the latest inventory of the whole estate. */
export interface Inventory {
  resources: CanonicalResource[];
  accounts: AccountCollection[];
}

/** Options of `createEvaluator`. */
export interface EvaluatorOptions {
  policy: Policy;
  /** Evaluation time: waivers, contracts and key expiry are judged against it. */
  now: Date;
  /** Filled with every resource of the inventory and its account records before evaluating. */
  index: InventoryIndex;
  /** Controls to run (default: every implemented control). */
  controls?: readonly Control[];
  /**
   * Accounts the clouds report (Azure subscriptions list, AWS aggregator) that the policy does
   * not map; account-level controls judge them with tenant null.
   */
  discovered?: readonly DiscoveredAccount[];
}

/** Evaluates resources batch by batch, then the owner-level controls. */
export interface Evaluator {
  /** Findings of the resource-level controls, once per owner of each resource's account. */
  evaluateResources(batch: readonly CanonicalResource[]): Finding[];
  /** Findings of the account- and data-flow-level controls, for every owner. */
  evaluateOwners(): Finding[];
}

function appliesTo(control: ResourceControl, resource: CanonicalResource): boolean {
  if (control.appliesTo !== undefined) return control.appliesTo(resource);
  return control.resourceTypes.includes(resource.type);
}

/**
 * Builds an evaluator over a filled `InventoryIndex`. Controls switched off in the policy emit
 * nothing; severities follow the policy's overrides; waivers in force turn `fail` and `error`
 * into `waived`.
 */
export function createEvaluator(options: EvaluatorOptions): Evaluator {
  const { policy, now, index } = options;
  const discovered = options.discovered ?? [];
  const enabled = (options.controls ?? CONTROLS).filter(
    (control) => policy.controls[control.id]?.enabled !== false,
  );
  const resourceControls = enabled.filter((c): c is ResourceControl => c.scope === "resource");
  const ownerControls = enabled.filter((c): c is OwnerControl => c.scope === "owner");
  const severityOf = (control: Control): Severity =>
    policy.controls[control.id]?.severity ?? control.severity;

  function resourceFinding(
    control: ResourceControl,
    resource: CanonicalResource,
    owner: Owner,
    verdict: VerdictRow,
  ): Finding {
    const finding: Finding = {
      control: control.id,
      provider: resource.provider,
      account: resource.account,
      tenant: owner.id,
      resource: resource.id,
      subjectKey: resource.key,
      type: resource.type,
      region: resource.region,
      status: verdict.status,
      severity: severityOf(control),
      message: verdict.message,
      evidence: verdict.evidence,
    };
    return applyWaivers(policy, finding, now);
  }

  return {
    evaluateResources(batch) {
      const findings: Finding[] = [];
      for (const resource of batch) {
        if (!isInventoried(resource)) continue;
        const owners = ownersOfAccount(policy, resource.provider, resource.account)
          .map((id) => ownerById(policy, id))
          .filter((owner): owner is Owner => owner !== undefined);
        for (const owner of owners) {
          const context = { owner, now, index, discovered };
          for (const control of resourceControls) {
            if (!appliesTo(control, resource)) continue;
            findings.push(
              resourceFinding(control, resource, owner, control.evaluate(resource, context)),
            );
          }
        }
      }
      return findings;
    },

    // Limitation: no account- or stage-level control is implemented yet, so this returns no
    // findings; unmapped discovered accounts are passed through for tenancy.account-dedicated.
    evaluateOwners() {
      const findings: Finding[] = [];
      for (const owner of ownersOf(policy)) {
        const context = { owner, now, index, discovered };
        for (const control of ownerControls) {
          for (const verdict of control.evaluate(context)) {
            const { subject, ...row } = verdict;
            const finding: Finding = {
              control: control.id,
              ...subject,
              tenant: owner.id,
              status: row.status,
              severity: severityOf(control),
              message: row.message,
              evidence: row.evidence,
            };
            findings.push(applyWaivers(policy, finding, now));
          }
        }
      }
      return findings;
    },
  };
}

/**
 * Evaluates a whole inventory in memory: fills an index, then runs every resource- and
 * owner-level control. Large estates use `InventoryIndex` and `createEvaluator` directly to
 * stream resources in batches.
 */
export function evaluate(inventory: Inventory, policy: Policy, now: Date): Finding[] {
  const index = new InventoryIndex();
  for (const resource of inventory.resources) index.add(resource);
  index.setAccounts(inventory.accounts);
  const evaluator = createEvaluator({ policy, now, index });
  return [...evaluator.evaluateResources(inventory.resources), ...evaluator.evaluateOwners()];
}
