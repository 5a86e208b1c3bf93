import { Redis } from "ioredis";

/** Where Redis is: a `redis://` URL, or its address. */
export type RedisConnection =
  | string
  | { host: string; port: number; db?: number; username?: string; password?: string };

/**
 * Opens a Redis client for the queues. BullMQ workers block on Redis and refuse a client that
 * gives up on a command after a few retries, so a worker's client waits for Redis to come back
 * (`maxRetriesPerRequest: null`). A producer (a command, an API request) fails fast instead:
 * a few reconnection attempts, then its commands reject.
 */
export function openRedis(connection: RedisConnection, mode: "wait" | "fail-fast"): Redis {
  const behaviour =
    mode === "wait"
      ? { maxRetriesPerRequest: null }
      : {
          maxRetriesPerRequest: 1,
          connectTimeout: 2_000,
          retryStrategy: (attempt: number) => (attempt > 3 ? null : 200 * attempt),
        };
  return typeof connection === "string"
    ? new Redis(connection, behaviour)
    : new Redis(connection.port, connection.host, {
        ...behaviour,
        ...(connection.db === undefined ? {} : { db: connection.db }),
        ...(connection.username === undefined ? {} : { username: connection.username }),
        ...(connection.password === undefined ? {} : { password: connection.password }),
      });
}

/** Closes a client, waiting for replies in flight; a client already gone is fine. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === "end") {
    return;
  }
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}

/** Redis cannot be used: not reachable, not answering, or refusing the database asked for. */
export class RedisUnavailableError extends Error {
  override readonly name = "RedisUnavailableError";
}

/** How long the start-up check waits for Redis to answer before giving up. */
const probeTimeoutMs = 5_000;

/**
 * Checks, before anything is scheduled, that Redis answers and accepts the database the
 * connection names. A worker's own clients wait for Redis forever and would start on a server
 * that never answers, or write to database 0 when the one named does not exist.
 */
export async function assertRedisUsable(connection: RedisConnection): Promise<void> {
  const probe = openRedis(connection, "fail-fast");
  // A server that accepts the connection and never answers would otherwise hang the probe.
  probe.options.commandTimeout = probeTimeoutMs;
  // The connection's own error (ECONNREFUSED, a refused password) says more than the command's.
  let connectionError: Error | undefined;
  probe.on("error", (error: Error) => {
    connectionError = error;
  });
  try {
    await probe.ping();
    await probe.select(probe.options.db ?? 0);
  } catch (error) {
    const cause: unknown = connectionError ?? error;
    const text = cause instanceof Error ? cause.message : String(cause);
    throw new RedisUnavailableError(`Redis cannot be used: ${text}`);
  } finally {
    probe.disconnect();
  }
}
