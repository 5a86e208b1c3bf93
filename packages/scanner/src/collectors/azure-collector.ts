import { setTimeout as delay } from "node:timers/promises";
import {
  type AccountCollection,
  type CanonicalResource,
  DocumentError,
  fromArmDocument,
} from "@plumbline/rules";
import { type Logger, pino } from "pino";
import { AccountTally } from "./account-tally.js";
import { parseArmListBody, readArmList } from "./arm-list.js";
import { ResourceGraphQuota } from "./azure-quota.js";
import type { AzureClients } from "./clients.js";
import { describeError, ResourceConsumerError } from "./errors.js";
import { captureRawBodies } from "./raw-body-capture.js";
import {
  RESOURCE_GRAPH_MAX_PAGE,
  RESOURCE_GRAPH_QUERY,
  readResourceGraphPages,
} from "./resource-graph-reader.js";
import type { CollectorCommonOptions } from "./types.js";

/** Most subscriptions in one Resource Graph query (Microsoft advises fewer than 300). */
export const MAX_SUBSCRIPTIONS_PER_QUERY = 299;

/** api-version of the diagnostic settings list. */
const DIAGNOSTIC_SETTINGS_API_VERSION = "2021-05-01-preview";

/** Options of `collectAzure`. */
export interface AzureCollectOptions extends CollectorCommonOptions {
  clients: AzureClients;
  /** Subscription ids to collect. */
  subscriptions: string[];
  /** Subscriptions per Resource Graph query, 1 to 299; default 299. */
  batchSize?: number;
  /** Rows per Resource Graph page, 1 to 1000; default 1000. */
  pageSize?: number;
  /** Attempts per Resource Graph page before it counts as failed; default 5. */
  maxAttemptsPerPage?: number;
}

/** A parent whose child list is read after the Resource Graph pass. */
interface ChildListTarget {
  parent: CanonicalResource;
  list: "deployments" | "keys" | "managedHsmKeys" | "diagnosticSettings";
}

/** Which parent types have child lists, by canonical type in lower case. */
const CHILD_LISTS: Record<string, ChildListTarget["list"]> = {
  "microsoft.cognitiveservices/accounts": "deployments",
  "microsoft.keyvault/vaults": "keys",
  "microsoft.keyvault/managedhsms": "managedHsmKeys",
  "microsoft.network/azurefirewalls": "diagnosticSettings",
};

const CHILD_LIST_LABELS: Record<ChildListTarget["list"], string> = {
  deployments: "model deployments",
  keys: "vault keys",
  managedHsmKeys: "managed HSM keys",
  diagnosticSettings: "diagnostic settings",
};

/**
 * Collects Azure subscriptions: every resource through Resource Graph (batches of fewer than 300
 * subscriptions, 1,000-row pages, `$skipToken` followed, quota honoured), then the child lists
 * Resource Graph does not hold: model deployments of AI services accounts, keys of key vaults
 * and managed HSMs, and diagnostic settings of firewalls. Each page is handed to `onResources` and awaited before
 * the next one is read. Returns one result per subscription, in the order given.
 */
export async function collectAzure(options: AzureCollectOptions): Promise<AccountCollection[]> {
  const logger = options.logger ?? pino({ level: "silent" });
  const sleep = options.sleep ?? ((milliseconds: number) => delay(milliseconds));
  const batchSize = Math.min(
    MAX_SUBSCRIPTIONS_PER_QUERY,
    Math.max(1, options.batchSize ?? MAX_SUBSCRIPTIONS_PER_QUERY),
  );
  const pageSize = Math.min(
    RESOURCE_GRAPH_MAX_PAGE,
    Math.max(1, options.pageSize ?? RESOURCE_GRAPH_MAX_PAGE),
  );
  const quota = new ResourceGraphQuota(sleep);
  const tallies = new Map<string, AccountTally>();
  for (const subscription of options.subscriptions) {
    const id = subscription.toLowerCase();
    if (!tallies.has(id)) tallies.set(id, new AccountTally("azure", id));
  }
  const subscriptions = [...tallies.keys()];
  // Limitation: the identities of parents with child lists are kept until the Resource Graph
  // pass ends, so memory grows with the number of AI services accounts, key vaults, managed
  // HSMs and firewalls (not with the whole estate).
  const childTargets: ChildListTarget[] = [];

  // Resource Graph returns no rows, and no error, for a subscription the credential cannot
  // read; the scan pipeline compares against the subscription list to catch that.
  for (let start = 0; start < subscriptions.length; start += batchSize) {
    const batch = subscriptions.slice(start, start + batchSize);
    logger.info({ subscriptions: batch.length, first: batch[0] }, "resource graph batch started");
    const result = await readResourceGraphPages({
      client: options.clients.resourceGraph,
      subscriptions: batch,
      query: RESOURCE_GRAPH_QUERY,
      pageSize,
      maxAttempts: options.maxAttemptsPerPage ?? 5,
      quota,
      logger,
      onPage: async (rows) => {
        const page = canonicalisePage(rows, tallies, logger, (doc) => fromArmDocument(doc));
        for (const tally of batch.map((id) => tallies.get(id))) {
          if (tally) tally.readSomething = true;
        }
        for (const resource of page) {
          const list = CHILD_LISTS[resource.type.toLowerCase()];
          // A child takes only its parent's identity and region; the document stays behind.
          if (list) childTargets.push({ parent: { ...resource, raw: {}, references: [] }, list });
        }
        await deliver(options, page, "Resource Graph", batch, tallies);
      },
    });
    if (result.failure !== null) {
      logger.warn(
        { subscriptions: batch.length, reason: result.failure },
        "resource graph incomplete",
      );
      for (const id of batch) {
        const tally = tallies.get(id);
        if (!tally) continue;
        tally.addProblem(result.failure);
        if (result.pages === 0) tally.failedOutright = true;
      }
    }
  }

  for (const target of childTargets) {
    const tally = tallies.get(target.parent.account);
    if (!tally || tally.failedOutright) continue;
    try {
      await collectChildList(options, target, tallies, logger);
    } catch (error) {
      if (error instanceof ResourceConsumerError) throw error.cause;
      const reason =
        `${CHILD_LIST_LABELS[target.list]} of ${target.parent.id} could not be listed: ` +
        describeError(error);
      logger.warn({ account: tally.account, reason }, "azure child list failed");
      tally.addProblem(reason);
    }
  }

  const collections = [...tallies.values()].map((tally) => tally.toCollection());
  for (const collection of collections) {
    logger.info(
      { account: collection.account, status: collection.status, resources: collection.resources },
      "azure subscription collected",
    );
    options.onProgress?.({
      kind: "account",
      provider: "azure",
      account: collection.account,
      status: collection.status,
      resources: collection.resources,
    });
  }
  return collections;
}

/**
 * Converts documents to canonical resources; a document that cannot be converted is left out
 * and makes its subscription partial (when the subscription is known).
 */
function canonicalisePage(
  documents: Record<string, unknown>[],
  tallies: Map<string, AccountTally>,
  logger: Logger,
  convert: (document: Record<string, unknown>) => CanonicalResource,
): CanonicalResource[] {
  const page: CanonicalResource[] = [];
  for (const document of documents) {
    try {
      page.push(convert(document));
    } catch (error) {
      if (!(error instanceof DocumentError)) throw error;
      const account =
        typeof document.subscriptionId === "string" ? document.subscriptionId.toLowerCase() : null;
      const reason = `a document could not be read (${error.message})`;
      logger.warn({ account, details: error.details, reason }, "azure document skipped");
      if (account) tallies.get(account)?.addProblem(reason);
    }
  }
  return page;
}

/** Counts a page against its accounts, reports progress and hands it to the consumer. */
async function deliver(
  options: AzureCollectOptions,
  page: CanonicalResource[],
  operation: string,
  accounts: string[],
  tallies: Map<string, AccountTally>,
): Promise<void> {
  for (const resource of page) {
    const tally = tallies.get(resource.account);
    if (tally) tally.resources += 1;
  }
  options.onProgress?.({
    kind: "page",
    provider: "azure",
    operation,
    accounts,
    region: null,
    resources: page.length,
  });
  if (page.length > 0) await options.onResources(page);
}

/** Resource group and name of a resource from its ARM id. */
function resourceGroupAndName(id: string): { resourceGroup: string; name: string } {
  const match = id.match(/\/resourceGroups\/([^/]+)\/providers\/.+\/([^/]+)$/i);
  if (!match?.[1] || !match[2]) throw new Error(`not a resource-group resource id: ${id}`);
  return { resourceGroup: match[1], name: match[2] };
}

/** Reads one child list page by page, each page awaited by the consumer. */
async function collectChildList(
  options: AzureCollectOptions,
  target: ChildListTarget,
  tallies: Map<string, AccountTally>,
  logger: Logger,
): Promise<void> {
  const { parent } = target;
  const operation = CHILD_LIST_LABELS[target.list];
  const handlePage = async (documents: Record<string, unknown>[]) => {
    const page = canonicalisePage(documents, tallies, logger, (doc) =>
      fromArmDocument(doc, parent),
    );
    try {
      await deliver(options, page, operation, [parent.account], tallies);
    } catch (error) {
      throw new ResourceConsumerError(error);
    }
  };

  if (target.list === "diagnosticSettings") {
    await readArmList(
      options.clients.arm,
      `${parent.id}/providers/Microsoft.Insights/diagnosticSettings` +
        `?api-version=${DIAGNOSTIC_SETTINGS_API_VERSION}`,
      handlePage,
    );
    return;
  }

  const { list } = target;
  const { resourceGroup, name } = resourceGroupAndName(parent.id);
  await captureRawBodies(async (captured) => {
    const pages = listChildPages(options.clients, list, parent.account, resourceGroup, name);
    for await (const _typedPage of pages) {
      // The SDK page is rebuilt through its models; the documents come from the body as sent.
      const body = captured.at(-1);
      captured.length = 0;
      if (!body) throw new Error(`${operation}: no response body was captured`);
      await handlePage(parseArmListBody(body.bodyText, operation).value);
    }
  });
}

/** The SDK's page iterator of one child list. */
function listChildPages(
  clients: AzureClients,
  list: Exclude<ChildListTarget["list"], "diagnosticSettings">,
  subscription: string,
  resourceGroup: string,
  name: string,
): AsyncIterable<unknown> {
  switch (list) {
    case "deployments":
      return clients.cognitiveServices(subscription).deployments.list(resourceGroup, name).byPage();
    case "keys":
      return clients.keyVault(subscription).keys.list(resourceGroup, name).byPage();
    case "managedHsmKeys":
      return clients.keyVault(subscription).managedHsmKeys.list(resourceGroup, name).byPage();
  }
}
