/**
 * The core's side of chat, the same for every platform: every slash command, card button, menu, form, mention,
 * reaction and member's page is one registration in the registry (src/interactions/registry.ts), made here.
 * Adapters acknowledge within the platform's deadline and hand the normalized event to the handler this returns;
 * everything a member is told privately is the bot's own words.
 *
 * Adding a command is one registration plus its handler (adapters/README.md, "Adding a command").
 */
import type { ChatEventHandler } from '../chat/types';
import type { Assembly } from '../jobs/assembly';
import { critiquePaper } from '../commands/critique';
import { InteractionRegistry } from './registry';
import { registerVotes } from './votes';
import { registerCritique } from './critique';
import { registerAsk } from './ask';
import { registerFollows } from './follows';
import { registerCardActions } from './cards';
import { registerHome } from './home';

export { InteractionRegistry } from './registry';
export type { Interaction, Middleware, Registration } from './registry';

export interface ChatHandlerOptions {
  /** The critique function (default: critiquePaper); injectable for tests. */
  critique?: typeof critiquePaper;
}

/** Every interaction of the product, registered once. */
export function createRegistry(options: ChatHandlerOptions = {}): InteractionRegistry {
  const registry = new InteractionRegistry();
  registerVotes(registry);
  registerCritique(registry, options.critique ?? critiquePaper);
  registerAsk(registry);
  registerFollows(registry);
  registerCardActions(registry);
  registerHome(registry);
  return registry;
}

export function createChatHandler(app: Assembly, options: ChatHandlerOptions = {}): ChatEventHandler {
  return createRegistry(options).handler(app);
}
