export type { StoreLogger, StoreOptions } from "./connection.js";
export type {
  AccountTiming,
  CreateScanInput,
  FinishedScanStatus,
  MigrationResult,
  ResourceSnapshot,
  ScanAccountRecord,
  ScanRecord,
  ScanStatus,
  Store,
  StreamResourcesOptions,
  UnseenResourceScope,
  WriteResourcesResult,
} from "./store.js";
export { openStore } from "./store.js";
export { StoreError, type StoreErrorKind } from "./store-error.js";
export type { StoreDatabase } from "./connection.js";
export * as tables from "./schema.js";
