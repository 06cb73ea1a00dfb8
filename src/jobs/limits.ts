/** A member's hourly allowance of a command (/critique, questions to papers), shared by every instance on the store. */
import { z } from 'zod';
import type { CommandEvent } from '../chat/types';
import type { Store } from '../store';
import { type RecordKind, recordKind } from '../store/records';
import type { Assembly } from './assembly';
import { BudgetExceededError, ErrorCode, isArxivDigestError } from '../app/errors';
import { accountOf, spendAs } from '../llm/budget';
import { locks } from '../store/keys';
import { exclusive } from '../store/lock';

const HOUR = 3_600_000;

/** A member's uses of a command in one hourly window ('ratelimit', keys.critiqueUses / keys.askUses), kept two hours. */
const HOURLY_USES = recordKind<number>('ratelimit', z.number(), { ttlMs: 2 * HOUR });

/** A mark that something was taken already ('ratelimit': a delivery, a click acted on), kept `ttlMs`. */
export function takenMark(ttlMs: number): RecordKind<boolean> {
  return recordKind<boolean>('ratelimit', z.boolean(), { ttlMs });
}

/** True the first time `key` is taken (under the store mutex `lock`, so two instances never both take it). */
export function takeOnce(store: Store, lock: string, mark: RecordKind<boolean>, key: string): Promise<boolean> {
  return exclusive(store, lock, async () => {
    if (await mark.get(store, key)) return false;
    await mark.set(store, key, true);
    return true;
  });
}

/**
 * Counts one use in the member's fixed hourly window under `key` (one of keys.critiqueUses, keys.askUses); false
 * when the window's `perHour` uses are spent.
 */
export async function takeHourlyUse(
  app: Assembly,
  event: Pick<CommandEvent, 'platform' | 'userId' | 'workspaceId'>,
  perHour: number,
  key: (platform: string, userId: string, hourWindow: number) => string,
): Promise<boolean> {
  // Per account: the workspace (Slack team, Discord guild) and the user; each platform counts on its own.
  const user = event.workspaceId ? `${event.workspaceId}:${event.userId}` : event.userId;
  const stored = key(event.platform, user, Math.floor(app.ctx.clock.now() / HOUR));
  return exclusive(app.ctx.store, locks.rateLimitRecord(event.platform, user), async () => {
    const used = (await HOURLY_USES.get(app.ctx.store, stored)) ?? 0;
    if (used >= perHour) return false;
    await HOURLY_USES.set(app.ctx.store, stored, used + 1);
    return true;
  });
}

/** Whole minutes until the next hourly window opens (at least 1), for "try again in N minutes". */
export function minutesToNextHour(now: number): number {
  return Math.max(1, Math.ceil((HOUR - (now % HOUR)) / 60_000));
}

/** What a command that spends LLM tokens on a member's request says when it cannot. */
export interface LlmCommandGate {
  /** "write critiques", "answer questions about papers": what the bot cannot do without a model. */
  cannot: string;
  /** The member's hourly allowance (0: the command is turned off). */
  perHour: number;
  /** The reply when the allowance is 0. */
  turnedOff: string;
  /** The store key of the member's hourly count (keys.critiqueUses, keys.askUses). */
  key: (platform: string, userId: string, hourWindow: number) => string;
  /** The reply when the hour's allowance is spent. */
  limitReached: (perHour: number, minutes: number) => string;
}

/** A member's command let through: `run` its LLM work so it spends the members' share of the budget. */
export interface AdmittedCommand {
  run<T>(work: () => Promise<T>): Promise<T>;
}

/**
 * Lets a member's LLM command through, or answers them privately why not: no model configured, the command turned
 * off, or their hourly allowance spent (one use counted when it passes).
 */
export async function admitLlmCommand(
  app: Assembly,
  event: Pick<CommandEvent, 'platform' | 'userId' | 'workspaceId' | 'replyPrivately'>,
  gate: LlmCommandGate,
): Promise<AdmittedCommand | false> {
  if (!app.services.llm) {
    await event.replyPrivately(
      `This bot has no language model configured (OPENAI_API_KEY), so it cannot ${gate.cannot}.`,
    );
    return false;
  }
  if (gate.perHour === 0) {
    await event.replyPrivately(gate.turnedOff);
    return false;
  }
  if (!(await takeHourlyUse(app, event, gate.perHour, gate.key))) {
    await event.replyPrivately(gate.limitReached(gate.perHour, minutesToNextHour(app.ctx.clock.now())));
    return false;
  }
  const account = accountOf(event);
  return { run: (work) => spendAs(account, work) };
}

/**
 * The one line a member gets when their LLM command failed: `failed` says what could not be done ("The critique of
 * 2510.26707 could not be written"), `budgetSpent` what the spent daily budget means for this command.
 */
export function llmCommandErrorLine(id: string, err: unknown, words: { failed: string; budgetSpent: string }): string {
  if (isArxivDigestError(err)) {
    if (err.code === ErrorCode.PaperNotFound) return `arXiv has no paper ${id}; check the id (e.g. 2510.26707).`;
    if (err instanceof BudgetExceededError && err.share === 'member')
      return `${words.failed}: your share of today's LLM budget is spent (each member gets part of what the scheduled digests leave); it renews at 00:00 UTC.`;
    if (err instanceof BudgetExceededError && err.share === 'members')
      return `${words.failed}: the members' share of today's LLM budget is spent (the scheduled digests keep theirs); it renews at 00:00 UTC.`;
    if (err.code === ErrorCode.BudgetExceeded) return words.budgetSpent;
    if (err.code === ErrorCode.LlmError || err.code === ErrorCode.LlmBadAnswer)
      return `${words.failed}: the language model is unavailable right now. Please try again later.`;
    if (err.code === ErrorCode.HttpError)
      return `${words.failed}: arXiv or the language model did not answer. Please try again later.`;
  }
  return `${words.failed} right now. Please try again later.`;
}
