/**
 * The daily token budget (config llm.dailyTokenBudget), kept in the store's 'budget' namespace under the UTC day so
 * every command and the bot share it. A call reserves its worst case (estimated prompt + max completion) before it
 * is sent; when that would pass the budget the call is refused and the caller falls back to abstracts. After the
 * answer, the reservation is replaced by the tokens the server reported. Reservations are shared by the instances on
 * the store (src/llm/reservations.ts), and they add their spend to one record under a store lock, so the budget
 * holds across them, calls in flight included.
 *
 * Shares: the scheduled work (digests, their fill-in, the vote's deep-dives) has the digests' expected cost
 * reserved (the most its calls reserved on one of the last 7 days, from the day records, with a 25 % margin;
 * before there is history, an estimate from the config). Members' commands (/critique, questions to papers), run inside `spendAs(account, …)`,
 * share what is left, and one account (platform + workspace + user) at most `llm.memberShare` of it; a refused
 * member call says which share is spent (BudgetExceededError `share`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { z } from 'zod';
import { BudgetExceededError } from '../app/errors';
import type { Store } from '../store';
import { exclusive } from '../store/lock';
import { keys, locks } from '../store/keys';
import { recordKind } from '../store/records';
import { type InFlight, type ReservationStore, StoreReservations } from './reservations';

interface SpendRecord {
  tokens: number;
  /** Tokens of members' commands, per account; the rest of `tokens` is the scheduled work's. */
  members?: Record<string, number>;
  /**
   * What the scheduled work reserved that day (each call's worst case, prompt estimate plus completion cap): the
   * room its calls need when they run at once, which is what the next days reserve for it.
   */
  scheduled?: number;
}

const DAY_MS = 86_400_000;
/** Days of history the digests' expected cost is read from. */
const HISTORY_DAYS = 7;

/**
 * The day's spend (keys.budget), kept for the history of the digests' cost (7 days) and "today" in any time zone.
 * A value this version cannot read counts as no spend recorded, as it always did.
 */
const SPEND_RECORD = recordKind<SpendRecord | undefined>(
  'budget',
  z
    .looseObject({
      tokens: z.number(),
      members: z.record(z.string(), z.number()).optional(),
      scheduled: z.number().optional(),
    })
    .optional()
    .catch(undefined),
  { ttlMs: (HISTORY_DAYS + 2) * DAY_MS },
);

export interface Reservation {
  day: string;
  tokens: number;
  /** The member account the tokens are for; undefined for scheduled work. */
  account?: string;
  /** The shared reservation's id (src/llm/reservations.ts). */
  id?: string;
}

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The expected cost is reserved with this margin: a day with more papers or fewer cache hits costs more. */
const RESERVE_MARGIN = 1.25;

const spender = new AsyncLocalStorage<{ account: string }>();

/** Runs `fn` as a member's command: its LLM calls spend the members' share, and `account`'s part of it. */
export function spendAs<T>(account: string, fn: () => Promise<T>): Promise<T> {
  return spender.run({ account }, fn);
}

/** A member account as limits know it: platform, workspace (Slack team, Discord guild) when known, user id. */
export function accountOf(event: { platform: string; userId: string; workspaceId?: string | undefined }): string {
  return event.workspaceId
    ? `${event.platform}:${event.workspaceId}:${event.userId}`
    : `${event.platform}:${event.userId}`;
}

/**
 * A digest's worst-case cost before any day was recorded: its reviews (full text plus completion), its ranking
 * batches over the shortlist and the day's overview, from the config.
 */
export function estimateDigestCost(
  llm: { shortlist: number; batchSize: number; fullTextTokens: number },
  maxPapers: number,
): number {
  const reviews = maxPapers * (llm.fullTextTokens + 4000);
  const ranking = Math.ceil(llm.shortlist / llm.batchSize) * (llm.batchSize * 350 + 1500);
  return reviews + ranking + 6000;
}

export interface BudgetShares {
  /** The digests' expected daily cost before there is history (default: no reserve). */
  defaultDigestCost?: number;
  /** One member account's part of what the digests leave, in [0, 1] (default 1: the members' whole share). */
  memberShare?: number;
}

export class TokenBudget {
  /** Tokens reserved by calls in flight, in every instance on the store. */
  private readonly reservations: ReservationStore;
  /** Serializes read-modify-write of the day's record within this process. */
  private chain: Promise<unknown> = Promise.resolve();
  /** The digests' expected cost, read once per day. */
  private expected: { day: string; tokens: number } | undefined;

  constructor(
    private readonly store: Store,
    readonly limit: number,
    private readonly now: () => number,
    private readonly shares: BudgetShares = {},
    reservations?: ReservationStore,
  ) {
    this.reservations = reservations ?? new StoreReservations(store, now);
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private record(day: string): Promise<SpendRecord | undefined> {
    return SPEND_RECORD.get(this.store, keys.budget(day));
  }

  async spent(day = utcDay(this.now())): Promise<number> {
    return (await this.record(day))?.tokens ?? 0;
  }

  /**
   * The tokens reserved for the scheduled digests each day: the most their calls reserved (worst cases) on one of
   * the last 7 days, with a margin; the config's estimate before any day was recorded. Never more than the budget.
   */
  async digestReserve(day = utcDay(this.now())): Promise<number> {
    if (this.expected?.day === day) return this.expected.tokens;
    const today = Date.parse(`${day}T00:00:00Z`);
    const days = Array.from({ length: HISTORY_DAYS }, (_, i) => keys.budget(utcDay(today - (i + 1) * DAY_MS)));
    const records = (await SPEND_RECORD.getMany(this.store, days)).filter((r): r is SpendRecord => !!r);
    const digestSpend = records.map((r) => r.scheduled ?? r.tokens - sum(r.members));
    const seen = Math.max(0, ...digestSpend);
    const tokens = Math.min(
      this.limit,
      Math.ceil(seen > 0 ? seen * RESERVE_MARGIN : (this.shares.defaultDigestCost ?? 0)),
    );
    this.expected = { day, tokens };
    return tokens;
  }

  /** Reserves `tokens` for one call, or throws BudgetExceededError (naming the members' share when it is theirs). */
  reserve(tokens: number): Promise<Reservation> {
    const account = spender.getStore()?.account;
    return this.locked(async () => {
      const day = utcDay(this.now());
      let refusal: BudgetExceededError | undefined;
      const id = await this.reservations.tryReserve(
        day,
        tokens,
        async (inFlight) => {
          const record = await this.record(day);
          const spent = record?.tokens ?? 0;
          if (spent + inFlight.total + tokens > this.limit)
            refusal = new BudgetExceededError(this.limit, spent + inFlight.total, tokens);
          else if (account) refusal = await this.memberRefusal({ day, record, account, tokens, inFlight });
          return !refusal;
        },
        account,
      );
      if (!id) throw refusal ?? new BudgetExceededError(this.limit, this.limit, tokens);
      return { day, tokens, id, ...(account ? { account } : {}) };
    });
  }

  /** Why a member's call does not fit what the digests leave, or the account's part of it; undefined when it fits. */
  private async memberRefusal(ask: {
    day: string;
    record: SpendRecord | undefined;
    account: string;
    tokens: number;
    inFlight: InFlight;
  }): Promise<BudgetExceededError | undefined> {
    const { record, account, tokens, inFlight } = ask;
    const reserve = await this.digestReserve(ask.day);
    const membersPool = Math.max(0, this.limit - reserve);
    const membersSpent = sum(record?.members) + inFlight.members;
    if (membersSpent + tokens > membersPool)
      return new BudgetExceededError(this.limit, membersSpent, tokens, { share: 'members', shareTokens: membersPool });
    const accountShare = Math.floor(membersPool * (this.shares.memberShare ?? 1));
    const accountSpent = (record?.members?.[account] ?? 0) + inFlight.account;
    if (accountSpent + tokens > accountShare)
      return new BudgetExceededError(this.limit, accountSpent, tokens, { share: 'member', shareTokens: accountShare });
    return undefined;
  }

  /** Replaces a reservation by what the call really used (0 when it failed before an answer). */
  commit(reservation: Reservation, used: number): Promise<void> {
    return this.locked(async () => {
      // The spend is recorded before the reservation goes: a reservation checked meanwhile counts it at least once.
      if (used > 0) await this.addSpent(reservation, used);
      if (reservation.id) await this.reservations.release(reservation.day, reservation.id);
    });
  }

  private async addSpent(reservation: Reservation, used: number): Promise<void> {
    // Instances sharing a store add to the same record: the read-modify-write runs under a store lock.
    await exclusive(this.store, locks.budgetRecord(reservation.day), async () => {
      const record = await this.record(reservation.day);
      const next: SpendRecord = { tokens: (record?.tokens ?? 0) + used };
      const members = { ...(record?.members ?? {}) };
      if (reservation.account) members[reservation.account] = (members[reservation.account] ?? 0) + used;
      if (Object.keys(members).length) next.members = members;
      const scheduled = (record?.scheduled ?? 0) + (reservation.account ? 0 : reservation.tokens);
      if (scheduled) next.scheduled = scheduled;
      // Kept for the history of the digests' cost (7 days) and "today" in any time zone; the namespace never grows.
      await SPEND_RECORD.set(this.store, keys.budget(reservation.day), next);
    });
  }
}

function sum(values: Record<string, number> | undefined): number {
  return Object.values(values ?? {}).reduce((a, b) => a + b, 0);
}
