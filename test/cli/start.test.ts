/**
 * `arxiv-digest start` as deployed in HTTP mode: the real Slack and Discord adapters mounted on the bot's own HTTP
 * server (src/server/http.ts, PORT), signed requests in, the local fakes of Slack, Discord, arXiv and OpenAI out.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Bot, startBot } from '../../src/bot';
import { parseConfig } from '../../src/config/load';
import { createAdapters, PLATFORM_CONFIG } from '../../src/cli/adapters';
import type { Assembly } from '../../src/jobs/assembly';
import { createContext } from '../../src/context';
import { createServices } from '../../src/jobs/services';
import { silentLogger } from '../../src/app/log';
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
import { FakeSlackServer, postSigned, slashCommandBody } from '../fakes/slack-server';
import { instantClock } from '../helpers/cli';
import { standInEnv } from '../helpers/stand-ins';

const SLACK_CHANNEL = 'C0123456789';
const DISCORD_CHANNEL = '123456789012345678';
const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';

describe('start: the bot in HTTP mode with both platforms', () => {
  let arxiv: ArxivServer;
  let openai: FakeOpenAi;
  let slack: FakeSlackServer;
  let discord: FakeDiscordServer;
  let store: Store;
  let bot: Bot;
  let base: string;
  const signer = new InteractionSigner();

  beforeAll(async () => {
    [arxiv, openai, slack, discord] = await Promise.all([
      startSeedArxiv(),
      startOpenAiServer(),
      FakeSlackServer.start(),
      startFakeDiscord({ channels: [DISCORD_CHANNEL] }),
    ]);
    store = await openStore(`sqlite://${path.join(mkdtempSync(path.join(tmpdir(), 'start-')), 'bot.sqlite')}`);
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
            channels: [{ slack: SLACK_CHANNEL }, { discord: DISCORD_CHANNEL }],
          },
        ],
      },
      'test',
      PLATFORM_CONFIG,
    );
    const ctx = createContext({ config, store, log: silentLogger, env, clock: instantClock });
    const app: Assembly = { ctx, services: createServices(ctx), adapters: createAdapters(ctx) };
    bot = await startBot(app, { port: 0, host: '127.0.0.1', signals: false, catchUp: false });
    base = `http://127.0.0.1:${bot.port}`;
  });

  afterAll(async () => {
    await bot.stop();
    await store.close();
    await Promise.all([arxiv.close(), openai.close(), slack.close(), discord.close()]);
  });

  it('/healthz reports the store, both platforms and the scheduler', async () => {
    const res = await fetch(`${base}/healthz`);
    const body = (await res.json()) as { status: string; checks: Record<string, string> };
    expect(res.status).toBe(200);
    expect(body.status).toBe('ok');
    expect(Object.keys(body.checks).sort()).toEqual(['discord', 'scheduler', 'slack', 'store']);
  });

  it('Slack: a signed /critique is acknowledged at once and the critique is posted in the channel', async () => {
    const raw = slashCommandBody({
      command: '/critique',
      text: 'https://arxiv.org/abs/2510.26352',
      channel_id: SLACK_CHANNEL,
      user_id: 'U0MEMBER01',
    });
    const res = await postSigned(`${base}/slack/events`, raw, { signingSecret: SIGNING_SECRET });
    expect(res.status).toBe(200);
    for (let i = 0; i < 200 && !slack.posted(SLACK_CHANNEL).length; i++) await new Promise((r) => setTimeout(r, 25));
    const [answer] = slack.posted(SLACK_CHANNEL);
    expect(JSON.stringify(answer)).toContain('The Geometry of Dialogue');
  });

  it('Slack: a request with a bad signature is refused', async () => {
    const raw = slashCommandBody({ command: '/critique', text: '2510.26352', channel_id: SLACK_CHANNEL });
    const res = await postSigned(`${base}/slack/events`, raw, { signingSecret: 'not-the-secret' });
    expect(res.status).toBe(401);
  });

  it('Discord: PING is answered, a bad signature refused, a malformed /critique answered ephemerally', async () => {
    const ping = await postInteraction(`${base}/discord/interactions`, signer, {
      type: 1,
      id: '1',
      application_id: discord.applicationId,
      token: 't',
      version: 1,
    });
    expect(ping.body).toEqual({ type: 1 });
    const forged = await postInteraction(
      `${base}/discord/interactions`,
      signer,
      { type: 1 },
      { tamper: (r) => r.replace('1', '2') },
    );
    expect(forged.status).toBe(401);
    const bad = await postInteraction(
      `${base}/discord/interactions`,
      signer,
      commandInteraction({
        name: 'critique',
        paper: 'nonsense',
        applicationId: discord.applicationId,
        channelId: DISCORD_CHANNEL,
        userId: '1900000000000000001',
        token: 'tok-1',
      }),
    );
    expect(bad.body).toMatchObject({ type: 4, data: { flags: 64 } });
  });
});
