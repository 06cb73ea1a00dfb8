/**
 * Holding a store lock for the length of a piece of work: taken once, renewed every third of its TTL while the
 * work runs, released (by its owner only) at the end. The work is told when the lock was lost (a renewal found
 * another owner: this process stalled past the TTL and another instance took over), so it can stop before it
 * does something twice.
 */
import { ArxivDigestError, ErrorCode, LockLostError } from '../app/errors';
import type { Store } from './index';

export interface HeldLock {
  /** Renews the lock now; throws LockLostError when another owner holds it (stop the work). */
  check(): Promise<void>;
  /** Whether a renewal found the lock taken by another owner. */
  readonly lost: boolean;
}

/** Runs `fn` holding the store lock `name`, renewing it while `fn` runs; `held: false` when another owner holds it. */
export async function withLock<T>(
  store: Store,
  name: string,
  owner: string,
  ttlMs: number,
  fn: (lock: HeldLock) => Promise<T>,
): Promise<{ held: true; value: T } | { held: false }> {
  if (!(await store.acquireLock(name, owner, ttlMs))) return { held: false };
  let lost = false;
  const renew = async () => {
    if (lost) return;
    if (!(await store.acquireLock(name, owner, ttlMs))) lost = true;
  };
  const lock: HeldLock = {
    async check() {
      await renew();
      if (lost) throw new LockLostError(name);
    },
    get lost() {
      return lost;
    },
  };
  // A failed renewal (the store briefly unreachable) is not a loss: the next one or check() tells.
  const timer = setInterval(() => {
    renew().catch(() => {});
  }, ttlMs / 3);
  timer.unref();
  try {
    return { held: true, value: await fn(lock) };
  } finally {
    clearInterval(timer);
    // Only our own lock is released (the release compares owners), so a lost lock's new owner keeps it.
    await store.releaseLock(name, owner).catch(() => {});
  }
}

const localQueues = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` alone for `name`: in this process by a promise queue, across instances by a short store lock (a
 * read-modify-write of a shared record, such as a vote or the day's token spend, must not interleave with another
 * instance's).
 */
export async function exclusive<T>(store: Store, name: string, fn: () => Promise<T>): Promise<T> {
  const prev = localQueues.get(name) ?? Promise.resolve();
  const run = prev
    .catch(() => {})
    .then(async () => {
      const owner = `${process.pid}:${Math.random().toString(36).slice(2)}`;
      const lock = `mutex:${name}`;
      for (let attempt = 0; !(await store.acquireLock(lock, owner, 10_000)); attempt++) {
        if (attempt >= 200)
          throw new ArxivDigestError(
            ErrorCode.LockBusy,
            `store lock ${lock} is busy: another instance holds it for too long`,
          );
        await new Promise((r) => setTimeout(r, 25));
      }
      try {
        return await fn();
      } finally {
        await store.releaseLock(lock, owner);
      }
    });
  localQueues.set(name, run);
  try {
    return await run;
  } finally {
    if (localQueues.get(name) === run) localQueues.delete(name);
  }
}
