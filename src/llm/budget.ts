/**
 * The daily token budget (config llm.dailyTokenBudget), kept in the store's 'budget' namespace under the UTC day so
 * every command and the bot share it. A call reserves its worst case (estimated prompt + max completion) before it
 * is sent; when that would pass the budget the call is refused and the caller falls back to abstracts. After the
 * answer, the reservation is replaced by the tokens the server reported. Reservations are per process; instances
 * sharing a store add their spend to one record under a store lock, so the budget holds across them to within the
 * calls in flight.
 */
import { BudgetExceededError } from '../app/errors';
import type { Store } from '../store';
import { exclusive } from '../store/lock';
import { keys, locks } from '../store/keys';

interface SpendRecord {
  tokens: number;
}

export interface Reservation {
  day: string;
  tokens: number;
}

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export class TokenBudget {
  /** Tokens reserved by calls in flight in this process, per day. */
  private readonly reserved = new Map<string, number>();
  /** Serializes read-modify-write of the day's record within this process. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    readonly limit: number,
    private readonly now: () => number,
  ) {}

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
      const spent = await this.spent(day);
      const inFlight = this.reserved.get(day) ?? 0;
      if (spent + inFlight + tokens > this.limit) throw new BudgetExceededError(this.limit, spent + inFlight, tokens);
      this.reserved.set(day, inFlight + tokens);
      return { day, tokens };
    });
  }

  /** Replaces a reservation by what the call really used (0 when it failed before an answer). */
  commit(reservation: Reservation, used: number): Promise<void> {
    return this.locked(async () => {
      const left = (this.reserved.get(reservation.day) ?? 0) - reservation.tokens;
      if (left > 0) this.reserved.set(reservation.day, left);
      else this.reserved.delete(reservation.day);
      if (used <= 0) return;
      // Instances sharing a store add to the same record: the read-modify-write runs under a store lock.
      await exclusive(this.store, locks.budgetRecord(reservation.day), async () => {
        const spent = await this.spent(reservation.day);
        // Kept for two days: long enough for "today" in any time zone, and the namespace never grows.
        await this.store.set<SpendRecord>(
          'budget',
          keys.budget(reservation.day),
          { tokens: spent + used },
          2 * 86_400_000,
        );
      });
    });
  }
}
