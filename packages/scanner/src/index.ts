export * from "./collectors/index.js";
export * from "./jobs/index.js";
export * from "./notify/index.js";
export { type CloudAccessOptions, createCloudAccess } from "./pipeline/cloud-access.js";
export {
  type RunInventoryOptions,
  type RunInventoryResult,
  runInventory,
} from "./pipeline/run-inventory.js";
export {
  type RunOwnerEvaluationOptions,
  type RunOwnerEvaluationResult,
  runOwnerEvaluation,
} from "./pipeline/run-owner-evaluation.js";
export {
  type CloudAccess,
  type RunScanOptions,
  runScan,
  type ScannedAccount,
  type ScanSink,
  type ScanSummary,
  scanStatus,
} from "./pipeline/run-scan.js";
