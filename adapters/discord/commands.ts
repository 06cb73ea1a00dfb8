/**
 * The slash commands: their definitions (registered by `arxiv-digest register-commands` with one bulk overwrite, so
 * re-running it is harmless), and reading a command back out of an interaction, from the HTTP endpoint or the
 * gateway alike. /critique and /vote take one required string option, `paper` (contract §Chat); /follow and
 * /unfollow an `author` or a `topic`; /follows none; /ask a required `question` and an optional `paper` (its number
 * in the digest, or an arXiv id), typed in a digest's thread.
 */
import type { APIApplicationCommand, RESTPutAPIApplicationCommandsJSONBody } from 'discord.js';
import type { AppContext } from '../../src/context';
import { ErrorCode, UserInputError } from '../../src/app/errors';
import type { CommandEvent } from '../../src/chat/types';
import { call, createRest, type DiscordRestOptions, routes } from './rest';
import { tryParseArxivId } from '../../src/arxiv/ids';
import { USAGE_EXAMPLE_ID, usageLine } from '../../src/commands/usage';
import { followUsage, isFollowCommand } from '../../src/follows/usage';
import { discordEnv, discordSettings } from './config';

/** Discord's enums, spelled out so this module needs no runtime from discord.js. */
const CHAT_INPUT = 1;
const STRING_OPTION = 3;
const SUB_COMMAND = 1;
const GUILD_CONTEXT = 0;
const GUILD_INSTALL = 0;

export const PAPER_OPTION = 'paper';
/** /follow and /unfollow take one of these two options. */
export const AUTHOR_OPTION = 'author';
export const TOPIC_OPTION = 'topic';

/** The options of /follow and /unfollow: an author's name or a topic (one of the two; the bot says so otherwise). */
function followOptions(verb: string) {
  return [
    {
      type: STRING_OPTION,
      name: AUTHOR_OPTION,
      description: `An author to ${verb}, e.g. Yann LeCun or Y. LeCun`,
      required: false,
      max_length: 100,
    },
    {
      type: STRING_OPTION,
      name: TOPIC_OPTION,
      description: `A topic to ${verb}, a few words, e.g. diffusion models`,
      required: false,
      max_length: 100,
    },
  ];
}
export const QUESTION_OPTION = 'question';

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
  {
    type: CHAT_INPUT,
    name: 'follow',
    description: 'Follow an author or a topic: their digest papers mention you (only you see this answer)',
    contexts: [GUILD_CONTEXT],
    integration_types: [GUILD_INSTALL],
    options: followOptions('follow'),
  },
  {
    type: CHAT_INPUT,
    name: 'unfollow',
    description: 'Stop following an author or a topic',
    contexts: [GUILD_CONTEXT],
    integration_types: [GUILD_INSTALL],
    options: followOptions('stop following'),
  },
  {
    type: CHAT_INPUT,
    name: 'follows',
    description: 'The authors and topics you follow (only you see this answer)',
    contexts: [GUILD_CONTEXT],
    integration_types: [GUILD_INSTALL],
  },
  {
    type: CHAT_INPUT,
    name: 'ask',
    description: "Ask a paper a question, in its digest's thread: answered from its full text, citing the section",
    contexts: [GUILD_CONTEXT],
    integration_types: [GUILD_INSTALL],
    options: [
      {
        type: STRING_OPTION,
        name: QUESTION_OPTION,
        description: 'Your question, e.g. which datasets does it use?',
        required: true,
        max_length: 500,
      },
      {
        type: STRING_OPTION,
        name: PAPER_OPTION,
        description: "The paper's number in the digest (2) or its arXiv id; needed when the thread has several",
        required: false,
        max_length: 200,
      },
    ],
  },
  {
    type: CHAT_INPUT,
    name: 'digest',
    description: 'Your own page: your follows, papers you voted for or asked about, what the votes taught the digest',
    contexts: [GUILD_CONTEXT],
    integration_types: [GUILD_INSTALL],
    options: [
      { type: SUB_COMMAND, name: 'me', description: 'Your page (only you see it)' },
      { type: SUB_COMMAND, name: 'private', description: 'Your critiques come to you alone' },
      { type: SUB_COMMAND, name: 'thread', description: "Your critiques go in the paper's thread (the default)" },
    ],
  },
];

const GUILD_ID = /^\d{15,22}$/;

export type CommandName = CommandEvent['command'];

/** The command and its argument from an interaction's name and options; undefined for a command we do not know. */
export function parseCommand(
  name: string,
  options: ReadonlyArray<{ name: string; value?: unknown }> | undefined,
): { command: CommandName; argument: string; paper?: string } | undefined {
  const text = (option: string) => {
    const value = options?.find((o) => o.name === option)?.value;
    return typeof value === 'string' ? value.trim() : '';
  };
  if (name === 'critique' || name === 'vote') return { command: name, argument: text(PAPER_OPTION) };
  if (name === 'follows') return { command: name, argument: '' };
  if (name === 'follow' || name === 'unfollow') {
    // Written as the core reads it on every platform: `author <name>` or `topic <words>`; neither or both: no
    // argument, and the answer is the usage line.
    const author = text(AUTHOR_OPTION);
    const topic = text(TOPIC_OPTION);
    const argument = author && !topic ? `author ${author}` : topic && !author ? `topic ${topic}` : '';
    return { command: name, argument };
  }
  // `/digest me|private|thread`: a subcommand, written as the core reads it (`me`).
  if (name === 'digest') return { command: name, argument: options?.[0]?.name ?? 'me' };
  if (name === 'ask') {
    const paper = text(PAPER_OPTION);
    return { command: name, argument: text(QUESTION_OPTION), ...(paper ? { paper } : {}) };
  }
  return undefined;
}

/**
 * The usage line when a command's argument is not an arXiv id. Checked before the interaction is deferred, so the
 * answer can be ephemeral from the start (a public deferral cannot turn private) and costs nothing downstream.
 */
export function malformedUsage(command: CommandName, argument: string): string | undefined {
  if (command === 'follows' || command === 'digest') return undefined;
  if (command === 'follow' || command === 'unfollow')
    return argument ? undefined : followUsage(command, discordCommandExample);
  if (command === 'ask')
    return argument.trim() ? undefined : `Usage: ${discordCommandExample('ask', '')}, typed in a digest's thread.`;
  return tryParseArxivId(argument) ? undefined : usageLine(discordCommandExample(command, USAGE_EXAMPLE_ID));
}

/** Commands answered to the member alone (deferred ephemeral, so the answer stays private). */
export function answeredPrivately(command: CommandName): boolean {
  return isFollowCommand(command) || command === 'digest';
}

/**
 * How a member writes a command on Discord: its argument is the `paper` option (`/vote paper:2510.26707`); for
 * /follow and /unfollow the `author:` or `topic:` option (`/follow author:Yann LeCun`); /follows takes none; /ask's
 * the `question` option, with the paper's number as `paper` (`/ask question:which datasets? paper:2`).
 */
export function discordCommandExample(command: string, argument: string): string {
  if (command === 'follows') return '/follows';
  if (command === 'digest') return `/digest ${argument.trim() || 'me'}`;
  if (command === 'ask') return `/ask ${QUESTION_OPTION}:which datasets does it use? ${PAPER_OPTION}:2`;
  if (command === 'follow' || command === 'unfollow') {
    const m = /^(author|topic)\s+(.*)$/.exec(argument.trim());
    return m ? `/${command} ${m[1]}:${m[2]}` : `/${command} ${AUTHOR_OPTION}:${argument.trim()}`;
  }
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
