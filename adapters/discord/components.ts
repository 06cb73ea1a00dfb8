/**
 * A card's buttons and menu (message component interactions, type 3) and the Ask… form (a modal, answered by a
 * modal submit interaction, type 5), over HTTP or the gateway alike. A click is answered within Discord's 3 s with
 * one initial response: a modal (type 9) when the core opens a form, the card updated in place (type 7) when it
 * shows a new vote count, else a deferred update (type 6) that leaves the card as it is; what the member is told
 * goes as ephemeral follow-ups, a visible answer in the card's thread. The component ids carry the card's paper id
 * and version (`ad:vote:2510.26143v1`); the adapter knows no action, it only reads ids back (src/chat/actions.ts).
 */
import type { REST } from '@discordjs/rest';
import type { APIMessage } from 'discord.js';
import { splitText } from '../../src/app/text';
import { ACTION_PREFIX, actionOf, cardValue, parseCardValue, voteLabel } from '../../src/chat/actions';
import type { CardPaper, FormSpec, OutgoingMessage, PostedMessage, ThreadRef } from '../../src/chat/types';
import { DISCORD_PLATFORM } from './config';
import { type DiscordActionRow, type DiscordMessageBody, EPHEMERAL, LIMITS } from './render';
import { call, discordCode, routes } from './rest';
import { disarmDiscord } from './text';

/** Interaction types of component clicks and modal submissions, and the callback types used to answer them. */
export const ComponentInteraction = { MessageComponent: 3, ModalSubmit: 5 } as const;
export const ComponentCallback = { DeferredUpdate: 6, UpdateMessage: 7, Modal: 9 } as const;

/** The text input of the one-field form. */
const FIELD_ID = 'text';
/** How long the core has to open a form or show a count before the click is acknowledged as a deferred update. */
const DECIDE_MS = 2_000;

/** What the adapter reads of a click or a form submission. */
export interface ComponentInput {
  kind: 'action' | 'form';
  /** The action (`vote`, `follow-author`…) or the form (`ask`). */
  name: string;
  paper?: CardPaper;
  /** A select's picked value (an author's index); a form's text. */
  value?: string;
  interactionId: string;
  applicationId: string;
  interactionToken: string;
  channelId: string;
  userId: string;
  guildId?: string;
  /** The message the component was on (the card). */
  messageId?: string;
  /** The card's components, to show a new vote count on them. */
  components?: DiscordActionRow[];
}

interface RawComponentInteraction {
  type: number;
  id?: string | undefined;
  application_id?: string | undefined;
  token?: string | undefined;
  channel_id?: string | undefined;
  guild_id?: string | undefined;
  channel?: { id?: string | undefined } | undefined;
  member?: { user?: { id: string } | undefined } | undefined;
  user?: { id: string } | undefined;
  message?: { id?: string; components?: unknown } | undefined;
  data?: { custom_id?: string; values?: unknown; components?: unknown } | undefined;
}

/** The text a modal submission carries in its one field. */
function submittedText(components: unknown): string | undefined {
  if (!Array.isArray(components)) return undefined;
  for (const row of components as Array<{ components?: Array<{ custom_id?: string; value?: unknown }> }>)
    for (const c of row.components ?? []) if (c.custom_id === FIELD_ID && typeof c.value === 'string') return c.value;
  return undefined;
}

/** A ComponentInput from a type 3 or type 5 interaction whose custom_id is one of ours; undefined otherwise. */
export function componentInputFrom(interaction: RawComponentInteraction): ComponentInput | undefined {
  const customId = interaction.data?.custom_id ?? '';
  const userId = interaction.member?.user?.id ?? interaction.user?.id;
  const channelId = interaction.channel_id ?? interaction.channel?.id;
  const { id, application_id: applicationId, token } = interaction;
  if (!userId || !channelId || !id || !applicationId || !token) return undefined;
  const [, name = '', value = '', messageId] = customId.slice(ACTION_PREFIX.length - 1).split(':');
  const common = {
    interactionId: id,
    applicationId,
    interactionToken: token,
    channelId,
    userId,
    ...(interaction.guild_id ? { guildId: interaction.guild_id } : {}),
  };
  if (!customId.startsWith(ACTION_PREFIX)) return undefined;
  const card = parseCardValue(value);
  if (interaction.type === ComponentInteraction.ModalSubmit) {
    const text = submittedText(interaction.data?.components);
    const onMessage = interaction.message?.id ?? messageId;
    if (text === undefined || !card) return undefined;
    return {
      kind: 'form',
      name,
      paper: card.paper,
      value: text,
      ...common,
      ...(onMessage ? { messageId: onMessage } : {}),
    };
  }
  const action = actionOf(customId);
  if (!action) return undefined;
  const values = Array.isArray(interaction.data?.values) ? (interaction.data.values as unknown[]) : [];
  const picked = typeof values[0] === 'string' ? values[0] : undefined;
  const components = interaction.message?.components;
  return {
    kind: 'action',
    name: action,
    ...(card ? { paper: card.paper } : {}),
    ...(picked !== undefined ? { value: picked } : card?.option !== undefined ? { value: String(card.option) } : {}),
    ...common,
    ...(interaction.message?.id ? { messageId: interaction.message.id } : {}),
    ...(Array.isArray(components) ? { components: components as DiscordActionRow[] } : {}),
  };
}

/** The Ask… form as a Discord modal: one paragraph field; its custom_id carries the paper and the card's message. */
export function modalOf(form: FormSpec, messageId: string | undefined): Record<string, unknown> {
  return {
    custom_id: `${ACTION_PREFIX}${form.form}:${cardValue(form.paper)}${messageId ? `:${messageId}` : ''}`,
    title: form.title.slice(0, 45),
    components: [
      {
        type: 1,
        components: [
          {
            type: 4,
            custom_id: FIELD_ID,
            style: 2,
            label: form.label.slice(0, 45),
            ...(form.placeholder ? { placeholder: form.placeholder.slice(0, 100) } : {}),
            min_length: 1,
            max_length: Math.min(form.maxLength, 4000),
            required: true,
          },
        ],
      },
    ],
  };
}

/** The card's rows with the Vote button showing `count`. */
export function withVoteCount(rows: DiscordActionRow[], count: number): DiscordActionRow[] {
  return rows.map((row) => ({
    ...row,
    components: row.components.map((c) => {
      if (c.type !== 2 || !c.custom_id.startsWith(`${ACTION_PREFIX}vote:`)) return c;
      const emoji = c.label.split(' ')[0] ?? '';
      return { ...c, label: `${emoji} ${voteLabel(count)}`.trim() };
    }),
  }));
}

export interface ComponentResponderDeps {
  rest: REST;
  render: (message: OutgoingMessage) => DiscordMessageBody[];
  sendToThread: (channelId: string, part: DiscordMessageBody, thread: ThreadRef) => Promise<PostedMessage>;
  sleep: (ms: number) => Promise<void>;
  /** Sends the initial response (over HTTP: the route's answer; over the gateway: the callback endpoint). */
  answer: (response: Record<string, unknown>) => Promise<void>;
}

/** Codes Discord returns while the initial response is not registered yet. */
const NOT_YET = new Set([10008, 10015, 10062]);

/** Answers one click: one initial response, then follow-ups and edits through the interaction's webhook. */
export class ComponentResponder {
  private decided: Promise<void> | undefined;
  private kind: number | undefined;

  constructor(
    private readonly deps: ComponentResponderDeps,
    readonly input: ComponentInput,
  ) {}

  /** Sends the initial response once; later calls wait for it. */
  decide(response: Record<string, unknown>): Promise<void> {
    if (!this.decided) {
      this.kind = Number(response.type);
      this.decided = this.deps.answer(response);
    }
    return this.decided;
  }

  /**
   * After DECIDE_MS without a form or a count, the click is acknowledged as a deferred update (Discord's deadline
   * is 3 s; a real timer, as the platform's clock is real). Resolves at once when the handler is done sooner.
   */
  deadline(done: Promise<unknown>): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, DECIDE_MS);
      timer.unref();
      done.finally(() => {
        clearTimeout(timer);
        resolve();
      });
    }).then(() => this.decide({ type: ComponentCallback.DeferredUpdate }));
  }

  get opened(): boolean {
    return this.kind === ComponentCallback.Modal;
  }

  async openForm(form: FormSpec): Promise<boolean> {
    if (this.decided) return false;
    await this.decide({ type: ComponentCallback.Modal, data: modalOf(form, this.input.messageId) });
    return true;
  }

  async showVoteCount(count: number): Promise<void> {
    const rows = this.input.components;
    if (!rows?.length) return;
    const components = withVoteCount(rows, count);
    if (!this.decided) {
      await this.decide({ type: ComponentCallback.UpdateMessage, data: { components } });
      return;
    }
    await this.decided;
    const { applicationId, interactionToken } = this.input;
    await this.retrying('updating the card (PATCH @original)', () =>
      this.deps.rest.patch(routes.webhookMessage(applicationId, interactionToken, '@original'), {
        body: { components },
        auth: false,
      }),
    );
  }

  async replyPrivately(text: string): Promise<void> {
    await this.decide({ type: ComponentCallback.DeferredUpdate });
    for (const content of splitText(disarmDiscord(text), LIMITS.content))
      await this.followUp({ content, flags: EPHEMERAL, allowed_mentions: { parse: [] } });
  }

  async reply(message: OutgoingMessage, thread?: ThreadRef): Promise<PostedMessage | undefined> {
    await this.decide({ type: ComponentCallback.DeferredUpdate });
    let first: PostedMessage | undefined;
    for (const part of this.deps.render(message)) {
      const posted = thread ? await this.deps.sendToThread(thread.channelId, part, thread) : await this.followUp(part);
      first ??= posted;
    }
    return first;
  }

  private async followUp(part: DiscordMessageBody): Promise<PostedMessage> {
    const { applicationId, interactionToken } = this.input;
    const msg = await this.retrying<APIMessage>('answering the click (follow-up)', () =>
      this.deps.rest.post(routes.webhook(applicationId, interactionToken), { body: part, auth: false }),
    );
    return { platform: DISCORD_PLATFORM, channelId: msg.channel_id ?? this.input.channelId, messageId: msg.id };
  }

  /** Over HTTP the initial response is our answer, which Discord may not have recorded yet: retried a few times. */
  private async retrying<T>(what: string, fn: () => Promise<unknown>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call<T>(what, fn);
      } catch (err) {
        const code = discordCode(err);
        if (attempt >= 3 || code === undefined || !NOT_YET.has(code)) throw err;
        await this.deps.sleep(250 * (attempt + 1));
      }
    }
  }
}
