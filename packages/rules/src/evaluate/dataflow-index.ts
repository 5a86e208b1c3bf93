import type { CanonicalResource, Provider } from "../model.js";
import { matchesGlob } from "../policy/owners.js";
import {
  DATAFLOW_STAGES,
  type DataflowStage,
  type Policy,
  type StageSelector,
} from "../policy/types.js";

/** A resource that a tenant's data-flow map selects, with the stages that select it. */
export interface StageSelection {
  resource: CanonicalResource;
  /** The stages whose selector matches the resource, in catalogue order. */
  stages: DataflowStage[];
}

/** An account the policy names, in which a stage selector could match resources. */
export interface SelectableAccount {
  provider: Provider;
  account: string;
}

interface TenantMap {
  tenant: string;
  stages: { stage: DataflowStage; selector: StageSelector }[];
}

const AWS_ARN_WITH_ACCOUNT = /^arn:[^:*]*:[^:*]*:[^:*]*:(\d{12}):/;

/**
 * True when some string that starts with `prefix` can match the glob (without case; `*` matches
 * any run of characters): the glob is run over the prefix, and a position short of its end must
 * survive, since an id always continues after the prefix.
 */
function globAcceptsPrefix(glob: string, prefix: string): boolean {
  const pattern = glob.toLowerCase();
  const text = prefix.toLowerCase();
  const close = (states: Set<number>): Set<number> => {
    for (const state of [...states]) {
      let position = state;
      while (pattern[position] === "*") {
        position += 1;
        states.add(position);
      }
    }
    return states;
  };
  let states = close(new Set([0]));
  for (const character of text) {
    const next = new Set<number>();
    for (const state of states) {
      const symbol = pattern[state];
      if (symbol === "*") next.add(state);
      else if (symbol === character) next.add(state + 1);
    }
    states = close(next);
    if (states.size === 0) return false;
  }
  return [...states].some((state) => state < pattern.length);
}

/** True when a glob could match the id of a resource in the account. */
function globCouldMatchAccount(glob: string, candidate: SelectableAccount): boolean {
  if (candidate.provider === "azure") {
    return (
      globAcceptsPrefix(glob, `/subscriptions/${candidate.account}/`) ||
      globAcceptsPrefix(glob, `subscriptions/${candidate.account}/`)
    );
  }
  if (!globAcceptsPrefix(glob, "arn:") && !globAcceptsPrefix(glob, "aws::")) return false;
  const pinned = AWS_ARN_WITH_ACCOUNT.exec(glob.toLowerCase());
  return pinned === null || pinned[1] === candidate.account;
}

function tagValue(resource: CanonicalResource, key: string): string | undefined {
  if (Object.hasOwn(resource.tags, key)) return resource.tags[key];
  // Azure treats tag names without regard to case; AWS tag keys are case-sensitive.
  if (resource.provider !== "azure") return undefined;
  const lower = key.toLowerCase();
  const found = Object.keys(resource.tags).find((name) => name.toLowerCase() === lower);
  return found === undefined ? undefined : resource.tags[found];
}

/** True when the selector selects the resource: any glob matches its id, or it carries all tags. */
export function selectorMatches(selector: StageSelector, resource: CanonicalResource): boolean {
  if (selector.resources.some((glob) => matchesGlob(glob, resource.id))) return true;
  const tags = Object.entries(selector.tags);
  return tags.length > 0 && tags.every(([key, value]) => tagValue(resource, key) === value);
}

const MODEL_DEPLOYMENT = "Microsoft.CognitiveServices/accounts/deployments";
const INFERENCE_PROFILE = "AWS::Bedrock::ApplicationInferenceProfile";

/**
 * The resources that the tenants' data-flow stages select, collected while the inventory streams
 * past: each resource is tested once against every stage selector of every tenant and kept only
 * when one matches, so memory grows with the selection, not with the estate. Selectors resolve
 * over the whole inventory, whichever owner's account holds the resource. The platform has no
 * data-flow map.
 *
 * When a tenant declares a `model-call` stage, every Azure model deployment (by its account) and
 * every Bedrock application inference profile (by ARN) is kept as well, whether selected or not:
 * a selected AI account or Bedrock resource is judged by the models it sends prompts to, which
 * may stream past before or after it. Both are few per estate.
 */
export class DataflowIndex {
  private readonly maps: TenantMap[];
  private readonly accounts: SelectableAccount[];
  private readonly selections = new Map<string, Map<string, StageSelection>>();
  private readonly keepsModels: boolean;
  private readonly deploymentsByAccount = new Map<string, Map<string, CanonicalResource>>();
  private readonly profilesByArn = new Map<string, CanonicalResource>();

  /** `policy` null keeps nothing (an index for evaluations without data-flow controls). */
  constructor(policy: Policy | null) {
    this.maps = (policy?.tenants ?? []).map((tenant) => ({
      tenant: tenant.id,
      stages: DATAFLOW_STAGES.flatMap((stage) => {
        const selector = tenant.dataflow[stage];
        return selector === undefined ? [] : [{ stage, selector }];
      }),
    }));
    this.keepsModels = this.maps.some((map) => map.stages.some((s) => s.stage === "model-call"));
    const owners = policy === null ? [] : [policy.platform, ...policy.tenants];
    const seen = new Set<string>();
    this.accounts = [];
    for (const owner of owners) {
      for (const provider of ["azure", "aws"] as const) {
        for (const account of owner?.accounts[provider] ?? []) {
          const key = `${provider}|${account.toLowerCase()}`;
          if (seen.has(key)) continue;
          seen.add(key);
          this.accounts.push({ provider, account });
        }
      }
    }
  }

  /** Keeps the resource for each tenant with a stage that selects it, and every model. */
  add(resource: CanonicalResource): void {
    if (this.keepsModels) this.addModel(resource);
    for (const map of this.maps) {
      const stages = map.stages
        .filter(({ selector }) => selectorMatches(selector, resource))
        .map(({ stage }) => stage);
      if (stages.length === 0) continue;
      let selected = this.selections.get(map.tenant);
      if (selected === undefined) {
        selected = new Map();
        this.selections.set(map.tenant, selected);
      }
      selected.set(resource.key, { resource, stages });
    }
  }

  /** Every resource some stage of the tenant selects, in the order the inventory gave them. */
  selectionsOf(tenant: string): StageSelection[] {
    // Collectors deliver pages in no fixed order; sorting keeps messages and reports repeatable.
    return [...(this.selections.get(tenant)?.values() ?? [])].sort((a, b) =>
      a.resource.key < b.resource.key ? -1 : a.resource.key > b.resource.key ? 1 : 0,
    );
  }

  /** The resources one stage of the tenant selects. */
  selectedBy(tenant: string, stage: DataflowStage): CanonicalResource[] {
    return this.selectionsOf(tenant)
      .filter((selection) => selection.stages.includes(stage))
      .map((selection) => selection.resource);
  }

  /**
   * The model deployments of an Azure AI account, by the account's key (its lower-cased id),
   * ordered by key; empty unless a tenant declares a `model-call` stage.
   */
  modelDeploymentsOf(accountKey: string): CanonicalResource[] {
    return [...(this.deploymentsByAccount.get(accountKey)?.values() ?? [])].sort((a, b) =>
      a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
    );
  }

  /**
   * The Bedrock application inference profile with an ARN (compared without case), or undefined;
   * always undefined unless a tenant declares a `model-call` stage.
   */
  inferenceProfile(arn: string): CanonicalResource | undefined {
    return this.profilesByArn.get(arn.trim().toLowerCase());
  }

  /** Every account the policy names, of the platform and of every tenant, each once. */
  namedAccounts(): readonly SelectableAccount[] {
    return this.accounts;
  }

  /**
   * The accounts the policy names in which the selector could match a resource: for an id glob,
   * the accounts whose ids it can match (a glob that pins a subscription or an ARN account names
   * only that one); for tags, every account.
   */
  accountsSelectableBy(selector: StageSelector): SelectableAccount[] {
    if (Object.keys(selector.tags).length > 0) return [...this.accounts];
    return this.accounts.filter((candidate) =>
      selector.resources.some((glob) => globCouldMatchAccount(glob, candidate)),
    );
  }

  private addModel(resource: CanonicalResource): void {
    if (resource.type === MODEL_DEPLOYMENT && resource.parentKey !== null) {
      let deployments = this.deploymentsByAccount.get(resource.parentKey);
      if (deployments === undefined) {
        deployments = new Map();
        this.deploymentsByAccount.set(resource.parentKey, deployments);
      }
      deployments.set(resource.key, resource);
    } else if (resource.type === INFERENCE_PROFILE) {
      this.profilesByArn.set(resource.key.toLowerCase(), resource);
    }
  }
}
