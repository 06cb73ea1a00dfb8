/**
 * The Discord adapter keeps the adapter contract against the fake REST API and gateway (a real discord.js client;
 * live reactions arrive over the gateway) with the signed HTTP interactions route mounted too.
 */
import { createDiscordAdapter } from '../../adapters/discord';
import {
  type FakeDiscordServer,
  fakeDiscordContext,
  InteractionSigner,
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
