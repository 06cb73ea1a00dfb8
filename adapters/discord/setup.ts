/**
 * Discord's settings, checked before anything is opened, fetched or created (exit 2, one line): the descriptor's
 * `checkSetup`. With DISCORD_GATEWAY=off the slash commands can only arrive over HTTP, which needs
 * DISCORD_PUBLIC_KEY: without it they would be silently dead.
 */
import { UserInputError } from '../../src/app/errors';
import { discordEnv } from './config';

export function checkDiscordSetup(env: NodeJS.ProcessEnv, command: string): void {
  const { token, gateway, publicKey } = discordEnv(env);
  if (!token || command !== 'start') return;
  if (!gateway && !publicKey) {
    throw new UserInputError(
      'DISCORD_GATEWAY=off takes Discord commands over HTTP only, which needs DISCORD_PUBLIC_KEY (the application\'s "Public Key"): set it and point the Interactions Endpoint URL at /discord/interactions, or remove DISCORD_GATEWAY=off',
    );
  }
}
