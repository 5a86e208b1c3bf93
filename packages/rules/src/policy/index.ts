export { daysUntil, isInForce } from "./dates.js";
export { policyJsonSchema } from "./json-schema.js";
export { loadPolicyFile } from "./load-policy-file.js";
export { matchesGlob, ownerById, ownersOf, ownersOfAccount } from "./owners.js";
export {
  type ParsePolicyOptions,
  type ParsePolicyResult,
  PolicyError,
  type PolicyIssue,
  parsePolicy,
  WAIVER_WARNING_DAYS,
} from "./parse-policy.js";
export { DEFAULT_SCHEDULE_CRON, MAX_WAIVER_DAYS } from "./schema.js";
export {
  type AwsAggregator,
  type ControlSettings,
  DATAFLOW_STAGES,
  type DataflowStage,
  type FallbackRegion,
  type ModelEntry,
  type Owner,
  PLATFORM_OWNER_ID,
  type Policy,
  type PolicyNotifications,
  type PolicySchedule,
  type PolicySources,
  type ProcessingScope,
  type StageSelector,
  type Waiver,
} from "./types.js";
