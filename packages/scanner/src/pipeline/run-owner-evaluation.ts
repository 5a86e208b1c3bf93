import { randomUUID } from "node:crypto";
import {
  type AccountCollection,
  accountKey,
  createEvaluator,
  type DiscoveredAccount,
  type Finding,
  InventoryIndex,
  type OwnerId,
  ownerById,
  ownersOfAccount,
  type Policy,
  type Verdict,
} from "@plumbline/rules";
import type { LatestCollection, Store } from "@plumbline/store";
import type { Logger } from "pino";
import { bindNewFields } from "../logging/bind-new-fields.js";
import { recordOwnerFindings } from "./record-owner.js";
import { scanStatus } from "./run-scan.js";

/** Options of `runOwnerEvaluation`. */
export interface RunOwnerEvaluationOptions {
  policy: Policy;
  /** A tenant id, `platform`, or null for the accounts discovery found and no owner lists. */
  owner: OwnerId;
  store: Store;
  /** Evaluation date: waivers, contracts and key expiry are judged against it. */
  now: Date;
  /** Why it runs: `schedule`, `api`, `cli`, … */
  trigger: string;
  logger: Logger;
  /** Accounts the clouds report that no owner lists (from the `discover` job). */
  unmapped?: DiscoveredAccount[];
  /** Wall clock for timestamps and events; the real one when absent. */
  clock?: () => Date;
}

/** What `runOwnerEvaluation` recorded. */
export interface RunOwnerEvaluationResult {
  scanId: string;
  batchId: string;
  /** Drift events recorded. */
  events: number;
  /** Alert items written to the outbox. */
  alerts: number;
  /** The owner's findings written for the scan, by verdict (stale ones included). */
  verdicts: Record<Verdict, number>;
}

/** Resources read from the store at a time. */
const batchSize = 1000;

function toCollection(latest: LatestCollection): AccountCollection {
  return {
    provider: latest.provider,
    account: latest.account,
    status: latest.status,
    reason: latest.reason,
    resources: latest.resources,
    skippedRegions: latest.skippedRegions,
    completeRegions: latest.completeRegions,
  };
}

/**
 * Evaluates one owner over the latest inventory of the whole estate (controls follow references
 * across accounts) and writes only that owner's findings, as an `evaluation` scan whose account
 * rows copy the latest collection of the owner's accounts. Findings are diffed against the
 * owner's stored state; a resource of a partially collected account that its latest collection
 * did not see keeps its previous verdict, marked stale. The owner's first evaluation is its
 * baseline and records no events.
 */
export async function runOwnerEvaluation(
  options: RunOwnerEvaluationOptions,
): Promise<RunOwnerEvaluationResult> {
  const { policy, owner, store } = options;
  const clock = options.clock ?? (() => new Date());
  const ownerRecord = owner === null ? undefined : ownerById(policy, owner);
  if (owner !== null && ownerRecord === undefined) {
    throw new RangeError(`Cannot evaluate owner "${owner}": the policy does not name it.`);
  }
  const scan = await store.createScan({
    trigger: options.trigger,
    kind: "evaluation",
    owner,
    startedAt: clock(),
  });
  const log = bindNewFields(options.logger, { scanId: scan.id, owner });
  log.info({ trigger: options.trigger }, "evaluation started");

  const latest = await store.latestCollections();
  const owns = (provider: "azure" | "aws", account: string) =>
    owner !== null && ownersOfAccount(policy, provider, account).includes(owner);
  const ownCollections = latest.filter((row) => owns(row.provider, row.account));
  for (const row of ownCollections) {
    await store.recordAccountCollection(scan.id, owner, toCollection(row), {
      startedAt: row.startedAt,
      finishedAt: row.finishedAt,
    });
  }

  // Limitation: every owner's evaluation reads the whole inventory twice (to fill the reference
  // index, then to judge its own resources), so evaluating every owner reads it twice per owner.
  const index = new InventoryIndex({ policy });
  for await (const page of store.streamResources({ batchSize })) {
    for (const resource of page) index.add(resource);
  }
  index.setAccounts(latest.map(toCollection));

  const unseen = new Set<string>();
  for (const row of ownCollections) {
    if (row.status === "complete") continue;
    for (const key of await store.listUnseenResourceKeys(row)) unseen.add(key);
  }

  const evaluator = createEvaluator({
    policy,
    now: options.now,
    index,
    discovered: options.unmapped ?? [],
  });
  const writeOwn = async (findings: Finding[]): Promise<void> => {
    const own = findings.filter((finding) => finding.tenant === owner);
    if (own.length > 0) await store.writeFindings(scan.id, own);
  };
  // Findings are stored as each page is judged, then recorded from the store slice by slice.
  if (owner !== null) {
    const ownedAccounts = new Set([
      ...(ownerRecord?.accounts.azure ?? []).map((account) => accountKey("azure", account)),
      ...(ownerRecord?.accounts.aws ?? []).map((account) => accountKey("aws", account)),
    ]);
    for await (const page of store.streamResources({ batchSize })) {
      const mine = page.filter((resource) =>
        ownedAccounts.has(accountKey(resource.provider, resource.account)),
      );
      await writeOwn(evaluator.evaluateResources(mine));
    }
  }
  await writeOwn(evaluator.evaluateOwners());

  const batchId = randomUUID();
  const recorded = await recordOwnerFindings({
    store,
    policy,
    owner,
    scanId: scan.id,
    batchId,
    at: clock(),
    collections: latest,
    unseenSubjects: unseen,
    logger: log,
  });

  const status = ownCollections.length === 0 ? "complete" : scanStatus(ownCollections);
  const finishedAt = clock();
  await store.finishScan(scan.id, status, finishedAt);
  log.info(
    { status, durationMs: finishedAt.getTime() - scan.startedAt.getTime() },
    "evaluation done",
  );
  return {
    scanId: scan.id,
    batchId,
    events: recorded.events,
    alerts: recorded.alerts,
    verdicts: recorded.verdicts,
  };
}
