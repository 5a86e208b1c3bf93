import { setTimeout as delay } from "node:timers/promises";
import {
  type AggregateResourceIdentifier,
  type BaseConfigurationItem,
  BatchGetAggregateResourceConfigCommand,
  BatchGetResourceConfigCommand,
  type ConfigServiceClient,
  ListAggregateDiscoveredResourcesCommand,
  ListDiscoveredResourcesCommand,
  type ResourceKey,
  type ResourceType,
  SelectAggregateResourceConfigCommand,
  SelectResourceConfigCommand,
} from "@aws-sdk/client-config-service";
import {
  type AccountCollection,
  AWS_REGION_NAMES,
  type CanonicalResource,
  DocumentError,
  decodeBatchGetItem,
  fromConfigItem,
  isInventoried,
} from "@plumbline/rules";
import { type Logger, pino } from "pino";
import { AccountTally } from "./account-tally.js";
import { isAwsThrottlingError } from "./api-counters.js";
import {
  batchItemToWireForm,
  buildSelectExpression,
  DISCOVERED_RESOURCE_TYPES,
  parseSelectRow,
  SELECT_RESOURCE_TYPES,
} from "./aws-config-queries.js";
import type { AwsClients } from "./clients.js";
import { describeError } from "./errors.js";
import {
  FIREWALL_RESOURCE_TYPE,
  type FirewallTarget,
  findFirewallTarget,
  readLoggingConfigurationItem,
} from "./firewall-logging.js";
import type { CollectorCommonOptions } from "./types.js";

/** The Config aggregator to query instead of each account and region. */
export interface AwsAggregator {
  /** Aggregator name. */
  name: string;
  /** 12-digit id of the account that holds the aggregator. */
  account: string;
  /** Region the aggregator lives in. */
  region: string;
}

/** Options of `collectAws`. */
export interface AwsCollectOptions extends CollectorCommonOptions {
  clients: AwsClients;
  /** 12-digit account ids to collect. */
  accounts: string[];
  /** Regions to collect; every region of the catalogue when absent. */
  regions?: readonly string[];
  /** Query this aggregator instead of each account in each region. */
  aggregator?: AwsAggregator;
  /** Types read through advanced queries; default `SELECT_RESOURCE_TYPES`. */
  selectResourceTypes?: readonly string[];
  /** Types read through the discovered-resource list; default `DISCOVERED_RESOURCE_TYPES`. */
  discoveredResourceTypes?: readonly string[];
}

/** Rows per page: the most Config returns for Select, discovered lists and batch reads. */
const CONFIG_PAGE_LIMIT = 100;

/** Attempts at a batch read's unprocessed keys before they count as missing. */
const UNPROCESSED_ATTEMPTS = 3;

/** Back-off step before a batch read's unprocessed keys are asked for again, in milliseconds. */
const UNPROCESSED_DELAY_MS = 200;

/** Context shared by the steps of one collection. */
interface AwsRun {
  options: AwsCollectOptions;
  logger: Logger;
  tallies: Map<string, AccountTally>;
  regions: Set<string>;
  sleep: (milliseconds: number) => Promise<void>;
  /** Firewalls delivered since their logging configurations were last read. */
  pendingFirewalls: FirewallTarget[];
}

/** Why a step stopped early, phrased for the account's reason. */
class StepFailure extends Error {
  override readonly name = "StepFailure";
  constructor(message: string, cause: unknown) {
    super(message, { cause });
  }
}

/**
 * Collects AWS accounts from AWS Config. Without an aggregator each account is queried in each
 * region: an advanced query (Select) for the types it supports, and the discovered-resource list
 * plus batch reads for the Bedrock types. A region that refuses the account's credentials while
 * another accepts them is taken as not enabled (`skippedRegions`); when every region refuses,
 * the account is `failed`. With an aggregator the aggregate forms are used once for all
 * accounts. Every collected Network Firewall's logging configuration is then read through the
 * Network Firewall API, with the firewall account's own credentials, and delivered as an
 * `AWS::NetworkFirewall::LoggingConfiguration` resource; a call that fails leaves the
 * firewall's region incomplete. Deleted items are left out. Each page is handed to
 * `onResources` and awaited before the next one is read. Returns one result per account, in the
 * order given.
 */
export async function collectAws(options: AwsCollectOptions): Promise<AccountCollection[]> {
  const logger = options.logger ?? pino({ level: "silent" });
  const tallies = new Map<string, AccountTally>();
  for (const account of options.accounts) {
    if (!tallies.has(account)) tallies.set(account, new AccountTally("aws", account));
  }
  const run: AwsRun = {
    options,
    logger,
    tallies,
    regions: new Set(options.regions ?? AWS_REGION_NAMES),
    sleep: options.sleep ?? ((milliseconds) => delay(milliseconds)),
    pendingFirewalls: [],
  };

  if (options.aggregator) {
    await collectThroughAggregator(run, options.aggregator);
  } else {
    // Limitation: accounts and regions are read one after another, so without an aggregator a
    // scan takes about (accounts × regions) sequential round trips.
    for (const tally of tallies.values()) await collectAccount(run, tally);
  }

  const collections = [...tallies.values()].map((tally) => tally.toCollection());
  for (const collection of collections) {
    logger.info(
      {
        account: collection.account,
        status: collection.status,
        resources: collection.resources,
        skippedRegions: collection.skippedRegions.length,
      },
      "aws account collected",
    );
    options.onProgress?.({
      kind: "account",
      provider: "aws",
      account: collection.account,
      status: collection.status,
      resources: collection.resources,
    });
  }
  return collections;
}

/** An error that says the credentials are not accepted in the region. */
function isRefusal(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return error.name === "UnrecognizedClientException" || status === 403;
}

/** Describes a failed call: operation, page, region, and throttling with its attempt count. */
function describeAwsFailure(where: string, error: unknown): string {
  const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts;
  if (isAwsThrottlingError(error)) {
    const name = error instanceof Error ? error.name : "throttling";
    return `${where} throttled (${name}) after ${attempts ?? "several"} attempts`;
  }
  return `${where} failed: ${describeError(error)}`;
}

async function collectAccount(run: AwsRun, tally: AccountTally): Promise<void> {
  const refusals: string[] = [];
  for (const region of run.regions) {
    const client = run.options.clients.config(tally.account, region);
    const outcome = await collectAccountRegion(run, tally, client, region);
    if (outcome.kind === "refused") {
      refusals.push(outcome.reason);
      tally.skippedRegions.push(region);
    } else if (outcome.kind === "complete") {
      tally.completeRegions.push(region);
    } else {
      tally.addProblem(outcome.reason);
    }
  }

  if (run.regions.size > 0 && refusals.length === run.regions.size) {
    tally.skippedRegions.length = 0;
    tally.failedOutright = true;
    tally.addProblem(`every region refused the credentials (${refusals[0]})`);
  } else if (refusals.length > 0) {
    run.logger.info(
      { account: tally.account, regions: tally.skippedRegions },
      "aws regions skipped as not enabled",
    );
  }
}

type RegionOutcome =
  | { kind: "complete" }
  | { kind: "refused"; reason: string }
  | { kind: "partial"; reason: string };

/** The first call in a region was refused: the region is not enabled for the account. */
class RegionRefused extends Error {
  override readonly name = "RegionRefused";
}

async function collectAccountRegion(
  run: AwsRun,
  tally: AccountTally,
  client: ConfigServiceClient,
  region: string,
): Promise<RegionOutcome> {
  const problems: string[] = [];
  const note = (reason: string) => problems.push(reason);
  const expression = buildSelectExpression(
    run.options.selectResourceTypes ?? SELECT_RESOURCE_TYPES,
  );
  let nextToken: string | undefined;
  let pageNumber = 0;

  try {
    do {
      pageNumber += 1;
      const where = `SelectResourceConfig page ${pageNumber} in ${region}`;
      const firstCall = pageNumber === 1;
      const response = await client
        .send(
          new SelectResourceConfigCommand({
            Expression: expression,
            Limit: CONFIG_PAGE_LIMIT,
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        )
        .catch((error: unknown) => {
          if (firstCall && isRefusal(error)) {
            throw new RegionRefused(`${region}: ${describeError(error)}`);
          }
          throw new StepFailure(describeAwsFailure(where, error), error);
        });
      const items = parseRows(response.Results ?? [], where, note);
      await deliverItems(run, items, "SelectResourceConfig", region, note, tally.account);
      tally.readSomething = true;
      nextToken = response.NextToken || undefined;
    } while (nextToken);

    for (const resourceType of run.options.discoveredResourceTypes ?? DISCOVERED_RESOURCE_TYPES) {
      await collectDiscoveredType(run, tally.account, client, region, resourceType, note);
    }
  } catch (error) {
    if (error instanceof RegionRefused) return { kind: "refused", reason: error.message };
    if (!(error instanceof StepFailure)) throw error;
    run.logger.warn(
      { account: tally.account, region, reason: error.message },
      "aws region incomplete",
    );
    note(error.message);
  }
  // Firewalls already delivered get their logging read even when a later page failed.
  await collectFirewallLogging(run, tally.account, region, run.pendingFirewalls.splice(0), note);

  if (problems.length === 0) return { kind: "complete" };
  return { kind: "partial", reason: problems.join("; ") };
}

/** Parses Select rows; rows that are not JSON objects are reported and left out. */
function parseRows(
  rows: string[],
  where: string,
  note: (reason: string) => void,
): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  let unreadable = 0;
  for (const row of rows) {
    const item = parseSelectRow(row);
    if (item) items.push(item);
    else unreadable += 1;
  }
  if (unreadable > 0) note(`${where}: ${unreadable} result rows were not JSON objects`);
  return items;
}

/**
 * Converts configuration items to canonical resources (deleted ones left out, unreadable ones
 * reported), counts them against their accounts and hands the page on. Aggregated items of
 * accounts not collected, or of regions outside the scope, are dropped; a per-account answer
 * holding another account's items stops the region.
 */
async function deliverItems(
  run: AwsRun,
  items: Record<string, unknown>[],
  operation: string,
  region: string | null,
  note: (reason: string) => void,
  expectedAccount?: string,
): Promise<void> {
  const page: CanonicalResource[] = [];
  const accounts = new Set<string>();
  for (const item of items) {
    let resource: CanonicalResource;
    try {
      resource = fromConfigItem(item);
    } catch (error) {
      if (!(error instanceof DocumentError)) throw error;
      note(`${operation}: a configuration item could not be read (${error.message})`);
      run.logger.warn({ details: error.details }, "aws configuration item skipped");
      continue;
    }
    if (!isInventoried(resource)) continue;
    if (expectedAccount !== undefined && resource.account !== expectedAccount) {
      // Without a role the default credentials answer for their own account, whatever was asked.
      throw new StepFailure(
        `${operation} in ${region} answered for account ${resource.account}, not ${expectedAccount}`,
        undefined,
      );
    }
    const tally = run.tallies.get(resource.account);
    if (!tally) continue;
    // Global types (IAM, Route 53, CloudFront) belong to no region, so no region scope drops them.
    // Limitation: without an aggregator, global items are read only in the regions the scan
    // queries, so IAM roles recorded in a region outside `sources.aws.regions` are not seen.
    const itemRegion = resource.region;
    const regional = itemRegion !== null && itemRegion !== "global";
    if (region === null && regional && !run.regions.has(itemRegion)) continue;
    tally.resources += 1;
    accounts.add(resource.account);
    page.push(resource);
    if (resource.type === FIREWALL_RESOURCE_TYPE) {
      const firewall = findFirewallTarget(resource);
      if (firewall !== null) run.pendingFirewalls.push(firewall);
      else note(`${operation}: firewall ${resource.key} has no region, so its logging is unread`);
    }
  }
  run.options.onProgress?.({
    kind: "page",
    provider: "aws",
    operation,
    accounts: expectedAccount !== undefined ? [expectedAccount] : [...accounts],
    region,
    resources: page.length,
  });
  if (page.length > 0) await run.options.onResources(page);
}

/**
 * Reads the logging configuration of each firewall of one account and region and delivers them
 * as pages of canonical resources. A call that fails is noted with its reason and the other
 * firewalls are still read.
 */
async function collectFirewallLogging(
  run: AwsRun,
  account: string,
  region: string,
  firewalls: readonly FirewallTarget[],
  note: (reason: string) => void,
): Promise<void> {
  if (firewalls.length === 0) return;
  const client = run.options.clients.networkFirewall(account, region);
  const items: Record<string, unknown>[] = [];
  for (const firewall of firewalls) {
    try {
      items.push(await readLoggingConfigurationItem(client, firewall));
    } catch (error) {
      const where = `DescribeLoggingConfiguration of ${firewall.arn ?? firewall.name} in ${region}`;
      const reason = describeAwsFailure(where, error);
      run.logger.warn({ account, region, reason }, "aws firewall logging unreadable");
      note(reason);
    }
  }
  for (const group of chunk(items, CONFIG_PAGE_LIMIT)) {
    await deliverItems(run, group, "DescribeLoggingConfiguration", region, note, account);
  }
}

/** Reads one type through the discovered-resource list and batch reads, page by page. */
async function collectDiscoveredType(
  run: AwsRun,
  account: string,
  client: ConfigServiceClient,
  region: string,
  resourceType: string,
  note: (reason: string) => void,
): Promise<void> {
  let nextToken: string | undefined;
  let pageNumber = 0;
  do {
    pageNumber += 1;
    const where = `ListDiscoveredResources ${resourceType} page ${pageNumber} in ${region}`;
    const listed = await client
      .send(
        new ListDiscoveredResourcesCommand({
          resourceType: resourceType as ResourceType,
          limit: CONFIG_PAGE_LIMIT,
          ...(nextToken ? { nextToken } : {}),
        }),
      )
      .catch((error: unknown) => {
        throw new StepFailure(describeAwsFailure(where, error), error);
      });
    const keys: ResourceKey[] = (listed.resourceIdentifiers ?? [])
      .filter((identifier) => identifier.resourceDeletionTime === undefined)
      .flatMap((identifier) =>
        identifier.resourceId
          ? [{ resourceType: resourceType as ResourceType, resourceId: identifier.resourceId }]
          : [],
      );
    if (keys.length > 0) {
      const items = await batchGetItems(
        run,
        client,
        keys,
        `BatchGetResourceConfig ${resourceType} in ${region}`,
        note,
      );
      await deliverItems(run, items, "BatchGetResourceConfig", region, note, account);
    }
    nextToken = listed.nextToken || undefined;
  } while (nextToken);
}

/** Batch-reads keys (at most 100 per call), retrying unprocessed keys a few times. */
async function batchGetItems(
  run: AwsRun,
  client: ConfigServiceClient,
  keys: ResourceKey[],
  where: string,
  note: (reason: string) => void,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let pending = keys;
  for (let attempt = 1; attempt <= UNPROCESSED_ATTEMPTS && pending.length > 0; attempt += 1) {
    if (attempt > 1) await run.sleep(UNPROCESSED_DELAY_MS * attempt);
    const response = await client
      .send(new BatchGetResourceConfigCommand({ resourceKeys: pending }))
      .catch((error: unknown) => {
        throw new StepFailure(describeAwsFailure(where, error), error);
      });
    items.push(...(response.baseConfigurationItems ?? []).map(decodeBaseItem));
    pending = response.unprocessedResourceKeys ?? [];
  }
  if (pending.length > 0) {
    note(
      `${where}: ${pending.length} keys stayed unprocessed after ${UNPROCESSED_ATTEMPTS} attempts`,
    );
  }
  return items;
}

/**
 * A batch-read item in the same form as a Select row: times back to strings here, and the
 * string-encoded `configuration` and supplementary values decoded by `decodeBatchGetItem`.
 */
function decodeBaseItem(item: BaseConfigurationItem): Record<string, unknown> {
  return decodeBatchGetItem(batchItemToWireForm(item));
}

/** Splits a list into consecutive groups of at most `size`. */
function chunk<T>(values: readonly T[], size: number): T[][] {
  const groups: T[][] = [];
  for (let start = 0; start < values.length; start += size) {
    groups.push(values.slice(start, start + size));
  }
  return groups;
}

async function collectThroughAggregator(run: AwsRun, aggregator: AwsAggregator): Promise<void> {
  const client = run.options.clients.config(aggregator.account, aggregator.region);
  const known = await readAggregatedAccounts(run, client, aggregator);

  // Limitation: the aggregate query reads every account of the aggregator and drops the
  // accounts not asked for here, since a filter on accountId is not used in the expression.
  const problems: string[] = [];
  const note = (reason: string) => problems.push(reason);
  const expression = buildSelectExpression(
    run.options.selectResourceTypes ?? SELECT_RESOURCE_TYPES,
  );
  let nextToken: string | undefined;
  let pageNumber = 0;
  try {
    do {
      pageNumber += 1;
      const where = `SelectAggregateResourceConfig page ${pageNumber}`;
      const response = await client
        .send(
          new SelectAggregateResourceConfigCommand({
            ConfigurationAggregatorName: aggregator.name,
            Expression: expression,
            Limit: CONFIG_PAGE_LIMIT,
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        )
        .catch((error: unknown) => {
          throw new StepFailure(describeAwsFailure(where, error), error);
        });
      for (const tally of run.tallies.values()) tally.readSomething = true;
      const items = parseRows(response.Results ?? [], where, note);
      for (const item of items) {
        if (typeof item.accountId === "string") known.add(item.accountId);
      }
      await deliverItems(run, items, "SelectAggregateResourceConfig", null, note);
      nextToken = response.NextToken || undefined;
    } while (nextToken);
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error;
    run.logger.warn(
      { aggregator: aggregator.name, reason: error.message },
      "aggregate query incomplete",
    );
    note(error.message);
  }
  for (const tally of run.tallies.values()) {
    for (const problem of problems) tally.addProblem(problem);
  }

  await collectAggregatedDiscoveredTypes(run, client, aggregator, known);
  const aggregatedComplete = new Set(
    [...run.tallies.values()]
      .filter((tally) => tally.status() === "complete")
      .map((tally) => tally.account),
  );
  const loggingFailures = await collectAggregatedFirewallLogging(run);

  for (const tally of run.tallies.values()) {
    if (!known.has(tally.account)) {
      tally.failedOutright = true;
      tally.addProblem(
        `the aggregator ${aggregator.name} holds no configuration items for the account`,
      );
    } else if (aggregatedComplete.has(tally.account)) {
      // Limitation: the aggregator does not say which regions it gathers for an account; a
      // complete aggregated account counts every region in scope as collected.
      const failedRegions = loggingFailures.get(tally.account);
      tally.completeRegions.push(
        ...[...run.regions].filter((region) => !failedRegions?.has(region)),
      );
    }
  }
}

/**
 * Reads the logging configuration of every firewall the aggregate queries delivered, per
 * account and region, with the firewall account's own credentials. Returns, per account, the
 * regions where a call failed; each failure is also a problem of the account.
 */
// Limitation: with an aggregator and no role to assume, firewall logging is read with the
// default credentials, which normally see only their own account, so the firewalls of other
// accounts leave those accounts partial.
async function collectAggregatedFirewallLogging(run: AwsRun): Promise<Map<string, Set<string>>> {
  const groups = new Map<string, FirewallTarget[]>();
  for (const firewall of run.pendingFirewalls.splice(0)) {
    const groupKey = `${firewall.account}/${firewall.region}`;
    const group = groups.get(groupKey);
    if (group) group.push(firewall);
    else groups.set(groupKey, [firewall]);
  }

  const failures = new Map<string, Set<string>>();
  for (const firewalls of groups.values()) {
    const [first] = firewalls;
    if (!first) continue;
    const { account, region } = first;
    await collectFirewallLogging(run, account, region, firewalls, (reason) => {
      run.tallies.get(account)?.addProblem(reason);
      const regions = failures.get(account) ?? new Set<string>();
      regions.add(region);
      failures.set(account, regions);
    });
  }
  return failures;
}

/**
 * The accounts the aggregator holds items for (`SELECT accountId, COUNT(*) GROUP BY accountId`);
 * empty when the query fails, in which case only accounts seen in results count as held.
 */
async function readAggregatedAccounts(
  run: AwsRun,
  client: ConfigServiceClient,
  aggregator: AwsAggregator,
): Promise<Set<string>> {
  try {
    const accounts = await listAggregatedAccounts(client, aggregator.name);
    return new Set(accounts);
  } catch (error) {
    run.logger.warn(
      { aggregator: aggregator.name, reason: describeError(error) },
      "aggregator account list failed",
    );
    return new Set();
  }
}

/** Lists the accounts an aggregator holds items for, following pages. */
export async function listAggregatedAccounts(
  client: ConfigServiceClient,
  aggregatorName: string,
): Promise<string[]> {
  const accounts: string[] = [];
  let nextToken: string | undefined;
  do {
    const response = await client.send(
      new SelectAggregateResourceConfigCommand({
        ConfigurationAggregatorName: aggregatorName,
        Expression: "SELECT accountId, COUNT(*) GROUP BY accountId",
        Limit: CONFIG_PAGE_LIMIT,
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
    for (const row of response.Results ?? []) {
      const accountId = parseSelectRow(row)?.accountId;
      if (typeof accountId === "string" && accountId !== "") accounts.push(accountId);
    }
    nextToken = response.NextToken || undefined;
  } while (nextToken);
  return accounts;
}

async function collectAggregatedDiscoveredTypes(
  run: AwsRun,
  client: ConfigServiceClient,
  aggregator: AwsAggregator,
  known: Set<string>,
): Promise<void> {
  for (const resourceType of run.options.discoveredResourceTypes ?? DISCOVERED_RESOURCE_TYPES) {
    const problems: string[] = [];
    const note = (reason: string) => problems.push(reason);
    let nextToken: string | undefined;
    let pageNumber = 0;
    try {
      do {
        pageNumber += 1;
        const where = `ListAggregateDiscoveredResources ${resourceType} page ${pageNumber}`;
        const listed = await client
          .send(
            new ListAggregateDiscoveredResourcesCommand({
              ConfigurationAggregatorName: aggregator.name,
              ResourceType: resourceType as ResourceType,
              Limit: CONFIG_PAGE_LIMIT,
              ...(nextToken ? { NextToken: nextToken } : {}),
            }),
          )
          .catch((error: unknown) => {
            throw new StepFailure(describeAwsFailure(where, error), error);
          });
        const identifiers = (listed.ResourceIdentifiers ?? []).filter(
          (identifier) =>
            identifier.SourceAccountId !== undefined &&
            run.tallies.has(identifier.SourceAccountId) &&
            (identifier.SourceRegion === undefined || run.regions.has(identifier.SourceRegion)),
        );
        for (const identifier of identifiers) {
          if (identifier.SourceAccountId) known.add(identifier.SourceAccountId);
        }
        for (const group of chunk(identifiers, CONFIG_PAGE_LIMIT)) {
          const items = await batchGetAggregateItems(
            run,
            client,
            aggregator,
            group,
            resourceType,
            note,
          );
          await deliverItems(run, items, "BatchGetAggregateResourceConfig", null, note);
        }
        nextToken = listed.NextToken || undefined;
      } while (nextToken);
    } catch (error) {
      if (!(error instanceof StepFailure)) throw error;
      note(error.message);
    }
    for (const tally of run.tallies.values()) {
      for (const problem of problems) tally.addProblem(problem);
    }
  }
}

async function batchGetAggregateItems(
  run: AwsRun,
  client: ConfigServiceClient,
  aggregator: AwsAggregator,
  identifiers: AggregateResourceIdentifier[],
  resourceType: string,
  note: (reason: string) => void,
): Promise<Record<string, unknown>[]> {
  const where = `BatchGetAggregateResourceConfig ${resourceType}`;
  const items: Record<string, unknown>[] = [];
  let pending = identifiers;
  for (let attempt = 1; attempt <= UNPROCESSED_ATTEMPTS && pending.length > 0; attempt += 1) {
    if (attempt > 1) await run.sleep(UNPROCESSED_DELAY_MS * attempt);
    const response = await client
      .send(
        new BatchGetAggregateResourceConfigCommand({
          ConfigurationAggregatorName: aggregator.name,
          ResourceIdentifiers: pending,
        }),
      )
      .catch((error: unknown) => {
        throw new StepFailure(describeAwsFailure(where, error), error);
      });
    items.push(...(response.BaseConfigurationItems ?? []).map(decodeBaseItem));
    pending = response.UnprocessedResourceIdentifiers ?? [];
  }
  if (pending.length > 0) {
    note(
      `${where}: ${pending.length} keys stayed unprocessed after ${UNPROCESSED_ATTEMPTS} attempts`,
    );
  }
  return items;
}
