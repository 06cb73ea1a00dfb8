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
    deliverClick: async (card, userId, action, value) => {
      const sent = world.sent.find((m) => m.messageId === card.messageId);
      if (!sent) throw new Error('no such card');
      await adapter.click(sent, userId, action, value !== undefined ? { value } : {});
    },
    deliverForm: async (card, userId, text) => {
      const sent = world.sent.find((m) => m.messageId === card.messageId);
      const opened = adapter.forms.at(-1);
      if (!sent || !opened) throw new Error('no form opened from the card');
      await adapter.submit(sent, userId, opened.form.form, text);
    },
    unhealthyAdapter: async () => {
      const down = new MemoryAdapter('memory', world, 'UBOT');
      down.up = false;
      return down;
    },
    close: async () => undefined,
  };
});
