/**
 * The Discord adapter (issue 5): the digest in a thread, /critique and /vote, reaction votes. Created only when
 * DISCORD_TOKEN is set; the environment is read from the context, never from process.env, so tests inject it.
 */
import type { AppContext } from '../../src/app/context';
import { DiscordAdapter, type DiscordAdapterOptions } from './adapter';

export { DiscordAdapter, type DiscordAdapterOptions, INTERACTIONS_PATH } from './adapter';
export { DISCORD_COMMANDS, type RegisteredCommands, registerDiscordCommands } from './commands';
export { parsePublicKey, verifyDiscordSignature } from './interactions';
export { LIMITS as DISCORD_LIMITS, renderDiscord } from './render';
export type { DiscordRestOptions } from './rest';

/** The adapter when DISCORD_TOKEN is set, else undefined (Discord is off). */
export function createDiscordAdapter(ctx: AppContext, options: DiscordAdapterOptions = {}): DiscordAdapter | undefined {
  const token = ctx.env.DISCORD_TOKEN?.trim();
  if (!token) return undefined;
  return new DiscordAdapter(ctx, token, options);
}
