/**
 * Ask the paper, end to end: the bot as `start` runs it (HTTP mode, both platforms), a digest posted by the real
 * pipeline (arXiv, the LLM, Slack and Discord all local fakes speaking their protocols), then members' questions in
 * the digest's thread: a Slack message mentioning the bot, Slack's /ask, Discord's /ask in the thread.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Bot, startBot } from '../../src/bot';
import { parseConfig } from '../../src/config/load';
import { createAdapters, PLATFORM_CONFIG } from '../../src/cli/adapters';
import type { Assembly } from '../../src/jobs/assembly';
import { runDigest } from '../../src/jobs/run';
import { createContext } from '../../src/context';
import { createServices } from '../../src/jobs/services';
import { openStore, type Store } from '../../src/store';
import { type ArxivServer, startSeedArxiv } from '../fakes/arxiv-server';
import {
  commandInteraction,
  type FakeDiscordServer,
  InteractionSigner,
  postInteraction,
  startFakeDiscord,
} from '../fakes/discord-server';
import { type FakeOpenAi, startOpenAiServer } from '../fakes/openai-server';
import {
  appMentionEventBody,
  FakeSlackServer,
  type FakeMessage,
  postSigned,
  slashCommandBody,
} from '../fakes/slack-server';
import type { Clock } from '../../src/context';
import { standInEnv } from '../helpers/stand-ins';
import { recordingLogger } from '../helpers/log-lines';
import { until as waitUntil } from '../helpers/wait';

const SLACK_CHANNEL = 'C0123456789';
const DISCORD_CHANNEL = '123456789012345678';
const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const PICKS = ['2510.26143', '2510.26352', '2510.26788'];
const ASKS_PER_HOUR = 4;
/** The seed day's afternoon, running at real speed (signed requests carry this clock's time); sleeps are instant. */
const SHIFT = Date.parse('2025-10-30T15:00:00Z') - Date.now();
const clock: Clock = { now: () => Date.now() + SHIFT, sleep: async () => {} };
const nowSec = () => Math.floor(clock.now() / 1000);
const signed = {
  signingSecret: SIGNING_SECRET,
  get timestampSec() {
    return nowSec();
  },
};

/** What the bot logs when a question it already took is delivered again. */
const DELIVERED_AGAIN = 'question delivered again: already taken';
const logs = recordingLogger();

/** Waits until `check` holds (the bot answers after acknowledging). */
const until = (check: () => boolean, what: string) => waitUntil(what, check);

describe('ask the paper: a question in a digest thread is answered there, from the full text, once', () => {
  let arxiv: ArxivServer;
  let openai: FakeOpenAi;
  let slack: FakeSlackServer;
  let discord: FakeDiscordServer;
  let store: Store;
  let bot: Bot;
  let base: string;
  let slackThread: string;
  let discordThread: string;
  const signer = new InteractionSigner();
  let order: string[] = [];

  const answers = () => openai.requests.filter((r) => r.schemaName === 'paper_answer');
  const slackReplies = (): FakeMessage[] =>
    slack.posted(SLACK_CHANNEL).filter((m) => m.thread_ts === slackThread && /Q:\*/.test(m.text));
  const ephemerals = () => slack.callsTo('chat.postEphemeral').map((c) => String(c.params.text));
  const mention = (text: string, opts: { user?: string; thread?: string | null; ts?: string } = {}) =>
    postSigned(
      `${base}/slack/events`,
      appMentionEventBody({
        user: opts.user ?? 'U0MEMBER01',
        text: `<@${slack.botUserId}> ${text}`,
        channel: SLACK_CHANNEL,
        ...(opts.thread === null ? {} : { thread_ts: opts.thread ?? slackThread }),
        ...(opts.ts ? { ts: opts.ts } : {}),
      }),
      signed,
    );

  beforeAll(async () => {
    [arxiv, openai, slack, discord] = await Promise.all([
      startSeedArxiv(),
      startOpenAiServer(),
      FakeSlackServer.start(),
      startFakeDiscord({ channels: [DISCORD_CHANNEL] }),
    ]);
    openai.prefer(PICKS, 9);
    store = await openStore(`sqlite://${path.join(mkdtempSync(path.join(tmpdir(), 'ask-')), 'bot.sqlite')}`);
    const env: NodeJS.ProcessEnv = {
      ...standInEnv({ arxiv, openai, slack }),
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      DISCORD_TOKEN: discord.token,
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_PUBLIC_KEY: signer.publicKeyHex,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_GATEWAY: 'off',
    };
    const config = parseConfig(
      {
        digests: [
          {
            name: 'nlp',
            categories: ['cs.CL'],
            interests: 'Reinforcement learning and preference optimization for LLMs; alignment; reasoning; agents.',
            maxPapers: 3,
            channels: [{ slack: SLACK_CHANNEL }, { discord: DISCORD_CHANNEL }],
          },
        ],
        llm: { model: 'test-model' },
        commands: { asksPerHour: ASKS_PER_HOUR },
      },
      'test',
      PLATFORM_CONFIG,
    );
    const ctx = createContext({ config, store, log: logs.log, env, clock });
    const app: Assembly = { ctx, services: createServices(ctx), adapters: createAdapters(ctx) };
    bot = await startBot(app, { port: 0, host: '127.0.0.1', signals: false, catchUp: false });
    base = `http://127.0.0.1:${bot.port}`;
    const run = await runDigest(app, config.digests[0]!);
    order = run.digest.selected.map((p) => p.id);
    const slackPosted = run.posted.find((p) => p.platform === 'slack');
    const discordPosted = run.posted.find((p) => p.platform === 'discord');
    slackThread = slackPosted!.thread.threadId;
    discordThread = discordPosted!.thread.threadId;
  });

  afterAll(async () => {
    await bot?.stop();
    await store?.close();
    await Promise.all([arxiv?.close(), openai?.close(), slack?.close(), discord?.close()]);
  });

  it('Slack: a mention in the thread naming #2 is answered in the thread, from the full text, citing a section', async () => {
    expect(order).toHaveLength(3);
    const res = await mention('#2 Which results does it report?', { ts: '1761830999.000100' });
    expect(res.status).toBe(200);
    await until(() => slackReplies().length === 1, 'the answer in the Slack thread');
    const [reply] = slackReplies();
    const second = order[1]!;
    expect(reply!.text).toContain('Which results does it report?');
    expect(reply!.text).toContain(`arXiv:${second}v`);
    expect(reply!.text).toMatch(/Source: section “2 Results” of arXiv:/);
    // One call, about that paper, with its HTML full text in the prompt.
    expect(answers()).toHaveLength(1);
    expect(answers()[0]!.ids).toEqual([second]);
    expect(answers()[0]!.body.messages[1]!.content).toMatch(/<paper_text source="html">[\s\S]*## 2 Results/);

    // Slack delivers the same event again (a retry): it is answered once.
    const again = logs.count(DELIVERED_AGAIN);
    await mention('#2 Which results does it report?', { ts: '1761830999.000100' });
    await logs.said(DELIVERED_AGAIN, again + 1); // the duplicate was handled, and recognised
    expect(slackReplies()).toHaveLength(1);
  });

  it('Slack: a second asking, cased and spaced otherwise, is answered from the cache with no LLM call', async () => {
    await mention('#2   which RESULTS does it report');
    await until(() => slackReplies().length === 2, 'the second answer');
    expect(slackReplies()[1]!.text).toContain('from cache');
    expect(answers()).toHaveLength(1);
  });

  it('Slack: /ask naming the paper by id in the channel answers in the digest thread', async () => {
    const third = order[2]!;
    const res = await postSigned(
      `${base}/slack/events`,
      slashCommandBody({
        command: '/ask',
        text: `${third} what is the main contribution?`,
        channel_id: SLACK_CHANNEL,
        user_id: 'U0MEMBER02',
      }),
      signed,
    );
    expect(res.status).toBe(200);
    await until(() => slackReplies().length === 3, 'the /ask answer');
    expect(slackReplies()[2]!.text).toContain(`arXiv:${third}v`);
    expect(answers()).toHaveLength(2);
  });

  it('Slack: outside a paper, or without naming one of several, a clear usage line only the member sees', async () => {
    const before = slack.posted(SLACK_CHANNEL).length;
    await mention('what is this about?', { thread: null });
    await until(() => ephemerals().length === 1, 'the usage line');
    expect(ephemerals()[0]).toMatch(
      /^Which paper\? No digest thread was found where you asked, and the question names none\. Ask a paper in its digest/,
    );
    expect(ephemerals()[0]).toContain('/ask #2 which datasets does it use?');
    await mention('which datasets?');
    await until(() => ephemerals().length === 2, 'the which-paper line');
    expect(ephemerals()[1]).toMatch(/^This thread has 3 papers \(#1 \d{4}\.\d{5}, #2 /);
    await postSigned(
      `${base}/slack/events`,
      slashCommandBody({ command: '/ask', text: 'which datasets?', channel_id: SLACK_CHANNEL }),
      signed,
    );
    await until(() => ephemerals().length === 3, 'the /ask usage line');
    expect(ephemerals()[2]).toMatch(/^Which paper\? /);
    expect(slack.posted(SLACK_CHANNEL)).toHaveLength(before);
    expect(answers()).toHaveLength(2);
  });

  it('Discord: /ask question: in the thread is answered in the thread', async () => {
    discord.registerInteraction('ask-tok-1', discordThread);
    const res = await postInteraction(
      `${base}/discord/interactions`,
      signer,
      commandInteraction({
        name: 'ask',
        options: { question: 'Which results does it report?' },
        paper: '1',
        applicationId: discord.applicationId,
        channelId: discordThread,
        userId: '1900000000000000001',
        token: 'ask-tok-1',
      }),
      { timestamp: String(nowSec()) },
    );
    expect(res.body).toEqual({ type: 5 });
    const answered = () =>
      discord.messagesIn(discordThread).filter((m) => m.interaction_token === 'ask-tok-1' && m.embeds.length > 0);
    await until(() => answered().length === 1, 'the Discord answer');
    const [msg] = answered();
    const embed = msg!.embeds[0] as { title: string; description: string; footer: { text: string } };
    expect(embed.title).toBe('Q: Which results does it report?');
    expect(embed.description).toMatch(/Source: section “2 Results” of arXiv:/);
    expect(embed.footer.text).toContain(`arXiv:${order[0]}v`);
    expect(msg!.allowed_mentions).toEqual({ parse: [] });
    expect(answers()).toHaveLength(3);
  });

  it("a member's questions past the hourly limit get a one-line reply and no call", async () => {
    // U0MEMBER01 asked twice (#2 and its repeat), the usage lines cost nothing; two more are allowed, then the limit.
    for (const q of ['#1 what is new?', '#3 what is new?']) await mention(q);
    await until(() => slackReplies().length === 5, 'two more answers');
    const calls = answers().length;
    await mention('#1 how big is the model?');
    await until(() => ephemerals().some((t) => /limit per member/.test(t)), 'the rate-limit line');
    expect(ephemerals().at(-1)).toMatch(
      new RegExp(
        `^You have asked ${ASKS_PER_HOUR} questions this hour, the limit per member; please try again in \\d+ minutes\\.$`,
      ),
    );
    expect(answers()).toHaveLength(calls);
  });
});
