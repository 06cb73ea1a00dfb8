/**
 * The live path through a real discord.js client against a local gateway speaking Discord's protocol (HELLO,
 * IDENTIFY, READY, GUILD_CREATE, dispatches): reactions become the core's ReactionEvents (the bot's own ignored),
 * slash commands are deferred and answered through the interaction webhook like their HTTP twins.
 */
import type { ChatEvent, ChatEventHandler, ReactionEvent } from '../../src/chat/types';
import { postDigest } from '../../src/jobs/post';
import {
  commandInteraction,
  componentInteraction,
  type FakeDiscordServer,
  fakeDiscordContext,
  seedDigest,
  startFakeDiscord,
} from '../../test/fakes/discord-server';
import type { DiscordAdapter } from './adapter';
import { reactionEventFrom } from './gateway';
import { createDiscordAdapter } from './index';

const CHANNEL = '1200000000000000001';
const MEMBER = '1600000000000000042';

/** Polls a condition the gateway makes true asynchronously (no timing is asserted). */
async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('reactionEventFrom', () => {
  const reaction = { emoji: { name: '👍🏾', id: null }, message: { id: '2', channelId: '1' } };
  it('maps a reaction, skin tone folded, and ignores the bot and nameless emoji', () => {
    expect(reactionEventFrom(true, reaction, '9', '8')).toEqual({
      type: 'reaction',
      platform: 'discord',
      added: true,
      emoji: '👍',
      userId: '9',
      channelId: '1',
      messageId: '2',
    });
    expect(reactionEventFrom(true, reaction, '8', '8')).toBeUndefined();
    expect(reactionEventFrom(false, { ...reaction, emoji: { name: null, id: '5' } }, '9', '8')).toBeUndefined();
  });
});

describe('the gateway (discord.js client)', () => {
  let fake: FakeDiscordServer;
  let adapter: DiscordAdapter;
  let events: ChatEvent[];

  beforeEach(async () => {
    fake = await startFakeDiscord({ channels: [CHANNEL] });
    events = [];
  });

  afterEach(async () => {
    await adapter?.stop();
    await fake.close();
  });

  async function startAdapter(onEvent: (e: ChatEvent) => Promise<void> = async () => {}) {
    const ctx = await fakeDiscordContext(fake, { env: { DISCORD_GATEWAY: undefined } });
    adapter = createDiscordAdapter(ctx, { rest: { retries: 0, timeoutMs: 5000 } })!;
    const handler: ChatEventHandler = {
      async processEvent(event) {
        events.push(event);
        await onEvent(event);
      },
    };
    await adapter.init(handler);
    await adapter.start();
    await until('IDENTIFY', () => fake.gatewayIdentified);
    return ctx;
  }

  it('identifies with the guild, message and reaction intents only', async () => {
    await startAdapter();
    const identify = fake.gatewayReceived.find((p) => p.op === 2)!.d as { token: string; intents: number };
    expect(identify.token).toBe(fake.token);
    // GUILDS (1 << 0) | GUILD_MESSAGES (1 << 9) | GUILD_MESSAGE_REACTIONS (1 << 10)
    expect(identify.intents).toBe((1 << 0) | (1 << 9) | (1 << 10));
  });

  it("turns members' reactions on a paper's message into votes and removals, ignoring the bot's own", async () => {
    const ctx = await startAdapter();
    const posted = await postDigest(ctx.store, adapter, CHANNEL, seedDigest(), ['+1']);
    const paper = Object.values(posted.papers)[0]!;
    fake.reactLive(true, paper.threadId!, paper.messageId, '👍', fake.botUser.id);
    fake.reactLive(true, paper.threadId!, paper.messageId, '👍', MEMBER);
    fake.reactLive(false, paper.threadId!, paper.messageId, '👍', MEMBER);
    await until('two reaction events', () => events.length >= 2);
    await adapter.settled();
    const reactions = events as ReactionEvent[];
    expect(reactions.map((e) => [e.added, e.userId, e.emoji])).toEqual([
      [true, MEMBER, '👍'],
      [false, MEMBER, '👍'],
    ]);
    expect(reactions[0]).toMatchObject({ platform: 'discord', channelId: paper.threadId, messageId: paper.messageId });
  });

  it('defers a /critique from the gateway and answers it through the interaction webhook', async () => {
    await startAdapter(async (event) => {
      if (event.type === 'command') await event.reply({ kind: 'text', text: `critique of ${event.argument}` });
    });
    const token = 'Z2F0ZXdheS1pbnRlcmFjdGlvbi10b2tlbg';
    fake.registerInteraction(token, CHANNEL);
    fake.dispatch(
      'INTERACTION_CREATE',
      commandInteraction({
        name: 'critique',
        paper: '2510.26143',
        applicationId: fake.applicationId,
        channelId: CHANNEL,
        userId: MEMBER,
        token,
      }),
    );
    await until('the command event', () => events.length === 1);
    await adapter.settled();
    const [callback] = fake.callsTo('POST', /^\/interactions\/\d+\/[^/]+\/callback$/);
    expect(callback!.body).toMatchObject({ type: 5 });
    expect(events[0]).toMatchObject({ type: 'command', command: 'critique', argument: '2510.26143', userId: MEMBER });
    const [edit] = fake.callsTo('PATCH', /^\/webhooks\//);
    expect(edit!.path).toBe(`/webhooks/${fake.applicationId}/${token}/messages/@original`);
    expect(edit!.body).toMatchObject({ content: 'critique of 2510.26143', allowed_mentions: { parse: [] } });
  });
  it("hands a card's button click from the gateway to the core and answers it at the callback endpoint", async () => {
    const ctx = await startAdapter(async (event) => {
      if (event.type === 'action') await event.showVoteCount?.(1);
    });
    const posted = await postDigest(ctx.store, adapter, CHANNEL, seedDigest(), ['+1']);
    const paper = Object.values(posted.papers)[0]!;
    const card = fake.messages.get(paper.messageId)!;
    const voteId = (card.components![0]!.components as Array<{ custom_id: string }>)[0]!.custom_id;
    const token = 'Y2xpY2stZ2F0ZXdheS10b2tlbg';
    fake.registerInteraction(token, card.channel_id, fake.applicationId, { messageId: card.id });
    fake.dispatch(
      'INTERACTION_CREATE',
      componentInteraction({
        customId: voteId,
        message: card,
        applicationId: fake.applicationId,
        userId: MEMBER,
        token,
        id: '1430000000000000001',
      }),
    );
    await until('the click event', () => events.length === 1);
    await adapter.settled();
    expect(events[0]).toMatchObject({ type: 'action', action: 'vote', userId: MEMBER, messageId: card.id });
    const [callback] = fake.callsTo('POST', /^\/interactions\/\d+\/[^/]+\/callback$/);
    expect(callback!.body).toMatchObject({ type: 7 });
    expect(JSON.stringify(card.components)).toContain('Vote · 1');
  });

  it('defers a /follow from the gateway ephemerally and answers it in @original, with the guild it came from', async () => {
    await startAdapter(async (event) => {
      if (event.type === 'command') await event.replyPrivately(`following ${event.argument}`);
    });
    const token = 'Zm9sbG93LWdhdGV3YXktdG9rZW4';
    fake.registerInteraction(token, CHANNEL);
    fake.dispatch(
      'INTERACTION_CREATE',
      commandInteraction({
        name: 'follow',
        options: { author: 'Yann LeCun' },
        applicationId: fake.applicationId,
        channelId: CHANNEL,
        userId: MEMBER,
        token,
      }),
    );
    await until('the command event', () => events.length === 1);
    await adapter.settled();
    const [callback] = fake.callsTo('POST', /^\/interactions\/\d+\/[^/]+\/callback$/);
    expect(callback!.body).toMatchObject({ type: 5, data: { flags: 64 } });
    expect(events[0]).toMatchObject({
      command: 'follow',
      argument: 'author Yann LeCun',
      userId: MEMBER,
      workspaceId: fake.guildId,
    });
    const calls = fake.calls.filter((c) => c.path.includes(token));
    expect(calls.map((c) => c.method)).toEqual(['POST', 'PATCH']);
    expect(calls[1]!.body).toMatchObject({ content: 'following author Yann LeCun', allowed_mentions: { parse: [] } });
    // Ephemeral from the deferral on: nothing in the channel for anyone else.
    expect(fake.messagesIn(CHANNEL).filter((m) => !m.ephemeral)).toEqual([]);
  });

  it('answers a malformed /critique from the gateway at once and ephemerally, without deferring', async () => {
    await startAdapter(async () => {});
    const token = 'bWFsZm9ybWVkLWdhdGV3YXktdG9rZW4';
    fake.registerInteraction(token, CHANNEL);
    fake.dispatch(
      'INTERACTION_CREATE',
      commandInteraction({
        name: 'critique',
        paper: 'nonsense',
        applicationId: fake.applicationId,
        channelId: CHANNEL,
        userId: MEMBER,
        token,
      }),
    );
    await until(
      'the ephemeral answer',
      () => fake.callsTo('POST', /^\/interactions\/\d+\/[^/]+\/callback$/).length === 1,
    );
    const [callback] = fake.callsTo('POST', /^\/interactions\/\d+\/[^/]+\/callback$/);
    expect(callback!.body).toMatchObject({ type: 4, data: { flags: 64, allowed_mentions: { parse: [] } } });
    expect(JSON.stringify(callback!.body)).toContain('Usage: /critique paper:2510.26707');
    expect(events).toHaveLength(0);
  });
});
