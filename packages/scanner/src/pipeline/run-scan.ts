import { randomUUID } from "node:crypto";
import type {
  AccountCollection,
  CanonicalResource,
  DiscoveredAccount,
  Finding,
  OwnerId,
  Policy,
  Provider,
} from "@plumbline/rules";
import { createEvaluator, InventoryIndex, ownersOf, ownersOfAccount } from "@plumbline/rules";
import type { Store } from "@plumbline/store";
import type { Logger } from "pino";
import type { DiscoverResult } from "../collectors/discovery.js";
import type { CollectorProgressEvent, ResourcePageHandler } from "../collectors/types.js";
import { startCallCount } from "./cloud-calls.js";
import { createInventoryWriter, readCollectedBefore } from "./inventory-writer.js";
import { emptyVerdicts, recordOwnerFindings } from "./record-owner.js";

/** Where a scan's results go: the store, with its inventory, findings and drift history. */
export type ScanSink = Store;

/** The clouds as the pipeline sees them: collectors with their clients already bound. */
export interface CloudAccess {
  collectAzure(options: {
    subscriptions: string[];
    onResources: ResourcePageHandler;
    onProgress?: (event: CollectorProgressEvent) => void;
  }): Promise<AccountCollection[]>;
  collectAws(options: {
    accounts: string[];
    onResources: ResourcePageHandler;
    onProgress?: (event: CollectorProgressEvent) => void;
  }): Promise<AccountCollection[]>;
  discoverAccounts(): Promise<DiscoverResult>;
}

export interface RunScanOptions {
  policy: Policy;
  /** Hash of the policy file, recorded with the scan. */
  policyHash?: string;
  cloud: CloudAccess;
  sink: ScanSink;
  /** Evaluation date: waivers, contracts and key expiry are judged against it. */
  now: Date;
  /** Wall clock for the scan's own timestamps. */
  clock?: () => Date;
  trigger?: string;
  logger: Logger;
  onProgress?: (event: CollectorProgressEvent) => void;
}

/** An inventoried account as the scan reports it: once per owner. */
export interface ScannedAccount extends AccountCollection {
  owner: OwnerId;
}

export interface ScanSummary {
  id: string;
  startedAt: Date;
  finishedAt: Date;
  status: "complete" | "partial" | "failed";
  accounts: ScannedAccount[];
  unmapped: DiscoveredAccount[];
  /** Problems met while listing the accounts the credentials can see. */
  discoveryErrors: string[];
  /** Findings written, by verdict (stale ones carried on included). */
  verdicts: Record<Finding["status"], number>;
  /** Findings carried on from an earlier scan because their account was not fully collected. */
  stale: number;
  /** Drift events recorded: finding events of every owner plus resource events. */
  events: number;
  /** Alert items written to the outbox. */
  alerts: number;
}

/** Rows the evaluation reads from the store at a time. */
const evaluationBatchSize = 1000;

function policyAccounts(policy: Policy, provider: Provider): string[] {
  const owners = [policy.platform, ...policy.tenants];
  const accounts = new Set<string>();
  for (const owner of owners) {
    for (const account of owner?.accounts[provider] ?? []) {
      accounts.add(provider === "azure" ? account.toLowerCase() : account);
    }
  }
  return [...accounts].sort();
}

/**
 * The whole scan: discover accounts, collect every account the policy names page by page into
 * the sink (recording resource events), then evaluate each owner over the scan's inventory in
 * batches, storing each batch's findings, and record each owner's drift by diffing its stored
 * findings against its stored state a slice of identities at a time. Memory holds one page of
 * resources, the small reference index and one slice of an owner's findings, whatever the size
 * of the estate.
 *
 * Limitation: the resources an incomplete collection missed are read into memory together to be
 * evaluated again, and an owner's alert items are held until its outbox row is written, so a
 * large failed account or a change that alerts on many findings at once still costs memory in
 * proportion.
 */
export async function runScan(options: RunScanOptions): Promise<ScanSummary> {
  const { policy, cloud, sink, logger } = options;
  const clock = options.clock ?? (() => new Date());
  const countCalls = startCallCount();
  const collectedBefore = await readCollectedBefore(sink);
  const scan = await sink.createScan({
    trigger: options.trigger ?? "cli",
    policyHash: options.policyHash ?? null,
    startedAt: clock(),
  });
  const log = logger.child({ scanId: scan.id });
  log.info({ trigger: options.trigger ?? "cli" }, "scan started");

  const azureAccounts = policyAccounts(policy, "azure");
  const awsAccounts = policyAccounts(policy, "aws");
  const index = new InventoryIndex({ policy });
  const writer = createInventoryWriter({
    store: sink,
    policy,
    scanId: scan.id,
    batchId: randomUUID(),
    collectedBefore,
    clock,
  });
  const collect: ResourcePageHandler = async (page) => {
    for (const resource of page) {
      index.add(resource);
    }
    await writer.onResources(page);
  };

  const [discovery, azure, aws] = await Promise.all([
    cloud.discoverAccounts(),
    azureAccounts.length > 0
      ? cloud.collectAzure({
          subscriptions: azureAccounts,
          onResources: collect,
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        })
      : Promise.resolve([]),
    awsAccounts.length > 0
      ? cloud.collectAws({
          accounts: awsAccounts,
          onResources: collect,
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        })
      : Promise.resolve([]),
  ]);
  const collections = [...markInvisibleSubscriptions(azure, discovery), ...aws];
  index.setAccounts(collections);

  // What an incomplete collection missed stays in the inventory: it is evaluated from its stored
  // document so that references and data-flow stages still see it, and its findings are
  // replaced by the stale verdicts carried on from the previous scan.
  const unseen: CanonicalResource[] = [];
  for (const collection of collections) {
    if (collection.status === "complete") continue;
    const keys = await sink.listUnseenResourceKeys({ ...collection, scanId: scan.id });
    unseen.push(...(await sink.readResources(collection.provider, keys)));
  }
  for (const resource of unseen) {
    index.add(resource);
  }

  const accounts: ScannedAccount[] = [];
  for (const collection of collections) {
    await writer.closeCollection(collection);
    for (const owner of ownersOfAccount(policy, collection.provider, collection.account)) {
      await sink.recordAccountCollection(scan.id, owner, collection);
      accounts.push({ ...collection, owner });
    }
  }

  const mapped = new Set(collections.map((c) => `${c.provider}:${c.account.toLowerCase()}`));
  const unmapped = discovery.accounts
    .filter((a) => !mapped.has(`${a.provider}:${a.account.toLowerCase()}`))
    .filter((a) => ownersOfAccount(policy, a.provider, a.account).length === 0);
  for (const error of discovery.errors) {
    log.warn({ error }, "account discovery incomplete");
  }

  const evaluator = createEvaluator({ policy, now: options.now, index, discovered: unmapped });
  const owners: OwnerId[] = [...ownersOf(policy).map((owner) => owner.id), null];
  const known = new Set(owners);
  // Findings are stored as each batch is judged; each owner's drift is then recorded from the
  // stored findings, so memory holds a batch, never the scan's findings.
  const storeFindings = async (findings: Finding[]): Promise<void> => {
    const kept = findings.filter((finding) => known.has(finding.tenant));
    if (kept.length > 0) await sink.writeFindings(scan.id, kept);
  };
  for await (const batch of sink.streamResources({
    scanId: scan.id,
    batchSize: evaluationBatchSize,
  })) {
    await storeFindings(evaluator.evaluateResources(batch));
  }
  for (let start = 0; start < unseen.length; start += evaluationBatchSize) {
    await storeFindings(
      evaluator.evaluateResources(unseen.slice(start, start + evaluationBatchSize)),
    );
  }
  await storeFindings(evaluator.evaluateOwners());

  const unseenSubjects = new Set(unseen.map((resource) => resource.key));
  const verdicts = emptyVerdicts();
  const drift = { stale: 0, events: writer.events, alerts: 0 };
  for (const owner of owners) {
    const recorded = await recordOwnerFindings({
      store: sink,
      policy,
      owner,
      scanId: scan.id,
      batchId: randomUUID(),
      at: clock(),
      collections,
      unseenSubjects,
      logger: log,
    });
    for (const [verdict, count] of Object.entries(recorded.verdicts)) {
      verdicts[verdict as Finding["status"]] += count;
    }
    drift.stale += recorded.stale;
    drift.events += recorded.events;
    drift.alerts += recorded.alerts;
  }

  const status = scanStatus(collections);
  const finishedAt = clock();
  await sink.finishScan(scan.id, status, finishedAt, countCalls());
  log.info({ status, durationMs: finishedAt.getTime() - scan.startedAt.getTime() }, "scan done");
  return {
    id: scan.id,
    startedAt: scan.startedAt,
    finishedAt,
    status,
    accounts,
    unmapped,
    discoveryErrors: discovery.errors,
    verdicts,
    ...drift,
  };
}

/**
 * Resource Graph answers a subscription the credential cannot read with no rows and no error,
 * which would pass for an empty, complete subscription. When the subscription list was read in
 * full and does not hold the subscription, its collection is a failure, not an empty success.
 */
export function markInvisibleSubscriptions(
  collections: AccountCollection[],
  discovery: DiscoverResult,
): AccountCollection[] {
  if (!discovery.listed.azure) {
    // Without the list, an empty subscription cannot be told from one the credential cannot
    // read: it proves nothing, so it is not complete.
    return collections.map((collection) =>
      collection.status !== "complete" || collection.resources > 0
        ? collection
        : {
            ...collection,
            status: "partial",
            reason:
              `subscription ${collection.account} returned no resources and the subscription ` +
              "list could not be read to confirm it is visible",
            completeRegions: [],
          },
    );
  }
  const visible = new Set(
    discovery.accounts.filter((a) => a.provider === "azure").map((a) => a.account.toLowerCase()),
  );
  return collections.map((collection) =>
    visible.has(collection.account.toLowerCase()) || collection.resources > 0
      ? collection
      : {
          ...collection,
          status: "failed",
          reason:
            `subscription ${collection.account} is not among the subscriptions the credential ` +
            "can see, so its empty inventory proves nothing",
          completeRegions: [],
        },
  );
}

/** `complete` when every account is, `failed` when none could be collected, else `partial`. */
export function scanStatus(collections: AccountCollection[]): ScanSummary["status"] {
  if (collections.length > 0 && collections.every((c) => c.status === "complete")) {
    return "complete";
  }
  if (collections.every((c) => c.status === "failed")) {
    return "failed";
  }
  return "partial";
}
