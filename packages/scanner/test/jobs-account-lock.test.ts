import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createAccountLocks } from "../src/jobs/account-lock.js";
import { deletePrefix, REDIS_URL, uniquePrefix } from "./jobs-support.js";

describe("per-account locks on Redis", () => {
  const redis = new Redis(REDIS_URL);
  const prefix = uniquePrefix("locks");
  afterAll(async () => {
    await deletePrefix(prefix);
    await redis.quit();
  });

  it("gives an account to one holder at a time, ids compared without case", async () => {
    const locks = createAccountLocks({ redis, prefix, ttlMs: 1_000 });
    const held = await locks.acquire("azure", "SUB-A");
    expect(held).not.toBeNull();
    expect(await locks.acquire("azure", "sub-a")).toBeNull();
    expect(await locks.isLocked("azure", "sub-a")).toBe(true);
    // Another account, or the same id on the other cloud, is free.
    const other = await locks.acquire("aws", "sub-a");
    expect(other).not.toBeNull();

    await held?.release();
    await other?.release();
    expect(await locks.isLocked("azure", "sub-a")).toBe(false);
    expect(await locks.acquire("azure", "sub-a")).not.toBeNull();
  });

  it("keeps a lock past its lifetime while the holder renews it", async () => {
    const locks = createAccountLocks({ redis, prefix, ttlMs: 300 });
    const held = await locks.acquire("aws", "111122223333");
    await sleep(900);
    expect(held?.isHeld()).toBe(true);
    expect(await locks.acquire("aws", "111122223333")).toBeNull();
    await held?.release();
  });

  it("never renews or releases a lock that expired and went to another holder", async () => {
    const lost: string[] = [];
    const first = createAccountLocks({
      redis,
      prefix,
      ttlMs: 300,
      onLost: (key) => lost.push(key),
    });
    const second = createAccountLocks({ redis, prefix, ttlMs: 5_000 });
    const held = await first.acquire("aws", "444455556666");
    // The lock is taken from under its holder, as when the holder stalls past the lifetime.
    await redis.del(`${prefix}:account-lock:aws:444455556666`);
    const taken = await second.acquire("aws", "444455556666");
    expect(taken).not.toBeNull();

    await sleep(300);
    expect(held?.isHeld()).toBe(false);
    expect(lost).toEqual([`${prefix}:account-lock:aws:444455556666`]);
    await held?.release();
    // The first holder's release left the second holder's lock alone.
    expect(await second.isLocked("aws", "444455556666")).toBe(true);
    expect(taken?.isHeld()).toBe(true);
    await taken?.release();
  });
});
