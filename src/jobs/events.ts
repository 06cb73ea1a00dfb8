/**
 * The core's side of chat: /critique, /vote and reaction votes, the same for every platform. Adapters
 * acknowledge within the platform's deadline and hand the normalized event here; everything a member is told
 * privately is one line, and nothing from a paper or a model goes into those lines.
 */
import type { ChatEventHandler, CommandEvent, Platform, ReactionEvent, ThreadRef } from '../chat/types';
import { tryParseArxivId } from '../arxiv/ids';
import { commandExample, usageLine } from '../commands/usage';
import type { Assembly } from './assembly';
import type { PaperMessageRef } from './post';
import { oneLine } from '../app/errors';
import { type SignalKind, addSignal, addVote, removeVote } from '../votes/book';
import { keys } from '../store/keys';
import { currentChannelDigest } from './current';
import { isVoteEmoji, resolveVoteEmoji } from '../votes/emoji';
import { critiquePaper } from '../commands/critique';
import { handleFollowCommand, isFollowCommand } from '../follows/commands';
import { watchVoted } from './versions';
import { handleAsk } from './ask';
import { admitLlmCommand, llmCommandErrorLine } from './limits';

/** The question in the /ask usage example. */
const ASK_EXAMPLE = '#2 which datasets does it use?';

export interface ChatHandlerOptions {
  /** The critique function (default: critiquePaper); injectable for tests. */
  critique?: typeof critiquePaper;
}

export function createChatHandler(app: Assembly, options: ChatHandlerOptions = {}): ChatEventHandler {
  const critique = options.critique ?? critiquePaper;
  const log = app.ctx.log.child({ component: 'chat' });
  /** The usage line, with the command written as the member's platform writes it. */
  const usage = (event: CommandEvent, command: CommandEvent['command']) =>
    usageLine(commandExample(app.adapters[event.platform], command));

  async function onCritique(event: CommandEvent): Promise<void> {
    const parsed = tryParseArxivId(event.argument);
    if (!parsed) {
      await event.replyPrivately(usage(event, 'critique'));
      return;
    }
    const admitted = await admitLlmCommand(app, event, {
      cannot: 'write critiques',
      perHour: app.ctx.config.commands.critiquesPerHour,
      turnedOff: 'Critiques on request are turned off here (commands.critiquesPerHour is 0).',
      key: keys.critiqueUses,
      limitReached: (perHour, minutes) =>
        `You have asked for ${perHour} critiques this hour, the limit per member; please try again in ${minutes} minutes.`,
    });
    if (!admitted) return;
    let result: Awaited<ReturnType<typeof critiquePaper>>;
    try {
      result = await critique(app.ctx, app.services, parsed.id);
    } catch (err) {
      log.warn({ paper: parsed.id, user: event.userId, err: oneLine(err) }, 'critique failed');
      await event.replyPrivately(critiqueErrorLine(parsed.id, err));
      return;
    }
    await recordInterest(event, parsed.id, 'critique');
    const thread = await digestThreadOf(event.platform, event.channelId, parsed.id);
    await event.reply(
      {
        kind: 'critique',
        paper: result.paper,
        critique: result.critique,
        cached: result.cached,
        requestedBy: event.userId,
      },
      thread,
    );
  }

  /**
   * A weaker signal than a vote for the channel's digest while its vote is open: the profile learns from it at
   * half strength (src/profile). A question to a paper (/ask, src/jobs/ask.ts) records 'ask' the same way.
   */
  async function recordInterest(event: CommandEvent, paperId: string, kind: SignalKind): Promise<void> {
    try {
      const current = await currentChannelDigest(app, event.platform, event.channelId);
      if (!current || (await app.ctx.store.get('votes', keys.voteResult(current.digest.name, current.date)))) return;
      await addSignal(app.ctx.store, current.digest.name, current.date, {
        paperId,
        member: keys.voter(event.platform, event.userId),
        kind,
      });
    } catch (err) {
      log.warn({ paper: paperId, err: oneLine(err) }, 'interest signal not recorded');
    }
  }

  /** The thread of today's digest in that channel when the paper is in it. */
  async function digestThreadOf(
    platform: Platform,
    channelId: string,
    paperId: string,
  ): Promise<ThreadRef | undefined> {
    const current = await currentChannelDigest(app, platform, channelId);
    return current?.posted?.papers[paperId] ? current.posted.thread : undefined;
  }

  async function onVote(event: CommandEvent): Promise<void> {
    const parsed = tryParseArxivId(event.argument);
    if (!parsed) {
      await event.replyPrivately(usage(event, 'vote'));
      return;
    }
    const current = await currentChannelDigest(app, event.platform, event.channelId);
    if (!current) {
      await event.replyPrivately('No digest is posted in this channel, so there is no vote here.');
      return;
    }
    const { digest, date } = current;
    if (await app.ctx.store.get('votes', keys.voteResult(digest.name, date))) {
      await event.replyPrivately(
        `The vote on the ${digest.name} digest of ${date} is closed; vote again on the next digest.`,
      );
      return;
    }
    const { isNew } = await addVote(app.ctx.store, {
      digest: digest.name,
      date,
      paper: { id: parsed.id, ...(parsed.version ? { version: parsed.version } : {}) },
      member: keys.voter(event.platform, event.userId),
      source: 'command',
    });
    const inDigest = current.posted?.papers[parsed.id] ? '' : ' (a paper outside the digest)';
    await event.replyPrivately(
      isNew
        ? `Your vote for ${parsed.id}${inDigest} counts in the ${digest.name} digest of ${date}.`
        : `You have already voted for ${parsed.id} in the ${digest.name} digest of ${date}; one vote per member.`,
    );
    // A paper voted for outside the digest is watched in the digest's thread: its new versions are announced there.
    if (current.posted && !current.posted.papers[parsed.id])
      await watchVoted(app, current.posted, parsed).catch((err) =>
        log.warn({ paper: parsed.id, err: oneLine(err) }, 'voted-for paper not watched for new versions'),
      );
  }

  async function onReaction(event: ReactionEvent): Promise<void> {
    const ref = await app.ctx.store.get<PaperMessageRef>(
      'messages',
      keys.message(event.platform, event.channelId, event.messageId),
    );
    if (!ref) return;
    const digest = app.ctx.config.digests.find((d) => d.name === ref.digest);
    if (!digest || !isVoteEmoji(event.emoji, resolveVoteEmoji(digest.votes.emoji))) return;
    if (await app.ctx.store.get('votes', keys.voteResult(ref.digest, ref.date))) return; // closed: the result stands
    const change = {
      digest: ref.digest,
      date: ref.date,
      paper: { id: ref.paperId, version: ref.version, title: ref.title },
      member: keys.voter(event.platform, event.userId),
      source: 'reaction' as const,
    };
    const record = event.added
      ? (await addVote(app.ctx.store, change)).record
      : await removeVote(app.ctx.store, change);
    log.debug({ digest: ref.digest, date: ref.date, paper: ref.paperId, count: record?.count ?? 0 }, 'vote counted');
  }

  return {
    async processEvent(event) {
      try {
        if (event.type === 'reaction') await onReaction(event);
        else if (event.command === 'critique') await onCritique(event);
        else if (isFollowCommand(event.command))
          await handleFollowCommand(app.ctx.store, event, (command, argument) =>
            commandExample(app.adapters[event.platform], command, argument),
          );
        else if (event.command === 'ask')
          await handleAsk(app, event, {
            recordInterest,
            example: (e) => commandExample(app.adapters[e.platform], 'ask', ASK_EXAMPLE),
          });
        else await onVote(event);
      } catch (err) {
        log.error({ type: event.type, platform: event.platform, err: oneLine(err) }, 'chat event failed');
        if (event.type === 'command')
          await event
            .replyPrivately('Sorry, something went wrong on our side; please try again later.')
            .catch(() => {});
      }
    },
  };
}

function critiqueErrorLine(id: string, err: unknown): string {
  return llmCommandErrorLine(id, err, {
    failed: `The critique of ${id} could not be written`,
    budgetSpent: "Today's LLM budget is spent, so no new critiques until tomorrow; sorry. Cached critiques still work.",
  });
}
