export type { StoreDatabase, StoreLogger, StoreOptions } from "./connection.js";
export type {
  DriftEventRecord,
  EvaluationRecord,
  EvaluationRecordResult,
  LatestCollection,
  OwnerEvaluationChunk,
  OwnerEvaluationRecord,
  OwnerEvaluationResult,
  OwnerHistory,
  ResourceEventInput,
} from "./drift-store.js";
export type { CloudCallCounts } from "./schema.js";
export * as tables from "./schema.js";
export type {
  AccountTiming,
  CreateScanInput,
  FinishedScanStatus,
  MigrationResult,
  ResourceSnapshot,
  ScanAccountRecord,
  ScanKind,
  ScanRecord,
  ScanStatus,
  Store,
  StreamResourcesOptions,
  UnseenResourceScope,
  WriteResourcesResult,
} from "./store.js";
export { openStore } from "./store.js";
export { classifyError, StoreError, type StoreErrorKind } from "./store-error.js";
