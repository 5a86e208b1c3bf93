import type { OwnerEvaluationContext } from "../../src/controls/types.js";
import { InventoryIndex } from "../../src/evaluate/inventory-index.js";
import type { AccountCollection, CanonicalResource } from "../../src/model.js";
import { parsePolicy } from "../../src/policy/parse-policy.js";
import type { Policy } from "../../src/policy/types.js";
import { TEST_NOW } from "./evaluation.js";

/** The retail tenant's Azure subscription in the data-flow policies. */
export const RETAIL_SUBSCRIPTION = "00000000-0000-0000-0000-00000000a001";
/** The platform's Azure subscription in the data-flow policies. */
export const PLATFORM_SUBSCRIPTION = "00000000-0000-0000-0000-00000000a0ff";
/** The retail tenant's AWS account in the data-flow policies. */
export const RETAIL_AWS_ACCOUNT = "111122223333";

/**
 * A policy with a platform and the tenant `retail` (datazone scope, westeurope, swedencentral
 * and eu-west-1 allowed, francecentral as an ended fallback), whose `dataflow:` block is the
 * given YAML lines (indented for the tenant).
 */
export function dataflowPolicy(dataflowLines: string[]): Policy {
  const text = [
    "version: 1",
    "platform:",
    "  accounts:",
    `    azure: [${PLATFORM_SUBSCRIPTION}]`,
    "  regions:",
    "    allowed: [westeurope]",
    "tenants:",
    "  - id: retail",
    "    accounts:",
    `      azure: [${RETAIL_SUBSCRIPTION}]`,
    `      aws: ["${RETAIL_AWS_ACCOUNT}"]`,
    "    regions:",
    "      allowed: [westeurope, swedencentral, eu-west-1]",
    "      fallback:",
    "        - { region: francecentral, contract: DPA-2025-031, until: 2026-06-30 }",
    "    processingScope: datazone",
    ...(dataflowLines.length === 0 ? [] : ["    dataflow:", ...dataflowLines]),
  ].join("\n");
  return parsePolicy(text, "plumbline.yaml", { now: TEST_NOW }).policy;
}

/**
 * The owner-level context of one owner of `policy`, over an index that saw `resources` once each
 * through `add()`, as a streaming evaluation fills it.
 */
export function policyContext(
  policy: Policy,
  ownerId: string,
  resources: CanonicalResource[],
  accounts: AccountCollection[],
): OwnerEvaluationContext {
  const index = new InventoryIndex({ policy });
  for (const resource of resources) index.add(resource);
  index.setAccounts(accounts);
  const owners = [...(policy.platform === null ? [] : [policy.platform]), ...policy.tenants];
  const owner = owners.find((candidate) => candidate.id === ownerId);
  if (owner === undefined) throw new Error(`no owner ${ownerId}`);
  return { owner, owners, now: TEST_NOW, index, discovered: [] };
}
