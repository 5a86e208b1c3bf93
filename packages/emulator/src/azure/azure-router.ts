import type { IncomingMessage } from "node:http";
import type { Logger } from "pino";
import type { AzureDocument, Estate, JsonObject } from "../estate.js";
import { type ArmChildKind, childListKey, isJsonObject } from "../estate.js";
import { type FaultInjector, InjectedFault, type RequestCounter } from "../faults.js";
import {
  decodePageToken,
  encodePageToken,
  fingerprintQuery,
  firstPage,
  type PageCursor,
  slicePage,
} from "../paging.js";
import type { ResolvedSettings } from "../settings.js";
import { readRequestBody, truncateResponse, type WireResponse } from "../wire.js";
import { normaliseArmId, readSubscriptionId, readTypeFromId } from "./arm-ids.js";
import {
  AzureServiceError,
  azureErrorResponse,
  azureResponse,
  badRequest,
} from "./azure-protocol.js";
import { answerGraphQuery, buildGraphRows, GraphQuota, planGraphQuery } from "./resource-graph.js";

/** What the Azure side needs from the running emulator. */
export interface AzureRouterOptions {
  estate: Estate;
  settings: ResolvedSettings;
  faults: FaultInjector;
  counter: RequestCounter;
  logger: Logger;
}

/** A request after routing: the operation name and what answers it. */
interface Route {
  operation: string;
  /** Subscriptions the request is for (fault targeting). */
  subscriptions: string[];
  answer: (applyFaults: (page: number) => void) => JsonObject;
}

interface ParsedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  host: string;
  body: string | undefined;
  caller: string;
}

/**
 * Answers https requests as Resource Graph and the ARM list endpoints would.
 * Limitation: ARM GETs are never throttled, and the generic `/resources?$filter=` list (what
 * `vaults.list()` calls) is not served; lists by provider type are.
 */
export function createAzureRouter(options: AzureRouterOptions) {
  const rows = buildGraphRows(options.estate, options.settings);
  const { queries, windowSeconds } = options.settings.azure.quota;
  const quota = new GraphQuota(queries, windowSeconds * 1000);

  return async function answerAzureRequest(request: IncomingMessage): Promise<WireResponse> {
    const body = await readRequestBody(request);
    const url = new URL(request.url ?? "/", "https://emulator.invalid");
    const parsed: ParsedRequest = {
      method: request.method ?? "GET",
      path: decodePath(url.pathname),
      query: url.searchParams,
      host: request.headers.host ?? "127.0.0.1",
      body,
      caller: String(request.headers.authorization ?? ""),
    };

    let operation = "unknown";
    let throttleHeaders: Record<string, string> = {};
    try {
      const route = findRouteCounting(parsed, options, rows);
      operation = route.operation;
      requireBearer(parsed.caller);
      if (!parsed.query.has("api-version")) {
        throw new AzureServiceError(
          400,
          "MissingApiVersionParameter",
          "The api-version query parameter (?api-version=) is required for all requests.",
        );
      }
      if (operation === "resourceGraph") {
        const taken = quota.take(parsed.caller, Date.now());
        throttleHeaders = taken.headers;
        if (!taken.allowed) throw rateLimited(throttleHeaders);
      }

      let malformed = false;
      const output = route.answer((page) => {
        const rule = options.faults.take(
          { operation, accounts: route.subscriptions, region: undefined },
          page,
        );
        if (rule?.kind === "malformed") malformed = true;
        else if (rule !== undefined) throw new InjectedFault(rule);
      });
      const answer = azureResponse(output, throttleHeaders);
      return malformed ? truncateResponse(answer) : answer;
    } catch (error) {
      const serviceError = toServiceError(error, () =>
        operation === "resourceGraph" ? quota.exhaustedHeaders(parsed.caller, Date.now()) : {},
      );
      options.logger.debug(
        { operation, path: parsed.path, code: serviceError.code, status: serviceError.status },
        "azure request refused",
      );
      // Every Resource Graph answer announces the quota, refusals included.
      return azureErrorResponse(serviceError, throttleHeaders);
    }
  };
}

/** Finds the route and counts the request under its operation, or as `unknown`. */
function findRouteCounting(
  request: ParsedRequest,
  options: AzureRouterOptions,
  rows: JsonObject[],
): Route {
  let route: Route;
  try {
    route = findRoute(request, options, rows);
  } catch (error) {
    options.counter.count("unknown");
    throw error;
  }
  options.counter.count(route.operation);
  return route;
}

function findRoute(request: ParsedRequest, options: AzureRouterOptions, rows: JsonObject[]): Route {
  const { estate, settings } = options;
  const key = request.path.toLowerCase();

  if (key === "/providers/microsoft.resourcegraph/resources") {
    requireMethod(request, "POST");
    return {
      operation: "resourceGraph",
      // Fault rules aimed at a subscription match any subscription the query names.
      subscriptions: peekGraphSubscriptions(request.body) ?? estate.azure.subscriptions,
      answer: (applyFaults) => {
        const plan = planGraphQuery(parseJsonBody(request.body), estate);
        return answerGraphQuery(plan, rows, settings, applyFaults);
      },
    };
  }

  requireMethod(request, "GET");
  if (key === "/subscriptions") {
    const entries = estate.azure.subscriptions.map((subscriptionId) => ({
      id: `/subscriptions/${subscriptionId}`,
      subscriptionId,
      displayName: settings.azure.subscriptionNames[subscriptionId] ?? subscriptionId,
      state: "Enabled",
      tenantId: settings.azure.tenantId,
    }));
    return listRoute("listSubscriptions", [], entries, request, settings);
  }

  const subscriptionId = readSubscriptionId(request.path);
  if (subscriptionId === undefined) throw noRoute(request.path);
  const subscription = estate.azure.subscriptions.find(
    (candidate) => candidate.toLowerCase() === subscriptionId.toLowerCase(),
  );
  if (subscription === undefined) {
    throw new AzureServiceError(
      404,
      "SubscriptionNotFound",
      `The subscription '${subscriptionId}' could not be found.`,
    );
  }

  const diagnosticSuffix = "/providers/microsoft.insights/diagnosticsettings";
  if (key.endsWith(diagnosticSuffix)) {
    const parentKey = normaliseArmId(request.path.slice(0, -diagnosticSuffix.length));
    return childListRoute(
      "listDiagnosticSettings",
      "diagnosticSettings",
      parentKey,
      subscription,
      request,
      options,
    );
  }
  if (
    /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.keyvault\/vaults\/[^/]+\/keys$/.test(
      key,
    )
  ) {
    return childListRoute("listVaultKeys", "keys", readParent(key), subscription, request, options);
  }
  if (
    /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.keyvault\/managedhsms\/[^/]+\/keys$/.test(
      key,
    )
  ) {
    return childListRoute(
      "listManagedHsmKeys",
      "keys",
      readParent(key),
      subscription,
      request,
      options,
    );
  }
  if (
    /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.cognitiveservices\/accounts\/[^/]+\/deployments$/.test(
      key,
    )
  ) {
    return childListRoute(
      "listDeployments",
      "deployments",
      readParent(key),
      subscription,
      request,
      options,
    );
  }
  if (/^\/subscriptions\/[^/]+$/.test(key)) {
    return {
      operation: "getSubscription",
      subscriptions: [subscription],
      answer: (applyFaults) => {
        applyFaults(1);
        return {
          id: `/subscriptions/${subscription}`,
          subscriptionId: subscription,
          displayName: settings.azure.subscriptionNames[subscription] ?? subscription,
          state: "Enabled",
          tenantId: settings.azure.tenantId,
        };
      },
    };
  }

  const listMatch =
    /^\/subscriptions\/[^/]+(\/resourcegroups\/([^/]+))?\/providers\/([^/]+\/[^/]+)$/.exec(key);
  if (listMatch !== null) {
    const resourceGroup = listMatch[2];
    const type = listMatch[3] ?? "";
    const prefix = `/subscriptions/${subscription.toLowerCase()}${resourceGroup === undefined ? "" : `/resourcegroups/${resourceGroup}`}/`;
    const documents = estate.azure.graphDocuments
      .filter((document) => document.key.startsWith(prefix) && readTypeFromId(document.id) === type)
      .map((document) => document.document);
    return listRoute("listResources", [subscription], documents, request, settings);
  }

  const document = estate.azure.byId.get(normaliseArmId(request.path));
  if (document === undefined) {
    if (/\/providers\/[^/]+\/[^/]+\/[^/]+/.test(key)) throw resourceNotFound(request.path);
    throw noRoute(request.path);
  }
  return {
    operation: "getResource",
    subscriptions: [subscription],
    answer: (applyFaults) => {
      applyFaults(1);
      return document.document;
    },
  };
}

function childListRoute(
  operation: string,
  kind: ArmChildKind,
  parentKey: string,
  subscription: string,
  request: ParsedRequest,
  options: AzureRouterOptions,
): Route {
  const isSubscription = /^\/subscriptions\/[^/]+$/.test(parentKey);
  if (!isSubscription && !options.estate.azure.byId.has(parentKey)) {
    throw resourceNotFound(request.path.slice(0, request.path.length - kind.length - 1));
  }
  const children: AzureDocument[] =
    options.estate.azure.children.get(childListKey(kind, parentKey)) ?? [];
  return listRoute(
    operation,
    [subscription],
    children.map((child) => child.document),
    request,
    options.settings,
  );
}

/** An ARM list answer `{ value, nextLink? }`, paged with `$skiptoken` in the next link. */
function listRoute(
  operation: string,
  subscriptions: string[],
  entries: readonly unknown[],
  request: ParsedRequest,
  settings: ResolvedSettings,
): Route {
  return {
    operation,
    subscriptions,
    answer: (applyFaults) => {
      const scope = fingerprintQuery(operation, request.path.toLowerCase());
      const cursor = readArmCursor(request.query.get("$skiptoken"), scope);
      applyFaults(cursor.page);
      const { page, next } = slicePage(entries, cursor, settings.pageSize.armList);
      if (next === undefined) return { value: page };
      const link = new URL(`https://${request.host}${encodeURI(request.path)}`);
      link.searchParams.set("api-version", request.query.get("api-version") ?? "");
      link.searchParams.set("$skiptoken", encodePageToken(scope, next));
      return { value: page, nextLink: link.toString() };
    },
  };
}

function readArmCursor(token: string | null, scope: string): PageCursor {
  if (token === null || token === "") return firstPage;
  const cursor = decodePageToken(scope, token);
  if (cursor === undefined) throw badRequest("The $skiptoken is not valid for this list.");
  return cursor;
}

function readParent(key: string): string {
  return key.split("/").slice(0, -1).join("/");
}

function decodePath(pathname: string): string {
  let decoded = pathname;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    // A malformed escape is left as sent; no route will match it.
  }
  return decoded.replace(/\/+$/, "") || "/";
}

function peekGraphSubscriptions(body: string | undefined): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(body ?? "");
    if (!isJsonObject(parsed) || !Array.isArray(parsed.subscriptions)) return undefined;
    return parsed.subscriptions.filter((entry): entry is string => typeof entry === "string");
  } catch {
    return undefined;
  }
}

function parseJsonBody(body: string | undefined): unknown {
  if (body === undefined) throw badRequest("The request body is too large.");
  try {
    return JSON.parse(body);
  } catch {
    throw badRequest("The request body is not valid JSON.");
  }
}

function requireMethod(request: ParsedRequest, method: string): void {
  if (request.method !== method) {
    throw new AzureServiceError(
      405,
      "MethodNotAllowed",
      `The emulator serves ${method} only on ${request.path}.`,
    );
  }
}

function requireBearer(authorization: string): void {
  if (!/^Bearer\s+\S+/i.test(authorization)) {
    throw new AzureServiceError(
      401,
      "AuthenticationFailed",
      "Authentication failed. The 'Authorization' header is missing.",
    );
  }
}

function rateLimited(headers: Record<string, string>): AzureServiceError {
  return new AzureServiceError(
    429,
    "RateLimiting",
    "Please provide below info when asking for support.",
    headers,
    [
      {
        code: "RateLimiting",
        message:
          "Client application has been throttled and should not attempt to repeat the request until an amount of time has elapsed.",
      },
    ],
  );
}

function resourceNotFound(path: string): AzureServiceError {
  return new AzureServiceError(404, "ResourceNotFound", `The Resource '${path}' was not found.`);
}

function noRoute(path: string): AzureServiceError {
  return new AzureServiceError(404, "NotFound", `The emulator has no route for '${path}'.`);
}

function toServiceError(
  error: unknown,
  throttledHeaders: () => Record<string, string>,
): AzureServiceError {
  if (error instanceof AzureServiceError) return error;
  if (error instanceof InjectedFault) {
    const { kind, status } = error.rule;
    if (kind === "throttle") return rateLimited(throttledHeaders());
    if (kind === "server-error" && status === 503) {
      return new AzureServiceError(
        503,
        "ServiceUnavailable",
        "The service is temporarily unavailable.",
      );
    }
    return new AzureServiceError(
      500,
      "InternalServerError",
      "The server encountered an internal error.",
    );
  }
  throw error;
}
