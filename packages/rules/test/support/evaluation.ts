import type { EvaluationContext } from "../../src/controls/types.js";
import { InventoryIndex } from "../../src/evaluate/inventory-index.js";
import type { AccountCollection, CanonicalResource, Provider } from "../../src/model.js";
import type { Owner } from "../../src/policy/types.js";

/** The evaluation date the control tests use. */
export const TEST_NOW = new Date("2026-12-03T10:00:00Z");

/** A tenant owner with the given regions and defaults everywhere else. */
export function ownerWith(overrides: Partial<Owner> = {}): Owner {
  return {
    id: "acme",
    name: "Acme",
    accounts: { azure: ["00000000-0000-0000-0000-000000000000"], aws: ["111122223333"] },
    regions: { allowed: ["westeurope", "swedencentral", "eu-west-1"], fallback: [] },
    processingScope: "region",
    models: { allow: [], deny: [] },
    dataflow: {},
    ...overrides,
  };
}

/** The record of an account collected completely. */
export function completeAccount(provider: Provider, account: string): AccountCollection {
  return {
    provider,
    account,
    status: "complete",
    reason: null,
    resources: 0,
    skippedRegions: [],
    completeRegions: [],
  };
}

/** The record of an account collected only partly, with the regions that did complete. */
export function partialAccount(
  provider: Provider,
  account: string,
  completeRegions: string[] = [],
): AccountCollection {
  return {
    ...completeAccount(provider, account),
    status: "partial",
    reason: "throttled",
    completeRegions,
  };
}

/** An evaluation context whose index holds `resources` and knows `accounts`. */
export function contextWith(
  options: {
    owner?: Owner;
    now?: Date;
    resources?: CanonicalResource[];
    accounts?: AccountCollection[];
  } = {},
): EvaluationContext {
  const index = new InventoryIndex();
  for (const resource of options.resources ?? []) index.add(resource);
  index.setAccounts(options.accounts ?? []);
  return {
    owner: options.owner ?? ownerWith(),
    now: options.now ?? TEST_NOW,
    index,
    discovered: [],
  };
}
