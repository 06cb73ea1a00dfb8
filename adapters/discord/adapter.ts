/**
 * The Discord adapter: a thin transport behind the ChatAdapter interface. Sending, threads and reading reactions
 * are REST calls through one @discordjs/rest client (rate limits and retries live there); `start` adds the live
 * paths: the gateway (reactions and commands as they happen) unless DISCORD_GATEWAY=off, and signed HTTP
 * interactions on /discord/interactions when DISCORD_PUBLIC_KEY is set. Exactly-once posting is the core's
 * (src/jobs/post.ts): this adapter only renders and sends, passing the core's stable nonce on to Discord
 * (`enforce_nonce`), which closes the window between Discord accepting a message and the core recording it.
 */
import { randomBytes } from 'node:crypto';
import type { REST } from '@discordjs/rest';
import type { APIMessage, APIThreadChannel, APIUser } from 'discord.js';
import type { AppContext } from '../../src/context';
import { ArxivDigestError, ErrorCode, oneLine } from '../../src/app/errors';
import { truncate, linkedArxivIds } from '../../src/app/text';
import { neutralEmoji, resolveVoteEmoji } from '../../src/votes/emoji';
import { InFlight } from '../../src/chat/inflight';
import { firstTime } from '../../src/chat/replay';
import type {
  ActionEvent,
  ChatAdapter,
  FormEvent,
  DigestMarker,
  FoundDigest,
  ChatEventHandler,
  CommandEvent,
  HttpRoutes,
  OutgoingMessage,
  PostedMessage,
  ReactionEvent,
  RenderedPart,
  ThreadRef,
} from '../../src/chat/types';
import type * as GatewayModule from './gateway';
import type { Gateway } from './gateway';
import { type CommandInput, InteractionResponder, interactionRoute, parsePublicKey } from './interactions';
import { type ComponentInput, ComponentResponder } from './components';
import { type DiscordMessageBody, LIMITS, mentionable, renderDiscord } from './render';
import { call, chatError, createRest, type DiscordRestOptions, discordCode, discordStatus, routes } from './rest';
import { discordCommandExample } from './commands';
import { DISCORD_PLATFORM, type DiscordEnv, discordEnv } from './config';

export const INTERACTIONS_PATH = '/discord/interactions';

/** Discord answers this when a thread was already started on the message (a resumed digest). */
const THREAD_ALREADY_EXISTS = 160004;
/** A day, in minutes: the digest's thread stays open through the voting window's first day. */
const AUTO_ARCHIVE_MINUTES = 1440;
const REACTIONS_PAGE = 100;
/** Messages per page of a channel's history (Discord's maximum), and pages read when looking for a digest. */
const HISTORY_PAGE = 100;
const FIND_DIGEST_PAGES = 3;
/** Discord's "Unknown Channel" (a thread that was never started). */
const UNKNOWN_CHANNEL = 10003;

/** Snowflakes in time order. */
function compareIds(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

export interface DiscordAdapterOptions {
  rest?: DiscordRestOptions;
  /** How long start() waits for the gateway before going on without it (it keeps connecting). Default 5 s. */
  gatewayWaitMs?: number;
  /** When a gateway still not open is reported, with what to check. Default DISCORD_GATEWAY_TIMEOUT_MS, else 30 s. */
  gatewayTimeoutMs?: number;
}

/** See DiscordAdapterOptions. */
const GATEWAY_WAIT_MS = 5_000;
const GATEWAY_TIMEOUT_MS = 30_000;

export class DiscordAdapter implements ChatAdapter {
  readonly platform = DISCORD_PLATFORM;
  /** Discord's `nonce` is at most 25 characters (enforce_nonce dedupes by it). */
  readonly nonceLength = 25;
  readonly rest: REST;
  private handler: ChatEventHandler | undefined;
  private gateway: Gateway | undefined;
  private botId: Promise<string> | undefined;
  private readonly inflight = new InFlight();
  private stopping = false;
  private started = false;
  private readonly env: DiscordEnv;

  constructor(
    private readonly ctx: AppContext,
    private readonly token: string,
    private readonly options: DiscordAdapterOptions = {},
  ) {
    this.env = discordEnv(ctx.env);
    this.rest = createRest(ctx, token, options.rest);
  }

  /** Discord's commands take the argument as the `paper` option. */
  commandExample(command: CommandEvent['command'], argument: string): string {
    return discordCommandExample(command, argument);
  }

  async init(handler: ChatEventHandler): Promise<void> {
    this.handler = handler;
  }

  async start(http?: HttpRoutes): Promise<void> {
    if (!this.handler)
      throw new ArxivDigestError(
        ErrorCode.Internal,
        'DiscordAdapter.start() before init(): the core must hand over its handler',
      );
    // Started already: one route, one gateway connection (a second start() is a no-op until stop()).
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    const publicKey = this.env.publicKey;
    if (publicKey && http) {
      const route = interactionRoute({
        publicKey: parsePublicKey(publicKey),
        now: () => this.ctx.clock.now(),
        log: this.ctx.log,
        onCommand: (input) => this.dispatchCommand(input, { afterResponse: true }),
        onComponent: (input) => this.componentOverHttp(input),
        firstTime: (id) => firstTime(this.ctx.store, DISCORD_PLATFORM, id),
      });
      http.route('POST', INTERACTIONS_PATH, async (req) =>
        this.stopping ? { status: 503, body: 'shutting down' } : route(req),
      );
      this.ctx.log.info({ path: INTERACTIONS_PATH }, 'discord interactions accepted over HTTP');
    } else if (publicKey) {
      this.ctx.log.warn('DISCORD_PUBLIC_KEY is set but start() got no HTTP server: /discord/interactions is off');
    }
    if (!this.env.gateway) {
      this.ctx.log.info('DISCORD_GATEWAY=off: no gateway; reactions are read over REST when the vote closes');
      return;
    }
    // Loaded on demand (a CommonJS require: a relative dynamic import would need the compiled file's extension):
    // the one-shot commands never pay for loading discord.js's client.
    const { openGateway } = require('./gateway') as typeof GatewayModule;
    this.ctx.log.info({ api: this.env.apiUrl }, 'discord: connecting to the gateway');
    const gateway = openGateway({
      token: this.token,
      api: this.env.apiUrl,
      log: this.ctx.log,
      onReaction: (event) => this.dispatch(event),
      onCommand: (input) => this.dispatchCommand(input, { afterResponse: false }),
      // Over the gateway the initial response goes to the interaction's callback endpoint.
      onComponent: (input) =>
        this.dispatchComponent(input, async (response) => {
          await call('answering the click (interaction callback)', () =>
            this.rest.post(routes.interactionCallback(input.interactionId, input.interactionToken), {
              body: response,
              auth: false,
            }),
          );
        }),
    });
    this.gateway = gateway;
    await this.awaitGateway(gateway);
  }

  /**
   * Waits for the gateway a short while (a reachable one is ready in about a second), then lets `start` go on:
   * /healthz, the other platform and HTTP interactions do not wait for it. One line says what to check when it
   * is still not open at the deadline (it keeps trying); a login refused for good is thrown when `start` waits,
   * logged after.
   */
  private async awaitGateway(gateway: Gateway): Promise<void> {
    const waitMs = this.options.gatewayWaitMs ?? GATEWAY_WAIT_MS;
    const timeoutMs = this.options.gatewayTimeoutMs ?? this.env.gatewayTimeoutMs ?? GATEWAY_TIMEOUT_MS;
    let open = false;
    const timer = setTimeout(() => {
      if (!open && this.gateway === gateway)
        this.ctx.log.error(
          { api: this.env.apiUrl, waitedMs: timeoutMs },
          `discord: no gateway connection after ${timeoutMs / 1000} s: check that this host reaches Discord (HTTPS to discord.com and the gateway wss://gateway.discord.gg on port 443: a firewall or proxy), and DISCORD_TOKEN; still trying. Meanwhile votes are read over REST when the vote closes${this.env.publicKey ? ' and slash commands arrive over HTTP' : ''}`,
        );
    }, timeoutMs);
    timer.unref();
    const settled = gateway.ready.then(
      () => {
        open = true;
        clearTimeout(timer);
      },
      (err: unknown) => {
        clearTimeout(timer);
        throw err;
      },
    );
    let waited: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      waited = setTimeout(() => resolve('late'), waitMs);
      waited.unref();
    });
    const first = await Promise.race([settled, late]);
    clearTimeout(waited);
    if (first === 'late')
      settled.catch((err: unknown) => {
        // Given up by stop() (a SIGTERM while still connecting) is not a failure to report.
        if (!this.stopping) this.ctx.log.error({ error: oneLine(err) }, 'discord gateway failed');
      });
  }

  async stop(): Promise<void> {
    this.started = false;
    this.stopping = true;
    const gateway = this.gateway;
    this.gateway = undefined;
    // No new events first; then what is in flight (answers go over REST, not the gateway) finishes.
    await gateway?.close();
    await this.settled();
  }

  /** Resolves when every event handed to the core so far has been handled (stop() and tests wait on it). */
  async settled(): Promise<void> {
    await this.inflight.settled();
  }

  /**
   * The preflight of a digest: GET /channels/{id} answers only when the token works and the bot can see the
   * channel. 401, 403 and 404 are answers for good (the run stops before any LLM token is spent); a network
   * failure or a 5xx only logs, and the post itself names the failure if there is one.
   */
  async checkChannel(channelId: string): Promise<void> {
    const refuse = (why: string, fix: string) =>
      new ArxivDigestError(ErrorCode.ChatError, `discord channel ${channelId} cannot be posted to (${why}): ${fix}`);
    let channel: { type?: number; name?: string };
    try {
      channel = (await this.rest.get(routes.channel(channelId))) as { type?: number; name?: string };
    } catch (err) {
      const status = discordStatus(err);
      const code = discordCode(err);
      if (status === 401)
        throw new ArxivDigestError(
          ErrorCode.ChatError,
          "Discord refuses DISCORD_TOKEN (401 Unauthorized): copy the bot token again from the application's Bot page (Reset Token)",
        );
      if (status === 404 || code === 10003)
        throw refuse(
          'Unknown Channel',
          'check the channel id in the config (Developer Mode, right-click the channel, Copy Channel ID) and that the bot was added to that server',
        );
      if (status === 403)
        throw refuse(
          'Missing Access',
          'give the bot View Channel, Send Messages and Create Public Threads in that channel (or add it to the server)',
        );
      this.ctx.log.warn({ channel: channelId, err: oneLine(err) }, 'discord preflight: GET /channels failed');
      return;
    }
    // Text (0) and announcement (5) channels hold a message with a thread; a forum, voice channel or category not.
    if (channel.type !== undefined && channel.type !== 0 && channel.type !== 5)
      throw refuse(
        `channel type ${channel.type}`,
        `${channel.name ? `#${channel.name}` : 'it'} is not a text channel: pick a text or announcement channel`,
      );
  }

  async healthy(): Promise<boolean> {
    try {
      await this.rest.get(routes.me());
      return true;
    } catch (err) {
      this.ctx.log.warn({ error: chatError('health check (GET /users/@me)', err).message }, 'discord unhealthy');
      return false;
    }
  }

  render(message: OutgoingMessage): RenderedPart[] {
    return renderDiscord(message);
  }

  async send(
    channelId: string,
    part: RenderedPart,
    thread?: ThreadRef,
    options?: { nonce?: string },
  ): Promise<PostedMessage> {
    const target = thread?.threadId ?? channelId;
    // Whatever the part says: no mention in a message of ours is ever parsed from its text. The one exception is
    // explicit: the followers a card or the "Also from people you follow" message names (ids from the store).
    const users = mentionable((part as Partial<DiscordMessageBody>).allowed_mentions?.users ?? []);
    const body: Record<string, unknown> = {
      ...part,
      allowed_mentions: users.length ? { parse: [], users } : { parse: [] },
    };
    // Discord answers a nonce it saw in the last few minutes with the message it already created. Every post gets
    // one (a random one when the core gave none, e.g. a command's answer in a thread): @discordjs/rest resends a
    // post after a 5xx or a timeout, which without it could create the message twice.
    body.nonce = options?.nonce ?? randomBytes(12).toString('base64url');
    body.enforce_nonce = true;
    const msg = await this.track(
      call<APIMessage>(`posting to channel ${target}`, () => this.rest.post(routes.channelMessages(target), { body })),
    );
    return {
      platform: DISCORD_PLATFORM,
      channelId,
      messageId: msg.id,
      ...(thread ? { threadId: thread.threadId } : {}),
    };
  }

  /**
   * A digest posted earlier in the channel: Discord keeps no nonce, so the top-level message is the bot's own
   * message in the channel's recent history whose text is the digest's heading for that day and name (the marker
   * the renderer writes: "# ArXiv Daily Digest on DATE" then "-# NAME · …"). Its thread (a thread started on a
   * message has the message's id) gives the bot's replies, oldest first; a paper's card is recognised by its
   * embed's arXiv link and vote line.
   */
  async findDigest(channelId: string, marker: DigestMarker): Promise<FoundDigest | undefined> {
    const botId = await this.botUserId();
    const heading = `# ArXiv Daily Digest on ${marker.date}\n-# ${marker.name} · `;
    const recent = await this.history(channelId, FIND_DIGEST_PAGES);
    const parent = recent
      .filter((m) => m.author?.id === botId && (m.content ?? '').startsWith(heading))
      .sort((a, b) => compareIds(a.id, b.id))[0];
    if (!parent) return undefined;
    // A thread started on a message has the message's id (and the message names it, as `thread`).
    const threadId = parent.thread?.id ?? parent.id;
    let replies: APIMessage[] = [];
    let threadStarted = true;
    try {
      replies = (await this.history(threadId, FIND_DIGEST_PAGES)).filter((m) => m.author?.id === botId);
    } catch (err) {
      // No thread yet (the run stopped right after the top-level message): the core starts it, nothing to adopt.
      if (discordCode(err) !== UNKNOWN_CHANNEL) throw err;
      threadStarted = false;
    }
    replies.sort((a, b) => compareIds(a.id, b.id));
    const named = linkedArxivIds(JSON.stringify(parent.embeds ?? []));
    const found: FoundDigest['replies'] = [];
    let cards = 0;
    for (const m of replies) {
      const card = m.embeds?.[0];
      const cardOf = card?.url && /Vote:/.test(card.footer?.text ?? '') ? linkedArxivIds(card.url)[0] : undefined;
      if (cardOf) cards += 1;
      // The top-level message's continuation (a TL;DR of very many papers) comes before the first card.
      else if (cards === 0)
        named.push(...linkedArxivIds(JSON.stringify(m.embeds ?? [])).filter((id) => !named.includes(id)));
      found.push({
        message: { platform: 'discord', channelId, messageId: m.id, threadId },
        ...(cardOf ? { cardOf } : {}),
      });
    }
    return {
      parent: { platform: 'discord', channelId, messageId: parent.id },
      ...(threadStarted ? { thread: { platform: DISCORD_PLATFORM, channelId, threadId } } : {}),
      named,
      replies: found,
    };
  }

  /** The newest messages of a channel or thread, up to `pages` pages of 100 (GET /channels/{id}/messages). */
  private async history(channelId: string, pages: number): Promise<APIMessage[]> {
    const out: APIMessage[] = [];
    let before: string | undefined;
    for (let page = 0; page < pages; page++) {
      const query = new URLSearchParams({ limit: String(HISTORY_PAGE) });
      if (before) query.set('before', before);
      const list = await call<APIMessage[]>(`reading the history of ${channelId}`, () =>
        this.rest.get(routes.channelMessages(channelId), { query }),
      );
      out.push(...list);
      const oldest = list.reduce<string | undefined>((o, m) => (!o || compareIds(m.id, o) < 0 ? m.id : o), undefined);
      if (list.length < HISTORY_PAGE || !oldest) break;
      before = oldest;
    }
    return out;
  }

  private readonly guilds = new Map<string, Promise<string | undefined>>();

  /** The guild of a channel (GET /channels/{id}), asked once per channel; undefined for a DM or on failure. */
  workspaceOf(channelId: string): Promise<string | undefined> {
    let guild = this.guilds.get(channelId);
    if (!guild) {
      guild = call<{ guild_id?: string }>(`reading channel ${channelId}`, () =>
        this.rest.get(routes.channel(channelId)),
      ).then(
        (c) => c.guild_id,
        (err: unknown) => {
          this.guilds.delete(channelId);
          throw err;
        },
      );
      this.guilds.set(channelId, guild);
    }
    return guild;
  }

  async openThread(parent: PostedMessage, name: string): Promise<ThreadRef> {
    const channel = parent.threadId ?? parent.channelId;
    try {
      const thread = await this.track(
        this.rest.post(routes.threadFromMessage(channel, parent.messageId), {
          body: { name: truncate(name, LIMITS.threadName), auto_archive_duration: AUTO_ARCHIVE_MINUTES },
        }) as Promise<APIThreadChannel>,
      );
      return { platform: DISCORD_PLATFORM, channelId: parent.channelId, threadId: thread.id };
    } catch (err) {
      if (discordCode(err) !== THREAD_ALREADY_EXISTS) throw chatError(`starting a thread on ${parent.messageId}`, err);
      // A crash after Discord made the thread and before the core recorded it: use the thread that exists.
      const msg = await call<APIMessage>(`reading message ${parent.messageId}`, () =>
        this.rest.get(routes.channelMessage(channel, parent.messageId)),
      );
      // A thread started on a message has the message's id.
      return { platform: DISCORD_PLATFORM, channelId: parent.channelId, threadId: msg.thread?.id ?? parent.messageId };
    }
  }

  /**
   * Whether a recorded thread exists (GET /channels/{thread.id}): false only when Discord says Unknown Channel
   * (10003), a thread that was never started; any other failure is thrown.
   */
  async threadExists(thread: ThreadRef): Promise<boolean> {
    try {
      await this.rest.get(routes.channel(thread.threadId));
      return true;
    } catch (err) {
      if (discordCode(err) === UNKNOWN_CHANNEL || discordStatus(err) === 404) return false;
      throw chatError(`reading thread ${thread.threadId}`, err);
    }
  }

  /**
   * Members who reacted with a vote emoji, each once, the bot excluded. The message's reaction list says which
   * emoji are present (with their exact form: variation selectors, skin tones, custom `name:id`); each counting one
   * is read page by page.
   */
  async readReactions(message: PostedMessage, emoji: string[]): Promise<string[]> {
    const channel = message.threadId ?? message.channelId;
    const allowed = resolveVoteEmoji(emoji);
    const msg = await call<APIMessage>(`reading message ${message.messageId}`, () =>
      this.rest.get(routes.channelMessage(channel, message.messageId)),
    );
    const counted = (msg.reactions ?? []).filter((r) => r.emoji.name && allowed.includes(neutralEmoji(r.emoji.name)));
    if (counted.length === 0) return [];
    const botId = await this.botUserId();
    const voters = new Set<string>();
    for (const reaction of counted) {
      const name = reaction.emoji.name ?? '';
      const key = encodeURIComponent(reaction.emoji.id ? `${name}:${reaction.emoji.id}` : name);
      // Super reactions ("burst", type 1) are listed apart from normal ones (type 0): both are votes.
      const types = (reaction.count_details?.burst ?? 0) > 0 ? [0, 1] : [0];
      for (const type of types) {
        await this.pageReactionUsers(channel, message.messageId, key, name, type, (id) => {
          if (id !== botId) voters.add(id);
        });
      }
    }
    return [...voters];
  }

  private async pageReactionUsers(
    channel: string,
    messageId: string,
    key: string,
    name: string,
    type: number,
    add: (userId: string) => void,
  ): Promise<void> {
    let after: string | undefined;
    for (;;) {
      const query = new URLSearchParams({ limit: String(REACTIONS_PAGE) });
      if (type !== 0) query.set('type', String(type));
      if (after) query.set('after', after);
      const page = await call<APIUser[]>(`reading ${name} reactions on ${messageId}`, () =>
        this.rest.get(routes.reactionUsers(channel, messageId, key), { query }),
      );
      for (const user of page) add(user.id);
      const last = page[page.length - 1];
      if (page.length < REACTIONS_PAGE || !last) break;
      after = last.id;
    }
  }

  /** The bot's own user id (GET /users/@me), asked once. */
  botUserId(): Promise<string> {
    this.botId ??= call<APIUser>('reading the bot user (GET /users/@me)', () => this.rest.get(routes.me())).then(
      (u) => u.id,
      (err) => {
        this.botId = undefined;
        throw err;
      },
    );
    return this.botId;
  }

  private track<T>(p: Promise<T>): Promise<T> {
    return this.inflight.track(p);
  }

  private dispatch(event: ReactionEvent | CommandEvent): Promise<void> {
    const handler = this.handler;
    if (!handler) return Promise.resolve();
    return this.track(
      handler.processEvent(event).catch((err) => {
        this.ctx.log.error({ error: oneLine(err), type: event.type }, 'discord event failed');
      }),
    );
  }

  /** A click or a form over HTTP: the initial response is the route's answer. */
  private componentOverHttp(input: ComponentInput): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      this.dispatchComponent(input, async (response) => resolve(response));
    });
  }

  /**
   * Hands a click or a form submission to the core as an ActionEvent or a FormEvent whose replies go through a
   * ComponentResponder: the first of a form, a new vote count or anything else decides the initial response.
   */
  dispatchComponent(input: ComponentInput, answer: (response: Record<string, unknown>) => Promise<void>): void {
    const responder = new ComponentResponder(
      {
        rest: this.rest,
        render: (m) => renderDiscord(m),
        sendToThread: (channelId, part: DiscordMessageBody, thread) => this.send(channelId, part, thread),
        sleep: (ms) => this.ctx.clock.sleep(ms),
        answer,
      },
      input,
    );
    const common = {
      platform: DISCORD_PLATFORM,
      ...(input.paper ? { paper: input.paper } : {}),
      interactionId: input.interactionId,
      userId: input.userId,
      // On Discord a digest's cards are in its thread, which is the interaction's channel.
      channelId: input.channelId,
      ...(input.messageId ? { messageId: input.messageId } : {}),
      ...(input.guildId ? { workspaceId: input.guildId } : {}),
      reply: (message: OutgoingMessage, thread?: ThreadRef) => responder.reply(message, thread),
      replyPrivately: (text: string) => responder.replyPrivately(text),
    };
    const event: ActionEvent | FormEvent =
      input.kind === 'form'
        ? { type: 'form', form: input.name, text: input.value ?? '', ...common }
        : {
            type: 'action',
            action: input.name,
            ...(input.value !== undefined ? { value: input.value } : {}),
            ...common,
            openForm: async (form) => {
              if (!(await responder.openForm(form)))
                await responder.replyPrivately('The form could not be opened; please click again.');
            },
            showVoteCount: (count) => responder.showVoteCount(count),
          };
    const run = async () => {
      const handler = this.handler;
      const done = (async () => {
        try {
          await handler?.processEvent(event);
        } catch (err) {
          this.ctx.log.error({ error: oneLine(err), action: input.name }, 'discord click failed');
        }
      })();
      await responder.deadline(done);
      await done;
    };
    void this.track(run());
  }

  /** Hands a deferred command to the core with reply functions bound to its interaction webhook. */
  private dispatchCommand(input: CommandInput, opts: { afterResponse: boolean }): void {
    const responder = new InteractionResponder(
      {
        rest: this.rest,
        render: (m) => renderDiscord(m),
        sendToThread: (channelId, part: DiscordMessageBody, thread) => this.send(channelId, part, thread),
        sleep: (ms) => this.ctx.clock.sleep(ms),
      },
      input,
    );
    const event: CommandEvent = {
      type: 'command',
      platform: DISCORD_PLATFORM,
      command: input.command,
      argument: input.argument,
      ...(input.paper ? { paper: input.paper } : {}),
      userId: input.userId,
      channelId: input.channelId,
      ...(input.guildId ? { workspaceId: input.guildId } : {}),
      reply: (message, thread) => responder.reply(message, thread),
      replyPrivately: (text) => responder.replyPrivately(text),
    };
    const run = async () => {
      // Over HTTP the deferral is the response body: let it leave before anything touches @original.
      if (opts.afterResponse) await new Promise<void>((resolve) => setImmediate(resolve));
      const handler = this.handler;
      try {
        if (!handler) throw new ArxivDigestError(ErrorCode.ChatError, 'no event handler');
        await handler.processEvent(event);
        await responder.settle();
      } catch (err) {
        // Messages only: an error's cause may carry the interaction webhook's URL, whose token is a credential.
        this.ctx.log.error({ error: oneLine(err), command: input.command }, 'discord command failed');
        await responder
          .settle('Sorry, that command failed on our side; please try again later.')
          .catch((e) => this.ctx.log.warn({ error: oneLine(e) }, 'discord: could not report the failure'));
      }
    };
    void this.track(run());
  }
}
