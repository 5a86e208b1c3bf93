export * from "./collectors/index.js";
export { type CloudAccessOptions, createCloudAccess } from "./pipeline/cloud-access.js";
export {
  type CloudAccess,
  type RunScanOptions,
  runScan,
  type ScannedAccount,
  type ScanSink,
  type ScanSummary,
  scanStatus,
} from "./pipeline/run-scan.js";
