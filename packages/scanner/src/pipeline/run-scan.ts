import type {
  AccountCollection,
  CanonicalResource,
  DiscoveredAccount,
  Finding,
  OwnerId,
  Policy,
  Provider,
} from "@plumbline/rules";
import { createEvaluator, InventoryIndex, ownersOfAccount } from "@plumbline/rules";
import type { Logger } from "pino";
import type { DiscoverResult } from "../collectors/discovery.js";
import type { CollectorProgressEvent, ResourcePageHandler } from "../collectors/types.js";

/** Where a scan's results go; the store implements it. */
export interface ScanSink {
  createScan(input: { trigger: string; policyHash?: string | null; startedAt?: Date }): Promise<{
    id: string;
    startedAt: Date;
  }>;
  recordAccountCollection(
    scanId: string,
    owner: OwnerId,
    collection: AccountCollection,
  ): Promise<void>;
  writeResources(scanId: string, resources: CanonicalResource[]): Promise<unknown>;
  streamResources(options?: {
    scanId?: string;
    batchSize?: number;
  }): AsyncIterable<CanonicalResource[]>;
  writeFindings(scanId: string, findings: Finding[]): Promise<void>;
  finishScan(
    scanId: string,
    status: "complete" | "partial" | "failed",
    finishedAt: Date,
  ): Promise<void>;
}

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
  /** Findings written, by verdict. */
  verdicts: Record<Finding["status"], number>;
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
 * the sink, then evaluate each owner over the stored inventory in batches. Memory holds one
 * page of resources plus the small reference index, whatever the size of the estate.
 */
export async function runScan(options: RunScanOptions): Promise<ScanSummary> {
  const { policy, cloud, sink, logger } = options;
  const clock = options.clock ?? (() => new Date());
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
  const collect: ResourcePageHandler = async (page) => {
    for (const resource of page) {
      index.add(resource);
    }
    await sink.writeResources(scan.id, page);
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

  const accounts: ScannedAccount[] = [];
  for (const collection of collections) {
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
  const verdicts: ScanSummary["verdicts"] = {
    pass: 0,
    fail: 0,
    error: 0,
    waived: 0,
    "not-applicable": 0,
  };
  const record = async (findings: Finding[]): Promise<void> => {
    for (const finding of findings) {
      verdicts[finding.status] += 1;
    }
    if (findings.length > 0) {
      await sink.writeFindings(scan.id, findings);
    }
  };
  for await (const batch of sink.streamResources({
    scanId: scan.id,
    batchSize: evaluationBatchSize,
  })) {
    await record(evaluator.evaluateResources(batch));
  }
  await record(evaluator.evaluateOwners());

  const status = scanStatus(collections);
  const finishedAt = clock();
  await sink.finishScan(scan.id, status, finishedAt);
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
  };
}

/**
 * Resource Graph answers a subscription the credential cannot read with no rows and no error,
 * which would pass for an empty, complete subscription. When the subscription list was read in
 * full and does not hold the subscription, its collection is a failure, not an empty success.
 */
function markInvisibleSubscriptions(
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
