import type { OwnerEvaluationContext } from "../../src/controls/types.js";
import { InventoryIndex } from "../../src/evaluate/inventory-index.js";
import type { AccountCollection, CanonicalResource } from "../../src/model.js";
import type { Owner, Policy } from "../../src/policy/types.js";
import { ownerWith, TEST_NOW } from "./evaluation.js";

/**
 * An owner-level evaluation context: the index holds `resources` (kept as the streaming
 * evaluation keeps them, data-flow selections following `policy`) and knows `accounts`.
 */
export function ownerContextWith(
  options: {
    owner?: Owner;
    owners?: Owner[];
    policy?: Policy;
    now?: Date;
    resources?: CanonicalResource[];
    accounts?: AccountCollection[];
  } = {},
): OwnerEvaluationContext {
  const index = new InventoryIndex(options.policy === undefined ? {} : { policy: options.policy });
  for (const resource of options.resources ?? []) index.add(resource);
  index.setAccounts(options.accounts ?? []);
  const owner = options.owner ?? ownerWith();
  return {
    owner,
    owners: options.owners ?? [owner],
    now: options.now ?? TEST_NOW,
    index,
    discovered: [],
  };
}
