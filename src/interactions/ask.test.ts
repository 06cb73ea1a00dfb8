/** The core's handling of a question to a paper (platform-neutral): which paper, where the answer goes, the limits. */
import type { CommandEvent, FormEvent, OutgoingMessage, Platform, ThreadRef } from '../chat/types';
import { createChatHandler } from './index';
import { LlmClient } from '../llm/client';
import { readSignals } from '../votes/book';
import { DISCORD_CHANNEL, SEED_OCT30, SLACK_CHANNEL, fakeRun, makeApp, testConfig } from '../../test/fakes/bot-fixture';
import { type FakeOpenAi, useOpenAiServer } from '../../test/fakes/openai-server';
import type { PostedDigest } from '../jobs/post';

const DATE = '2025-10-30';

let ai: FakeOpenAi;
useOpenAiServer((server) => {
  ai = server;
});

interface Recorded {
  replies: Array<{ message: OutgoingMessage; thread?: ThreadRef }>;
  privately: string[];
}

function ask(
  argument: string,
  opts: { platform?: Platform; channelId?: string; threadId?: string; paper?: string; userId?: string } = {},
): { event: CommandEvent; out: Recorded } {
  const out: Recorded = { replies: [], privately: [] };
  const platform = opts.platform ?? 'slack';
  const event: CommandEvent = {
    type: 'command',
    platform,
    command: 'ask',
    argument,
    ...(opts.paper ? { paper: opts.paper } : {}),
    ...(opts.threadId ? { threadId: opts.threadId } : {}),
    userId: opts.userId ?? 'U1',
    channelId: opts.channelId ?? (platform === 'slack' ? SLACK_CHANNEL : DISCORD_CHANNEL),
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

async function setup(opts: { perHour?: number; llm?: boolean; budget?: number } = {}) {
  const config = testConfig(
    [{ name: 'nlp', maxPapers: 3, channels: [{ slack: SLACK_CHANNEL }, { discord: DISCORD_CHANNEL }] }],
    {
      commands: { asksPerHour: opts.perHour ?? 5 },
      ...(opts.budget ? { llm: { dailyTokenBudget: opts.budget } } : {}),
    },
  );
  const bot = await makeApp(config);
  if (opts.llm !== false)
    bot.app.services.llm = new LlmClient({
      config: bot.app.ctx.config.llm,
      apiKey: 'sk-test-0123456789',
      baseURL: ai.url,
      store: bot.store,
      log: bot.app.ctx.log,
      clock: bot.clock,
    });
  bot.clock.set('2025-10-30T13:05:00Z');
  bot.arxiv.announce(DATE, SEED_OCT30);
  const run = await fakeRun(bot.app, config.digests[0] as never, { date: DATE });
  const posted = (platform: Platform) => run.posted.find((p) => p.platform === platform) as PostedDigest;
  const handler = createChatHandler(bot.app);
  return { bot, handler, posted, papers: SEED_OCT30.slice(0, 3) };
}

describe('a question to a paper', () => {
  test('in a Discord digest thread: answered where it was asked, about the paper named, and learnt from', async () => {
    const { bot, handler, posted, papers } = await setup();
    const thread = posted('discord').thread.threadId;
    const { event, out } = ask('What is new?', { platform: 'discord', channelId: thread, paper: '#2' });
    await handler.processEvent(event);
    expect(out.privately).toEqual([]);
    expect(out.replies).toHaveLength(1);
    // The interaction's own answer is already in the thread: no thread named.
    expect(out.replies[0]?.thread).toBeUndefined();
    expect(out.replies[0]?.message).toMatchObject({
      kind: 'answer',
      paper: { id: papers[1]?.id },
      question: 'What is new?',
    });
    expect(ai.requests.filter((r) => r.schemaName === 'paper_answer')).toHaveLength(1);
    expect(await readSignals(bot.store, 'nlp', DATE)).toEqual([
      { paperId: papers[1]?.id, member: `discord:U1`, kind: 'ask' },
    ]);
  });

  test('Slack /ask #3 in the channel answers in the digest thread', async () => {
    const { handler, posted, papers } = await setup();
    const { event, out } = ask('#3 what is new?');
    await handler.processEvent(event);
    expect(out.replies[0]?.thread).toEqual(posted('slack').thread);
    expect(out.replies[0]?.message).toMatchObject({ kind: 'answer', paper: { id: papers[2]?.id } });
  });

  test('each refusal is one private line of the bot, and costs no call', async () => {
    const { handler, posted } = await setup();
    const thread = posted('slack').thread.threadId;
    const lines: string[] = [];
    for (const [argument, o] of [
      ['', { threadId: thread }],
      ['#9 what?', { threadId: thread }],
      ['what?', { platform: 'discord', channelId: posted('discord').thread.threadId, paper: 'nonsense' }],
      ['what is new?', { channelId: 'C0OTHER001' }],
    ] as const) {
      const { event, out } = ask(argument, o as never);
      await handler.processEvent(event);
      expect(out.replies).toEqual([]);
      lines.push(...out.privately);
    }
    expect(lines).toEqual([
      expect.stringMatching(/^Your question is empty\. Ask a paper in its digest's thread: \/ask #2 which datasets/),
      expect.stringMatching(/^The nlp digest of 2025-10-30 has 3 papers: #1 \d{4}\.\d{5}, #2 \d{4}\.\d{5}, #3 /),
      expect.stringMatching(/^"nonsense" is not a paper: expected its number in the digest \(2 or #2\) or an arXiv id/),
      expect.stringMatching(
        /^Which paper\? No digest thread was found where you asked, and the question names none\. /,
      ),
    ]);
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
    expect(ai.requests).toHaveLength(0);
  });

  test('without an LLM, turned off, or past the budget: a clear line', async () => {
    const noLlm = await setup({ llm: false });
    const a = ask('#1 what?');
    await noLlm.handler.processEvent(a.event);
    expect(a.out.privately).toEqual([expect.stringMatching(/^This bot has no language model configured/)]);

    const off = await setup({ perHour: 0 });
    const b = ask('#1 what?');
    await off.handler.processEvent(b.event);
    expect(b.out.privately).toEqual(['Questions to papers are turned off here (commands.asksPerHour is 0).']);

    const poor = await setup({ budget: 1000 });
    const c = ask('#1 what?');
    await poor.handler.processEvent(c.event);
    expect(c.out.privately).toEqual([
      "Today's LLM budget is spent, so no new answers until tomorrow; sorry. Questions asked before are still answered.",
    ]);
    expect(c.out.replies).toEqual([]);
    expect(ai.requests).toHaveLength(0);
  });

  test("the Ask… form of a Slack card: answered in the paper's digest thread, once for a repeated submission", async () => {
    const { handler, posted, papers } = await setup();
    const digest = posted('slack');
    const paper = papers[1] as (typeof papers)[number];
    const card = digest.papers[paper.id];
    if (!card) throw new Error('card not posted');
    const out: Recorded = { replies: [], privately: [] };
    const submit = (interactionId: string): FormEvent => ({
      type: 'form',
      platform: 'slack',
      form: 'ask',
      paper: { id: paper.id, version: paper.version },
      text: 'Which datasets does it use?',
      interactionId,
      userId: 'U1',
      channelId: card.channelId,
      messageId: card.messageId,
      ...(card.threadId ? { threadId: card.threadId } : {}),
      reply: async (message, thread) => {
        out.replies.push({ message, ...(thread ? { thread } : {}) });
        return undefined;
      },
      replyPrivately: async (text) => {
        out.privately.push(text);
      },
    });
    await handler.processEvent(submit('V1'));
    await handler.processEvent(submit('V2'));
    expect(out.privately).toEqual([]);
    expect(out.replies).toHaveLength(1);
    expect(out.replies[0]?.thread).toEqual(digest.thread);
    expect(out.replies[0]?.message).toMatchObject({ kind: 'answer', paper: { id: paper.id } });
    expect(ai.requests.filter((r) => r.schemaName === 'paper_answer')).toHaveLength(1);
  });
});
