import {
  type AccountCollection,
  accountKey,
  type CanonicalResource,
  diffResource,
  type OwnerId,
  ownersOfAccount,
  type Policy,
  type Provider,
} from "@plumbline/rules";
import type { ResourceEventInput, Store } from "@plumbline/store";
import type { ResourcePageHandler } from "../collectors/types.js";

/** Options of `createInventoryWriter`. */
export interface InventoryWriterOptions {
  store: Store;
  policy: Policy;
  scanId: string;
  /** The batch the collection's resource events carry. */
  batchId: string;
  /**
   * Accounts (`accountKey`) collected by an earlier scan. An account's first collection is its
   * baseline: it records resources without events.
   */
  collectedBefore: ReadonlySet<string>;
  clock: () => Date;
}

/** Stores collected pages and records the resource events they make. */
export interface InventoryWriter {
  onResources: ResourcePageHandler;
  /**
   * Marks deleted what a complete collection did not see and records them as `disappeared`;
   * does nothing for a partial or failed collection, whose missing resources prove nothing.
   */
  closeCollection(collection: AccountCollection): Promise<void>;
  /** Resource events recorded so far. */
  readonly events: number;
}

function ownerOf(policy: Policy, provider: Provider, account: string): OwnerId {
  return ownersOfAccount(policy, provider, account)[0] ?? null;
}

/**
 * Writes collected resources page by page and records what changed against the stored
 * inventory: `appeared`, `changed` (watched properties only) and, once an account's collection
 * is complete, `disappeared`.
 */
export function createInventoryWriter(options: InventoryWriterOptions): InventoryWriter {
  const { store, policy, scanId, batchId, collectedBefore, clock } = options;
  let recorded = 0;
  const watched = (provider: Provider, account: string) =>
    collectedBefore.has(accountKey(provider, account));
  const eventOf = (change: NonNullable<ReturnType<typeof diffResource>>): ResourceEventInput => ({
    kind: change.kind,
    tenant: ownerOf(policy, change.resource.provider, change.resource.account),
    resource: change.resource,
    before: change.before,
    after: change.after,
    at: clock(),
  });
  const record = async (events: ResourceEventInput[]) => {
    if (events.length === 0) return;
    // Awaited before the sum is read: Azure and AWS pages are recorded concurrently, and
    // `recorded += await …` would read the total before waiting and lose the other's events.
    const count = await store.recordResourceEvents(scanId, batchId, events);
    recorded += count;
  };

  return {
    async onResources(page) {
      const events: ResourceEventInput[] = [];
      for (const provider of ["azure", "aws"] as const) {
        const mine = page.filter(
          (resource) => resource.provider === provider && watched(provider, resource.account),
        );
        if (mine.length === 0) continue;
        const stored = new Map<string, CanonicalResource>(
          (
            await store.readResources(
              provider,
              mine.map((resource) => resource.key),
            )
          ).map((resource) => [resource.key, resource]),
        );
        for (const resource of mine) {
          const change = diffResource(stored.get(resource.key), resource);
          // A page may hold a resource twice (two spellings of one id): judge the last one.
          stored.set(resource.key, resource);
          if (change !== null) events.push(eventOf(change));
        }
      }
      // The writer's clock, not the wall's: a replayed scan stamps what it saw with its own time.
      await store.writeResources(scanId, page, clock());
      await record(events);
    },

    async closeCollection(collection) {
      if (collection.status !== "complete") return;
      const gone = await store.removeUnseenResources(
        scanId,
        { provider: collection.provider, account: collection.account },
        clock(),
      );
      if (!watched(collection.provider, collection.account)) return;
      const events = gone
        .map((resource) => diffResource(resource, undefined))
        .filter((change) => change !== null)
        .map(eventOf);
      await record(events);
    },

    get events() {
      return recorded;
    },
  };
}

/** The accounts collected by any earlier scan, as `accountKey`s. */
export async function readCollectedBefore(store: Store): Promise<Set<string>> {
  const accounts = await store.listCollectedAccounts();
  return new Set(accounts.map((row) => accountKey(row.provider, row.account)));
}
