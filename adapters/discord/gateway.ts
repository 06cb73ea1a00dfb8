/**
 * The live path of `start`: a discord.js gateway client turning reactions and slash commands into the core's
 * events. Intents are the three the bot needs (guilds, guild messages, guild message reactions); with partials a
 * reaction on a message posted before the bot (re)started still arrives. Votes are also read back over REST when
 * the vote closes, so an event missed here is not a vote lost.
 */
import {
  Client,
  Events,
  GatewayIntentBits,
  type Interaction,
  MessageFlags,
  type MessageComponentInteraction,
  type MessageReaction,
  type ModalSubmitInteraction,
  Partials,
  type PartialMessageReaction,
  type PartialUser,
  type User,
} from 'discord.js';
import { ArxivDigestError, ErrorCode, oneLine } from '../../src/app/errors';
import type { Logger } from '../../src/app/log';
import { neutralEmoji } from '../../src/votes/emoji';
import { DISCORD_PLATFORM } from './config';
import type { ReactionEvent } from '../../src/chat/types';
import { answeredPrivately, malformedUsage, parseCommand } from './commands';
import type { CommandInput } from './interactions';
import { type ComponentInput, componentInputFrom } from './components';

/** A gateway click or modal submission in the raw shape of an HTTP interaction (what componentInputFrom reads). */
function rawComponent(
  interaction: MessageComponentInteraction | ModalSubmitInteraction,
): Parameters<typeof componentInputFrom>[0] {
  const message = 'message' in interaction ? interaction.message : undefined;
  const data: { custom_id: string; values?: string[]; components?: unknown } = { custom_id: interaction.customId };
  if (interaction.isStringSelectMenu()) data.values = interaction.values;
  if (interaction.isModalSubmit())
    data.components = [
      {
        type: 1,
        components: [...interaction.fields.fields.values()].map((f) => ({
          type: 4,
          custom_id: f.customId,
          value: 'value' in f ? f.value : '',
        })),
      },
    ];
  return {
    type: interaction.type,
    id: interaction.id,
    application_id: interaction.applicationId,
    token: interaction.token,
    channel_id: interaction.channelId ?? undefined,
    guild_id: interaction.guildId ?? undefined,
    user: { id: interaction.user.id },
    ...(message ? { message: { id: message.id, components: message.components.map((c) => c.toJSON()) } } : {}),
    data,
  };
}

export interface Gateway {
  /** Resolves once logged in (the gateway's READY); rejects when login fails for good (a refused token). */
  ready: Promise<void>;
  /** Disconnects, or gives up connecting. */
  close(): Promise<void>;
}

/** What a reaction must tell us; discord.js's MessageReaction (full or partial) has it. */
export interface ReactionLike {
  partial?: boolean;
  emoji: { name: string | null; id: string | null };
  message: { id: string; channelId: string };
  fetch?(): Promise<ReactionLike>;
}

/** A ReactionEvent from a gateway reaction; undefined for the bot's own and for reactions without an emoji name. */
export function reactionEventFrom(
  added: boolean,
  reaction: ReactionLike,
  userId: string,
  botUserId: string | undefined,
): ReactionEvent | undefined {
  if (botUserId && userId === botUserId) return undefined;
  const name = reaction.emoji.name;
  if (!name) return undefined;
  return {
    type: 'reaction',
    platform: DISCORD_PLATFORM,
    added,
    emoji: neutralEmoji(name),
    userId,
    // In a digest's thread this is the thread's id; the core indexes paper messages under it too.
    channelId: reaction.message.channelId,
    messageId: reaction.message.id,
  };
}

export function openGateway(deps: {
  token: string;
  api: string;
  log: Logger;
  onReaction: (event: ReactionEvent) => void | Promise<void>;
  onCommand: (input: CommandInput) => void;
  /** A click on a card or a form submission, as the HTTP route reads it (adapters/discord/components.ts). */
  onComponent?: (input: ComponentInput) => void;
}): Gateway {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.GuildMessageReactions],
    partials: [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User],
    allowedMentions: { parse: [] },
    rest: { api: deps.api, version: '10' },
  });

  const onReaction =
    (added: boolean) => async (reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser) => {
      try {
        let r: ReactionLike = reaction;
        // A partial reaction may lack its emoji's name (rare); fetching fills it in.
        if (!r.emoji.name && reaction.partial) r = await reaction.fetch();
        const event = reactionEventFrom(added, r, user.id, client.user?.id);
        if (event) await deps.onReaction(event);
      } catch (err) {
        deps.log.warn({ error: oneLine(err) }, 'discord reaction not handled');
      }
    };
  client.on(Events.MessageReactionAdd, onReaction(true));
  client.on(Events.MessageReactionRemove, onReaction(false));

  client.on(Events.InteractionCreate, async (interaction: Interaction) => {
    if (interaction.isMessageComponent() || interaction.isModalSubmit()) {
      const input = componentInputFrom(rawComponent(interaction));
      if (input) deps.onComponent?.(input);
      return;
    }
    if (!interaction.isChatInputCommand()) return;
    try {
      const parsed = parseCommand(interaction.commandName, interaction.options.data);
      if (!parsed) {
        await interaction.reply({
          content: 'Unknown command. Try `/critique paper:2510.26707` or `/vote paper:2510.26707`.',
          flags: MessageFlags.Ephemeral,
          allowedMentions: { parse: [] },
        });
        return;
      }
      const usage = malformedUsage(parsed.command, parsed.argument);
      if (usage) {
        await interaction.reply({ content: usage, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
        return;
      }
      // Within Discord's 3 s: "thinking…" now, the answer through the interaction webhook later (a private
      // command's deferral is ephemeral, so its answer is seen by the member alone).
      const privately = answeredPrivately(parsed.command);
      await interaction.deferReply(privately ? { flags: MessageFlags.Ephemeral } : {});
      deps.onCommand({
        applicationId: interaction.applicationId,
        interactionToken: interaction.token,
        channelId: interaction.channelId,
        userId: interaction.user.id,
        ...(interaction.guildId ? { guildId: interaction.guildId } : {}),
        ...(privately ? { private: true } : {}),
        ...parsed,
      });
    } catch (err) {
      deps.log.warn({ error: oneLine(err), command: interaction.commandName }, 'discord command not acknowledged');
    }
  });
  client.on(Events.Error, (err) => deps.log.error({ error: oneLine(err) }, 'discord gateway error'));
  client.once(Events.ClientReady, (c) => deps.log.info({ user: c.user.tag }, 'discord gateway ready'));

  // Not awaited here: an unreachable gateway (a firewall) must not hold up `start`; `ready` says when it is open.
  const ready = client.login(deps.token).then(
    () => undefined,
    async (err: unknown) => {
      await client.destroy();
      throw new ArxivDigestError(ErrorCode.ChatError, `discord: opening the gateway failed: ${oneLine(err)}`, {
        cause: err,
      });
    },
  );
  return {
    ready,
    close: async () => {
      await client.destroy();
    },
  };
}
