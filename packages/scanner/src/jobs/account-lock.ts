import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

// Each script touches the key only while it still holds this holder's token, so a lock that
// expired and was taken by another worker is never renewed or released by the first one.
const renewScript = `
if redis.call("get", KEYS[1]) == ARGV[1] then
  return redis.call("pexpire", KEYS[1], ARGV[2])
end
return 0`;

const releaseScript = `
if redis.call("get", KEYS[1]) == ARGV[1] then
  return redis.call("del", KEYS[1])
end
return 0`;

/** A held lock; `release` is idempotent. */
export interface HeldLock {
  readonly key: string;
  /** Resolves once the lock is let go (or found already lost). */
  release(): Promise<void>;
  /** False once a renewal found the lock expired or taken: the work is no longer exclusive. */
  isHeld(): boolean;
}

/** Options of the per-account locks. */
export interface AccountLocksOptions {
  redis: Redis;
  /** Key prefix, shared with the queues so that tests and deployments stay apart. */
  prefix: string;
  /**
   * Lifetime of a lock in milliseconds; renewed every third of it while the work runs. A lock
   * whose holder died expires after this long.
   */
  ttlMs: number;
  /** Told once when a renewal finds the lock lost. */
  onLost?: (key: string) => void;
}

/**
 * Exclusive locks, one per cloud account, shared by every worker process on one Redis: a
 * worker scans an account only while it holds the account's lock.
 */
export interface AccountLocks {
  /** Takes the lock, or returns null when another holder has it. */
  acquire(provider: string, account: string): Promise<HeldLock | null>;
  /** Whether some worker holds the account's lock now. */
  isLocked(provider: string, account: string): Promise<boolean>;
}

/** Per-account locks on Redis: SET NX with an expiry, renewed while held. */
export function createAccountLocks(options: AccountLocksOptions): AccountLocks {
  const { redis, ttlMs } = options;
  const keyOf = (provider: string, account: string) =>
    `${options.prefix}:account-lock:${provider}:${account.toLowerCase()}`;

  return {
    async acquire(provider, account) {
      const key = keyOf(provider, account);
      const token = randomUUID();
      const taken = await redis.set(key, token, "PX", ttlMs, "NX");
      if (taken !== "OK") {
        return null;
      }

      let held = true;
      let released: Promise<void> | undefined;
      const renew = async () => {
        try {
          const renewed = await redis.eval(renewScript, 1, key, token, String(ttlMs));
          if (renewed !== 1 && held) {
            held = false;
            clearInterval(timer);
            options.onLost?.(key);
          }
        } catch {
          // A failed renewal is retried at the next tick; the lock stays valid until its expiry.
        }
      };
      const timer = setInterval(() => void renew(), Math.max(50, Math.floor(ttlMs / 3)));
      timer.unref();

      return {
        key,
        isHeld: () => held,
        release() {
          released ??= (async () => {
            clearInterval(timer);
            held = false;
            await redis.eval(releaseScript, 1, key, token);
          })();
          return released;
        },
      };
    },
    async isLocked(provider, account) {
      return (await redis.exists(keyOf(provider, account))) === 1;
    },
  };
}
