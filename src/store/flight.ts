/**
 * Single flight: askers of one result at the same time share one piece of work (one LLM answer, one paper's
 * metadata, one full text). In this process they share one promise per name; across instances sharing the store,
 * the store lock `flight:NAME` (src/store/lock.ts: it knows its holder and lives on a heartbeat) lets one instance
 * work while the others wait for its result to appear in the store (`ready()`), instead of paying for it again.
 * When the holder fails or dies, the next waiter takes the lock and does the work itself.
 */
import { currentScope } from '../app/scope';
import type { Store } from './index';
import { locks } from './keys';
import { LOCK_TTL_MS, withLock } from './lock';

const inflight = new Map<string, Promise<Flight<unknown>>>();

export interface Flight<T> {
  value: T;
  /** True when another asker's work (in this process or another instance) produced the value. */
  shared: boolean;
}

export interface FlightOptions<T> {
  /** The result when it is already stored (by another instance's flight); undefined when not yet. */
  ready: () => Promise<T | undefined>;
  /** The work, done by one asker only. */
  work: () => Promise<T>;
  /** How often a waiter on another instance's flight looks for the result (default 200 ms). */
  pollMs?: number;
}

/** How many askers are waiting in this process (for tests and the bench). */
export function flightsInProgress(): number {
  return inflight.size;
}

export async function singleFlight<T>(store: Store, name: string, opts: FlightOptions<T>): Promise<Flight<T>> {
  const running = inflight.get(name) as Promise<Flight<T>> | undefined;
  if (running) return { value: (await running).value, shared: true };
  const flight = acrossInstances(store, name, opts);
  inflight.set(name, flight);
  try {
    return await flight;
  } finally {
    if (inflight.get(name) === flight) inflight.delete(name);
  }
}

async function acrossInstances<T>(store: Store, name: string, opts: FlightOptions<T>): Promise<Flight<T>> {
  const pollMs = opts.pollMs ?? 200;
  for (;;) {
    const got = await withLock(
      store,
      locks.flight(name),
      currentScope().instance,
      LOCK_TTL_MS,
      async () => {
        // The holder before us may have finished between our look and our taking the lock.
        const done = await opts.ready();
        if (done !== undefined) return { value: done, shared: true };
        return { value: await opts.work(), shared: false };
      },
      { releaseInBackground: true },
    );
    if (got.held) return got.value;
    // Another instance is doing it: wait for its result, or for its lock to go (it failed or died).
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      const done = await opts.ready();
      if (done !== undefined) return { value: done, shared: true };
      if (!(await store.lockHolder(locks.flight(name)))) break;
    }
  }
}
