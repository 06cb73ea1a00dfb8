/**
 * The daily budget's reservations of calls in flight, shared by every instance on the store (src/llm/budget.ts):
 * one record per UTC day of the reservations not yet committed, each with an expiry (an instance killed mid-call
 * leaves its reservation for minutes, not for the day), changed under one store lock, so two instances cannot both
 * reserve the budget's last tokens.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Store } from '../store';
import { exclusive } from '../store/lock';
import { keys, locks } from '../store/keys';
import { recordKind } from '../store/records';

/** Longer than any LLM call lasts (retries included): then a reservation whose caller died stops counting. */
export const RESERVATION_TTL_MS = 15 * 60_000;

/** A reservation: its tokens, its expiry, and the member account it is for (none: the scheduled work). */
type Record = { [id: string]: { tokens: number; until: number; account?: string } };

/**
 * The day's reservations (keys.budgetReservations), kept two days. A value this version cannot read holds no
 * reservation, and neither does an entry it cannot read: both were always skipped.
 */
const RESERVATIONS = recordKind<{ [id: string]: Record[string] | undefined }>(
  'budget',
  z
    .record(
      z.string(),
      z
        .looseObject({ tokens: z.number(), until: z.number(), account: z.string().optional() })
        .optional()
        .catch(undefined),
    )
    .catch({}),
  { ttlMs: 2 * 86_400_000 },
);

/** The tokens in flight: in all, of members' commands, and of the account asking (0 for the scheduled work). */
export interface InFlight {
  total: number;
  members: number;
  account: number;
}

export interface ReservationStore {
  /** Reserves `tokens` when `fits(tokens in flight)` says so (inside the lock); resolves with its id, else undefined. */
  tryReserve(
    day: string,
    tokens: number,
    fits: (inFlight: InFlight) => Promise<boolean>,
    account?: string,
  ): Promise<string | undefined>;
  release(day: string, id: string): Promise<void>;
}

function inFlightOf(record: Record, account: string | undefined): InFlight {
  const sum = (f: (r: Record[string]) => boolean) =>
    Object.values(record).reduce((a, r) => a + (f(r) ? r.tokens : 0), 0);
  return {
    total: sum(() => true),
    members: sum((r) => r.account !== undefined),
    account: account === undefined ? 0 : sum((r) => r.account === account),
  };
}

export class StoreReservations implements ReservationStore {
  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  private async live(day: string): Promise<Record> {
    const all = (await RESERVATIONS.get(this.store, keys.budgetReservations(day))) ?? {};
    const now = this.now();
    return Object.fromEntries(
      Object.entries(all).filter((e): e is [string, Record[string]] => e[1] !== undefined && e[1].until > now),
    );
  }

  tryReserve(day: string, tokens: number, fits: (inFlight: InFlight) => Promise<boolean>, account?: string) {
    return exclusive(this.store, locks.budgetReservations(day), async () => {
      const record = await this.live(day);
      if (!(await fits(inFlightOf(record, account)))) return undefined;
      const id = randomUUID();
      record[id] = { tokens, until: this.now() + RESERVATION_TTL_MS, ...(account !== undefined ? { account } : {}) };
      await RESERVATIONS.set(this.store, keys.budgetReservations(day), record);
      return id;
    });
  }

  release(day: string, id: string) {
    return exclusive(this.store, locks.budgetReservations(day), async () => {
      const record = await this.live(day);
      delete record[id];
      await RESERVATIONS.set(this.store, keys.budgetReservations(day), record);
    });
  }
}
