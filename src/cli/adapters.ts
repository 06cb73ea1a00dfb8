/** The chat adapters whose credentials are set in the environment (Slack: SLACK_BOT_TOKEN; Discord: DISCORD_TOKEN). */
import { createDiscordAdapter } from '../../adapters/discord';
import { createSlackAdapter } from '../../adapters/slack';
import type { ChatAdapter, Platform } from '../chat/types';
import type { AppContext } from '../app/context';

export function createAdapters(ctx: AppContext): Partial<Record<Platform, ChatAdapter>> {
  const adapters: Partial<Record<Platform, ChatAdapter>> = {};
  const slack = createSlackAdapter(ctx);
  if (slack) adapters.slack = slack;
  const discord = createDiscordAdapter(ctx);
  if (discord) adapters.discord = discord;
  return adapters;
}
