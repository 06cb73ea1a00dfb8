/**
 * Store locks that know their holder. A lock's owner records the instance, host, pid and process that took it
 * and when, so a waiting instance can say who it waits for (host and pid are for people, never for liveness); this
 * process's own lock that no live work holds (its work was abandoned) is taken over at once. Otherwise a lock lives on its
 * heartbeat: renewed every quarter of its TTL (seconds) while the work runs, it expires a few heartbeats after its
 * holder stopped, whatever the cause (kill -9 on another host, a frozen VM).
 *
 * The work is told when the lock was lost (a renewal found another owner: this process stalled past the TTL and
 * another instance took over), and when its instance must stop at once (a second SIGTERM): `check()` throws at
 * the work's next safe point.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ArxivDigestError, ErrorCode, LockLostError } from '../app/errors';
import { PROCESS_BOOT_ID, currentScope, throwIfStopping } from '../app/scope';
import type { LockHolding, Store } from './index';
import { locks } from './keys';
import { metrics } from '../app/metrics';

/** A lock's expiry when its holder stops renewing it: a few heartbeats. */
export const LOCK_TTL_MS = 15_000;

export interface HeldLock {
  /**
   * Renews the lock now; throws LockLostError when another owner holds it, StopRequestedError when this instance
   * must stop (both: do not go on with the work).
   */
  check(): Promise<void>;
  /** Whether a renewal found the lock taken by another owner. */
  readonly lost: boolean;
}

export { LockLostError };

/** Who holds a lock, as its owner string records it. */
export interface LockHolder {
  instance: string;
  host: string;
  pid: number;
  /** The holder's process (tells apart two processes that had the same pid). */
  boot: string;
  /** When the holder took the lock (epoch ms). */
  since: number;
}

const HOST = hostname().slice(0, 100);

/** The owner string of a new lock taken by `instance` now (unique per taking: a lock is never re-entered). */
export function lockOwner(instance: string = currentScope().instance): string {
  const holder = { i: instance.slice(0, 80), h: HOST, p: process.pid, b: PROCESS_BOOT_ID, s: Date.now() };
  return JSON.stringify({ ...holder, n: randomUUID().slice(0, 8) });
}

/** The holder an owner string records; undefined for an owner not taken through lockOwner (e.g. older versions). */
export function parseOwner(owner: string): LockHolder | undefined {
  if (!owner.startsWith('{')) return undefined;
  try {
    const o = JSON.parse(owner) as Record<string, unknown>;
    if (typeof o.i !== 'string' || typeof o.h !== 'string' || typeof o.p !== 'number' || typeof o.b !== 'string')
      return undefined;
    return { instance: o.i, host: o.h, pid: o.p, boot: o.b, since: typeof o.s === 'number' ? o.s : 0 };
  } catch {
    return undefined;
  }
}

/** "instance X (host H, pid P) since T" for messages; the raw owner when it records no holder. */
export function describeHolder(owner: string): string {
  const h = parseOwner(owner);
  if (!h) return `"${owner}"`;
  return `instance ${h.instance} (host ${h.host}, pid ${h.pid}) since ${new Date(h.since).toISOString()}`;
}

/** Owners of the locks held by live work in this process. */
const heldHere = new Set<string>();

/**
 * Whether the holder is known to be gone: only this very process's own lock that no live work holds (its work was
 * abandoned). A holder is known by the instance id it drew at start and its process's boot id, never by host name
 * and pid: between containers that share a hostname (host networking) each node is pid 1, and a pid that does not
 * run in this PID namespace may run in another. Any other holder lives on its heartbeat (the lock's renewal) and is
 * waited out until its lock expires.
 */
export function holderIsGone(owner: string): boolean {
  const h = parseOwner(owner);
  return !!h && h.boot === PROCESS_BOOT_ID && !heldHere.has(owner);
}

export type TryLockResult = { held: true; takenFrom?: string } | { held: false; holding?: LockHolding };

/** Takes the lock, or takes it over when its holder is known dead; otherwise says who holds it. */
export async function tryLock(store: Store, name: string, owner: string, ttlMs: number): Promise<TryLockResult> {
  if (await store.acquireLock(name, owner, ttlMs)) return { held: true };
  const holding = await store.lockHolder(name);
  if (!holding) return (await store.acquireLock(name, owner, ttlMs)) ? { held: true } : { held: false };
  if (holderIsGone(holding.owner) && (await store.takeOverLock(name, holding.owner, owner, ttlMs)))
    return { held: true, takenFrom: holding.owner };
  return { held: false, holding };
}

export interface WithLockOptions {
  /** Told when the lock was taken over from a dead holder. */
  onTakeOver?: (from: string) => void;
  /** Told when the lock is held by another (live or unknown) holder. */
  onBusy?: (holding: LockHolding) => void;
  /**
   * When `fn` failed, release the lock without waiting for the store: a failure caused by the store going away
   * is reported at once instead of after one more store deadline (single flight, src/store/flight.ts).
   */
  releaseInBackground?: boolean;
}

/**
 * Runs `fn` holding the store lock `name` for `instance`, renewing it every quarter of `ttlMs` while `fn` runs;
 * `held: false` when another live owner holds it.
 */
export async function withLock<T>(
  store: Store,
  name: string,
  instance: string,
  ttlMs: number,
  fn: (lock: HeldLock) => Promise<T>,
  options: WithLockOptions = {},
): Promise<{ held: true; value: T } | { held: false; holding?: LockHolding }> {
  const owner = lockOwner(instance);
  // Registered before taking: a lock of this process that no registered work holds counts as abandoned.
  heldHere.add(owner);
  let got: TryLockResult;
  try {
    got = await tryLock(store, name, owner, ttlMs);
  } catch (err) {
    heldHere.delete(owner);
    throw err;
  }
  if (!got.held) {
    heldHere.delete(owner);
    metrics.lockBusy(name);
    if (got.holding) options.onBusy?.(got.holding);
    return got.holding ? { held: false, holding: got.holding } : { held: false };
  }
  if (got.takenFrom) options.onTakeOver?.(got.takenFrom);
  let lost = false;
  const renew = async () => {
    if (lost) return;
    if (!(await store.acquireLock(name, owner, ttlMs))) lost = true;
  };
  const lock: HeldLock = {
    async check() {
      throwIfStopping();
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
  }, ttlMs / 4);
  timer.unref();
  let failed = false;
  try {
    return { held: true, value: await fn(lock) };
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    clearInterval(timer);
    heldHere.delete(owner);
    // Only our own lock is released (the release compares owners), so a lost lock's new owner keeps it.
    const release = store.releaseLock(name, owner).catch(() => {});
    if (!(failed && options.releaseInBackground)) await release;
  }
}

const localQueues = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` alone for `name`: in this process by a promise queue, across instances by a short store lock (a
 * read-modify-write of a shared record, such as a vote or the day's token spend, must not interleave with another
 * instance's). A mutex left by a holder that died (another process: its pid proves nothing) expires within
 * MUTEX_TTL_MS, and a waiter waits past that before it gives up.
 */
/** A store mutex's expiry: longer than any read-modify-write it guards. */
const MUTEX_TTL_MS = 10_000;
/** How long past a mutex's expiry a waiter still tries (a slow store, a loaded machine). */
const MUTEX_GRACE_MS = 5_000;

export async function exclusive<T>(store: Store, name: string, fn: () => Promise<T>): Promise<T> {
  const prev = localQueues.get(name) ?? Promise.resolve();
  const run = prev
    .catch(() => {})
    .then(async () => {
      const owner = lockOwner();
      const lock = locks.mutex(name);
      const waitFrom = Date.now();
      heldHere.add(owner);
      try {
        while (!(await tryLock(store, lock, owner, MUTEX_TTL_MS)).held) {
          // Waited past the mutex's expiry: a live holder keeps it that long (it renews nothing), a dead one not.
          if (Date.now() - waitFrom > MUTEX_TTL_MS + MUTEX_GRACE_MS)
            throw new ArxivDigestError(
              ErrorCode.LockBusy,
              `store lock ${lock} is busy: another instance holds it for too long`,
            );
          await new Promise((r) => setTimeout(r, 25));
        }
        metrics.lockWaited(lock, Date.now() - waitFrom);
        try {
          return await fn();
        } finally {
          await store.releaseLock(lock, owner);
        }
      } finally {
        heldHere.delete(owner);
      }
    });
  localQueues.set(name, run);
  try {
    return await run;
  } finally {
    if (localQueues.get(name) === run) localQueues.delete(name);
  }
}
