import { randomUUID } from "node:crypto";
import {
  type AccountCollection,
  ownersOfAccount,
  type Policy,
  type Provider,
} from "@plumbline/rules";
import type { Store } from "@plumbline/store";
import type { Logger } from "pino";
import { bindNewFields } from "../logging/bind-new-fields.js";
import { startCallCount } from "./cloud-calls.js";
import { createInventoryWriter, readCollectedBefore } from "./inventory-writer.js";
import { type CloudAccess, markInvisibleSubscriptions } from "./run-scan.js";

/** Options of `runInventory`. */
export interface RunInventoryOptions {
  policy: Policy;
  /** The one account to collect: a subscription id or a 12-digit AWS account id. */
  account: { provider: Provider; id: string };
  cloud: CloudAccess;
  store: Store;
  /** Why it runs: `schedule`, `api`, `cli`, … */
  trigger: string;
  logger: Logger;
  /** Wall clock for timestamps; the real one when absent. */
  clock?: () => Date;
}

/** What `runInventory` collected. */
export interface RunInventoryResult {
  scanId: string;
  collections: AccountCollection[];
}

function failedCollection(provider: Provider, account: string, reason: string): AccountCollection {
  return {
    provider,
    account,
    status: "failed",
    reason,
    resources: 0,
    skippedRegions: [],
    completeRegions: [],
  };
}

/**
 * Collects one account into the store as an `inventory` scan. Resource events (`appeared`,
 * `changed`, `disappeared`) are recorded unless the account was never collected before; unseen
 * resources are marked deleted only when the collection is complete. A cloud failure becomes a
 * failed collection with its reason; this function does not throw for it.
 */
export async function runInventory(options: RunInventoryOptions): Promise<RunInventoryResult> {
  const { policy, cloud, store } = options;
  const clock = options.clock ?? (() => new Date());
  const provider = options.account.provider;
  const account = provider === "azure" ? options.account.id.toLowerCase() : options.account.id;
  const countCalls = startCallCount();
  const collectedBefore = await readCollectedBefore(store);
  const scan = await store.createScan({
    trigger: options.trigger,
    kind: "inventory",
    startedAt: clock(),
  });
  const log = bindNewFields(options.logger, { scanId: scan.id, provider, account });
  log.info({ trigger: options.trigger }, "inventory started");

  const writer = createInventoryWriter({
    store,
    policy,
    scanId: scan.id,
    batchId: randomUUID(),
    collectedBefore,
    clock,
  });
  let collections: AccountCollection[];
  try {
    collections =
      provider === "azure"
        ? await cloud.collectAzure({ subscriptions: [account], onResources: writer.onResources })
        : await cloud.collectAws({ accounts: [account], onResources: writer.onResources });
    collections = await confirmEmptySubscriptions(cloud, collections);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    log.warn({ reason }, "inventory failed");
    collections = [failedCollection(provider, account, `collection failed: ${reason}`)];
  }

  for (const collection of collections) {
    await writer.closeCollection(collection);
    const owner = ownersOfAccount(policy, collection.provider, collection.account)[0] ?? null;
    await store.recordAccountCollection(scan.id, owner, collection, {
      startedAt: scan.startedAt,
      finishedAt: clock(),
    });
  }

  const status = collections[0]?.status ?? "failed";
  const finishedAt = clock();
  await store.finishScan(scan.id, status, finishedAt, countCalls());
  log.info(
    { status, events: writer.events, durationMs: finishedAt.getTime() - scan.startedAt.getTime() },
    "inventory done",
  );
  return { scanId: scan.id, collections };
}

/**
 * An empty, complete Azure subscription may be one the credential cannot see: only then is the
 * subscription list read, to tell the two apart.
 */
async function confirmEmptySubscriptions(
  cloud: CloudAccess,
  collections: AccountCollection[],
): Promise<AccountCollection[]> {
  const doubtful = collections.some(
    (collection) =>
      collection.provider === "azure" &&
      collection.status === "complete" &&
      collection.resources === 0,
  );
  if (!doubtful) return collections;
  return markInvisibleSubscriptions(collections, await cloud.discoverAccounts());
}
