import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import type { Provider } from "@plumbline/rules";

/** Calls made to one cloud and how many of them were throttled. */
export interface ProviderCallCounts {
  /** HTTP requests sent, retries included. */
  calls: number;
  /** Requests the cloud answered with a throttling error (ARG 429, AWS ThrottlingException). */
  throttles: number;
}

/** Cloud API call counters per provider, for metrics. */
export type ApiCallCounters = Record<Provider, ProviderCallCounts>;

/** Creates a fresh set of counters, all zero. */
export function createApiCallCounters(): ApiCallCounters {
  return { azure: { calls: 0, throttles: 0 }, aws: { calls: 0, throttles: 0 } };
}

/**
 * The process-wide counters that client factories use unless they are given their own. Counts
 * only grow; a metrics exporter reads them as monotonic counters.
 */
export const apiCallCounters: ApiCallCounters = createApiCallCounters();

/** AWS error names that the SDK treats as throttling. */
const AWS_THROTTLING_ERRORS = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "LimitExceededException",
]);

/** Tells whether an AWS SDK error is a throttling error. */
export function isAwsThrottlingError(error: unknown): boolean {
  return error instanceof Error && AWS_THROTTLING_ERRORS.has(error.name);
}

/**
 * Creates an Azure pipeline policy that counts every request it sees and every 429. Placed per
 * retry so that retried requests count too.
 */
export function createAzureCountingPolicy(counters: ApiCallCounters): PipelinePolicy {
  return {
    name: "plumblineApiCallCounter",
    async sendRequest(request, next) {
      counters.azure.calls += 1;
      const response = await next(request);
      if (response.status === 429) counters.azure.throttles += 1;
      return response;
    },
  };
}
