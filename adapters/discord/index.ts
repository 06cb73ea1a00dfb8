/**
 * Discord: the platform descriptor the composition root lists (`discord`), and `createDiscordAdapter(ctx)`, which
 * gives the adapter when DISCORD_TOKEN is set. The environment is read from the context, never from process.env,
 * so tests inject it.
 *
 * Keep this file light: the composition root imports it on every start, so the adapter and the commands (and with
 * them @discordjs/rest and discord.js) are required only when used, and nothing here re-exports a value from them.
 */
import type { AppContext } from '../../src/context';
import type { ChatPlatform } from '../../src/chat/platform';
import type * as AdapterModule from './adapter';
import type { DiscordAdapter, DiscordAdapterOptions } from './adapter';
import type * as CommandsModule from './commands';
import type { RegisteredCommands } from './commands';
import { DISCORD_PLATFORM, discordConfig, discordEnv } from './config';
import { checkDiscordSetup } from './setup';

/** The adapter when DISCORD_TOKEN is set, else undefined (Discord is off). */
export function createDiscordAdapter(ctx: AppContext, options: DiscordAdapterOptions = {}): DiscordAdapter | undefined {
  const token = discordEnv(ctx.env).token;
  if (!token) return undefined;
  const { DiscordAdapter } = require('./adapter') as typeof AdapterModule;
  return new DiscordAdapter(ctx, token, options);
}

/** Registers /critique and /vote with Discord (`arxiv-digest register-commands`): see ./commands. */
export function registerDiscordCommands(
  ...args: Parameters<typeof CommandsModule.registerDiscordCommands>
): Promise<RegisteredCommands> {
  return (require('./commands') as typeof CommandsModule).registerDiscordCommands(...args);
}

/** Discord as the composition root lists it. */
export const discord: ChatPlatform = {
  id: DISCORD_PLATFORM,
  config: discordConfig,
  enable: 'set DISCORD_TOKEN',
  isOn: (env) => !!discordEnv(env).token,
  checkSetup: checkDiscordSetup,
  create: (ctx) => createDiscordAdapter(ctx),
  registerCommands: async (ctx) => {
    const result = await registerDiscordCommands(ctx);
    const where = result.scope === 'guild' ? `guild ${result.guildId}` : 'globally (may take up to an hour to appear)';
    return `registered ${result.commands.map((c) => `/${c.name}`).join(', ')} ${where} for application ${result.applicationId}`;
  },
};
