/** Closing a vote: reactions read back over the adapter, /vote counted, the bot excluded, removals honoured. */
import { createChatHandler } from '../../src/interactions';
import { createScheduler } from '../../src/scheduler/scheduler';
import { critiquePaper } from '../../src/commands/critique';
import { tallyDigest } from '../../src/jobs/tally';
import { keys } from '../../src/store/keys';
import type { LlmClient } from '../../src/llm/client';
import { loadProfile } from '../../src/profile/profile';
import type { Paper } from '../../src/app/types';
import type { RankingRecord } from '../../src/pipeline/digest';
import { readVotes } from '../../src/votes/book';
import type { CommandEvent } from '../../src/chat/types';
import { SEED_OCT30, fakeRun, makeApp, testConfig } from '../fakes/bot-fixture';

jest.mock('../../src/commands/critique', () => ({ critiquePaper: jest.fn() }));
const critique = critiquePaper as jest.MockedFunction<typeof critiquePaper>;

const DATE = '2025-10-30';

function voteCommand(userId: string, argument: string, privately: string[] = []): CommandEvent {
  return {
    type: 'command',
    platform: 'slack',
    command: 'vote',
    argument,
    userId,
    channelId: 'C0123456789',
    reply: async () => undefined,
    replyPrivately: async (text) => {
      privately.push(text);
    },
  };
}

async function postedDay(opts: { llm?: boolean; winners?: number } = {}) {
  const config = testConfig([
    {
      name: 'nlp',
      schedule: '30 8 * * 1-5',
      timezone: 'America/New_York',
      votes: { emoji: ['+1'], winners: opts.winners ?? 1, explore: 1 },
    },
  ]);
  const bot = await makeApp(config, opts.llm ? { services: { llm: {} as LlmClient } } : {});
  bot.clock.set('2025-10-30T13:00:00Z');
  bot.arxiv.announce(DATE, SEED_OCT30);
  await fakeRun(bot.app, config.digests[0] as never, { date: DATE });
  const handler = createChatHandler(bot.app);
  await bot.slack.init(handler);
  const papers = bot.slack.ofKind('paper');
  const [p0, p1, p2] = papers;
  if (!p0 || !p1 || !p2) throw new Error('digest not posted');
  return { bot, config, handler, p0, p1, p2, digest: config.digests[0] as never };
}

describe('tallyDigest', () => {
  beforeEach(() => {
    critique.mockReset();
    critique.mockImplementation(async (_ctx, _services, input, opts) => {
      const paper = SEED_OCT30.find((p) => p.id === input) as Paper;
      return {
        paper,
        critique: `${opts?.deep ? 'Deep-dive' : 'Critique'} of ${paper.id}: strengths and weaknesses.`,
        cached: false,
        usage: { llmCalls: 1, promptTokens: 100, completionTokens: 50, cachedCalls: 0 },
      };
    });
  });

  test('the right winner, with its deep-dive in the thread; a second tally posts nothing', async () => {
    const { bot, handler, p0, p1, p2, digest } = await postedDay({ llm: true });
    // p1: U1 and U2 live, U3 while the bot was down (only the platform knows), the bot itself (never counts).
    await bot.slack.react(p1, 'U1', '+1');
    await bot.slack.react(p1, 'U2', '+1::skin-tone-3');
    await bot.slack.react(p1, 'U3', 'thumbsup', { live: false });
    await bot.slack.react(p1, 'UBOT', '+1', { live: false });
    // p0: U4 voted and took it back; U5 reacted with an emoji that is not a vote; U6 /voted.
    await bot.slack.react(p0, 'U4', '+1');
    await bot.slack.react(p0, 'U4', '+1', { added: false });
    await bot.slack.react(p0, 'U5', 'eyes');
    const told: string[] = [];
    await handler.processEvent(voteCommand('U6', SEED_OCT30[0]?.id as string, told));
    expect(told[0]).toMatch(/^Your vote for 2510\.26707 counts in the nlp digest of 2025-10-30\./);
    // p2: U7 twice (a reaction and a /vote): one vote.
    await bot.slack.react(p2, 'U7', '+1');
    await handler.processEvent(voteCommand('U7', `https://arxiv.org/abs/${SEED_OCT30[2]?.id}v1`));
    // The live count followed the events.
    const live = await readVotes(bot.store, 'nlp', DATE);
    expect(Object.fromEntries(live.map((r) => [r.paperId, r.count]))).toEqual({
      [SEED_OCT30[1]?.id as string]: 2,
      [SEED_OCT30[0]?.id as string]: 1,
      [SEED_OCT30[2]?.id as string]: 1,
    });

    const result = await tallyDigest(bot.app, digest, DATE);
    expect(result.status).toBe('closed');
    const lines = result.outcome?.lines.map((l) => [l.id, l.votes, l.winner]);
    expect(lines?.slice(0, 3)).toEqual([
      [SEED_OCT30[1]?.id, 3, true],
      [SEED_OCT30[0]?.id, 1, false],
      [SEED_OCT30[2]?.id, 1, false],
    ]);
    expect(result.outcome?.totalVoters).toBe(5);

    const thread = bot.slack.ofKind('digest')[0]?.messageId;
    const tally = bot.slack.ofKind('tally');
    expect(tally).toHaveLength(1);
    expect(tally[0]?.threadId).toBe(thread);
    expect(tally[0]?.message.lines[0]).toEqual({
      paper: { id: SEED_OCT30[1]?.id, version: 1, title: SEED_OCT30[1]?.title },
      votes: 3,
      winner: true,
    });
    const dive = bot.slack.ofKind('deep-dive');
    expect(dive).toHaveLength(1);
    expect(dive[0]?.threadId).toBe(thread);
    expect(dive[0]?.message.paper.id).toBe(SEED_OCT30[1]?.id);
    expect(dive[0]?.message.text).toMatch(/^Deep-dive of/);
    expect(critique).toHaveBeenCalledWith(expect.anything(), expect.anything(), SEED_OCT30[1]?.id, {
      deep: true,
      language: 'en',
    });

    // The outcome is learned from, once.
    const profile = await loadProfile(bot.store, 'nlp');
    expect(profile?.learned).toEqual([DATE]);
    expect(profile?.positives).toBe(3);
    // Five distinct members voted: the day's evidence is log2(1 + 5).
    expect(profile?.evidence).toBeCloseTo(Math.log2(6), 5);

    // A second tally: nothing new posted, no new LLM call, late votes ignored.
    await bot.slack.react(p0, 'U8', '+1');
    const sentBefore = bot.slack.sent.length;
    const again = await tallyDigest(bot.app, digest, DATE);
    expect(again.sent).toEqual([]);
    expect(bot.slack.sent.length).toBe(sentBefore);
    expect(critique).toHaveBeenCalledTimes(1);
    expect((await loadProfile(bot.store, 'nlp'))?.learned).toEqual([DATE]);
    expect(await bot.store.get('votes', keys.voteResult('nlp', DATE))).toBeDefined();
  });

  test('a /critique during the vote teaches the profile at half strength and is not a vote', async () => {
    const { bot, handler, digest } = await postedDay({ llm: true });
    const asked = SEED_OCT30[3] as Paper;
    await handler.processEvent({ ...voteCommand('U9', asked.id), command: 'critique' });
    const result = await tallyDigest(bot.app, digest, DATE);
    expect(result.outcome?.totalVoters).toBe(0);
    expect(result.outcome?.lines.find((l) => l.id === asked.id)?.votes ?? 0).toBe(0);
    const profile = await loadProfile(bot.store, 'nlp');
    expect(profile?.positives).toBe(0);
    expect(profile?.spaces.terms?.pos.weight).toBe(0.5);
  });

  test('ties are broken by the ranking score; a /vote outside the digest is listed', async () => {
    const { bot, handler, p0, p1, digest } = await postedDay({ llm: true, winners: 1 });
    await bot.slack.react(p1, 'U1', '+1');
    await bot.slack.react(p0, 'U2', '+1');
    const outside = SEED_OCT30[8]?.id as string; // listed, not selected
    await handler.processEvent(voteCommand('U3', outside));
    const result = await tallyDigest(bot.app, digest, DATE);
    const lines = result.outcome?.lines ?? [];
    expect(lines[0]?.id).toBe(SEED_OCT30[0]?.id); // score 0.9 beats 0.8
    expect(lines[0]?.winner).toBe(true);
    expect(lines.filter((l) => l.winner)).toHaveLength(1);
    expect(lines.find((l) => l.id === outside)).toMatchObject({ votes: 1, title: SEED_OCT30[8]?.title });
  });

  test('without an LLM the thread says there is no deep-dive', async () => {
    const { bot, p2, digest } = await postedDay();
    await bot.slack.react(p2, 'U1', '+1', { live: false });
    await tallyDigest(bot.app, digest, DATE);
    expect(critique).not.toHaveBeenCalled();
    expect(bot.slack.ofKind('deep-dive')).toEqual([]);
    const note = bot.slack.ofKind('text');
    expect(note).toHaveLength(1);
    expect(note[0]?.message.text).toMatch(new RegExp(`^No deep-dive for the winner ${SEED_OCT30[2]?.id}: no LLM`));
    expect(note[0]?.threadId).toBe(bot.slack.ofKind('digest')[0]?.messageId);
  });

  test("the candidates' texts are read from the stored papers; a record holding them (written before) learns the same", async () => {
    const learnedFrom = async (legacy: boolean) => {
      const { bot, p2, digest } = await postedDay();
      const ranking = await bot.store.get<RankingRecord>('ranking', keys.ranking('nlp', DATE));
      expect(ranking?.candidates).toHaveLength(SEED_OCT30.length);
      expect(ranking?.candidates.every((c) => c.title === undefined && c.abstract === undefined)).toBe(true);
      if (legacy && ranking) {
        const byId = new Map(SEED_OCT30.map((p) => [p.id, p]));
        for (const c of ranking.candidates)
          Object.assign(c, { title: byId.get(c.id)?.title, abstract: byId.get(c.id)?.abstract });
        await bot.store.set('ranking', keys.ranking('nlp', DATE), ranking);
      }
      await bot.slack.react(p2, 'U1', '+1', { live: false });
      await tallyDigest(bot.app, digest, DATE);
      return loadProfile(bot.store, 'nlp');
    };
    const slim = await learnedFrom(false);
    // Every candidate's text counted in the pool: a term only in an unshown candidate's abstract is in df.
    expect(slim?.docs).toBe(SEED_OCT30.length);
    expect(slim).toEqual(await learnedFrom(true));
  });

  test('when the platform cannot be read back, the live count is used', async () => {
    const { bot, p0, p2, digest } = await postedDay();
    await bot.slack.react(p2, 'U1', '+1');
    await bot.slack.react(p2, 'U2', '+1');
    await bot.slack.react(p0, 'U3', '+1', { live: false }); // unseen by the bot, unreadable now
    bot.slack.reactionsDown = true;
    const result = await tallyDigest(bot.app, digest, DATE);
    expect(result.outcome?.lines[0]).toMatchObject({ id: SEED_OCT30[2]?.id, votes: 2, winner: true });
    expect(result.outcome?.lines.find((l) => l.id === SEED_OCT30[0]?.id)?.votes).toBe(0);
  });

  test('without a date it closes the newest posted digest; with none posted it says so', async () => {
    const { bot, digest } = await postedDay();
    expect((await tallyDigest(bot.app, digest)).outcome?.date).toBe(DATE);
    const empty = await makeApp(testConfig([{ name: 'nlp' }]));
    await expect(tallyDigest(empty.app, empty.app.ctx.config.digests[0] as never)).rejects.toThrow(
      /^digest "nlp" was not posted in the last week/,
    );
  });

  test('a vote closing on another instance is left to it', async () => {
    const { bot, digest } = await postedDay();
    expect(await bot.store.acquireLock(`tally:nlp:${DATE}`, 'other-instance', 60_000)).toBe(true);
    expect((await tallyDigest(bot.app, digest, DATE)).status).toBe('busy');
    expect(bot.slack.ofKind('tally')).toEqual([]);
  });

  test('a deep-dive that fails (LLM down) is retried with back-off; the result is not posted twice', async () => {
    const config = testConfig([{ name: 'nlp', schedule: '30 8 * * 1-5', timezone: 'America/New_York' }]);
    const bot = await makeApp(config, { services: { llm: {} as LlmClient } });
    bot.arxiv.announce(DATE, SEED_OCT30);
    const scheduler = createScheduler(bot.app, { run: fakeRun });
    bot.clock.set('2025-10-30T12:30:00Z');
    await scheduler.tick();
    const p0 = bot.slack.ofKind('paper')[0];
    if (!p0) throw new Error('not posted');
    await bot.slack.react(p0, 'U1', '+1', { live: false });
    critique.mockRejectedValueOnce(new Error('LLM request failed: HTTP 503'));
    bot.clock.set('2025-10-31T12:20:00Z');
    expect((await scheduler.tick()).map((o) => o.status)).toEqual(['failed']);
    expect(bot.slack.ofKind('tally')).toHaveLength(1);
    expect(bot.slack.ofKind('deep-dive')).toHaveLength(0);
    bot.clock.set('2025-10-31T12:21:00Z');
    expect(await scheduler.tick()).toEqual([]); // backing off
    bot.clock.set('2025-10-31T12:22:00Z');
    expect((await scheduler.tick()).map((o) => o.status)).toEqual(['closed']);
    expect(bot.slack.ofKind('tally')).toHaveLength(1);
    expect(bot.slack.ofKind('deep-dive')).toHaveLength(1);
  });
});
