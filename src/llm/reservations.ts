/**
 * The daily budget's reservations of calls in flight, shared by every instance on the store (src/llm/budget.ts):
 * one record per UTC day of the reservations not yet committed, each with an expiry (an instance killed mid-call
 * leaves its reservation for minutes, not for the day), changed under one store lock, so two instances cannot both
 * reserve the budget's last tokens.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../store';
import { exclusive } from '../store/lock';
import { keys, locks } from '../store/keys';

/** Longer than any LLM call lasts (retries included): then a reservation whose caller died stops counting. */
export const RESERVATION_TTL_MS = 15 * 60_000;

type Record = { [id: string]: { tokens: number; until: number } };

export interface ReservationStore {
  /** Reserves `tokens` when `fits(tokens in flight)` says so (inside the lock); resolves with its id, else undefined. */
  tryReserve(day: string, tokens: number, fits: (inFlight: number) => Promise<boolean>): Promise<string | undefined>;
  release(day: string, id: string): Promise<void>;
}

export class StoreReservations implements ReservationStore {
  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  private async live(day: string): Promise<Record> {
    const all = (await this.store.get<Record>('budget', keys.budgetReservations(day))) ?? {};
    const now = this.now();
    return Object.fromEntries(Object.entries(all).filter(([, r]) => r.until > now));
  }

  tryReserve(day: string, tokens: number, fits: (inFlight: number) => Promise<boolean>) {
    return exclusive(this.store, locks.budgetReservations(day), async () => {
      const record = await this.live(day);
      const inFlight = Object.values(record).reduce((a, r) => a + r.tokens, 0);
      if (!(await fits(inFlight))) return undefined;
      const id = randomUUID();
      record[id] = { tokens, until: this.now() + RESERVATION_TTL_MS };
      await this.store.set('budget', keys.budgetReservations(day), record, 2 * 86_400_000);
      return id;
    });
  }

  release(day: string, id: string) {
    return exclusive(this.store, locks.budgetReservations(day), async () => {
      const record = await this.live(day);
      delete record[id];
      await this.store.set('budget', keys.budgetReservations(day), record, 2 * 86_400_000);
    });
  }
}
