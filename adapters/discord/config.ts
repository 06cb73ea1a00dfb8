/**
 * Discord's part of the config and the environment: the channel entries (`channels: [{ discord: "1234…" }]`), its
 * own section (`discord: { guildId }`), and the DISCORD_* variables, read and checked here (the core names none).
 */
import { z } from 'zod';
import { UserInputError } from '../../src/app/errors';
import { envUrl } from '../../src/chat/platform';
import type { Config, PlatformConfig } from '../../src/config/schema';

export const DISCORD_PLATFORM = 'discord';

const SNOWFLAKE = /^\d{15,22}$/;

/** The `discord:` section of the config. */
export const discordSection = z.strictObject({
  /** Register the slash commands for this server only (they show at once); else globally. */
  guildId: z.coerce
    .string()
    .regex(SNOWFLAKE, 'a Discord server id (a snowflake such as "987654321098765432")')
    .optional(),
});

export type DiscordSettings = z.infer<typeof discordSection>;

export const discordConfig: PlatformConfig = {
  id: DISCORD_PLATFORM,
  // Ids may be written with or without quotes: the loader keeps an unquoted 18-digit id's digits as a string.
  channel: z.coerce.string().regex(SNOWFLAKE, 'a Discord channel id (a snowflake such as "123456789012345678")'),
  channelExample: 'discord: "123456789012345678"',
  section: discordSection,
};

/** The validated `discord:` section of a config (its defaults when the config has none). */
export function discordSettings(config: Config): DiscordSettings {
  return discordSection.parse(config[DISCORD_PLATFORM] ?? {});
}

export const DEFAULT_DISCORD_API_URL = 'https://discord.com/api';

/** What the environment says about Discord. */
export interface DiscordEnv {
  /** DISCORD_TOKEN: Discord is on when it is set. */
  token: string | undefined;
  /** DISCORD_APPLICATION_ID (else asked of Discord when needed). */
  applicationId: string | undefined;
  /** DISCORD_PUBLIC_KEY: interactions also over HTTP on PORT. */
  publicKey: string | undefined;
  /** DISCORD_API_URL without a trailing slash. */
  apiUrl: string;
  /** DISCORD_GATEWAY: false for `off`. */
  gateway: boolean;
  /** DISCORD_GATEWAY_TIMEOUT_MS: when a gateway still not open is reported (default 30 s). */
  gatewayTimeoutMs?: number;
}

/** Reads the DISCORD_* variables; a malformed value stops here with one line naming the variable. */
export function discordEnv(env: NodeJS.ProcessEnv): DiscordEnv {
  const applicationId = env.DISCORD_APPLICATION_ID?.trim() || undefined;
  if (applicationId && !SNOWFLAKE.test(applicationId)) {
    throw new UserInputError(
      `DISCORD_APPLICATION_ID is "${applicationId}": expected the application's id, a snowflake such as "123456789012345678"`,
    );
  }
  const gateway = env.DISCORD_GATEWAY?.trim().toLowerCase() || 'on';
  if (!['on', 'off', 'true', 'false', '1', '0'].includes(gateway)) {
    throw new UserInputError(`DISCORD_GATEWAY is "${env.DISCORD_GATEWAY}": expected on or off`);
  }
  const timeoutRaw = env.DISCORD_GATEWAY_TIMEOUT_MS?.trim();
  const gatewayTimeoutMs = timeoutRaw ? Number(timeoutRaw) : undefined;
  if (gatewayTimeoutMs !== undefined && !(Number.isInteger(gatewayTimeoutMs) && gatewayTimeoutMs > 0)) {
    throw new UserInputError(
      `DISCORD_GATEWAY_TIMEOUT_MS is "${timeoutRaw}": expected a number of milliseconds such as 30000`,
    );
  }
  return {
    ...(gatewayTimeoutMs ? { gatewayTimeoutMs } : {}),
    token: env.DISCORD_TOKEN?.trim() || undefined,
    applicationId,
    publicKey: env.DISCORD_PUBLIC_KEY?.trim() || undefined,
    apiUrl: envUrl(env, 'DISCORD_API_URL', DEFAULT_DISCORD_API_URL).replace(/\/+$/, ''),
    gateway: !['off', 'false', '0'].includes(gateway),
  };
}
