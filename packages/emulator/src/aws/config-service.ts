import type { AwsItem, Estate, JsonObject } from "../estate.js";
import { isJsonObject } from "../estate.js";
import {
  decodePageToken,
  encodePageToken,
  fingerprintQuery,
  firstPage,
  type PageCursor,
  slicePage,
} from "../paging.js";
import type { ResolvedSettings } from "../settings.js";
import { AwsServiceError, toEpochSeconds, validationError } from "./aws-protocol.js";
import {
  type ConfigQuery,
  groupItems,
  InvalidExpressionError,
  parseConfigQuery,
  projectItem,
} from "./config-query.js";

/** What an AWS operation knows about its request besides the input. */
export interface AwsCallContext {
  /** The account of the access key and the region of the credential scope. */
  caller: { accountId: string; region: string };
  estate: Estate;
  settings: ResolvedSettings;
  /** Throws the injected fault for this request's page number (1 = first), if a rule hits. */
  applyFaults(page: number): void;
}

/** An operation: the parsed JSON input in, the JSON output out; errors are thrown. */
export type AwsOperationHandler = (input: JsonObject, context: AwsCallContext) => JsonObject;

const deletedStatuses = new Set(["ResourceDeleted", "ResourceDeletedNotRecorded"]);

/** The AWS Config operations served, by name. */
export const configOperations: Record<string, AwsOperationHandler> = {
  SelectResourceConfig: selectResourceConfig,
  SelectAggregateResourceConfig: selectAggregateResourceConfig,
  BatchGetResourceConfig: batchGetResourceConfig,
  BatchGetAggregateResourceConfig: batchGetAggregateResourceConfig,
  ListDiscoveredResources: listDiscoveredResources,
  ListAggregateDiscoveredResources: listAggregateDiscoveredResources,
};

/**
 * Whether a per-account call in `region` returns the item: items of the region, and the
 * `global` items in the region that records global types.
 */
function isServedIn(item: { awsRegion: string }, region: string, context: AwsCallContext): boolean {
  if (item.awsRegion === region) return true;
  return item.awsRegion === "global" && region === context.settings.aws.globalResourceRegion;
}

function selectResourceConfig(input: JsonObject, context: AwsCallContext): JsonObject {
  const expression = readExpression(input.Expression);
  const limit = readLimit(input.Limit, "Limit", context.settings.pageSize.config);
  const query = parseQueryOrThrow(expression);
  const { accountId, region } = context.caller;
  const items = context.estate.aws.items.filter(
    (item) => item.accountId === accountId && isServedIn(item, region, context),
  );
  const scope = fingerprintQuery("select", accountId, region, expression);
  return selectPage(query, items, limit, input.NextToken, scope, context);
}

/**
 * Limitation: the default page size is `pageSize.config` (100) for every query, where AWS uses
 * 25 for plain queries and 500 for aggregations.
 */
function selectAggregateResourceConfig(input: JsonObject, context: AwsCallContext): JsonObject {
  requireAggregator(input.ConfigurationAggregatorName, context);
  const expression = readExpression(input.Expression);
  if (input.Limit !== undefined && input.MaxResults !== undefined) {
    throw validationError("Specify Limit or MaxResults, not both");
  }
  const limit =
    input.MaxResults !== undefined
      ? readLimit(input.MaxResults, "MaxResults", context.settings.pageSize.config)
      : readLimit(input.Limit, "Limit", context.settings.pageSize.config);
  const query = parseQueryOrThrow(expression);
  const scope = fingerprintQuery("select-aggregate", expression);
  return selectPage(query, context.estate.aws.items, limit, input.NextToken, scope, context);
}

function selectPage(
  query: ConfigQuery,
  candidates: readonly AwsItem[],
  limit: number,
  nextToken: unknown,
  scope: string,
  context: AwsCallContext,
): JsonObject {
  const wanted = query.resourceTypes === undefined ? undefined : new Set(query.resourceTypes);
  const items = candidates
    .filter((item) => isRecorded(item) && isQueryable(item.resourceType))
    .filter((item) => wanted === undefined || wanted.has(item.resourceType))
    .map((item) => item.document);
  const isAggregation = query.fields.some((field) => field.kind === "count");
  const rows =
    query.groupBy !== undefined || isAggregation
      ? groupItems(items, query)
      : items.map((item) => projectItem(item, query.fields));

  const cursor = readCursor(nextToken, scope, "InvalidNextTokenException");
  context.applyFaults(cursor.page);
  const { page, next } = slicePage(rows, cursor, limit);
  return {
    Results: page.map((row) => JSON.stringify(row)),
    QueryInfo: { SelectFields: query.fields.map((field) => ({ Name: field.name })) },
    ...(next === undefined ? {} : { NextToken: encodePageToken(scope, next) }),
  };
}

/**
 * Limitation: keys of unknown or deleted resources are left out silently, neither returned nor
 * listed as unprocessed; that is inferred from AWS's documentation, not from a recording.
 */
function batchGetResourceConfig(input: JsonObject, context: AwsCallContext): JsonObject {
  const keys = readKeyList(input.resourceKeys, "resourceKeys");
  context.applyFaults(1);

  const { accountId, region } = context.caller;
  const items = keys.flatMap((key) => {
    const item = context.estate.aws.items.find(
      (candidate) =>
        candidate.accountId === accountId &&
        isServedIn(candidate, region, context) &&
        candidate.resourceType === key.resourceType &&
        candidate.resourceId === key.resourceId &&
        isRecorded(candidate),
    );
    return item === undefined ? [] : [toBaseConfigurationItem(item)];
  });
  return { baseConfigurationItems: items, unprocessedResourceKeys: [] };
}

function batchGetAggregateResourceConfig(input: JsonObject, context: AwsCallContext): JsonObject {
  requireAggregator(input.ConfigurationAggregatorName, context);
  const identifiers = readKeyList(input.ResourceIdentifiers, "ResourceIdentifiers");
  context.applyFaults(1);

  const items = identifiers.flatMap((identifier) => {
    const item = context.estate.aws.items.find(
      (candidate) =>
        candidate.accountId === identifier.SourceAccountId &&
        candidate.awsRegion === identifier.SourceRegion &&
        candidate.resourceType === identifier.ResourceType &&
        candidate.resourceId === identifier.ResourceId &&
        isRecorded(candidate),
    );
    return item === undefined ? [] : [toBaseConfigurationItem(item)];
  });
  return { BaseConfigurationItems: items, UnprocessedResourceIdentifiers: [] };
}

function listDiscoveredResources(input: JsonObject, context: AwsCallContext): JsonObject {
  const resourceType = readResourceType(input.resourceType, "resourceType");
  const limit = readLimit(input.limit, "limit", context.settings.pageSize.config);
  const resourceIds = readOptionalStringList(input.resourceIds, "resourceIds", 20);
  const resourceName = readOptionalString(input.resourceName, "resourceName");
  const includeDeleted = input.includeDeletedResources === true;
  const { accountId, region } = context.caller;

  const items = context.estate.aws.items.filter(
    (item) =>
      item.accountId === accountId &&
      isServedIn(item, region, context) &&
      item.resourceType === resourceType &&
      (includeDeleted || isRecorded(item)) &&
      (resourceIds === undefined || resourceIds.includes(item.resourceId)) &&
      (resourceName === undefined || item.resourceName === resourceName),
  );
  const scope = fingerprintQuery(
    "list",
    accountId,
    region,
    resourceType,
    resourceIds,
    resourceName,
    includeDeleted,
  );
  const cursor = readCursor(input.nextToken, scope, "InvalidNextTokenException");
  context.applyFaults(cursor.page);
  const { page, next } = slicePage(items, cursor, limit);
  return {
    resourceIdentifiers: page.map((item) => ({
      resourceType: item.resourceType,
      resourceId: item.resourceId,
      ...(item.resourceName === undefined ? {} : { resourceName: item.resourceName }),
      ...(isRecorded(item) ? {} : optionalField("resourceDeletionTime", readDeletionTime(item))),
    })),
    ...(next === undefined ? {} : { nextToken: encodePageToken(scope, next) }),
  };
}

function listAggregateDiscoveredResources(input: JsonObject, context: AwsCallContext): JsonObject {
  requireAggregator(input.ConfigurationAggregatorName, context);
  const resourceType = readResourceType(input.ResourceType, "ResourceType");
  const limit = readLimit(input.Limit, "Limit", context.settings.pageSize.config);
  const filters = isJsonObject(input.Filters) ? input.Filters : {};

  const items = context.estate.aws.items.filter(
    (item) =>
      item.resourceType === resourceType &&
      isRecorded(item) &&
      (filters.AccountId === undefined || item.accountId === filters.AccountId) &&
      (filters.Region === undefined || item.awsRegion === filters.Region) &&
      (filters.ResourceId === undefined || item.resourceId === filters.ResourceId) &&
      (filters.ResourceName === undefined || item.resourceName === filters.ResourceName),
  );
  const scope = fingerprintQuery("list-aggregate", resourceType, filters);
  const cursor = readCursor(input.NextToken, scope, "InvalidNextTokenException");
  context.applyFaults(cursor.page);
  const { page, next } = slicePage(items, cursor, limit);
  return {
    ResourceIdentifiers: page.map((item) => ({
      SourceAccountId: item.accountId,
      SourceRegion: item.awsRegion,
      ResourceId: item.resourceId,
      ResourceType: item.resourceType,
      ...(item.resourceName === undefined ? {} : { ResourceName: item.resourceName }),
    })),
    ...(next === undefined ? {} : { NextToken: encodePageToken(scope, next) }),
  };
}

/**
 * The item as BatchGetResourceConfig returns it: `configuration` as a JSON string and every
 * `supplementaryConfiguration` value as a JSON string; no tags or relationships.
 */
function toBaseConfigurationItem(item: AwsItem): JsonObject {
  const document = item.document;
  const base: JsonObject = {};
  const copy = (name: string, value: unknown): void => {
    if (value !== undefined && value !== null) base[name] = value;
  };
  copy("version", document.version);
  copy("accountId", document.accountId);
  copy("configurationItemCaptureTime", toEpochSeconds(document.configurationItemCaptureTime));
  copy("configurationItemStatus", document.configurationItemStatus);
  copy(
    "configurationStateId",
    document.configurationStateId === undefined ? undefined : String(document.configurationStateId),
  );
  copy("arn", document.arn);
  copy("resourceType", document.resourceType);
  copy("resourceId", document.resourceId);
  copy("resourceName", document.resourceName);
  copy("awsRegion", document.awsRegion);
  copy("availabilityZone", document.availabilityZone);
  copy("resourceCreationTime", toEpochSeconds(document.resourceCreationTime));
  copy(
    "configuration",
    document.configuration === undefined ? undefined : JSON.stringify(document.configuration),
  );
  if (isJsonObject(document.supplementaryConfiguration)) {
    base.supplementaryConfiguration = Object.fromEntries(
      Object.entries(document.supplementaryConfiguration).map(([key, value]) => [
        key,
        JSON.stringify(value),
      ]),
    );
  }
  copy("recordingFrequency", document.recordingFrequency);
  copy("configurationItemDeliveryTime", toEpochSeconds(document.configurationItemDeliveryTime));
  return base;
}

function readDeletionTime(item: AwsItem): number | undefined {
  return (
    toEpochSeconds(item.document.resourceDeletionTime) ??
    toEpochSeconds(item.document.configurationItemCaptureTime)
  );
}

function optionalField(name: string, value: unknown): JsonObject {
  return value === undefined ? {} : { [name]: value };
}

/** Config does not return deleted resources from Select or BatchGet. */
function isRecorded(item: AwsItem): boolean {
  return !deletedStatuses.has(item.status);
}

/** The Bedrock types are not supported by the advanced query. */
function isQueryable(resourceType: string): boolean {
  return !resourceType.startsWith("AWS::Bedrock");
}

function parseQueryOrThrow(expression: string): ConfigQuery {
  let query: ConfigQuery;
  try {
    query = parseConfigQuery(expression);
  } catch (error) {
    if (error instanceof InvalidExpressionError) {
      throw new AwsServiceError(
        400,
        "InvalidExpressionException",
        `Invalid expression: ${error.message}`,
      );
    }
    throw error;
  }
  const unsupported = query.resourceTypes?.find((type) => !isQueryable(type));
  if (unsupported !== undefined) {
    throw new AwsServiceError(
      400,
      "InvalidExpressionException",
      `Invalid expression: resource type ${unsupported} is not supported by advanced query`,
    );
  }
  return query;
}

function requireAggregator(name: unknown, context: AwsCallContext): void {
  if (typeof name !== "string" || name === "") {
    throw validationError("ConfigurationAggregatorName is required");
  }
  const aggregator = context.settings.aws.aggregator;
  const { accountId, region } = context.caller;
  if (
    aggregator === undefined ||
    aggregator.name !== name ||
    aggregator.account !== accountId ||
    aggregator.region !== region
  ) {
    throw new AwsServiceError(
      400,
      "NoSuchConfigurationAggregatorException",
      `The configuration aggregator ${name} does not exist in account ${accountId} and region ${region}`,
    );
  }
}

function readExpression(value: unknown): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 4096) {
    throw validationError("Expression must be a string of 1 to 4096 characters");
  }
  return value;
}

/**
 * The page size of one answer: what the caller asked for, but never more than the estate's
 * `pageSize.config`, so an estate can force paging on clients that always ask for 100.
 */
function readLimit(value: unknown, name: string, pageSize: number): number {
  if (value === undefined || value === null || value === 0) return pageSize;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 100) {
    throw new AwsServiceError(400, "InvalidLimitException", `${name} must be between 0 and 100`);
  }
  return Math.min(value, pageSize);
}

function readCursor(token: unknown, scope: string, errorCode: string): PageCursor {
  if (token === undefined || token === null || token === "") return firstPage;
  const cursor = typeof token === "string" ? decodePageToken(scope, token) : undefined;
  if (cursor === undefined) {
    throw new AwsServiceError(400, errorCode, "The nextToken provided is invalid");
  }
  return cursor;
}

function readResourceType(value: unknown, name: string): string {
  if (typeof value !== "string" || value === "") throw validationError(`${name} is required`);
  return value;
}

function readOptionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw validationError(`${name} must be a string`);
  return value;
}

function readOptionalStringList(
  value: unknown,
  name: string,
  maximum: number,
): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== "string")) {
    throw validationError(`${name} must be a list of strings`);
  }
  if (value.length > maximum) throw validationError(`${name} holds at most ${maximum} entries`);
  return value as string[];
}

function readKeyList(value: unknown, name: string): JsonObject[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 100) {
    throw validationError(`${name} must hold 1 to 100 entries`);
  }
  if (!value.every(isJsonObject)) throw validationError(`${name} entries must be objects`);
  return value;
}
