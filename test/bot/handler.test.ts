/** The core's chat command handling, shared by Slack and Discord: /critique, /vote and reactions. */
import type { CommandEvent, OutgoingMessage, Platform, ThreadRef } from '../../src/chat/types';
import { createChatHandler } from '../../src/interactions';
import type { critiquePaper } from '../../src/commands/critique';
import { tallyDigest } from '../../src/jobs/tally';
import { ArxivDigestError, ErrorCode, PaperNotFoundError } from '../../src/app/errors';
import type { LlmClient } from '../../src/llm/client';
import { readVotes } from '../../src/votes/book';
import type { Paper } from '../../src/app/types';
import { DISCORD_CHANNEL, SEED_OCT30, fakeRun, makeApp, testConfig } from '../fakes/bot-fixture';

const DATE = '2025-10-30';

interface Recorded {
  replies: Array<{ message: OutgoingMessage; thread?: ThreadRef }>;
  privately: string[];
}

function command(
  command: 'critique' | 'vote',
  argument: string,
  opts: { userId?: string; platform?: Platform; channelId?: string } = {},
): { event: CommandEvent; out: Recorded } {
  const out: Recorded = { replies: [], privately: [] };
  const platform = opts.platform ?? 'slack';
  const event: CommandEvent = {
    type: 'command',
    platform,
    command,
    argument,
    userId: opts.userId ?? 'U1',
    channelId: opts.channelId ?? (platform === 'slack' ? 'C0123456789' : DISCORD_CHANNEL),
    reply: async (message, thread) => {
      out.replies.push({ message, ...(thread ? { thread } : {}) });
      return undefined;
    },
    replyPrivately: async (text) => {
      out.privately.push(text);
    },
  };
  return { event, out };
}

async function setup(opts: { perHour?: number; llm?: boolean; critique?: jest.Mock } = {}) {
  const config = testConfig([{ name: 'nlp', channels: [{ slack: 'C0123456789' }, { discord: DISCORD_CHANNEL }] }], {
    commands: { critiquesPerHour: opts.perHour ?? 5 },
  });
  const bot = await makeApp(config, opts.llm === false ? {} : { services: { llm: {} as LlmClient } });
  bot.clock.set('2025-10-30T13:05:00Z');
  bot.arxiv.announce(DATE, SEED_OCT30);
  await fakeRun(bot.app, config.digests[0] as never, { date: DATE });
  const critique =
    opts.critique ??
    jest.fn(async (_ctx, _services, input: string) => {
      const paper = SEED_OCT30.find((p) => p.id === input.replace(/v\d+$/, ''));
      if (!paper) throw new PaperNotFoundError(input);
      return {
        paper,
        critique: `Critique of ${paper.id}.`,
        cached: false,
        usage: { llmCalls: 1, promptTokens: 1, completionTokens: 1, cachedCalls: 0 },
      };
    });
  const handler = createChatHandler(bot.app, { critique: critique as unknown as typeof critiquePaper });
  return { bot, handler, critique };
}

describe('/critique', () => {
  test('a malformed id gets a private usage line with an example and costs no critique', async () => {
    const { handler, critique } = await setup();
    const { event, out } = command('critique', 'not-an-id');
    await handler.processEvent(event);
    expect(out.privately).toEqual([
      expect.stringMatching(/^Usage: \/critique 2510\.26707 \(an arXiv id or URL, e\.g\./),
    ]);
    expect(out.replies).toEqual([]);
    expect(critique).not.toHaveBeenCalled();
    const discord = command('critique', '2510.9', { platform: 'discord' });
    await handler.processEvent(discord.event);
    expect(discord.out.privately[0]).toMatch(/^Usage: \/critique paper:2510\.26707 /);
  });

  test('a paper of today’s digest is critiqued in the digest’s thread; another paper in the channel', async () => {
    const { bot, handler, critique } = await setup();
    const inDigest = SEED_OCT30[1] as Paper;
    const a = command('critique', `https://arxiv.org/abs/${inDigest.id}v1`);
    await handler.processEvent(a.event);
    expect(critique).toHaveBeenCalledWith(expect.anything(), expect.anything(), inDigest.id);
    expect(a.out.privately).toEqual([]);
    expect(a.out.replies).toHaveLength(1);
    expect(a.out.replies[0]?.message).toMatchObject({
      kind: 'critique',
      critique: `Critique of ${inDigest.id}.`,
      requestedBy: 'U1',
    });
    expect(a.out.replies[0]?.thread).toEqual({
      platform: 'slack',
      channelId: 'C0123456789',
      threadId: bot.slack.ofKind('digest')[0]?.messageId,
    });
    const outside = command('critique', SEED_OCT30[9]?.id as string, { userId: 'U2' });
    await handler.processEvent(outside.event);
    expect(outside.out.replies[0]?.message.kind).toBe('critique');
    expect(outside.out.replies[0]?.thread).toBeUndefined();
  });

  test('the per-member rate limit answers politely, per member and per hour', async () => {
    const { bot, handler, critique } = await setup({ perHour: 2 });
    const id = SEED_OCT30[0]?.id as string;
    for (let i = 0; i < 2; i++) await handler.processEvent(command('critique', id).event);
    const third = command('critique', id);
    await handler.processEvent(third.event);
    expect(third.out.replies).toEqual([]);
    expect(third.out.privately).toEqual([
      'You have asked for 2 critiques this hour, the limit per member; please try again in 55 minutes.',
    ]);
    expect(critique).toHaveBeenCalledTimes(2);
    const other = command('critique', id, { userId: 'U9' });
    await handler.processEvent(other.event);
    expect(other.out.replies).toHaveLength(1);
    bot.clock.set('2025-10-30T14:00:00Z');
    const later = command('critique', id);
    await handler.processEvent(later.event);
    expect(later.out.replies).toHaveLength(1);
  });

  test('errors become one private line: unknown paper, budget spent, LLM down, no LLM', async () => {
    const { handler } = await setup();
    const unknown = command('critique', '2510.99999');
    await handler.processEvent(unknown.event);
    expect(unknown.out.privately).toEqual(['arXiv has no paper 2510.99999; check the id (e.g. 2510.26707).']);

    const budget = await setup({
      critique: jest.fn(async () => {
        throw new ArxivDigestError(ErrorCode.BudgetExceeded, 'daily token budget of 2000000 reached');
      }),
    });
    const b = command('critique', '2510.26707');
    await budget.handler.processEvent(b.event);
    expect(b.out.privately[0]).toMatch(/^Today's LLM budget is spent/);

    const down = await setup({
      critique: jest.fn(async () => {
        throw new ArxivDigestError(ErrorCode.LlmError, 'LLM request failed: HTTP 503 from http://127.0.0.1/v1');
      }),
    });
    const d = command('critique', '2510.26707');
    await down.handler.processEvent(d.event);
    expect(d.out.privately).toEqual([
      'The critique of 2510.26707 could not be written: the language model is unavailable right now. Please try again later.',
    ]);

    const none = await setup({ llm: false });
    const n = command('critique', '2510.26707');
    await none.handler.processEvent(n.event);
    expect(n.out.privately[0]).toMatch(/no language model configured/);
    expect(none.critique).not.toHaveBeenCalled();
  });
});

describe('/vote and reactions', () => {
  test('/vote records one vote per member, also outside the digest, and confirms privately', async () => {
    const { bot, handler } = await setup();
    const a = command('vote', SEED_OCT30[0]?.id as string);
    await handler.processEvent(a.event);
    const again = command('vote', `arXiv:${SEED_OCT30[0]?.id}`);
    await handler.processEvent(again.event);
    const outside = command('vote', '2509.25189', { platform: 'discord', userId: '111111111111111111' });
    await handler.processEvent(outside.event);
    expect(a.out.privately).toEqual([`Your vote for ${SEED_OCT30[0]?.id} counts in the nlp digest of 2025-10-30.`]);
    expect(again.out.privately[0]).toMatch(/already voted/);
    expect(outside.out.privately).toEqual([
      'Your vote for 2509.25189 (a paper outside the digest) counts in the nlp digest of 2025-10-30.',
    ]);
    const votes = await readVotes(bot.store, 'nlp', DATE);
    expect(votes.map((v) => [v.paperId, v.count])).toEqual([
      [SEED_OCT30[0]?.id, 1],
      ['2509.25189', 1],
    ]);
    const bad = command('vote', '12345');
    await handler.processEvent(bad.event);
    expect(bad.out.privately[0]).toMatch(/^Usage: \/vote 2510\.26707/);
  });

  test('/vote in a channel without a digest, and after the vote closed', async () => {
    const { bot, handler } = await setup();
    const elsewhere = command('vote', '2510.26707', { channelId: 'C9999999999' });
    await handler.processEvent(elsewhere.event);
    expect(elsewhere.out.privately).toEqual(['No digest is posted in this channel, so there is no vote here.']);
    await tallyDigest(bot.app, bot.app.ctx.config.digests[0] as never, DATE);
    const late = command('vote', '2510.26707');
    await handler.processEvent(late.event);
    expect(late.out.privately[0]).toMatch(/^The vote on the nlp digest of 2025-10-30 is closed/);
  });

  test('reactions: vote emoji on digest papers count, once per member; others are ignored', async () => {
    const { bot, handler } = await setup();
    await bot.slack.init(handler);
    const [p0] = bot.slack.ofKind('paper');
    const parent = bot.slack.ofKind('digest')[0];
    if (!p0 || !parent) throw new Error('not posted');
    await bot.slack.react(p0, 'U1', '+1');
    await bot.slack.react(p0, 'U1', 'thumbsup'); // the same member again: still one vote
    await bot.slack.react(p0, 'U2', 'heart'); // not a vote emoji here
    await bot.slack.react(parent, 'U3', '+1'); // the digest's top message is no paper
    let votes = await readVotes(bot.store, 'nlp', DATE);
    expect(votes.map((v) => [v.paperId, v.count])).toEqual([[SEED_OCT30[0]?.id, 1]]);
    await bot.slack.react(p0, 'U1', '+1', { added: false });
    votes = await readVotes(bot.store, 'nlp', DATE);
    expect(votes[0]?.count).toBe(0);
    // Discord's unicode thumbs-up on the Discord copy of the digest counts too.
    await bot.discord.init(handler);
    const d0 = bot.discord.ofKind('paper')[0];
    if (!d0) throw new Error('not posted on discord');
    await bot.discord.react(d0, '222222222222222222', '👍');
    votes = await readVotes(bot.store, 'nlp', DATE);
    expect(votes[0]?.members).toEqual({ 'discord:222222222222222222': ['reaction'] });
  });

  test('on Discord, /critique typed inside the digest thread answers in that thread', async () => {
    const { bot, handler } = await setup();
    const thread = bot.discord.ofKind('paper')[0]?.threadId as string;
    expect(thread).toBeDefined();
    const c = command('critique', SEED_OCT30[3]?.id as string, { platform: 'discord', channelId: thread });
    await handler.processEvent(c.event);
    expect(c.out.replies[0]?.thread).toEqual({ platform: 'discord', channelId: DISCORD_CHANNEL, threadId: thread });
    const v = command('vote', SEED_OCT30[3]?.id as string, { platform: 'discord', channelId: thread });
    await handler.processEvent(v.event);
    expect(v.out.privately[0]).toMatch(/counts in the nlp digest of 2025-10-30/);
  });
});
