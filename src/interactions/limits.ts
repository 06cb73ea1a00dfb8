/**
 * The limits in front of handlers, as registry middleware: the member's hourly allowance of an LLM command (and
 * with it the model being configured and the budget's share, src/jobs/limits.ts), "a digest posts here", "its vote
 * is open", "the click is on one of our cards", and "this click was taken already" (a double click is one action).
 */
import type { Middleware } from './registry';
import { type LlmCommandGate, admitLlmCommand, takeOnce, takenMark } from '../jobs/limits';
import { currentChannelDigest } from '../jobs/current';
import { keys, locks } from '../store/keys';
import { voteClosed } from '../jobs/tally';

/** How long a click is remembered as taken: a double click or a redelivery comes within seconds. */
const TAKEN_TTL_MS = 10 * 60_000;
/** A click already acted on ('ratelimit', keys.actionTaken). */
const TAKEN = takenMark(TAKEN_TTL_MS);

/** The member's hourly allowance of an LLM command: one use counted when it passes. */
export function llmAllowance(gate: (ix: Parameters<Middleware>[0]) => LlmCommandGate): Middleware {
  return async (ix, next) => {
    const event = {
      platform: ix.platform,
      userId: ix.member.userId,
      ...(ix.member.workspaceId ? { workspaceId: ix.member.workspaceId } : {}),
      replyPrivately: ix.replyPrivately,
    };
    const admitted = await admitLlmCommand(ix.app, event, gate(ix));
    // The handler's LLM work spends the member's share of the daily budget (src/llm/budget.ts).
    if (admitted) await admitted.run(next);
  };
}

/** A digest posts in this channel (or this is its thread): sets `ix.current`. */
export const digestHere: Middleware = async (ix, next) => {
  const current = await currentChannelDigest(ix.app, ix.platform, ix.channelId);
  if (!current) {
    await ix.replyPrivately('No digest is posted in this channel, so there is no vote here.');
    return;
  }
  ix.current = current;
  await next();
};

/** The current digest's vote is still open (after `digestHere`). */
export const voteOpen: Middleware = async (ix, next) => {
  const current = ix.current;
  if (current && (await voteClosed(ix.app.ctx.store, current.digest.name, current.date))) {
    await ix.replyPrivately(
      `The vote on the ${current.digest.name} digest of ${current.date} is closed; vote again on the next digest.`,
    );
    return;
  }
  await next();
};

/** The click is on one of the bot's cards, naming the paper the card shows. */
export const onCard: Middleware = async (ix, next) => {
  if (!ix.card) {
    await ix.replyPrivately('This card is not one the bot knows (an old digest, or not its paper); nothing was done.');
    return;
  }
  await next();
};

/**
 * Lets a click through once per member, action and subject within minutes (the paper; for a form also what was
 * typed): a double click, or a platform's redelivery, is one action.
 */
export function once(action: string, subject: (ix: Parameters<Middleware>[0]) => string): Middleware {
  return async (ix, next) => {
    const key = keys.actionTaken(ix.platform, ix.member.userId, action, subject(ix));
    const first = await takeOnce(ix.app.ctx.store, locks.actionRecord(ix.platform, ix.member.userId), TAKEN, key);
    if (!first) {
      ix.log.debug({ action, user: ix.member.userId }, 'click taken already: one action');
      return;
    }
    await next();
  };
}
