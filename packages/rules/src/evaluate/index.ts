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
  type KmsKeyResolution,
} from "./inventory-index.js";
export { applyWaivers, findWaiver } from "./waivers.js";
