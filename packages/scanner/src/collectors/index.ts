export {
  type ApiCallCounters,
  apiCallCounters,
  createApiCallCounters,
  type ProviderCallCounts,
} from "./api-counters.js";
export {
  type AwsAggregator,
  type AwsCollectOptions,
  collectAws,
} from "./aws-collector.js";
export {
  buildSelectExpression,
  CONFIG_ITEM_FIELDS,
  DISCOVERED_RESOURCE_TYPES,
  SELECT_RESOURCE_TYPES,
} from "./aws-config-queries.js";
export {
  type AzureCollectOptions,
  collectAzure,
  MAX_SUBSCRIPTIONS_PER_QUERY,
} from "./azure-collector.js";
export {
  type ArmRequester,
  type ArmResponse,
  type AwsClientOptions,
  type AwsClients,
  type AwsRetryStrategy,
  type AzureClientOptions,
  type AzureClients,
  createAwsClients,
  createAzureClients,
  type EstateEndpoints,
  estateAccessKeyId,
} from "./clients.js";
export { type DiscoverOptions, type DiscoverResult, discoverAccounts } from "./discovery.js";
export { RESOURCE_GRAPH_QUERY } from "./resource-graph-reader.js";
export type {
  CollectorCommonOptions,
  CollectorProgressEvent,
  ResourcePageHandler,
} from "./types.js";
