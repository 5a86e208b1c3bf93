export {
  type DiscoverPayload,
  type EvaluatePayload,
  type InventoryPayload,
  type JobDefinition,
  type JobName,
  JobPayloadError,
  type JobPayloads,
  jobCatalogue,
  type NotifyPayload,
  parseJobPayload,
  QUEUE_NAMES,
  type QueueName,
} from "./catalogue.js";
export { createPipelineHandlers, type PipelineHandlersOptions } from "./pipeline-handlers.js";
export {
  addJob,
  createJobQueues,
  DEFAULT_QUEUE_PREFIX,
  enqueueScanNow,
  type JobQueues,
  type JobQueuesOptions,
  type PolicyAccount,
  policyAccounts,
  type ScanNowOptions,
  UnknownAccountsError,
} from "./queues.js";
export {
  assertRedisUsable,
  type RedisConnection,
  RedisUnavailableError,
} from "./redis-connection.js";
export {
  type DesiredSchedule,
  desiredSchedules,
  type ScheduleSyncResult,
  syncJobSchedulers,
} from "./schedules.js";
export {
  DEFAULT_WORKER_SETTINGS,
  type JobContext,
  type JobHandlers,
  type JobWorkerSettings,
  type JobWorkers,
  type JobWorkersOptions,
  type RateLimit,
  startJobWorkers,
} from "./workers.js";
