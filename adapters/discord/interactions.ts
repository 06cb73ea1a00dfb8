/**
 * Slash commands over HTTP (`POST /discord/interactions`, when DISCORD_PUBLIC_KEY is set) and the answers to a
 * command from either path. Discord signs every request with the application's Ed25519 key over timestamp + raw body;
 * a bad signature is refused with 401 (Discord itself probes this when the endpoint is saved). A command is
 * acknowledged at once with a deferred response (type 5, "thinking…") because a critique takes longer than the 3 s
 * Discord allows; the answer then goes through the interaction's webhook: the first as an edit of @original, the
 * rest as follow-ups.
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { z } from 'zod';
import type { REST } from '@discordjs/rest';
import type { APIMessage } from 'discord.js';
import type { Logger } from '../../src/app/log';
import { UserInputError, oneLine } from '../../src/app/errors';
import { splitText } from '../../src/app/text';
import { disarmDiscord } from './text';
import { DISCORD_PLATFORM } from './config';
import type { OutgoingMessage, PostedMessage, RawRequest, RawResponse, ThreadRef } from '../../src/chat/types';
import { type CommandName, answeredPrivately, malformedUsage, parseCommand } from './commands';
import { type DiscordMessageBody, EPHEMERAL, LIMITS } from './render';
import { call, discordCode, routes } from './rest';
import { ComponentInteraction, type ComponentInput, componentInputFrom } from './components';

/** Interaction types and callback types of the API (v10). */
export const InteractionType = { Ping: 1, ApplicationCommand: 2 } as const;
export const CallbackType = { Pong: 1, ChannelMessage: 4, DeferredChannelMessage: 5 } as const;

/** How old a signed request may be: a captured request cannot be replayed later. */
const MAX_SKEW_SECONDS = 300;

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32-byte raw key follows it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The application's public key (64 hex characters, from the Developer Portal) as a node:crypto key. */
export function parsePublicKey(hex: string): KeyObject {
  const clean = hex.trim();
  if (!/^[0-9a-f]{64}$/i.test(clean)) {
    // The value itself is not shown: it sits with the secrets in the logger's redaction list.
    throw new UserInputError(
      'DISCORD_PUBLIC_KEY is not a Discord public key: expected the 64 hex characters of "Public Key" on the application\'s General Information page',
    );
  }
  return createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(clean, 'hex')]),
    format: 'der',
    type: 'spki',
  });
}

/** Whether `signatureHex` is the application's Ed25519 signature of timestamp + body. */
export function verifyDiscordSignature(
  key: KeyObject,
  signatureHex: string,
  timestamp: string,
  rawBody: Buffer,
): boolean {
  if (!/^[0-9a-f]{128}$/i.test(signatureHex) || !timestamp) return false;
  try {
    return verify(
      null,
      Buffer.concat([Buffer.from(timestamp, 'utf8'), rawBody]),
      key,
      Buffer.from(signatureHex, 'hex'),
    );
  } catch {
    return false;
  }
}

function header(req: RawRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(req.headers)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

function json(status: number, body: unknown): RawResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** What the adapter needs to know of a command to answer it, from an HTTP interaction or the gateway. */
export interface CommandInput {
  applicationId: string;
  interactionToken: string;
  channelId: string;
  userId: string;
  command: CommandName;
  argument: string;
  /** The guild the command was typed in (follows are kept per guild). */
  guildId?: string;
  /** Deferred as ephemeral: every answer stays visible to the member alone (/follow, /unfollow, /follows). */
  private?: boolean;
  /** /ask's optional `paper` option. */
  paper?: string;
}

const snowflake = z.string().regex(/^\d{1,20}$/, 'expected a Discord id (digits)');

/**
 * What Discord may send to `POST /discord/interactions`, as a zod schema: checked before anything reads the body,
 * so a correctly signed but malformed one (a JSON `null`, `data.options` that is not an array) is a 400 with a
 * short reason, never a 500. Fields the bot does not read are kept as they are.
 */
export const interactionSchema = z.looseObject({
  type: z.number().int(),
  id: snowflake.optional(),
  application_id: snowflake.optional(),
  token: z.string().min(1).max(1000).optional(),
  channel_id: snowflake.optional(),
  guild_id: snowflake.optional(),
  channel: z.looseObject({ id: snowflake.optional() }).optional(),
  member: z.looseObject({ user: z.looseObject({ id: snowflake }).optional() }).optional(),
  user: z.looseObject({ id: snowflake }).optional(),
  data: z
    .looseObject({
      name: z.string().min(1).max(100).optional(),
      options: z
        .array(
          z.looseObject({
            name: z.string().min(1).max(100),
            type: z.number().int().optional(),
            value: z.union([z.string().max(6000), z.number(), z.boolean()]).optional(),
          }),
        )
        .max(25)
        .optional(),
    })
    .optional(),
});

type RawInteraction = z.infer<typeof interactionSchema>;

/** The first problem zod found, short: `data.options: Invalid input: expected array, received string`. */
function shortReason(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'malformed body';
  const where = issue.path.length ? issue.path.map(String).join('.') : 'body';
  return `${where}: ${issue.message}`.slice(0, 200);
}

/** A CommandInput from a raw APPLICATION_COMMAND interaction, or undefined when it is not one of ours. */
export function commandInputFrom(interaction: RawInteraction): CommandInput | undefined {
  const parsed = parseCommand(interaction.data?.name ?? '', interaction.data?.options);
  const userId = interaction.member?.user?.id ?? interaction.user?.id;
  const channelId = interaction.channel_id ?? interaction.channel?.id;
  if (!parsed || !userId || !channelId || !interaction.application_id || !interaction.token) return undefined;
  return {
    applicationId: interaction.application_id,
    interactionToken: interaction.token,
    channelId,
    userId,
    ...(interaction.guild_id ? { guildId: interaction.guild_id } : {}),
    ...(answeredPrivately(parsed.command) ? { private: true } : {}),
    ...parsed,
  };
}

/**
 * The handler of `POST /discord/interactions`: signature, PING → PONG, a command → type 5 at once and `onCommand`
 * afterwards (the caller runs it in the background, after this answer has left).
 */
export function interactionRoute(deps: InteractionRouteDeps): (req: RawRequest) => Promise<RawResponse> {
  const route = async (req: RawRequest): Promise<RawResponse> => {
    const verified = verifiedInteraction(deps, req);
    if ('status' in verified) return verified;
    const { interaction, signature } = verified;
    if (interaction.type === InteractionType.Ping) return json(200, { type: CallbackType.Pong });
    const seenAs = interaction.id ?? `signature:${signature}`;
    if (deps.firstTime && !(await deps.firstTime(seenAs))) {
      deps.log.warn({ interaction: seenAs }, 'discord interaction seen before (a replay): answered, not acted on');
      return json(200, { type: CallbackType.DeferredChannelMessage, data: { flags: EPHEMERAL } });
    }
    if (interaction.type === InteractionType.ApplicationCommand) return answerCommand(deps, interaction);
    if (
      deps.onComponent &&
      (interaction.type === ComponentInteraction.MessageComponent ||
        interaction.type === ComponentInteraction.ModalSubmit)
    )
      return answerComponent(deps.onComponent, interaction);
    deps.log.warn({ type: interaction.type }, 'discord interaction refused: its type is not handled');
    return json(400, { error: `interaction type ${String(interaction.type)} is not handled` });
  };
  return async (req) => {
    try {
      return await route(req);
    } catch (err) {
      // 400, not 500: Discord would retry, and the same body would fail the same way again.
      deps.log.error({ err: oneLine(err) }, 'discord interaction could not be processed');
      return json(400, { error: 'the interaction could not be processed' });
    }
  };
}

interface InteractionRouteDeps {
  publicKey: KeyObject;
  now: () => number;
  log: Logger;
  onCommand: (input: CommandInput) => void;
  /** A click or a form submission (type 3, type 5): resolves to the initial response (a modal, an update…). */
  onComponent?: (input: ComponentInput) => Promise<Record<string, unknown>>;
  /**
   * True the first time an interaction id is seen (src/chat/replay.ts): a signed interaction sent again within
   * its signature's five minutes is answered and not acted on. Without it every copy acts.
   */
  firstTime?: (interactionId: string) => Promise<boolean>;
}

/** The request's interaction once its signature, its timestamp's window and its body hold; else the refusal. */
function verifiedInteraction(
  deps: Pick<InteractionRouteDeps, 'publicKey' | 'now' | 'log'>,
  req: RawRequest,
): RawResponse | { interaction: RawInteraction; signature: string } {
  const signature = header(req, 'x-signature-ed25519') ?? '';
  const timestamp = header(req, 'x-signature-timestamp') ?? '';
  if (!verifyDiscordSignature(deps.publicKey, signature, timestamp, req.rawBody)) {
    deps.log.warn('discord interaction refused: bad or missing signature');
    return { status: 401, headers: { 'content-type': 'text/plain' }, body: 'invalid request signature' };
  }
  const age = Math.abs(deps.now() / 1000 - Number(timestamp));
  if (!Number.isFinite(age) || age > MAX_SKEW_SECONDS) {
    deps.log.warn({ timestamp }, 'discord interaction refused: timestamp outside the 5-minute window');
    return { status: 401, headers: { 'content-type': 'text/plain' }, body: 'stale request timestamp' };
  }
  let body: unknown;
  try {
    body = JSON.parse(req.rawBody.toString('utf8'));
  } catch {
    deps.log.warn('discord interaction refused: body is not JSON');
    return json(400, { error: 'body is not JSON' });
  }
  const checked = interactionSchema.safeParse(body);
  if (!checked.success) {
    const reason = shortReason(checked.error);
    deps.log.warn({ reason }, 'discord interaction refused: malformed body');
    return json(400, { error: `malformed interaction: ${reason}` });
  }
  return { interaction: checked.data, signature };
}

/** A slash command: refused at once when unknown or malformed, else deferred (type 5) and handed to `onCommand`. */
function answerCommand(deps: Pick<InteractionRouteDeps, 'onCommand'>, interaction: RawInteraction): RawResponse {
  const input = commandInputFrom(interaction);
  if (!input) {
    return json(200, {
      type: CallbackType.ChannelMessage,
      data: {
        content: `Unknown command. Try \`/critique paper:2510.26707\` or \`/vote paper:2510.26707\`.`,
        flags: EPHEMERAL,
        allowed_mentions: { parse: [] },
      },
    });
  }
  const usage = malformedUsage(input.command, input.argument);
  if (usage) {
    return json(200, {
      type: CallbackType.ChannelMessage,
      data: { content: disarmDiscord(usage), flags: EPHEMERAL, allowed_mentions: { parse: [] } },
    });
  }
  deps.onCommand(input);
  // A private command's deferral is ephemeral too: its answer then replaces it, seen by the member alone.
  return json(
    200,
    input.private
      ? { type: CallbackType.DeferredChannelMessage, data: { flags: EPHEMERAL } }
      : { type: CallbackType.DeferredChannelMessage },
  );
}

/** A click or a form submission: the component handler's initial response, or a note when it is not ours. */
async function answerComponent(
  onComponent: NonNullable<InteractionRouteDeps['onComponent']>,
  interaction: RawInteraction,
): Promise<RawResponse> {
  const input = componentInputFrom(interaction as Parameters<typeof componentInputFrom>[0]);
  if (!input)
    return json(200, {
      type: CallbackType.ChannelMessage,
      data: {
        content: 'This button is not one the bot knows any more.',
        flags: EPHEMERAL,
        allowed_mentions: { parse: [] },
      },
    });
  return json(200, await onComponent(input));
}

export interface ResponderDeps {
  rest: REST;
  render: (message: OutgoingMessage) => DiscordMessageBody[];
  /** Posts a part into a thread with the bot token (a command answered in a digest's thread). */
  sendToThread: (channelId: string, part: DiscordMessageBody, thread: ThreadRef) => Promise<PostedMessage>;
  sleep: (ms: number) => Promise<void>;
}

/** Codes Discord returns when the deferred response is not registered yet (the HTTP answer is still in flight). */
const NOT_YET = new Set([10008, 10015, 10062]);

/**
 * Answers one command through its interaction webhook. The first visible answer replaces the deferred "thinking…"
 * (PATCH @original); later ones are follow-ups. A private answer first withdraws the public "thinking…" (an
 * ephemeral follow-up cannot replace a public deferral) and then goes as an ephemeral follow-up.
 */
export class InteractionResponder {
  private state: 'deferred' | 'answered' | 'withdrawn' = 'deferred';
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: ResponderDeps,
    readonly input: CommandInput,
  ) {}

  get answered(): boolean {
    return this.state !== 'deferred';
  }

  reply(message: OutgoingMessage, thread?: ThreadRef): Promise<PostedMessage | undefined> {
    return this.serial(() => (thread ? this.replyInThread(message, thread) : this.replyHere(message)));
  }

  replyPrivately(text: string): Promise<void> {
    return this.serial(async () => {
      if (this.input.private) {
        // Deferred as ephemeral: the first answer replaces the member's own "thinking…", later ones follow it.
        for (const content of splitText(disarmDiscord(text), LIMITS.content)) {
          if (this.state === 'deferred') await this.editOriginal({ content, allowed_mentions: { parse: [] } });
          else await this.followUp({ content, flags: EPHEMERAL, allowed_mentions: { parse: [] } });
        }
        return;
      }
      await this.withdraw();
      for (const content of splitText(disarmDiscord(text), LIMITS.content)) {
        await this.followUp({ content, flags: EPHEMERAL, allowed_mentions: { parse: [] } });
      }
    });
  }

  /** Ends a deferral nobody answered (the handler returned or failed without a word). */
  settle(failure?: string): Promise<void> {
    return this.serial(async () => {
      if (this.state !== 'deferred') return;
      if (failure) await this.editOriginal({ content: failure, allowed_mentions: { parse: [] } });
      else await this.withdraw();
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async replyHere(message: OutgoingMessage): Promise<PostedMessage | undefined> {
    let first: PostedMessage | undefined;
    for (const part of this.deps.render(message)) {
      const posted = this.state === 'deferred' ? await this.editOriginal(part) : await this.followUp(part);
      first ??= posted;
    }
    return first;
  }

  private async replyInThread(message: OutgoingMessage, thread: ThreadRef): Promise<PostedMessage | undefined> {
    let first: PostedMessage | undefined;
    for (const part of this.deps.render(message)) {
      const posted = await this.deps.sendToThread(thread.channelId, part, thread);
      first ??= posted;
    }
    if (this.state === 'deferred') {
      await this.editOriginal({ content: `Answered in <#${thread.threadId}>.`, allowed_mentions: { parse: [] } });
    }
    return first;
  }

  private posted(msg: APIMessage): PostedMessage {
    return { platform: DISCORD_PLATFORM, channelId: msg.channel_id ?? this.input.channelId, messageId: msg.id };
  }

  private async editOriginal(part: DiscordMessageBody): Promise<PostedMessage> {
    const { applicationId, interactionToken } = this.input;
    const msg = await this.originalOp('answering the command (PATCH @original)', () =>
      this.deps.rest.patch(routes.webhookMessage(applicationId, interactionToken, '@original'), {
        body: part,
        auth: false,
      }),
    );
    this.state = 'answered';
    return this.posted(msg as APIMessage);
  }

  private async followUp(part: DiscordMessageBody): Promise<PostedMessage> {
    const { applicationId, interactionToken } = this.input;
    const msg = await call<APIMessage>('answering the command (follow-up)', () =>
      this.deps.rest.post(routes.webhook(applicationId, interactionToken), { body: part, auth: false }),
    );
    return this.posted(msg);
  }

  private async withdraw(): Promise<void> {
    if (this.state !== 'deferred') return;
    const { applicationId, interactionToken } = this.input;
    await this.originalOp('withdrawing the deferred answer (DELETE @original)', () =>
      this.deps.rest.delete(routes.webhookMessage(applicationId, interactionToken, '@original'), { auth: false }),
    );
    this.state = 'withdrawn';
  }

  /**
   * Over HTTP the deferral is our response body, which Discord may not have recorded when a fast handler already
   * touches @original: "unknown message/webhook/interaction" is retried a few times before it counts.
   */
  private async originalOp(what: string, fn: () => Promise<unknown>): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call(what, fn);
      } catch (err) {
        const code = discordCode(err);
        if (attempt >= 3 || code === undefined || !NOT_YET.has(code)) throw err;
        await this.deps.sleep(250 * (attempt + 1));
      }
    }
  }
}
