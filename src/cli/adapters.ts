/**
 * The chat platforms this build knows: one line each. Each adapter folder exports its descriptor (its config
 * part, the environment that turns it on, its adapter); adding a platform is its folder plus one line here
 * (adapters/README.md).
 */
import { discord } from '../../adapters/discord';
import { slack } from '../../adapters/slack';
import type { AppContext } from '../app/context';
import { type ChatPlatform, createAdapters as adaptersOf } from '../chat/platform';
import type { ChatAdapter, Platform } from '../chat/types';
import type { PlatformConfig } from '../config/schema';

export const CHAT_PLATFORMS: readonly ChatPlatform[] = [slack, discord];

/** The platforms' parts of the config, for the config loader. */
export const PLATFORM_CONFIG: readonly PlatformConfig[] = CHAT_PLATFORMS.map((p) => p.config);

/** The adapters whose environment turns them on (e.g. Slack: SLACK_BOT_TOKEN; Discord: DISCORD_TOKEN). */
export function createAdapters(ctx: AppContext): Partial<Record<Platform, ChatAdapter>> {
  return adaptersOf(ctx, CHAT_PLATFORMS);
}
