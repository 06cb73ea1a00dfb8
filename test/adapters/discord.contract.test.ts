/**
 * The Discord adapter keeps the adapter contract against the fake REST API and gateway (a real discord.js client;
 * live reactions arrive over the gateway) with the signed HTTP interactions route mounted too.
 */
import { createDiscordAdapter } from '../../adapters/discord';
import {
  componentInteraction,
  type FakeDiscordServer,
  fakeDiscordContext,
  InteractionSigner,
  modalSubmitInteraction,
  postInteraction,
  startFakeDiscord,
  startRoutesServer,
  validateMessage,
} from '../fakes/discord-server';
import { runAdapterContract } from './contract.case';

const CHANNEL = '1200000000000000077';
const REST = { retries: 1, timeoutMs: 5000, rateLimitOffsetMs: 0 };
/** Mention forms Discord notifies on, when a message's allowed_mentions lets it parse them. */
const LIVE = [/@(everyone|here)/gi, /<@!?\d+>/g, /<@&\d+>/g];

function liveMentions(fake: FakeDiscordServer): string[] {
  return [...fake.messages.values()]
    .filter((m) => m.author.id === fake.botUser.id)
    .flatMap((m) => {
      const found = LIVE.flatMap((re) => [...m.content.matchAll(re)].map((x) => `${m.id}: ${x[0]}`));
      // Both locks: the text is disarmed, and no message lets Discord parse a mention.
      const parse = JSON.stringify(m.allowed_mentions ?? 'absent');
      return parse === JSON.stringify({ parse: [] }) ? found : [...found, `${m.id}: allowed_mentions ${parse}`];
    });
}

runAdapterContract('discord', async () => {
  const fake = await startFakeDiscord({ channels: [CHANNEL] });
  const routes = await startRoutesServer();
  const signer = new InteractionSigner();
  const ctx = await fakeDiscordContext(fake, {
    env: { DISCORD_PUBLIC_KEY: signer.publicKeyHex, DISCORD_GATEWAY: undefined },
  });
  const adapter = createDiscordAdapter(ctx, { rest: REST });
  let clicks = 0;
  let modal: Parameters<typeof modalSubmitInteraction>[0]['modal'] | undefined;
  if (!adapter) throw new Error('DISCORD_TOKEN is set: the adapter is on');
  return {
    adapter,
    channelId: CHANNEL,
    members: ['400000000000000001', '400000000000000002'],
    botUserId: fake.botUser.id,
    checkPart: (part) => {
      const refused = validateMessage(part as Record<string, unknown>);
      return refused ? JSON.stringify(refused.body) : undefined;
    },
    count: () => [...fake.messages.values()].filter((m) => m.author.id === fake.botUser.id).length,
    react: (message, userId, emoji) => fake.addReaction(message.messageId, emoji, userId),
    voteForms: ['👍', '👍🏽'],
    otherEmoji: '👀',
    liveMentions: () => liveMentions(fake),
    loseNextAnswer: () =>
      fake.script({
        match: (c) => c.method === 'POST' && /^\/channels\/\d+\/messages$/.test(c.path),
        times: 1,
        reply: { status: 500, body: { message: '500: Internal Server Error', code: 0 } },
        afterCommit: true,
      }),
    routes: routes.routes,
    deliverReaction: async (message, userId, emoji) => {
      for (let i = 0; i < 1000 && !fake.gatewayIdentified; i++) await new Promise((r) => setTimeout(r, 10));
      fake.reactLive(true, message.threadId ?? message.channelId, message.messageId, emoji, userId);
    },
    deliverClick: async (card, userId, action, value) => {
      const held = fake.messages.get(card.messageId);
      const component = (held?.components ?? [])
        .flatMap((r) => (r.components as Array<{ custom_id: string }>) ?? [])
        .find((c) => c.custom_id.startsWith(`ad:${action}:`));
      if (!held || !component) throw new Error(`no ${action} on the card`);
      clicks += 1;
      const token = `Y29udHJhY3Q${clicks}`;
      fake.registerInteraction(token, held.channel_id, fake.applicationId, { messageId: held.id });
      const res = await postInteraction(
        `${routes.url}/discord/interactions`,
        signer,
        componentInteraction({
          customId: component.custom_id,
          message: held,
          applicationId: fake.applicationId,
          userId,
          token,
          id: `14200000000000000${10 + clicks}`,
          ...(value !== undefined ? { values: [value] } : {}),
        }),
      );
      if (res.status !== 200) throw new Error(`interactions route answered ${res.status}`);
      const body = res.body as { type: number; data?: unknown };
      if (body.type === 9) modal = body.data as typeof modal;
    },
    deliverForm: async (card, userId, text) => {
      const held = fake.messages.get(card.messageId);
      if (!held || !modal) throw new Error('no form opened from the card');
      clicks += 1;
      const token = `Y29udHJhY3Q${clicks}`;
      fake.registerInteraction(token, held.channel_id, fake.applicationId, { messageId: held.id });
      const res = await postInteraction(
        `${routes.url}/discord/interactions`,
        signer,
        modalSubmitInteraction({
          modal,
          message: held,
          text,
          applicationId: fake.applicationId,
          userId,
          token,
          id: `14200000000000000${10 + clicks}`,
        }),
      );
      if (res.status !== 200) throw new Error(`interactions route answered ${res.status}`);
    },
    unhealthyAdapter: async () => {
      const refused = createDiscordAdapter(
        await fakeDiscordContext(fake, { env: { DISCORD_TOKEN: 'not-the-token' }, store: ctx.store }),
        { rest: REST },
      );
      if (!refused) throw new Error('adapter expected');
      return refused;
    },
    close: async () => {
      await Promise.all([fake.close(), routes.close()]);
      await ctx.store.close();
    },
  };
});
