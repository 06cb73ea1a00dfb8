/** `/follow`, `/unfollow`, `/follows`: one registration each, handled by src/follows/commands.ts. */
import type { CommandEvent } from '../chat/types';
import { handleFollowCommand } from '../follows/commands';
import type { InteractionRegistry } from './registry';

export function registerFollows(registry: InteractionRegistry): void {
  for (const command of ['follow', 'unfollow', 'follows'] as const) {
    registry.command(command, {
      async handle(ix) {
        await handleFollowCommand(ix.app.ctx.store, ix.event as CommandEvent, (c, argument) => ix.example(c, argument));
      },
    });
  }
}
