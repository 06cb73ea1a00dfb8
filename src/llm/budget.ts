/**
 * The daily token budget (config llm.dailyTokenBudget), kept in the store's 'budget' namespace under the UTC day so
 * every command and the bot share it. A call reserves its worst case (estimated prompt + max completion) before it
 * is sent; when that would pass the budget the call is refused and the caller falls back to abstracts. After the
 * answer, the reservation is replaced by the tokens the server reported. Reservations are shared by the instances on
 * the store (src/llm/reservations.ts), and they add their spend to one record under a store lock, so the budget
 * holds across them, calls in flight included.
 */
import { BudgetExceededError } from '../app/errors';
import type { Store } from '../store';
import { exclusive } from '../store/lock';
import { keys, locks } from '../store/keys';
import { type ReservationStore, StoreReservations } from './reservations';

interface SpendRecord {
  tokens: number;
}

export interface Reservation {
  day: string;
  tokens: number;
  /** The shared reservation's id (src/llm/reservations.ts). */
  id?: string;
}

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export class TokenBudget {
  /** Tokens reserved by calls in flight, in every instance on the store. */
  private readonly reservations: ReservationStore;
  /** Serializes read-modify-write of the day's record within this process. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    readonly limit: number,
    private readonly now: () => number,
    reservations?: ReservationStore,
  ) {
    this.reservations = reservations ?? new StoreReservations(store, now);
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  async spent(day = utcDay(this.now())): Promise<number> {
    return (await this.store.get<SpendRecord>('budget', keys.budget(day)))?.tokens ?? 0;
  }

  /** Reserves `tokens` for one call, or throws BudgetExceededError. */
  reserve(tokens: number): Promise<Reservation> {
    return this.locked(async () => {
      const day = utcDay(this.now());
      let seen = { spent: 0, inFlight: 0 };
      const id = await this.reservations.tryReserve(day, tokens, async (inFlight) => {
        seen = { spent: await this.spent(day), inFlight };
        return seen.spent + inFlight + tokens <= this.limit;
      });
      if (!id) throw new BudgetExceededError(this.limit, seen.spent + seen.inFlight, tokens);
      return { day, tokens, id };
    });
  }

  /** Replaces a reservation by what the call really used (0 when it failed before an answer). */
  commit(reservation: Reservation, used: number): Promise<void> {
    return this.locked(async () => {
      // The spend is recorded before the reservation goes: a reservation checked meanwhile counts it at least once.
      if (used > 0) await this.addSpent(reservation.day, used);
      if (reservation.id) await this.reservations.release(reservation.day, reservation.id);
    });
  }

  private async addSpent(day: string, used: number): Promise<void> {
    // Instances sharing a store add to the same record: the read-modify-write runs under a store lock.
    await exclusive(this.store, locks.budgetRecord(day), async () => {
      const spent = await this.spent(day);
      // Kept for two days: long enough for "today" in any time zone, and the namespace never grows.
      await this.store.set<SpendRecord>('budget', keys.budget(day), { tokens: spent + used }, 2 * 86_400_000);
    });
  }
}
