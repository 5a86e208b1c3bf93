import type { IncomingMessage } from "node:http";
import type { Logger } from "pino";
import type { Estate, JsonObject } from "../estate.js";
import { isJsonObject } from "../estate.js";
import { type FaultInjector, InjectedFault, type RequestCounter } from "../faults.js";
import type { ResolvedSettings } from "../settings.js";
import { readRequestBody, truncateResponse, type WireResponse } from "../wire.js";
import {
  AwsServiceError,
  awsErrorResponse,
  awsResponse,
  readAccountFromAccessKeyId,
  readCredentialScope,
  unrecognisedClient,
} from "./aws-protocol.js";
import { type AwsOperationHandler, configOperations } from "./config-service.js";
import { networkFirewallOperations } from "./network-firewall.js";

/** What the AWS side needs from the running emulator. */
export interface AwsRouterOptions {
  estate: Estate;
  settings: ResolvedSettings;
  faults: FaultInjector;
  counter: RequestCounter;
  logger: Logger;
}

interface AwsService {
  contentType: string;
  operations: Record<string, AwsOperationHandler>;
}

const services: Record<string, AwsService> = {
  StarlingDoveService: {
    contentType: "application/x-amz-json-1.1",
    operations: configOperations,
  },
  NetworkFirewall_20201112: {
    contentType: "application/x-amz-json-1.0",
    operations: networkFirewallOperations,
  },
};

/** Answers one plain-http request in the AWS JSON protocols (`X-Amz-Target` routing). */
export async function answerAwsRequest(
  request: IncomingMessage,
  options: AwsRouterOptions,
): Promise<WireResponse> {
  // The body is read first so that a refused request still leaves the connection reusable.
  const body = await readRequestBody(request);
  const target = String(request.headers["x-amz-target"] ?? "");
  const [prefix = "", operationName = ""] = target.split(".");
  const service = services[prefix];
  const contentType = service?.contentType ?? "application/x-amz-json-1.1";
  const operation = service?.operations[operationName];
  if (request.method !== "POST" || service === undefined || operation === undefined) {
    options.counter.count("unknown");
    return awsErrorResponse(
      new AwsServiceError(400, "UnknownOperationException", `Unknown operation ${target}`),
      contentType,
    );
  }
  options.counter.count(operationName);

  let malformed = false;
  let account: string | undefined;
  try {
    const scope = readCredentialScope(request.headers.authorization);
    if (scope === undefined) {
      throw new AwsServiceError(
        400,
        "MissingAuthenticationTokenException",
        "Missing Authentication Token",
      );
    }
    // Limitation: SigV4 signatures are not verified; the access key id and the credential scope
    // alone choose the account and region, so any secret key is accepted.
    account = readAccountFromAccessKeyId(scope.accessKeyId);
    if (account === undefined || !options.estate.aws.accounts.includes(account)) {
      throw unrecognisedClient();
    }
    const disabledRegions = options.settings.aws.accounts[account]?.disabledRegions ?? [];
    if (disabledRegions.includes(scope.region)) throw unrecognisedClient();

    const input = parseInput(body);
    const caller = { accountId: account, region: scope.region };
    const output = operation(input, {
      caller,
      estate: options.estate,
      settings: options.settings,
      applyFaults: (page) => {
        const rule = options.faults.take(
          { operation: operationName, accounts: [caller.accountId], region: caller.region },
          page,
        );
        if (rule?.kind === "malformed") malformed = true;
        else if (rule !== undefined) throw new InjectedFault(rule);
      },
    });
    const answer = awsResponse(output, contentType);
    return malformed ? truncateResponse(answer) : answer;
  } catch (error) {
    const serviceError = toServiceError(error);
    options.logger.debug(
      { operation: operationName, account, code: serviceError.code, status: serviceError.status },
      "aws request refused",
    );
    return awsErrorResponse(serviceError, contentType);
  }
}

function parseInput(body: string | undefined): JsonObject {
  if (body === undefined) {
    throw new AwsServiceError(413, "SerializationException", "Request body too large");
  }
  if (body.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new AwsServiceError(400, "SerializationException", "Request body is not valid JSON");
  }
  if (!isJsonObject(parsed)) {
    throw new AwsServiceError(400, "SerializationException", "Request body must be a JSON object");
  }
  return parsed;
}

function toServiceError(error: unknown): AwsServiceError {
  if (error instanceof AwsServiceError) return error;
  if (error instanceof InjectedFault) {
    const { kind, status } = error.rule;
    if (kind === "throttle")
      return new AwsServiceError(400, "ThrottlingException", "Rate exceeded");
    if (kind === "server-error" && status === 503) {
      return new AwsServiceError(503, "ServiceUnavailableException", "Service is unavailable");
    }
    return new AwsServiceError(500, "InternalFailure", "The request processing has failed");
  }
  throw error;
}
