/**
 * The registry itself: a new command is one registration (a zod schema for its options, its limits as middleware)
 * plus its handler, which receives the per-event context; adapters need no change (adapters/README.md).
 */
import { z } from 'zod';
import type { ChatEvent, CommandEvent } from '../chat/types';
import { makeApp, testConfig } from '../../test/fakes/bot-fixture';
import { InteractionRegistry, type Middleware, entryKeyOf } from './registry';
import { createRegistry } from './index';

function command(argument: string, told: string[], name: CommandEvent['command'] = 'digest'): CommandEvent {
  return {
    type: 'command',
    platform: 'slack',
    command: name,
    argument,
    userId: 'U1',
    channelId: 'C0123456789',
    reply: async () => undefined,
    replyPrivately: async (text) => void told.push(text),
  };
}

describe('InteractionRegistry', () => {
  test('a registration: its options parsed by zod, its limits in order, then its handler with the context', async () => {
    const bot = await makeApp(testConfig([{ name: 'nlp' }]));
    const seen: string[] = [];
    const limit =
      (name: string): Middleware =>
      async (ix, next) => {
        seen.push(name);
        if (ix.member.userId !== 'blocked') await next();
      };
    const registry = new InteractionRegistry().command('digest', {
      options: z.object({ argument: z.enum(['me', 'private']) }),
      usage: () => 'Usage: /digest me',
      limits: [limit('first'), limit('second')],
      async handle(ix, { argument }) {
        seen.push(`handled ${argument} for ${ix.member.voter} in ${ix.channelId}`);
        await ix.replyPrivately('done');
      },
    });
    const handler = registry.handler(bot.app);
    const told: string[] = [];
    await handler.processEvent(command('me', told));
    await handler.processEvent(command('nonsense', told));
    await handler.processEvent({ ...command('me', told), userId: 'blocked' });
    // The blocked member stops at the first limit.
    expect(seen).toEqual(['first', 'second', 'handled me for slack:U1 in C0123456789', 'first']);
    expect(told).toEqual(['done', 'Usage: /digest me']);
  });

  test('a registration is made once; a handler that throws answers the member with one line', async () => {
    const bot = await makeApp(testConfig([{ name: 'nlp' }]));
    const registry = new InteractionRegistry().command('vote', {
      async handle() {
        throw new TypeError('boom');
      },
    });
    expect(() => registry.command('vote', { handle: async () => undefined })).toThrow(/registered twice/);
    const told: string[] = [];
    await registry.handler(bot.app).processEvent(command('x', told, 'vote'));
    expect(told).toEqual(['Sorry, something went wrong on our side; please try again later.']);
  });

  test('every interaction the product has is registered once', () => {
    expect(createRegistry().keys().sort()).toEqual(
      [
        'action:ask',
        'action:critique',
        'action:critiques',
        'action:follow-author',
        'action:not-for-us',
        'action:unfollow',
        'action:vote',
        'action:why',
        'command:ask',
        'command:critique',
        'command:digest',
        'command:follow',
        'command:follows',
        'command:unfollow',
        'command:vote',
        'form:ask',
        'home',
        'mention',
        'reaction',
      ].sort(),
    );
    const mention: ChatEvent = { ...command('what?', [], 'ask'), messageId: '1.1' };
    expect(entryKeyOf(mention)).toBe('mention');
  });
});
