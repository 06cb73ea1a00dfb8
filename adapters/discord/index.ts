/**
 * Discord: the platform descriptor the composition root lists (`discord`), and `createDiscordAdapter(ctx)`, which
 * gives the adapter when DISCORD_TOKEN is set. The environment is read from the context, never from process.env,
 * so tests inject it.
 */
import type { AppContext } from '../../src/app/context';
import type { ChatPlatform } from '../../src/chat/platform';
import { DiscordAdapter, type DiscordAdapterOptions } from './adapter';
import { DISCORD_PLATFORM, discordConfig, discordEnv } from './config';

export { DiscordAdapter, type DiscordAdapterOptions, INTERACTIONS_PATH } from './adapter';
export { DISCORD_COMMANDS, type RegisteredCommands, registerDiscordCommands } from './commands';
export { discordConfig, discordEnv, discordSettings } from './config';
export { parsePublicKey, verifyDiscordSignature } from './interactions';
export { LIMITS as DISCORD_LIMITS, renderDiscord } from './render';
export type { DiscordRestOptions } from './rest';
export { disarmDiscord } from './text';

/** The adapter when DISCORD_TOKEN is set, else undefined (Discord is off). */
export function createDiscordAdapter(ctx: AppContext, options: DiscordAdapterOptions = {}): DiscordAdapter | undefined {
  const token = discordEnv(ctx.env).token;
  if (!token) return undefined;
  return new DiscordAdapter(ctx, token, options);
}

/** Discord as the composition root lists it. */
export const discord: ChatPlatform = {
  id: DISCORD_PLATFORM,
  config: discordConfig,
  enable: 'set DISCORD_TOKEN',
  create: (ctx) => createDiscordAdapter(ctx),
};
