import {
  ConfigServiceClient,
  type ConfigServiceClientConfig,
} from "@aws-sdk/client-config-service";
import { NetworkFirewallClient } from "@aws-sdk/client-network-firewall";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { CognitiveServicesManagementClient } from "@azure/arm-cognitiveservices";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { ResourceGraphClient } from "@azure/arm-resourcegraph";
import type { TokenCredential } from "@azure/core-auth";
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
  type PipelinePolicy,
  type PipelineRetryOptions,
} from "@azure/core-rest-pipeline";
import { DefaultAzureCredential } from "@azure/identity";
import {
  type ApiCallCounters,
  apiCallCounters,
  createAzureCountingPolicy,
  isAwsThrottlingError,
} from "./api-counters.js";
import { createRawBodyCapturePolicy } from "./raw-body-capture.js";

/** The Azure Resource Manager endpoint of the public cloud. */
export const AZURE_MANAGEMENT_ENDPOINT = "https://management.azure.com";

/** Token scope of Azure Resource Manager; also accepted by the emulator's static credential. */
const ARM_SCOPE = "https://management.azure.com/.default";

/** Endpoints of a local emulator serving an estate directory. */
export interface EstateEndpoints {
  /** Base URL of the emulated AWS APIs, Config and Network Firewall (`http://127.0.0.1:N`). */
  awsEndpoint: string;
  /** Base URL of the emulated Azure Resource Manager (`https://127.0.0.1:N`). */
  azureEndpoint: string;
  /** PEM certificate the Azure endpoint presents; trusted per client, not process-wide. */
  caCertificate: string;
}

/** A response body as text, with its status, from a generic ARM request. */
export interface ArmResponse {
  status: number;
  /** Response headers, names lower-cased. */
  headers: Record<string, string>;
  bodyText: string;
}

/** Sends GET requests to Azure Resource Manager through an authenticated pipeline. */
export interface ArmRequester {
  /**
   * GETs a path below the ARM endpoint (starting with `/`) or an absolute URL (a `nextLink`),
   * with the bearer policy, retries and TLS settings of the other Azure clients.
   */
  get(pathOrUrl: string): Promise<ArmResponse>;
}

/** Azure clients shared by the collectors and discovery. */
export interface AzureClients {
  /** Base URL of Azure Resource Manager. */
  endpoint: string;
  resourceGraph: ResourceGraphClient;
  /** Key Vault management client for one subscription (cached). */
  keyVault(subscriptionId: string): KeyVaultManagementClient;
  /** Cognitive Services management client for one subscription (cached). */
  cognitiveServices(subscriptionId: string): CognitiveServicesManagementClient;
  /** Generic ARM GET for lists that no Node 20 SDK client covers. */
  arm: ArmRequester;
}

/** How to build the Azure clients. */
export interface AzureClientOptions {
  /** Serve from a local emulator instead of Azure: its endpoint and certificate. */
  estate?: Pick<EstateEndpoints, "azureEndpoint" | "caCertificate">;
  /** Tenant for `DefaultAzureCredential` in production; ignored for an estate. */
  tenantId?: string;
  /** Credential to use instead of the default one (production) or the static one (estate). */
  credential?: TokenCredential;
  /** Retry settings of every Azure pipeline; the SDK defaults when absent. */
  retryOptions?: PipelineRetryOptions;
  /** Counters to update; the process-wide `apiCallCounters` when absent. */
  counters?: ApiCallCounters;
}

/** A policy added to every Azure pipeline, once per call or once per attempt. */
interface AdditionalPolicyConfig {
  policy: PipelinePolicy;
  position: "perCall" | "perRetry";
}

/** A credential that always returns the same token: the emulator checks only its presence. */
function createStaticTokenCredential(): TokenCredential {
  return {
    async getToken() {
      return { token: "plumbline-estate", expiresOnTimestamp: Date.now() + 60 * 60 * 1000 };
    },
  };
}

/**
 * Creates the Azure clients: against Azure with `DefaultAzureCredential` (managed identity
 * first), or against an emulator with a static token and the emulator's certificate trusted
 * for these clients only.
 */
export function createAzureClients(options: AzureClientOptions = {}): AzureClients {
  const counters = options.counters ?? apiCallCounters;
  const endpoint = options.estate?.azureEndpoint.replace(/\/+$/, "") ?? AZURE_MANAGEMENT_ENDPOINT;
  const credential =
    options.credential ??
    (options.estate
      ? createStaticTokenCredential()
      : new DefaultAzureCredential(
          options.tenantId === undefined ? {} : { tenantId: options.tenantId },
        ));
  const additionalPolicies: AdditionalPolicyConfig[] = [
    { policy: createAzureCountingPolicy(counters), position: "perRetry" },
    { policy: createRawBodyCapturePolicy(), position: "perCall" },
  ];
  const common = {
    additionalPolicies,
    ...(options.estate ? { endpoint, tlsOptions: { ca: options.estate.caCertificate } } : {}),
    ...(options.retryOptions ? { retryOptions: options.retryOptions } : {}),
  };

  const keyVaultClients = new Map<string, KeyVaultManagementClient>();
  const cognitiveClients = new Map<string, CognitiveServicesManagementClient>();

  return {
    endpoint,
    resourceGraph: new ResourceGraphClient(credential, common),
    keyVault(subscriptionId) {
      let client = keyVaultClients.get(subscriptionId);
      if (!client) {
        client = new KeyVaultManagementClient(credential, subscriptionId, common);
        keyVaultClients.set(subscriptionId, client);
      }
      return client;
    },
    cognitiveServices(subscriptionId) {
      let client = cognitiveClients.get(subscriptionId);
      if (!client) {
        // The classic client asks for `${endpoint}/.default`; an estate's credential ignores
        // scopes, and in production the endpoint is ARM's own.
        client = new CognitiveServicesManagementClient(credential, subscriptionId, common);
        cognitiveClients.set(subscriptionId, client);
      }
      return client;
    },
    arm: createArmRequester(endpoint, credential, common),
  };
}

function createArmRequester(
  endpoint: string,
  credential: TokenCredential,
  options: {
    additionalPolicies: AdditionalPolicyConfig[];
    tlsOptions?: { ca: string };
    retryOptions?: PipelineRetryOptions;
  },
): ArmRequester {
  const pipeline: Pipeline = createPipelineFromOptions({
    ...(options.tlsOptions ? { tlsOptions: options.tlsOptions } : {}),
    ...(options.retryOptions ? { retryOptions: options.retryOptions } : {}),
  });
  pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential, scopes: ARM_SCOPE }));
  for (const { policy, position } of options.additionalPolicies) {
    pipeline.addPolicy(policy, position === "perRetry" ? { afterPhase: "Sign" } : {});
  }
  const httpClient: HttpClient = createDefaultHttpClient();

  return {
    async get(pathOrUrl) {
      const url = pathOrUrl.startsWith("/") ? `${endpoint}${pathOrUrl}` : pathOrUrl;
      const request = createPipelineRequest({ url, method: "GET" });
      request.headers.set("accept", "application/json");
      const response = await pipeline.sendRequest(httpClient, request);
      return {
        status: response.status,
        headers: response.headers.toJSON(),
        bodyText: response.bodyAsText ?? "",
      };
    },
  };
}

/** Retry behaviour of the AWS clients (`new ConfiguredRetryStrategy(...)` or SDK strategies). */
export type AwsRetryStrategy = NonNullable<ConfigServiceClientConfig["retryStrategy"]>;

/** AWS clients, one per service, account and region. */
export interface AwsClients {
  /**
   * The Config client for calls into `account` in `region` (cached). For an aggregator, pass
   * the account that holds it and its region.
   */
  config(account: string, region: string): ConfigServiceClient;
  /** The Network Firewall client for calls into `account` in `region` (cached). */
  networkFirewall(account: string, region: string): NetworkFirewallClient;
  /** Releases the clients' connections. */
  destroy(): void;
}

/** How to build the AWS clients. */
export interface AwsClientOptions {
  /** Serve from a local emulator: its AWS endpoint. */
  estate?: Pick<EstateEndpoints, "awsEndpoint">;
  /**
   * Role to assume in each account (`arn:aws:iam::<account>:role/<roleName>`) with the default
   * credentials; without it the default credentials are used as they are. Ignored for an estate.
   */
  roleName?: string;
  /** Access key id the emulator maps to an account; defaults to `estateAccessKeyId`. */
  estateAccessKeyId?: (account: string) => string;
  /** Retry strategy of every AWS client; the SDK's standard strategy when absent. */
  retryStrategy?: AwsRetryStrategy;
  /** Counters to update; the process-wide `apiCallCounters` when absent. */
  counters?: ApiCallCounters;
}

/**
 * The access key id an estate's emulator answers for `account`: the 12-digit account id
 * between `AKIA` and `EMUL`.
 */
export function estateAccessKeyId(account: string): string {
  return `AKIA${account}EMUL`;
}

/**
 * Creates AWS clients (Config and Network Firewall): against AWS with the default provider
 * chain (and, when `roleName` is given, a role assumed per account), or against an emulator
 * with one static key per account and no role.
 */
export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const counters = options.counters ?? apiCallCounters;
  const configClients = new Map<string, ConfigServiceClient>();
  const firewallClients = new Map<string, NetworkFirewallClient>();
  const roleCredentials = new Map<string, ConfigServiceClientConfig["credentials"]>();

  function credentialsFor(account: string, region: string): ConfigServiceClientConfig {
    if (options.estate) {
      const accessKeyId = (options.estateAccessKeyId ?? estateAccessKeyId)(account);
      return { credentials: { accessKeyId, secretAccessKey: "emulator" } };
    }
    // Limitation: without a role the default credentials must belong to the account asked for;
    // a mismatch shows only when an answer holds another account's items.
    if (options.roleName === undefined) return {};
    let credentials = roleCredentials.get(account);
    if (!credentials) {
      credentials = fromTemporaryCredentials({
        params: {
          RoleArn: `arn:aws:iam::${account}:role/${options.roleName}`,
          RoleSessionName: "plumbline-scan",
        },
        clientConfig: { region },
      });
      roleCredentials.set(account, credentials);
    }
    return { credentials };
  }

  /** Region, credentials, endpoint and retries shared by every client of one account. */
  function clientConfigFor(account: string, region: string) {
    return {
      region,
      ...credentialsFor(account, region),
      ...(options.estate ? { endpoint: options.estate.awsEndpoint } : {}),
      ...(options.retryStrategy ? { retryStrategy: options.retryStrategy } : {}),
    };
  }

  return {
    config(account, region) {
      const cacheKey = `${account}/${region}`;
      let client = configClients.get(cacheKey);
      if (!client) {
        client = new ConfigServiceClient(clientConfigFor(account, region));
        client.middlewareStack.addRelativeTo(createAwsCountingMiddleware(counters), COUNTING_STEP);
        configClients.set(cacheKey, client);
      }
      return client;
    },
    networkFirewall(account, region) {
      const cacheKey = `${account}/${region}`;
      let client = firewallClients.get(cacheKey);
      if (!client) {
        client = new NetworkFirewallClient(clientConfigFor(account, region));
        client.middlewareStack.addRelativeTo(createAwsCountingMiddleware(counters), COUNTING_STEP);
        firewallClients.set(cacheKey, client);
      }
      return client;
    },
    destroy() {
      for (const client of configClients.values()) client.destroy();
      for (const client of firewallClients.values()) client.destroy();
      configClients.clear();
      firewallClients.clear();
    },
  };
}

/** Where the counting middleware sits: inside the retry loop, so that every attempt counts. */
const COUNTING_STEP = {
  name: "plumblineApiCallCounter",
  relation: "after",
  toMiddleware: "retryMiddleware",
} as const;

/** Counts every attempt and every throttling error of an AWS client. */
function createAwsCountingMiddleware(counters: ApiCallCounters) {
  return <Args, Result>(next: (args: Args) => Promise<Result>) =>
    async (args: Args): Promise<Result> => {
      counters.aws.calls += 1;
      try {
        return await next(args);
      } catch (error) {
        if (isAwsThrottlingError(error)) counters.aws.throttles += 1;
        throw error;
      }
    };
}
