/**
 * Slash commands over HTTP, signed as Discord signs them (Ed25519 over timestamp + raw body): PING/PONG, forged
 * requests refused, a /critique deferred at once (type 5) and answered through the interaction webhook, private
 * answers as ephemeral follow-ups.
 */
import type { ChatEvent, ChatEventHandler, CommandEvent } from '../../src/chat/types';
import type { AppContext } from '../../src/context';
import {
  commandInteraction,
  type FakeDiscordServer,
  fakeDiscordContext,
  InteractionSigner,
  postInteraction,
  seedDigest,
  startFakeDiscord,
  startRoutesServer,
} from '../../test/fakes/discord-server';
import type { DiscordAdapter } from './adapter';
import { createDiscordAdapter } from './index';
import { parsePublicKey } from './interactions';

const CHANNEL = '1200000000000000001';
const MEMBER = '1600000000000000042';
const paper = seedDigest().selected[0]!;

let fake: FakeDiscordServer;
let server: Awaited<ReturnType<typeof startRoutesServer>>;
let signer: InteractionSigner;
let adapter: DiscordAdapter;
let ctx: AppContext;
let events: ChatEvent[];
let onCommand: (event: CommandEvent) => Promise<void>;
let endpoint: string;
let tokens = 0;

beforeEach(async () => {
  fake = await startFakeDiscord({ channels: [CHANNEL] });
  server = await startRoutesServer();
  signer = new InteractionSigner();
  ctx = await fakeDiscordContext(fake, { env: { DISCORD_PUBLIC_KEY: signer.publicKeyHex } });
  adapter = createDiscordAdapter(ctx, { rest: { retries: 0, timeoutMs: 5000, rateLimitOffsetMs: 0 } })!;
  events = [];
  onCommand = async () => {};
  const handler: ChatEventHandler = {
    async processEvent(event) {
      events.push(event);
      if (event.type === 'command') await onCommand(event);
    },
  };
  await adapter.init(handler);
  await adapter.start(server.routes);
  endpoint = `${server.url}/discord/interactions`;
});

afterEach(async () => {
  await adapter.stop();
  await server.close();
  await fake.close();
});

function command(name: string, value?: string) {
  tokens += 1;
  const token = `aW50ZXJhY3Rpb246MTQwMDAwMDAwMDAwMDAwMDAwMTp0b2tlbg${tokens}`;
  fake.registerInteraction(token, CHANNEL);
  return {
    token,
    payload: commandInteraction({
      name,
      ...(value === undefined ? {} : { paper: value }),
      applicationId: fake.applicationId,
      channelId: CHANNEL,
      userId: MEMBER,
      token,
    }),
  };
}

describe('POST /discord/interactions', () => {
  it('answers PING with PONG', async () => {
    const res = await postInteraction(endpoint, signer, { type: 1, id: '1', application_id: fake.applicationId });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ type: 1 });
  });

  it('refuses a bad signature, a body changed after signing, a missing signature and a stale timestamp', async () => {
    const ping = { type: 1, id: '1', application_id: fake.applicationId };
    const other = new InteractionSigner();
    expect((await postInteraction(endpoint, other, ping)).status).toBe(401);
    const tampered = await postInteraction(endpoint, signer, ping, {
      tamper: (raw) => raw.replace('"type":1', '"type":2'),
    });
    expect(tampered.status).toBe(401);
    const unsigned = await fetch(endpoint, { method: 'POST', body: JSON.stringify(ping) });
    expect(unsigned.status).toBe(401);
    const stale = String(Math.floor(Date.now() / 1000) - 3600);
    expect((await postInteraction(endpoint, signer, ping, { timestamp: stale })).status).toBe(401);
    const { payload } = command('critique', '2510.26143');
    expect((await postInteraction(endpoint, other, payload)).status).toBe(401);
    await adapter.settled();
    expect(events).toHaveLength(0);
  });

  it('defers /critique at once (type 5) and answers through the webhook: PATCH @original, then follow-ups', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    onCommand = async (event) => {
      await gate; // the critique takes its time; the HTTP answer must not wait for it
      await event.reply({
        kind: 'critique',
        paper,
        critique: `### Strengths\n\n@everyone ${'Solid. '.repeat(1200)}`,
        cached: false,
        requestedBy: event.userId,
      });
    };
    const { token, payload } = command('critique', ' https://arxiv.org/abs/2510.26143 ');
    const res = await postInteraction(endpoint, signer, payload);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ type: 5 });
    release();
    await adapter.settled();

    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'command',
      platform: 'discord',
      command: 'critique',
      argument: 'https://arxiv.org/abs/2510.26143',
      userId: MEMBER,
      channelId: CHANNEL,
    });
    const webhookCalls = fake.calls.filter((c) => c.path.startsWith('/webhooks/'));
    expect(webhookCalls.map((c) => `${c.method} ${c.path.replace(token, 'TOKEN')}`)).toEqual([
      `PATCH /webhooks/${fake.applicationId}/TOKEN/messages/@original`,
      `POST /webhooks/${fake.applicationId}/TOKEN`,
    ]);
    for (const c of webhookCalls) {
      expect(c.status).toBe(200);
      expect(c.headers.authorization).toBeUndefined(); // the interaction token is the credential
      expect((c.body as { allowed_mentions: unknown }).allowed_mentions).toEqual({ parse: [] });
    }
    const answer = fake.messagesIn(CHANNEL);
    expect(answer).toHaveLength(2);
    expect(answer[0]!.content).toBe(`Requested by <@${MEMBER}>`);
    expect(answer[0]!.embeds[0]!.title).toBe(`Critique: ${paper.title}`);
    expect(JSON.stringify(answer[0]!.embeds)).toContain('@\u200Beveryone');
  });

  it('acts once on an interaction replayed 10 times within its five minutes: one event, one webhook call', async () => {
    onCommand = async (event) => {
      await event.reply({ kind: 'text', text: 'Critique on its way.' });
    };
    const { payload } = command('critique', '2510.26143');
    const timestamp = String(Math.floor(Date.now() / 1000) - 60);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => postInteraction(endpoint, signer, payload, { timestamp })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    await adapter.settled();
    expect(events).toHaveLength(1);
    expect(fake.calls.filter((c) => c.path.startsWith('/webhooks/'))).toHaveLength(1);
    // The same interaction id signed anew later is still the same interaction.
    await postInteraction(endpoint, signer, payload);
    await adapter.settled();
    expect(events).toHaveLength(1);
  });

  it('answers a malformed id at once and privately, without deferring or calling the core', async () => {
    const { payload } = command('critique', 'not-an-id @everyone');
    const res = await postInteraction(endpoint, signer, payload);
    expect(res.body).toMatchObject({ type: 4, data: { flags: 64, allowed_mentions: { parse: [] } } });
    expect((res.body as { data: { content: string } }).data.content).toMatch(/^Usage: \/critique paper:2510\.26707/);
    await adapter.settled();
    expect(events).toHaveLength(0);
    expect(fake.calls.filter((c) => c.path.startsWith('/webhooks/'))).toHaveLength(0);
  });

  it('a private answer after the deferral withdraws the public "thinking…", then follows up ephemerally', async () => {
    onCommand = async (event) => {
      await event.replyPrivately('You have asked for 5 critiques this hour; try again later. @everyone');
    };
    const { payload } = command('critique', '2510.26143');
    expect((await postInteraction(endpoint, signer, payload)).body).toEqual({ type: 5 });
    await adapter.settled();
    const calls = fake.calls.filter((c) => c.path.startsWith('/webhooks/'));
    expect(calls.map((c) => c.method)).toEqual(['DELETE', 'POST']);
    expect(calls[0]!.path).toMatch(/\/messages\/@original$/);
    const body = calls[1]!.body as { flags: number; content: string; allowed_mentions: unknown };
    expect(body.flags & 64).toBe(64);
    expect(body.content).toContain('5 critiques this hour');
    expect(body.content).toContain('@\u200Beveryone');
    expect(body.allowed_mentions).toEqual({ parse: [] });
  });

  it('hands /vote to the core with its paper option, and withdraws "thinking…" when nothing is said', async () => {
    const { payload } = command('vote', '2510.26143');
    expect((await postInteraction(endpoint, signer, payload)).body).toEqual({ type: 5 });
    await adapter.settled();
    expect(events[0]).toMatchObject({ type: 'command', command: 'vote', argument: '2510.26143' });
    expect(fake.calls.filter((c) => c.path.startsWith('/webhooks/')).map((c) => c.method)).toEqual(['DELETE']);
  });

  it('tells the member when the handler fails, instead of thinking forever', async () => {
    onCommand = async () => {
      throw new Error('the LLM is down');
    };
    const { payload } = command('critique', '2510.26143');
    await postInteraction(endpoint, signer, payload);
    await adapter.settled();
    const [edit] = fake.calls.filter((c) => c.path.startsWith('/webhooks/'));
    expect(edit!.method).toBe('PATCH');
    expect((edit!.body as { content: string }).content).toMatch(/failed on our side/);
    expect(JSON.stringify(edit!.body)).not.toContain('LLM is down');
  });

  it('answers in a thread with the bot token when the core names one, and points there', async () => {
    const thread = { platform: 'discord' as const, channelId: CHANNEL, threadId: '1200000000000000077' };
    fake.channels.add(thread.threadId);
    onCommand = async (event) => {
      await event.reply({ kind: 'text', text: 'Your vote is counted.' }, thread);
    };
    const { payload } = command('vote', '2510.26143');
    await postInteraction(endpoint, signer, payload);
    await adapter.settled();
    expect(fake.messagesIn(thread.threadId).map((m) => m.content)).toEqual(['Your vote is counted.']);
    const [edit] = fake.calls.filter((c) => c.path.startsWith('/webhooks/'));
    expect((edit!.body as { content: string }).content).toBe(`Answered in <#${thread.threadId}>.`);
  });

  it('answers an unknown command ephemerally without bothering the core', async () => {
    const { payload } = command('dance');
    const res = await postInteraction(endpoint, signer, payload);
    expect(res.body).toMatchObject({ type: 4, data: { flags: 64, allowed_mentions: { parse: [] } } });
    await adapter.settled();
    expect(events).toHaveLength(0);
  });
});

describe('a fast answer racing the deferral', () => {
  it('retries @original while Discord does not know the interaction yet (10015), sleeping on the injected clock', async () => {
    const slept: number[] = [];
    const clock = { now: () => Date.now(), sleep: async (ms: number) => void slept.push(ms) };
    const local = await startRoutesServer();
    const ctx2 = await fakeDiscordContext(fake, { env: { DISCORD_PUBLIC_KEY: signer.publicKeyHex }, clock });
    const racing = createDiscordAdapter(ctx2, { rest: { retries: 0, rateLimitOffsetMs: 0 } })!;
    await racing.init({
      processEvent: async (event) => {
        if (event.type === 'command') await event.reply({ kind: 'text', text: 'done' });
      },
    });
    await racing.start(local.routes);
    fake.script({
      match: (c) => c.method === 'PATCH' && c.path.endsWith('/messages/@original'),
      times: 2,
      reply: { status: 404, body: { message: 'Unknown Webhook', code: 10015 } },
    });
    const { payload } = command('critique', '2510.26143');
    await postInteraction(`${local.url}/discord/interactions`, signer, payload);
    await racing.settled();
    await racing.stop();
    await local.close();
    expect(fake.callsTo('PATCH', /@original$/).map((c) => c.status)).toEqual([404, 404, 200]);
    expect(slept).toEqual([250, 500]);
  });
});

describe('parsePublicKey', () => {
  it('names what is expected for a malformed key without echoing it', () => {
    expect(() => parsePublicKey('xyz-secretish')).toThrow(
      /DISCORD_PUBLIC_KEY is not a Discord public key: expected the 64 hex/,
    );
    expect(() => parsePublicKey('xyz-secretish')).not.toThrow(/secretish/);
  });
});
