export {
  DataflowIndex,
  type SelectableAccount,
  type StageSelection,
  selectorMatches,
} from "./dataflow-index.js";
export {
  createEvaluator,
  type Evaluator,
  type EvaluatorOptions,
  evaluate,
  type Inventory,
} from "./evaluator.js";
export {
  type AzureKeyResolution,
  InventoryIndex,
  type InventoryIndexOptions,
  type KmsKeyResolution,
} from "./inventory-index.js";
export {
  type AwsAiResources,
  NetworkIndex,
  type VirtualNetworkPeering,
  type VirtualNetworkRecord,
  virtualNetworkIdOfSubnet,
} from "./network-index.js";
export { applyWaivers, findWaiver } from "./waivers.js";
