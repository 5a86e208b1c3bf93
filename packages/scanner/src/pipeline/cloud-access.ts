import type { Policy } from "@plumbline/rules";
import type { Logger } from "pino";
import { collectAws } from "../collectors/aws-collector.js";
import { collectAzure } from "../collectors/azure-collector.js";
import {
  type AwsRetryStrategy,
  createAwsClients,
  createAzureClients,
  type EstateEndpoints,
} from "../collectors/clients.js";
import { discoverAccounts } from "../collectors/discovery.js";
import type { CloudAccess } from "./run-scan.js";

/** How to reach the clouds for one scan. */
export interface CloudAccessOptions {
  policy: Policy;
  logger: Logger;
  /**
   * Scan a local estate instead of the real clouds: the emulator's endpoints and certificate.
   * Without it, Azure uses DefaultAzureCredential and AWS the default provider chain (with the
   * policy's role assumed per account when it names one).
   */
  estate?: EstateEndpoints;
  /** Retry settings; tests pass fast ones. Absent: the SDKs' standard retries. */
  retry?: {
    aws?: AwsRetryStrategy;
    azure?: { maxRetries: number; retryDelayInMs: number; maxRetryDelayInMs: number };
  };
  /** Waits for quota back-off; a real timer when absent. */
  sleep?: (milliseconds: number) => Promise<void>;
}

/** Binds the collectors to clients built from the policy's `sources`. */
export function createCloudAccess(options: CloudAccessOptions): CloudAccess {
  const { policy, logger } = options;
  const azureClients = createAzureClients({
    ...(options.estate ? { estate: options.estate } : {}),
    ...(policy.sources.azure.tenantId ? { tenantId: policy.sources.azure.tenantId } : {}),
    ...(options.retry?.azure ? { retryOptions: options.retry.azure } : {}),
  });
  const awsClients = createAwsClients({
    ...(options.estate ? { estate: options.estate } : {}),
    ...(policy.sources.aws.roleName ? { roleName: policy.sources.aws.roleName } : {}),
    ...(options.retry?.aws ? { retryStrategy: options.retry.aws } : {}),
  });
  const aggregator = policy.sources.aws.aggregator ?? undefined;
  // Only a cloud the policy uses is asked for its account list, so an AWS-only deployment
  // needs no Azure credential at all.
  const usesAzure = [policy.platform, ...policy.tenants].some(
    (owner) => (owner?.accounts.azure.length ?? 0) > 0,
  );
  const common = {
    logger,
    ...(options.sleep ? { sleep: options.sleep } : {}),
  };

  return {
    collectAzure: (scan) => collectAzure({ ...common, ...scan, clients: azureClients }),
    collectAws: (scan) =>
      collectAws({
        ...common,
        ...scan,
        clients: awsClients,
        regions: policy.sources.aws.regions,
        ...(aggregator ? { aggregator } : {}),
      }),
    discoverAccounts: () =>
      discoverAccounts({
        logger,
        ...(usesAzure ? { azure: { clients: azureClients } } : {}),
        ...(aggregator ? { aws: { clients: awsClients, aggregator } } : {}),
      }),
  };
}
