/**
 * /follow, /unfollow and /follows on both stand-ins, end to end: Slack slash commands signed as Slack signs them
 * (HTTP mode) and Discord interactions signed as Discord signs them, through the real adapters and the core's chat
 * handler into one store. Every answer is private (Slack chat.postEphemeral to the member, Discord an ephemeral
 * deferral whose @original holds the answer) and nothing is posted in the channel.
 */
import { createChatHandler } from '../../src/interactions';
import { type Store, openStore } from '../../src/store';
import { createContext } from '../../src/context';
import { silentLogger } from '../../src/app/log';
import { parseConfig } from '../../src/config/load';
import { PLATFORM_CONFIG } from '../../src/cli/adapters';
import type { Services } from '../../src/pipeline/services';
import { memberFollows } from '../../src/follows/book';
import { createSlackAdapter } from '../../adapters/slack/index';
import type { SlackAdapter } from '../../adapters/slack/adapter';
import { createDiscordAdapter } from '../../adapters/discord/index';
import type { DiscordAdapter } from '../../adapters/discord/adapter';
import {
  FakeSlackServer,
  postSigned,
  slashCommandBody,
  startRoutesServer,
  type TestRoutesServer,
} from '../fakes/slack-server';
import {
  commandInteraction,
  type FakeDiscordServer,
  InteractionSigner,
  postInteraction,
  startFakeDiscord,
} from '../fakes/discord-server';
import { FAST_RETRY, SIGNING_SECRET } from '../fakes/slack-support';

const SLACK_CHANNEL = 'C0DIGEST01';
const SLACK_MEMBER = 'U0MEMBER01';
const DISCORD_CHANNEL = '1200000000000000001';
const DISCORD_MEMBER = '1600000000000000042';

let slack: FakeSlackServer;
let discord: FakeDiscordServer;
let server: TestRoutesServer;
let store: Store;
let slackAdapter: SlackAdapter;
let discordAdapter: DiscordAdapter;
const signer = new InteractionSigner();

beforeAll(async () => {
  slack = await FakeSlackServer.start();
  discord = await startFakeDiscord({ channels: [DISCORD_CHANNEL] });
  server = await startRoutesServer();
  store = await openStore('memory://');
  const ctx = createContext({
    config: parseConfig(
      { digests: [{ name: 'nlp', categories: ['cs.CL'], interests: 'LLM reasoning', channels: [] }] },
      'test config',
      PLATFORM_CONFIG,
    ),
    store,
    log: silentLogger,
    env: {
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_API_URL: slack.apiUrl,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      DISCORD_TOKEN: discord.token,
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_PUBLIC_KEY: signer.publicKeyHex,
      DISCORD_GATEWAY: 'off',
    },
  });
  slackAdapter = createSlackAdapter(ctx, { retryConfig: FAST_RETRY })!;
  discordAdapter = createDiscordAdapter(ctx, { rest: { retries: 0, rateLimitOffsetMs: 0 } })!;
  const handler = createChatHandler({
    ctx,
    services: { arxiv: {} } as unknown as Services,
    adapters: { slack: slackAdapter, discord: discordAdapter },
  });
  for (const a of [slackAdapter, discordAdapter]) {
    await a.init(handler);
    await a.start(server);
  }
});

afterAll(async () => {
  await slackAdapter?.stop();
  await discordAdapter?.stop();
  await server?.close();
  await slack?.close();
  await discord?.close();
  await store?.close();
});

/** A Slack slash command; resolves with the HTTP answer and, once handled, the ephemeral answer's text. */
async function slashSlack(command: string, text: string): Promise<{ status: number; body: string; answer: string }> {
  const before = slack.callsTo('chat.postEphemeral').length;
  const res = await postSigned(
    `${server.url}/slack/events`,
    slashCommandBody({
      command,
      text,
      channel_id: SLACK_CHANNEL,
      user_id: SLACK_MEMBER,
      response_url: slack.responseUrl(),
    }),
    { signingSecret: SIGNING_SECRET },
  );
  for (let i = 0; i < 400 && slack.callsTo('chat.postEphemeral').length === before; i++)
    await new Promise((r) => setTimeout(r, 5));
  const calls = slack.callsTo('chat.postEphemeral').slice(before);
  expect(calls).toHaveLength(1);
  const call = calls[0]!;
  expect(call.params).toMatchObject({ channel: SLACK_CHANNEL, user: SLACK_MEMBER });
  return { status: res.status, body: res.body, answer: String(call.params.text) };
}

let n = 0;
/** A Discord interaction; resolves with the HTTP answer and what the member sees (@original or the immediate one). */
async function slashDiscord(name: string, options?: Record<string, string>) {
  n += 1;
  const token = `Zm9sbG93cy10b2tlbg${n}`;
  // Over HTTP the deferral is the response body, which the fake does not see: it is told what Discord would keep
  // (an ephemeral @original), and each test asserts that the response said so (flags 64).
  discord.registerInteraction(token, DISCORD_CHANNEL, discord.applicationId, { ephemeral: true });
  const res = await postInteraction(
    `${server.url}/discord/interactions`,
    signer,
    commandInteraction({
      name,
      ...(options ? { options } : {}),
      applicationId: discord.applicationId,
      channelId: DISCORD_CHANNEL,
      userId: DISCORD_MEMBER,
      token,
      id: `14100000000000000${10 + n}`,
    }),
  );
  await discordAdapter.settled();
  const calls = discord.calls.filter((c) => c.path.includes(token));
  return { res, calls };
}

describe('Slack: /follow, /follows, /unfollow', () => {
  it('round trip: each answer ephemeral to the member, nothing in the channel, the store per team and member', async () => {
    const follow = await slashSlack('/follow', 'author LeCun, Yann');
    expect(follow.status).toBe(200);
    expect(follow.answer).toMatch(/^You now follow the author LeCun, Yann: /);
    expect((await slashSlack('/follow', 'topic diffusion models')).answer).toMatch(
      /^You now follow the topic “diffusion models”/,
    );
    expect(await memberFollows(store, { platform: 'slack', workspace: slack.teamId }, SLACK_MEMBER)).toEqual({
      authors: ['LeCun, Yann'],
      topics: ['diffusion models'],
    });
    const list = await slashSlack('/follows', '');
    expect(list.answer).toContain('Authors: LeCun, Yann');
    expect(list.answer).toContain('Topics: “diffusion models”');
    expect((await slashSlack('/unfollow', 'author Y. LeCun')).answer).toBe(
      'You no longer follow the author LeCun, Yann (1 of 50 follows).',
    );
    expect((await slashSlack('/unfollow', 'topic diffusion models')).answer).toMatch(/^You no longer follow the topic/);
    expect((await slashSlack('/follows', '')).answer).toMatch(/^You follow no author or topic yet/);
    expect((await slashSlack('/follow', 'Yann LeCun')).answer).toMatch(/^Usage: \/follow author Yann LeCun or /);
    expect(slack.posted(SLACK_CHANNEL)).toEqual([]);
    expect(slack.callsTo('chat.postMessage')).toEqual([]);
  });
});

describe('Discord: /follow, /follows, /unfollow', () => {
  it('round trip: an ephemeral deferral answered in @original, nothing in the channel, the store per guild and member', async () => {
    const follow = await slashDiscord('follow', { author: 'Karolina Stańczak' });
    expect(follow.res.body).toEqual({ type: 5, data: { flags: 64 } });
    expect(follow.calls.map((c) => c.method)).toEqual(['PATCH']);
    expect((follow.calls[0]!.body as { content: string }).content).toMatch(
      /^You now follow the author Karolina Stańczak: /,
    );
    const topic = await slashDiscord('follow', { topic: 'preference optimization' });
    expect((topic.calls[0]!.body as { content: string }).content).toMatch(
      /^You now follow the topic “preference optimization”/,
    );
    expect(await memberFollows(store, { platform: 'discord', workspace: discord.guildId }, DISCORD_MEMBER)).toEqual({
      authors: ['Karolina Stańczak'],
      topics: ['preference optimization'],
    });
    const list = await slashDiscord('follows');
    expect(list.res.body).toEqual({ type: 5, data: { flags: 64 } });
    expect((list.calls[0]!.body as { content: string }).content).toContain('Authors: Karolina Stańczak');
    expect((list.calls[0]!.body as { content: string }).content).toContain(
      'Stop with /unfollow author:<name> or /unfollow topic:<words>.',
    );
    const un = await slashDiscord('unfollow', { author: 'Stanczak, Karolina' });
    expect((un.calls[0]!.body as { content: string }).content).toBe(
      'You no longer follow the author Karolina Stańczak (1 of 50 follows).',
    );
    await slashDiscord('unfollow', { topic: 'preference optimization' });
    expect(await memberFollows(store, { platform: 'discord', workspace: discord.guildId }, DISCORD_MEMBER)).toEqual({
      authors: [],
      topics: [],
    });
    // Every answer was the member's own: nothing visible in the channel, no message posted with the bot token.
    expect(discord.messagesIn(DISCORD_CHANNEL).filter((m) => !m.ephemeral)).toEqual([]);
    expect(discord.callsTo('POST', /^\/channels\//)).toEqual([]);
  });

  it('answers a /follow with neither or both options at once, privately, with the usage line', async () => {
    for (const options of [undefined, { author: 'Yann LeCun', topic: 'diffusion' }]) {
      const { res, calls } = await slashDiscord('follow', options);
      expect(res.body).toMatchObject({ type: 4, data: { flags: 64, allowed_mentions: { parse: [] } } });
      expect((res.body as { data: { content: string } }).data.content).toBe(
        "Usage: /follow author:Yann LeCun or /follow topic:diffusion models (an author's name, or a few words).",
      );
      expect(calls).toEqual([]);
    }
  });
});
