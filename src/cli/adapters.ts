/**
 * The chat platforms this build knows: one line each. Each adapter folder exports its descriptor (its config
 * part, the environment that turns it on, its adapter); adding a platform is its folder plus one line here
 * (adapters/README.md).
 */
import { discord } from '../../adapters/discord';
import { slack } from '../../adapters/slack';
import type { AppContext } from '../context';
import { type ChatPlatform, createAdapters as adaptersOf } from '../chat/platform';
import type { ChatAdapter, Platform } from '../chat/types';
import type { DigestConfig, PlatformConfig } from '../config/schema';
import { ArxivDigestError, ErrorCode } from '../app/errors';
import { channelsOf } from '../jobs/run';

export const CHAT_PLATFORMS: readonly ChatPlatform[] = [slack, discord];

/** The platforms' parts of the config, for the config loader. */
export const PLATFORM_CONFIG: readonly PlatformConfig[] = CHAT_PLATFORMS.map((p) => p.config);

/** The adapters whose environment turns them on (e.g. Slack: SLACK_BOT_TOKEN; Discord: DISCORD_TOKEN). */
export function createAdapters(ctx: AppContext): Partial<Record<Platform, ChatAdapter>> {
  return adaptersOf(ctx, CHAT_PLATFORMS);
}

/** Each platform's own settings checks (token combinations, DISCORD_GATEWAY), before anything is opened: exit 2. */
export function checkPlatformSetup(env: NodeJS.ProcessEnv, command: string | undefined): void {
  for (const platform of CHAT_PLATFORMS) platform.checkSetup?.(env, command ?? '');
}

/** A digest that posts to a platform its environment does not turn on: exit 2 before the store is opened. */
export function checkCredentials(digests: DigestConfig[], env: NodeJS.ProcessEnv, hint = ' (or use --dry-run)'): void {
  for (const digest of digests) {
    for (const { platform, channelId } of channelsOf(digest)) {
      const descriptor = CHAT_PLATFORMS.find((p) => p.id === platform);
      if (!descriptor?.isOn || descriptor.isOn(env)) continue;
      throw new ArxivDigestError(
        ErrorCode.ChatError,
        `digest "${digest.name}" posts to ${platform} channel ${channelId}, but ${platform} is off: ${descriptor.enable}${hint}`,
        { exitCode: 2 },
      );
    }
  }
}
