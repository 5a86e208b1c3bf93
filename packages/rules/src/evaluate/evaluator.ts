import { isInventoried } from "../canonical/from-config-item.js";
import { CONTROLS } from "../controls/registry.js";
import type {
  Control,
  OwnerControl,
  OwnerVerdictRow,
  ResourceControl,
  VerdictRow,
} from "../controls/types.js";
import type {
  AccountCollection,
  CanonicalResource,
  DiscoveredAccount,
  Finding,
  OwnerId,
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
  /** Accounts the clouds report, mapped or not (default none). */
  discovered?: readonly DiscoveredAccount[];
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
   * Accounts the clouds report (Azure subscriptions list, AWS aggregator); those no owner lists
   * are judged by the account-level controls with tenant null.
   */
  discovered?: readonly DiscoveredAccount[];
}

/** Evaluates resources batch by batch, then the owner-level controls. */
export interface Evaluator {
  /** Findings of the resource-level controls, once per owner of each resource's account. */
  evaluateResources(batch: readonly CanonicalResource[]): Finding[];
  /**
   * Findings of the account- and data-flow-level controls: once per tenant and once for the
   * platform, each for its own accounts, then for the discovered accounts no owner maps.
   */
  evaluateOwners(): Finding[];
}

/** Discovered accounts that no owner lists, each once. */
function unmappedAccounts(
  policy: Policy,
  discovered: readonly DiscoveredAccount[],
): DiscoveredAccount[] {
  const seen = new Set<string>();
  return discovered.filter((account) => {
    const key = `${account.provider}|${account.account.toLowerCase()}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return ownersOfAccount(policy, account.provider, account.account).length === 0;
  });
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

    evaluateOwners() {
      const findings: Finding[] = [];
      const record = (control: OwnerControl, verdict: OwnerVerdictRow, tenant: OwnerId) => {
        const finding: Finding = {
          control: control.id,
          ...verdict.subject,
          tenant,
          status: verdict.status,
          severity: severityOf(control),
          message: verdict.message,
          evidence: verdict.evidence,
        };
        findings.push(applyWaivers(policy, finding, now));
      };

      const owners = ownersOf(policy);
      for (const owner of owners) {
        const context = { owner, owners, now, index, discovered };
        for (const control of ownerControls) {
          for (const verdict of control.evaluate(context)) record(control, verdict, owner.id);
        }
      }

      const unmappedContext = { now, index, discovered: unmappedAccounts(policy, discovered) };
      for (const control of ownerControls) {
        for (const verdict of control.evaluateUnmapped?.(unmappedContext) ?? []) {
          record(control, verdict, null);
        }
      }
      return findings;
    },
  };
}

/**
 * One resource per key, the last one seen, as the store keeps them: an Azure resource read twice
 * in two spellings (an ARM document and a Resource Graph row) is one resource.
 */
function lastPerKey(resources: readonly CanonicalResource[]): Map<string, CanonicalResource> {
  const byKey = new Map<string, CanonicalResource>();
  for (const resource of resources) byKey.set(resource.key, resource);
  return byKey;
}

/**
 * The resources with each child that has no location of its own (a model deployment, a vault
 * key) placed in its parent's region, found by `parentKey` through any number of levels. A child
 * converted with its parent already has that region; one converted without it gets it here.
 */
function placeChildren(byKey: ReadonlyMap<string, CanonicalResource>): CanonicalResource[] {
  const regions = new Map<string, string | null>();
  const regionOf = (resource: CanonicalResource, path: Set<string>): string | null => {
    if (resource.region !== null || resource.location !== null || resource.parentKey === null) {
      return resource.region;
    }
    const known = regions.get(resource.key);
    if (known !== undefined) return known;
    const parent = byKey.get(resource.parentKey);
    const region =
      parent === undefined || path.has(parent.key)
        ? null
        : regionOf(parent, new Set([...path, resource.key]));
    regions.set(resource.key, region);
    return region;
  };
  return [...byKey.values()].map((resource) => {
    const region = regionOf(resource, new Set([resource.key]));
    return region === resource.region ? resource : { ...resource, region };
  });
}

/**
 * Evaluates a whole inventory in memory: keeps one resource per key (the last one seen), places
 * children converted without their parent in the parent's region, fills an index, then runs
 * every resource- and owner-level control. Large estates use `InventoryIndex` and
 * `createEvaluator` directly to stream resources in batches from the store, which already keeps
 * one resource per key.
 */
export function evaluate(inventory: Inventory, policy: Policy, now: Date): Finding[] {
  const resources = placeChildren(lastPerKey(inventory.resources));
  const index = new InventoryIndex({ policy });
  for (const resource of resources) index.add(resource);
  index.setAccounts(inventory.accounts);
  const evaluator = createEvaluator({
    policy,
    now,
    index,
    ...(inventory.discovered === undefined ? {} : { discovered: inventory.discovered }),
  });
  return [...evaluator.evaluateResources(resources), ...evaluator.evaluateOwners()];
}
