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
