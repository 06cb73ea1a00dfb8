/** The in-memory adapter the core's tests use keeps the same contract as the real ones. */
import { MemoryAdapter, MemoryPlatform } from '../fakes/memory-adapter';
import { runAdapterContract } from './contract.case';

runAdapterContract('memory', async () => {
  const world = new MemoryPlatform();
  const adapter = new MemoryAdapter('memory', world, 'UBOT');
  return {
    adapter,
    channelId: 'C0MEMORY01',
    members: ['U0MEMBER01', 'U0MEMBER02'],
    botUserId: 'UBOT',
    checkPart: (part) => ('message' in part ? undefined : 'a memory part carries its logical message'),
    count: () => world.sent.length,
    react: (message, userId, emoji) => adapter.react(message, userId, emoji, { live: false }),
    voteForms: ['+1', '👍🏽', '+1::skin-tone-2'],
    otherEmoji: 'eyes',
    // Nothing is shown anywhere: the memory platform keeps logical messages, no text that could ping.
    liveMentions: () => [],
    loseNextAnswer: () => {
      adapter.loseNextAnswer = true;
    },
    routes: { route: () => undefined },
    deliverReaction: (message, userId, emoji) => adapter.react(message, userId, emoji, { live: true }),
    unhealthyAdapter: async () => {
      const down = new MemoryAdapter('memory', world, 'UBOT');
      down.up = false;
      return down;
    },
    close: async () => undefined,
  };
});
