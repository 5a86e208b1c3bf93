import { ownersOf, type Policy, type Provider } from "@plumbline/rules";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import {
  type InventoryPayload,
  inventoryQueueOf,
  type JobName,
  type JobPayloads,
  parseJobPayload,
  QUEUE_NAMES,
  type QueueName,
  retryOptionsOf,
} from "./catalogue.js";
import { closeRedis, openRedis, type RedisConnection } from "./redis-connection.js";

/** Key prefix of every queue and lock when none is given. */
export const DEFAULT_QUEUE_PREFIX = "plumbline";

/** Options of `createJobQueues`. */
export interface JobQueuesOptions {
  connection: RedisConnection;
  /**
   * Prefix of every Redis key; deployments (and tests) that share one Redis keep apart by
   * choosing different prefixes. `plumbline` when left out.
   */
  prefix?: string;
  /**
   * `wait` (workers): commands wait for Redis to come back. `fail-fast` (default, producers):
   * a command fails within a few seconds when Redis cannot be reached.
   */
  whenRedisIsDown?: "wait" | "fail-fast";
  /** Told about connection errors; they also surface as the failure of the call at hand. */
  logger?: Logger;
}

/** The queues of the job catalogue on one Redis, for producers. */
export interface JobQueues {
  readonly prefix: string;
  /** The client the queues share; workers use it for their account locks too. */
  readonly redis: Redis;
  queue(name: QueueName): Queue;
  close(): Promise<void>;
}

// Finished jobs are kept for a day (and at most a thousand per queue) so that an operator can
// see what ran; Redis would otherwise grow with every scheduled round.
const keepFinished = { age: 24 * 60 * 60, count: 1000 };

/** Opens the queues of the catalogue; nothing is created in Redis until a job is added. */
export function createJobQueues(options: JobQueuesOptions): JobQueues {
  const prefix = options.prefix ?? DEFAULT_QUEUE_PREFIX;
  const redis = openRedis(options.connection, options.whenRedisIsDown ?? "fail-fast");
  const queues = new Map<QueueName, Queue>();
  let reported = false;
  const reportError = (error: Error) => {
    // One line per outage is enough: the client retries and says the same thing each time.
    if (reported) return;
    reported = true;
    options.logger?.warn({ err: error }, "Redis connection error");
  };
  redis.on("ready", () => {
    reported = false;
  });
  for (const name of QUEUE_NAMES) {
    const queue = new Queue(name, {
      connection: redis,
      prefix,
      defaultJobOptions: { removeOnComplete: keepFinished, removeOnFail: keepFinished },
    });
    queue.on("error", reportError);
    queues.set(name, queue);
  }
  return {
    prefix,
    redis,
    queue(name) {
      const queue = queues.get(name);
      if (queue === undefined) {
        throw new Error(`no queue named ${name}`);
      }
      return queue;
    },
    async close() {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
      await closeRedis(redis);
    },
  };
}

/** How a job is added beyond its payload. */
interface AddJobOptions {
  delayMs?: number;
  /**
   * At most one waiting job per id. With `whileActive`, a job added while one with this id
   * runs is kept and starts after it, so the newest request is never lost and never runs
   * beside the running one.
   */
  deduplicate?: { id: string; whileActive?: boolean };
}

/** Validates a payload against the catalogue and adds the job to its queue; returns its id. */
export async function addJob<Name extends JobName>(
  queues: JobQueues,
  name: Name,
  payload: JobPayloads[Name],
  options: AddJobOptions = {},
): Promise<string> {
  const data = parseJobPayload(name, payload);
  const queue = queues.queue(queueOfJob(name, data));
  const job = await queue.add(name, data, {
    ...retryOptionsOf(name),
    ...(options.delayMs ? { delay: options.delayMs } : {}),
    ...(options.deduplicate
      ? {
          deduplication: {
            id: options.deduplicate.id,
            ...(options.deduplicate.whileActive ? { keepLastIfActive: true } : {}),
          },
        }
      : {}),
  });
  if (job.id === undefined) {
    throw new Error(`the ${name} job was added without an id`);
  }
  return job.id;
}

function queueOfJob<Name extends JobName>(name: Name, payload: JobPayloads[Name]): QueueName {
  // Every job but inventory has one queue of its own name.
  return name === "inventory"
    ? inventoryQueueOf((payload as InventoryPayload).provider)
    : (name as Exclude<JobName, "inventory">);
}

/** An account of the policy, once per cloud and id. */
export interface PolicyAccount {
  provider: Provider;
  /** Subscription ids lower-cased, AWS account ids as given. */
  account: string;
}

/** Every account the policy lists, each once, Azure first, then by id. */
export function policyAccounts(policy: Policy): PolicyAccount[] {
  const seen = new Map<string, PolicyAccount>();
  for (const owner of ownersOf(policy)) {
    for (const provider of ["azure", "aws"] as const) {
      for (const account of owner.accounts[provider]) {
        seen.set(`${provider}:${account}`, { provider, account });
      }
    }
  }
  const cloudOrder = (provider: Provider) => (provider === "azure" ? 0 : 1);
  return [...seen.values()].sort(
    (a, b) => cloudOrder(a.provider) - cloudOrder(b.provider) || a.account.localeCompare(b.account),
  );
}

/** Accounts asked for by a manual round that the policy does not list. */
export class UnknownAccountsError extends Error {
  constructor(readonly accounts: string[]) {
    super(`not accounts of the policy: ${accounts.join(", ")}`);
    this.name = "UnknownAccountsError";
  }
}

/** What a manual round asks for. */
export interface ScanNowOptions {
  /** Only these account ids (either cloud); every account of the policy when left out. */
  accounts?: string[];
  /** Who asked: a token name, `cli`; recorded in the job payloads. */
  requestedBy?: string;
}

/**
 * A manual round: the same inventory jobs the schedule enqueues, one per account, and with no
 * account filter the round's discovery. An account whose inventory is already waiting or
 * running gets no second job: the returned ids include the existing job's id. Evaluation and
 * alerts follow each inventory as they do for the schedule.
 */
export async function enqueueScanNow(
  queues: JobQueues,
  policy: Policy,
  options: ScanNowOptions = {},
): Promise<{ jobIds: string[] }> {
  const all = policyAccounts(policy);
  let selected = all;
  if (options.accounts !== undefined) {
    const wanted = new Set(options.accounts.map((account) => account.toLowerCase()));
    selected = all.filter((entry) => wanted.has(entry.account.toLowerCase()));
    const found = new Set(selected.map((entry) => entry.account.toLowerCase()));
    const unknown = options.accounts.filter((account) => !found.has(account.toLowerCase()));
    if (unknown.length > 0) {
      throw new UnknownAccountsError(unknown);
    }
  }

  // Each queue numbers its own jobs, so an id is named with its queue.
  const qualified = (queue: QueueName, id: string) => `${queue}:${id}`;
  const trigger = "scan-now";
  const requestedBy = options.requestedBy === undefined ? {} : { requestedBy: options.requestedBy };
  const jobIds: string[] = [];
  for (const { provider, account } of selected) {
    const id = await addJob(
      queues,
      "inventory",
      { provider, account, trigger, ...requestedBy },
      { deduplicate: { id: inventoryDeduplicationId(provider, account) } },
    );
    jobIds.push(qualified(inventoryQueueOf(provider), id));
  }
  if (options.accounts === undefined) {
    const id = await addJob(queues, "discover", { trigger }, { deduplicate: { id: "discover" } });
    jobIds.push(qualified("discover", id));
  }
  return { jobIds };
}

/** One waiting manual inventory per account. */
function inventoryDeduplicationId(provider: Provider, account: string): string {
  return `inventory:${provider}:${account.toLowerCase()}`;
}
