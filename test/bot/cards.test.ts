/**
 * The card's buttons through the core's registry, on the memory adapter: Vote toggles the one ballot that 👍 and
 * /vote share (the tally counts it once); Critique and Ask post in the paper's thread once each, a double click
 * being one action; Not for us is a signal the profile learns from; Follow an author and the member's own page.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createChatHandler } from '../../src/interactions';
import { critiquePaper } from '../../src/commands/critique';
import { tallyDigest } from '../../src/jobs/tally';
import { readSignals, readVotes } from '../../src/votes/book';
import type { CommandEvent } from '../../src/chat/types';
import type { Paper } from '../../src/app/types';
import type { RankingRecord } from '../../src/pipeline/digest';
import { memberFollows } from '../../src/follows/book';
import { SEED_OCT30, fakeRun, makeApp, testConfig } from '../fakes/bot-fixture';

jest.mock('../../src/commands/critique', () => ({ critiquePaper: jest.fn() }));
const critique = critiquePaper as jest.MockedFunction<typeof critiquePaper>;

const DATE = '2025-10-30';

async function postedDay(library?: string[]) {
  const config = testConfig([
    {
      name: 'nlp',
      schedule: '30 8 * * 1-5',
      timezone: 'America/New_York',
      votes: { emoji: ['+1'], winners: 1, explore: 1 },
      ...(library ? { library } : {}),
    },
  ]);
  const bot = await makeApp(config, { services: { llm: {} as never } });
  bot.clock.set('2025-10-30T13:00:00Z');
  bot.arxiv.announce(DATE, SEED_OCT30);
  await fakeRun(bot.app, config.digests[0] as never, { date: DATE });
  const handler = createChatHandler(bot.app);
  await bot.slack.init(handler);
  bot.slack.workspace = 'T0001';
  const [p0, p1] = bot.slack.ofKind('paper');
  if (!p0 || !p1) throw new Error('digest not posted');
  return { bot, handler, p0, p1, digest: config.digests[0] as never };
}

function vote(userId: string, argument: string): CommandEvent {
  return {
    type: 'command',
    platform: 'slack',
    command: 'vote',
    argument,
    userId,
    channelId: 'C0123456789',
    reply: async () => undefined,
    replyPrivately: async () => undefined,
  };
}

beforeEach(() => {
  critique.mockReset();
  critique.mockImplementation(async (_ctx, _services, input) => {
    const paper = SEED_OCT30.find((p) => input.startsWith(p.id)) as Paper;
    return {
      paper,
      critique: `Critique of ${paper.id}.`,
      cached: false,
      usage: { llmCalls: 1, promptTokens: 1, completionTokens: 1, cachedCalls: 0 },
    };
  });
});

describe("a card's buttons", () => {
  test('Vote counts once, a second click takes it back, and the tally sees it with 👍 and /vote as one vote', async () => {
    const { bot, handler, p0, p1, digest } = await postedDay();
    await bot.slack.click(p0, 'U1', 'vote');
    expect(bot.slack.voteCounts.at(-1)).toEqual({ messageId: p0.messageId, count: 1 });
    await bot.slack.click(p0, 'U1', 'vote');
    expect(bot.slack.voteCounts.at(-1)).toEqual({ messageId: p0.messageId, count: 0 });
    expect(bot.slack.privately.map((p) => p.text)).toEqual([
      expect.stringMatching(/^Your vote for 2510\.\d+ counts/),
      expect.stringMatching(/^Your vote for 2510\.\d+ is taken back\./),
    ]);
    // U2: the button, 👍 and /vote on p1: one ballot, one vote.
    await bot.slack.click(p1, 'U2', 'vote');
    await bot.slack.react(p1, 'U2', '+1');
    await handler.processEvent(vote('U2', SEED_OCT30[1]?.id as string));
    // U3: the button on p1 and nothing else.
    await bot.slack.click(p1, 'U3', 'vote');
    const live = await readVotes(bot.store, 'nlp', DATE);
    expect(live.find((r) => r.paperId === SEED_OCT30[1]?.id)?.count).toBe(2);
    expect(live.find((r) => r.paperId === SEED_OCT30[0]?.id)?.count ?? 0).toBe(0);
    const result = await tallyDigest(bot.app, digest, DATE);
    expect(result.outcome?.lines.find((l) => l.id === SEED_OCT30[1]?.id)?.votes).toBe(2);
    expect(result.outcome?.totalVoters).toBe(2);
  });

  test("a click naming another paper than the card's is not acted on", async () => {
    const { bot, p0 } = await postedDay();
    await bot.slack.click(p0, 'U1', 'vote', { paper: { id: SEED_OCT30[3]?.id as string, version: 1 } });
    expect(await readVotes(bot.store, 'nlp', DATE)).toEqual([]);
    expect(bot.slack.privately[0]?.text).toMatch(/not one the bot knows/);
  });

  test("Critique posts in the paper's thread once; a double click is one action", async () => {
    const { bot, p0 } = await postedDay();
    await Promise.all([bot.slack.click(p0, 'U1', 'critique'), bot.slack.click(p0, 'U1', 'critique')]);
    const critiques = bot.slack.ofKind('critique');
    expect(critiques).toHaveLength(1);
    expect(critiques[0]?.threadId).toBe(p0.threadId);
    expect(critique).toHaveBeenCalledTimes(1);
    // A critique is a weak signal of interest.
    expect((await readSignals(bot.store, 'nlp', DATE)).map((s) => s.kind)).toEqual(['critique']);
  });

  test('Critique comes privately when the member prefers it (/digest private)', async () => {
    const { bot, handler, p0 } = await postedDay();
    const told: string[] = [];
    await handler.processEvent({
      ...vote('U1', 'private'),
      command: 'digest',
      workspaceId: 'T0001',
      replyPrivately: async (t) => void told.push(t),
    });
    expect(told[0]).toMatch(/Your critiques come privately/);
    await bot.slack.click(p0, 'U1', 'critique');
    expect(bot.slack.ofKind('critique')).toHaveLength(0);
    expect(bot.slack.privately.at(-1)?.text).toMatch(/^Critique of 2510\.\d+v1 \(only you see this\)/);
  });

  test("Ask… opens a one-field form; its submission is answered in the paper's thread once", async () => {
    const { bot, p0 } = await postedDay();
    await bot.slack.click(p0, 'U1', 'ask');
    expect(bot.slack.forms).toEqual([
      { userId: 'U1', form: expect.objectContaining({ form: 'ask', paper: { id: SEED_OCT30[0]?.id, version: 1 } }) },
    ]);
    // No model here answers: the member is told privately, and the same question twice is one action.
    await bot.slack.submit(p0, 'U1', 'ask', 'Which datasets?');
    await bot.slack.submit(p0, 'U1', 'ask', 'Which datasets?');
    expect(bot.slack.privately).toHaveLength(1);
  });

  test('Not for us is a negative signal, acknowledged privately, once', async () => {
    const { bot, p1 } = await postedDay();
    await bot.slack.click(p1, 'U1', 'not-for-us');
    await bot.slack.click(p1, 'U1', 'not-for-us');
    expect(await readSignals(bot.store, 'nlp', DATE)).toEqual([
      { paperId: SEED_OCT30[1]?.id, member: 'slack:U1', kind: 'not-for-us' },
    ]);
    expect(bot.slack.privately.map((p) => p.text)).toEqual([expect.stringMatching(/is not for us/)]);
  });

  test('Why? says in one line what lifted the paper', async () => {
    const { bot, p0 } = await postedDay();
    await bot.slack.click(p0, 'U1', 'why');
    const line = bot.slack.privately[0]?.text ?? '';
    expect(line).toMatch(/^Why 2510\.\d+: /);
    expect(line.split('\n')).toHaveLength(1);
  });

  test("Why? names the reading-list entries that lifted the paper (the digest's library:)", async () => {
    // A reading list of two: one like the first card's paper, one about something else entirely.
    const first = (await postedDay()).p0.message.paper;
    const dir = mkdtempSync(path.join(tmpdir(), 'why-library-'));
    const file = path.join(dir, 'reading.json');
    writeFileSync(
      file,
      JSON.stringify([
        { type: 'article', title: `Our notes: ${first.title}`, abstract: first.abstract },
        { type: 'article', title: 'Glacier mass balance', abstract: 'Ice cores and snowfall in the Alps since 1900.' },
      ]),
    );
    const { bot } = await postedDay([file]);
    // The ranker's record as a real run leaves it when the reading list lifted the paper (fakeRun writes no boost).
    const key = `nlp:${DATE}`;
    const ranking = (await bot.store.get<RankingRecord>('ranking', key)) as RankingRecord;
    for (const c of ranking.candidates) if (c.id === first.id) c.boost = 0.4;
    await bot.store.set('ranking', key, ranking);
    const card = bot.slack.ofKind('paper').find((p) => p.message.paper.id === first.id);
    if (!card) throw new Error('the paper like the reading list was not posted');
    await bot.slack.click(card, 'U1', 'why');
    const line = bot.slack.privately[0]?.text ?? '';
    expect(line).toContain("it is like your reading list's “Our notes:");
    expect(line).toContain("the team's votes and reading list lifted it (+0.40)");
    expect(line).not.toContain('Glacier');
    expect(line.split('\n')).toHaveLength(1);
  });

  test('Follow an author follows the card author picked by index; the page lists it and removes it', async () => {
    const { bot, p0 } = await postedDay();
    const author = SEED_OCT30[0]?.authors[1] as string;
    await bot.slack.click(p0, 'U1', 'follow-author', { value: '1' });
    expect(bot.slack.privately[0]?.text).toMatch(/^You now follow the author/);
    const scope = { platform: 'slack', workspace: 'T0001' };
    expect((await memberFollows(bot.store, scope, 'U1')).authors).toHaveLength(1);
    await bot.slack.click(p0, 'U1', 'vote');
    await bot.slack.openHome('U1');
    const page = bot.slack.pages.at(-1)?.page;
    expect(page?.follows).toEqual([
      { kind: 'author', value: expect.stringContaining(author.split(' ').at(-1) as string) },
    ]);
    expect(page?.recent.map((r) => [r.paper.id, r.what])).toEqual([[SEED_OCT30[0]?.id, 'voted']]);
    const follow = page?.follows[0];
    await bot.slack.click(p0, 'U1', 'unfollow', { value: `${follow?.kind}:${follow?.value}` });
    expect((await memberFollows(bot.store, scope, 'U1')).authors).toEqual([]);
    expect(bot.slack.pages.at(-1)?.page.follows).toEqual([]);
  });

  test("the page says what the team's votes taught the digest, with an example paper each", async () => {
    const { bot, p1, digest } = await postedDay();
    await bot.slack.click(p1, 'U1', 'vote');
    await bot.slack.click(p1, 'U2', 'vote');
    await tallyDigest(bot.app, digest, DATE);
    await bot.slack.openHome('U1');
    const learned = bot.slack.pages.at(-1)?.page.learned ?? [];
    expect(learned.map((l) => l.digest)).toEqual(['nlp']);
    const themes = learned[0]?.themes ?? [];
    expect(themes.length).toBeGreaterThan(0);
    expect(themes.length).toBeLessThanOrEqual(5);
    // The one paper voted for is the example of the terms it taught (a term it has among its strongest).
    expect(themes.some((t) => t.example?.id === SEED_OCT30[1]?.id)).toBe(true);
    expect(themes.every((t) => !t.example || t.example.id === SEED_OCT30[1]?.id)).toBe(true);
  });
});
