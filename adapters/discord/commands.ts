/**
 * The slash commands: their definitions (registered by `arxiv-digest register-commands` with one bulk overwrite, so
 * re-running it is harmless), and reading a command back out of an interaction, from the HTTP endpoint or the
 * gateway alike. Both commands take one required string option, `paper` (contract §Chat).
 */
import type { APIApplicationCommand, RESTPutAPIApplicationCommandsJSONBody } from 'discord.js';
import type { AppContext } from '../../src/app/context';
import { ErrorCode, UserInputError } from '../../src/app/errors';
import type { CommandEvent } from '../../src/chat/types';
import { call, createRest, type DiscordRestOptions, routes } from './rest';
import { tryParseArxivId } from '../../src/arxiv/ids';
import { USAGE_EXAMPLE_ID, usageLine } from '../../src/commands/usage';
import { discordEnv, discordSettings } from './config';

/** Discord's enums, spelled out so this module needs no runtime from discord.js. */
const CHAT_INPUT = 1;
const STRING_OPTION = 3;
const GUILD_CONTEXT = 0;
const GUILD_INSTALL = 0;

export const PAPER_OPTION = 'paper';

export const DISCORD_COMMANDS: RESTPutAPIApplicationCommandsJSONBody = [
  {
    type: CHAT_INPUT,
    name: 'critique',
    description: 'Critique an arXiv paper: strengths, weaknesses and an overall verdict',
    contexts: [GUILD_CONTEXT],
    integration_types: [GUILD_INSTALL],
    options: [
      {
        type: STRING_OPTION,
        name: PAPER_OPTION,
        description: 'arXiv id or URL, e.g. 2510.26707 or https://arxiv.org/abs/2510.26707',
        required: true,
        max_length: 200,
      },
    ],
  },
  {
    type: CHAT_INPUT,
    name: 'vote',
    description: "Vote for an arXiv paper in today's digest (or any paper)",
    contexts: [GUILD_CONTEXT],
    integration_types: [GUILD_INSTALL],
    options: [
      {
        type: STRING_OPTION,
        name: PAPER_OPTION,
        description: 'arXiv id, e.g. 2510.26707',
        required: true,
        max_length: 200,
      },
    ],
  },
];

const GUILD_ID = /^\d{15,22}$/;

export type CommandName = CommandEvent['command'];

/** The command and its argument from an interaction's name and options; undefined for a command we do not know. */
export function parseCommand(
  name: string,
  options: ReadonlyArray<{ name: string; value?: unknown }> | undefined,
): { command: CommandName; argument: string } | undefined {
  if (name !== 'critique' && name !== 'vote') return undefined;
  const value = options?.find((o) => o.name === PAPER_OPTION)?.value;
  return { command: name, argument: typeof value === 'string' ? value.trim() : '' };
}

/**
 * The usage line when a command's argument is not an arXiv id. Checked before the interaction is deferred, so the
 * answer can be ephemeral from the start (a public deferral cannot turn private) and costs nothing downstream.
 */
export function malformedUsage(command: CommandName, argument: string): string | undefined {
  return tryParseArxivId(argument) ? undefined : usageLine(discordCommandExample(command, USAGE_EXAMPLE_ID));
}

/** How a member writes a command on Discord: its argument is the `paper` option (`/vote paper:2510.26707`). */
export function discordCommandExample(command: string, argument: string): string {
  return `/${command} ${PAPER_OPTION}:${argument}`;
}

export interface RegisteredCommands {
  scope: 'global' | 'guild';
  applicationId: string;
  guildId?: string;
  commands: Array<{ id: string; name: string }>;
}

/**
 * Registers /critique and /vote with a bulk overwrite (PUT): for one guild when `guildId` (or config.discord.guildId)
 * is set, where changes show at once; else globally. The application id is DISCORD_APPLICATION_ID, else asked of
 * Discord (GET /applications/@me) with the bot token.
 */
export async function registerDiscordCommands(
  ctx: AppContext,
  opts: { guildId?: string; rest?: DiscordRestOptions } = {},
): Promise<RegisteredCommands> {
  const env = discordEnv(ctx.env);
  const token = env.token;
  if (!token) {
    throw new UserInputError(
      'DISCORD_TOKEN is not set: register-commands needs the bot token of the Discord application (see the README)',
    );
  }
  const guildId = opts.guildId ?? discordSettings(ctx.config).guildId;
  if (guildId !== undefined && !GUILD_ID.test(guildId)) {
    throw new UserInputError(
      `guild id "${guildId}" is not a Discord guild id (expected a snowflake such as "123456789012345678")`,
      ErrorCode.InvalidConfig,
    );
  }
  const appFromEnv = env.applicationId;
  const rest = createRest(ctx, token, opts.rest);
  const applicationId =
    appFromEnv ||
    (
      await call<{ id: string }>('reading the application (GET /applications/@me)', () =>
        rest.get(routes.application()),
      )
    ).id;
  const route = guildId ? routes.guildCommands(applicationId, guildId) : routes.globalCommands(applicationId);
  const registered = await call<APIApplicationCommand[]>(
    `registering the slash commands (${guildId ? `guild ${guildId}` : 'global'})`,
    () => rest.put(route, { body: DISCORD_COMMANDS }),
  );
  ctx.log.info(
    { applicationId, guildId, commands: registered.map((c) => c.name) },
    'discord slash commands registered',
  );
  return {
    scope: guildId ? 'guild' : 'global',
    applicationId,
    ...(guildId ? { guildId } : {}),
    commands: registered.map((c) => ({ id: c.id, name: c.name })),
  };
}
