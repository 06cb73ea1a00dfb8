/**
 * Replays of signed requests. Slack's and Discord's signatures cover a body and a timestamp and stay valid for five
 * minutes: anyone who saw one request (a proxy's log, a leaked capture) could send it again and again within that
 * window, and each copy would act (a /critique posted ten times). Every signed request that acts is therefore taken
 * once: its platform identity (Slack: a command's `trigger_id`, an event's `event_id`, an interaction's trigger;
 * Discord: the interaction id) is recorded in the store for longer than a signature stays valid, and a request
 * with an identity seen before is answered without acting.
 *
 * Seen identities are kept in this process too (copies arriving together are told apart at once, with no store
 * round trip) and written to the store in batches: one read and one write per batch, whatever the burst (SQLite
 * pays a sync per write: 500 commands one by one took 17 s). The store's copy is what a restarted process and
 * the other instances on a shared store see; two instances handed copies of one request within the same store
 * round trip (milliseconds) could both act.
 */
import { z } from 'zod';
import type { Store } from '../store';
import { recordKind } from '../store/records';
import { keys } from '../store/keys';

/** How long a request's identity is remembered: past the 5-minute signature window, with room for clock skew. */
export const REPLAY_MEMORY_MS = 10 * 60_000;

/** An interaction identity already seen ('ratelimit', keys.replaySeen), kept REPLAY_MEMORY_MS. */
const SEEN = recordKind<boolean>('ratelimit', z.boolean(), { ttlMs: REPLAY_MEMORY_MS });

interface Pending {
  key: string;
  resolve: (first: boolean) => void;
  reject: (err: unknown) => void;
}

/** The seen-set of one store: this process's identities by expiry, and the batch waiting for the store. */
class SeenSet {
  private readonly local = new Map<string, number>();
  private queue: Pending[] = [];
  private flushing = false;

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  firstTime(key: string): Promise<boolean> {
    this.forgetExpired();
    if (this.local.has(key)) return Promise.resolve(false);
    this.local.set(key, this.now() + REPLAY_MEMORY_MS);
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ key, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        void this.flush();
      }
    });
  }

  /** Identities are added in expiry order (one TTL): the expired ones are the oldest. */
  private forgetExpired(): void {
    const now = this.now();
    for (const [key, expires] of this.local) {
      if (expires > now) break;
      this.local.delete(key);
    }
  }

  /** Writes what queued up while the previous batch was in the store, until nothing is left. */
  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      try {
        const seen = await SEEN.getMany(
          this.store,
          batch.map((p) => p.key),
        );
        const fresh = batch.filter((_, i) => !seen[i]);
        if (fresh.length)
          await SEEN.setMany(
            this.store,
            fresh.map((p) => ({ key: p.key, value: true })),
          );
        for (const [i, p] of batch.entries()) p.resolve(!seen[i]);
      } catch (err) {
        // Not recorded: a later copy may try again.
        for (const p of batch) {
          this.local.delete(p.key);
          p.reject(err);
        }
      }
    }
    this.flushing = false;
  }
}

const sets = new WeakMap<Store, SeenSet>();

/**
 * True the first time a request with this identity is seen on `platform` (it is recorded then), false for every
 * copy after it within REPLAY_MEMORY_MS. Rejects when the store cannot be read or written (nothing is recorded).
 */
export function firstTime(
  store: Store,
  platform: string,
  requestId: string,
  now: () => number = () => Date.now(),
): Promise<boolean> {
  let set = sets.get(store);
  if (!set) {
    set = new SeenSet(store, now);
    sets.set(store, set);
  }
  return set.firstTime(keys.seenRequest(platform, requestId));
}
