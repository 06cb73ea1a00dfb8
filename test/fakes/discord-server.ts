/**
 * A local stand-in for Discord's REST API v10, answering as the API docs describe (snowflake ids, message objects,
 * the 50035 "Invalid Form Body" error shape, 429 with retry_after and the X-RateLimit-* headers), so the adapter is
 * tested through @discordjs/rest exactly as it runs. Every call is recorded for the test to inspect. Served under
 * both /api/v10 and /v10 (@discordjs/rest builds `${api}/v10${route}`).
 *
 * Also here: an Ed25519 signer for HTTP interactions (as Discord signs them) and a tiny HttpRoutes server over
 * node:http standing in for the product's shared HTTP server.
 */
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import type { HttpRoutes, RawRequest, RawResponse } from '../../src/chat/types';
import { parseConfig } from '../../src/config/load';
import { PLATFORM_CONFIG } from '../../src/cli/adapters';
import { type AppContext, type Clock, createContext } from '../../src/context';
import { silentLogger } from '../../src/app/log';
import { openStore, type Store } from '../../src/store';
import type { Digest, Paper, SelectedPaper } from '../../src/app/types';
import seedFixture from '../fixtures/seed-papers.json';

const DISCORD_EPOCH = 1420070400000n;

export interface RecordedCall {
  method: string;
  /** The route without the /api/v10 prefix, e.g. `/channels/123/messages`. */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  status: number;
}

export interface FakeUser {
  id: string;
  username: string;
  discriminator: string;
  global_name: string | null;
  avatar: null;
  bot?: boolean;
}

export interface FakeMessage {
  id: string;
  channel_id: string;
  type: number;
  content: string;
  embeds: Array<Record<string, unknown>>;
  author: FakeUser;
  timestamp: string;
  edited_timestamp: string | null;
  flags: number;
  nonce?: string | number;
  allowed_mentions?: unknown;
  webhook_id?: string;
  /** Which interaction answer this is, for messages made through a webhook. */
  interaction_token?: string;
  ephemeral?: boolean;
  mentions: unknown[];
  mention_roles: unknown[];
  mention_everyone: boolean;
  pinned: boolean;
  tts: boolean;
  attachments: unknown[];
  components?: Array<Record<string, unknown>>;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A scripted answer: the next `times` calls matching `match` get `reply` instead of the normal one. */
export interface ScriptRule {
  match: (call: { method: string; path: string; body: unknown }) => boolean;
  times: number;
  reply: Reply;
  /** Do the normal work first (e.g. create the message), then answer with `reply`: a lost answer. */
  afterCommit?: boolean;
}

interface Thread {
  id: string;
  parent_id: string;
  name: string;
  auto_archive_duration: number;
}

interface Interaction {
  applicationId: string;
  channelId: string;
  original?: string;
  deleted?: boolean;
  deferred?: boolean;
  /** Deferred with the ephemeral flag (or so registered): @original is seen by the member alone. */
  ephemeral?: boolean;
  /** The initial callbacks it got (type and data), in order: Discord takes one. */
  callbacks?: Array<{ type: number; data?: Record<string, unknown> }>;
}

const MAX = {
  content: 2000,
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  total: 6000,
  nonce: 25,
};

function formError(errors: Record<string, unknown>): Reply {
  return { status: 400, body: { message: 'Invalid Form Body', code: 50035, errors } };
}

function lengthError(max: number) {
  return { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${max} or fewer in length.` }] };
}

/** Message flags a bot may set: on a channel message, and on an interaction's answer (which may be ephemeral). */
const SUPPRESS_EMBEDS = 1 << 2;
const EPHEMERAL = 1 << 6;
const SUPPRESS_NOTIFICATIONS = 1 << 12;
const CHANNEL_FLAGS = SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS;
const WEBHOOK_FLAGS = CHANNEL_FLAGS | EPHEMERAL;

function allowedMentionsError(value: unknown): Reply | undefined {
  if (value === undefined) return undefined;
  const am = value as { parse?: unknown; users?: unknown; roles?: unknown };
  const bad = (message: string) =>
    formError({ allowed_mentions: { _errors: [{ code: 'ALLOWED_MENTIONS_PARSE_EXCLUSIVE', message }] } });
  if (typeof value !== 'object' || value === null) return bad('Must be an object.');
  if (am.parse !== undefined) {
    if (!Array.isArray(am.parse) || am.parse.some((p) => p !== 'roles' && p !== 'users' && p !== 'everyone')) {
      return formError({
        allowed_mentions: {
          parse: {
            _errors: [{ code: 'BASE_TYPE_CHOICES', message: 'Value must be one of {roles, users, everyone}.' }],
          },
        },
      });
    }
    if (am.parse.includes('users') && Array.isArray(am.users) && am.users.length > 0) {
      return bad('parse:["users"] and users: [ids] are mutually exclusive.');
    }
    if (am.parse.includes('roles') && Array.isArray(am.roles) && am.roles.length > 0) {
      return bad('parse:["roles"] and roles: [ids] are mutually exclusive.');
    }
  }
  return undefined;
}

/**
 * Checks a message body the way Discord does; undefined when it is valid. `webhook`: an interaction's answer (which
 * may carry the ephemeral flag), not a channel message.
 */
export function validateMessage(body: Record<string, unknown>, opts: { webhook?: boolean } = {}): Reply | undefined {
  const flags = body.flags;
  if (
    flags !== undefined &&
    (typeof flags !== 'number' || (flags & ~(opts.webhook ? WEBHOOK_FLAGS : CHANNEL_FLAGS)) !== 0)
  ) {
    return formError({ flags: { _errors: [{ code: 'MESSAGE_FLAGS_INVALID', message: 'Invalid flags.' }] } });
  }
  const mentions = allowedMentionsError(body.allowed_mentions);
  if (mentions) return mentions;
  const content = typeof body.content === 'string' ? body.content : '';
  if (content.length > MAX.content) return formError({ content: lengthError(MAX.content) });
  const embeds = Array.isArray(body.embeds) ? (body.embeds as Array<Record<string, unknown>>) : [];
  if (embeds.length > MAX.embeds) return formError({ embeds: lengthError(MAX.embeds) });
  if (body.nonce !== undefined && String(body.nonce).length > MAX.nonce) {
    return formError({ nonce: lengthError(MAX.nonce) });
  }
  let total = 0;
  for (const [i, e] of embeds.entries()) {
    const str = (v: unknown) => (typeof v === 'string' ? v : '');
    const title = str(e.title);
    const description = str(e.description);
    const footer = str((e.footer as { text?: unknown } | undefined)?.text);
    const author = str((e.author as { name?: unknown } | undefined)?.name);
    const fields = Array.isArray(e.fields) ? (e.fields as Array<{ name?: unknown; value?: unknown }>) : [];
    if (title.length > MAX.title) return formError({ embeds: { [i]: { title: lengthError(MAX.title) } } });
    if (description.length > MAX.description) {
      return formError({ embeds: { [i]: { description: lengthError(MAX.description) } } });
    }
    if (footer.length > MAX.footer)
      return formError({ embeds: { [i]: { footer: { text: lengthError(MAX.footer) } } } });
    if (fields.length > MAX.fields) return formError({ embeds: { [i]: { fields: lengthError(MAX.fields) } } });
    if (e.url !== undefined && !/^https?:\/\/\S+$/.test(str(e.url))) {
      return formError({
        embeds: { [i]: { url: { _errors: [{ code: 'URL_TYPE_INVALID_URL', message: 'Not a well formed URL.' }] } } },
      });
    }
    for (const [j, f] of fields.entries()) {
      const name = str(f.name);
      const value = str(f.value);
      if (!name || name.length > MAX.fieldName) {
        return formError({ embeds: { [i]: { fields: { [j]: { name: lengthError(MAX.fieldName) } } } } });
      }
      if (!value || value.length > MAX.fieldValue) {
        return formError({ embeds: { [i]: { fields: { [j]: { value: lengthError(MAX.fieldValue) } } } } });
      }
      total += name.length + value.length;
    }
    total += title.length + description.length + footer.length + author.length;
  }
  if (total > MAX.total) {
    return formError({
      embeds: {
        _errors: [{ code: 'MAX_EMBED_SIZE_EXCEEDED', message: `Embed size exceeds maximum size of ${MAX.total}` }],
      },
    });
  }
  const components = componentsError(body.components);
  if (components) return formError({ components: { _errors: [{ code: 'COMPONENT_INVALID', message: components }] } });
  if (!content && embeds.length === 0) {
    return { status: 400, body: { message: 'Cannot send an empty message', code: 50006 } };
  }
  return undefined;
}

/**
 * Discord's documented limits of message components (https://discord.com/developers/docs/components/reference):
 * at most 5 action rows (type 1); a row holds 1-5 buttons (type 2) or one select (type 3); a button's label ≤ 80
 * and custom_id 1-100 characters, unique in the message, style 1-4 (5 is a link); a string select 1-25 options,
 * labels and values ≤ 100, placeholder ≤ 150. The problem, else undefined.
 */
export function componentsError(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > 5) return 'at most 5 action rows';
  const ids = new Set<string>();
  const id = (c: Record<string, unknown>) => {
    const v = c.custom_id;
    if (typeof v !== 'string' || v.length === 0 || v.length > 100 || ids.has(v)) return false;
    ids.add(v);
    return true;
  };
  for (const row of value as Array<Record<string, unknown>>) {
    const items = row.components as Array<Record<string, unknown>> | undefined;
    if (row.type !== 1 || !Array.isArray(items) || items.length === 0 || items.length > 5) return 'row: 1-5 components';
    const selects = items.filter((c) => c.type === 3).length;
    if (selects > 0 && items.length > 1) return 'row: a select fills its row';
    for (const c of items) {
      if (!id(c)) return 'custom_id: 1-100 characters, unique';
      if (c.type === 2) {
        if (typeof c.label !== 'string' || !c.label || c.label.length > 80) return 'button: label 1-80';
        if (![1, 2, 3, 4].includes(c.style as number)) return 'button: style';
      } else if (c.type === 3) {
        const options = c.options as Array<{ label?: unknown; value?: unknown }> | undefined;
        if (!Array.isArray(options) || options.length === 0 || options.length > 25) return 'select: 1-25 options';
        if (c.placeholder !== undefined && (typeof c.placeholder !== 'string' || c.placeholder.length > 150))
          return 'select: placeholder';
        const values = new Set<string>();
        for (const o of options) {
          if (typeof o.label !== 'string' || !o.label || o.label.length > 100) return 'select: option label';
          if (typeof o.value !== 'string' || !o.value || o.value.length > 100 || values.has(o.value))
            return 'select: option value';
          values.add(o.value);
        }
      } else return `unknown component type ${String(c.type)}`;
    }
  }
  return undefined;
}

/** Names of chat-input commands and options: lowercase letters, digits, `-` and `_`, 1-32 characters. */
const COMMAND_NAME = /^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$/u;

/** Checks a bulk overwrite (PUT …/commands) the way Discord does: names, descriptions, options, 100 commands. */
export function validateCommands(body: unknown): Reply | undefined {
  if (!Array.isArray(body)) return formError({ _errors: [{ code: 'LIST_TYPE_CONVERT', message: 'Must be a list.' }] });
  if (body.length > 100)
    return formError({ _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 100 or fewer in length.' }] });
  const names = new Set<string>();
  for (const [i, raw] of body.entries()) {
    const c = raw as { name?: unknown; description?: unknown; type?: unknown; options?: unknown };
    const type = c.type ?? 1;
    const at = (errors: Record<string, unknown>) => formError({ [i]: errors });
    if (typeof c.name !== 'string' || !(type === 1 ? COMMAND_NAME.test(c.name) : c.name.length <= 32)) {
      return at({
        name: { _errors: [{ code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Command name is invalid' }] },
      });
    }
    if (names.has(`${type}:${c.name}`)) {
      return at({
        name: {
          _errors: [
            { code: 'APPLICATION_COMMANDS_DUPLICATE_NAME', message: 'Application command names must be unique' },
          ],
        },
      });
    }
    names.add(`${type}:${c.name}`);
    if (type === 1 && (typeof c.description !== 'string' || c.description.length < 1 || c.description.length > 100)) {
      return at({ description: lengthError(100) });
    }
    const options = Array.isArray(c.options) ? (c.options as Array<Record<string, unknown>>) : [];
    if (options.length > 25) return at({ options: lengthError(25) });
    let optional = false;
    for (const [j, o] of options.entries()) {
      const opt = (errors: Record<string, unknown>) => at({ options: { [j]: errors } });
      if (typeof o.name !== 'string' || !COMMAND_NAME.test(o.name)) {
        return opt({
          name: { _errors: [{ code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Command name is invalid' }] },
        });
      }
      if (typeof o.description !== 'string' || o.description.length < 1 || o.description.length > 100) {
        return opt({ description: lengthError(100) });
      }
      if (typeof o.type !== 'number' || o.type < 1 || o.type > 11) {
        return opt({ type: { _errors: [{ code: 'BASE_TYPE_CHOICES', message: 'Value must be one of {1, …, 11}.' }] } });
      }
      if (o.max_length !== undefined && (typeof o.max_length !== 'number' || o.max_length < 1 || o.max_length > 6000)) {
        return opt({
          max_length: {
            _errors: [{ code: 'NUMBER_TYPE_MAX', message: 'int value should be less than or equal to 6000.' }],
          },
        });
      }
      if (o.required === true && optional) {
        return at({
          options: {
            _errors: [
              {
                code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
                message: 'Required options must be placed before non-required options',
              },
            ],
          },
        });
      }
      if (o.required !== true) optional = true;
    }
  }
  return undefined;
}

function user(id: string, username: string, bot = false): FakeUser {
  return {
    id,
    username,
    discriminator: '0',
    global_name: bot ? null : username,
    avatar: null,
    ...(bot ? { bot } : {}),
  };
}

export interface FakeDiscordOptions {
  token?: string;
  botUserId?: string;
  applicationId?: string;
  /** Text channels that exist (threads are added as they are started). */
  channels?: string[];
  /** Channels that exist but the bot cannot see (no View Channel): 403 Missing Access, code 50001. */
  hiddenChannels?: string[];
}

export class FakeDiscordServer {
  readonly token: string;
  readonly botUser: FakeUser;
  readonly applicationId: string;
  readonly calls: RecordedCall[] = [];
  readonly messages = new Map<string, FakeMessage>();
  readonly threads = new Map<string, Thread>();
  readonly channels: Set<string>;
  readonly hiddenChannels: Set<string>;
  /** Reactions by message id, then emoji key (unicode or name:id), then the users in the order they reacted. */
  readonly reactions = new Map<string, Map<string, string[]>>();
  /** Super reactions (Discord's "burst" reactions), listed by GET …/reactions/{emoji}?type=1. */
  readonly burstReactions = new Map<string, Map<string, string[]>>();
  readonly commands = { global: [] as unknown[], guilds: new Map<string, unknown[]>() };
  readonly interactions = new Map<string, Interaction>();
  /** Every gateway payload the bot sent (IDENTIFY, heartbeats). */
  readonly gatewayReceived: Array<{ op: number; d: unknown }> = [];
  readonly guildId = '1300000000000000001';
  private gateway: WebSocketServer | undefined;
  private gatewaySeq = 0;
  private rules: ScriptRule[] = [];
  private seq = 0n;
  private server: http.Server | undefined;
  private base = '';

  constructor(options: FakeDiscordOptions = {}) {
    this.token = options.token ?? 'fake-bot-token.Mzk5.abcdefghijklmnop';
    this.botUser = user(options.botUserId ?? '1100000000000000001', 'arxiv-digest', true);
    this.applicationId = options.applicationId ?? '1100000000000000002';
    this.channels = new Set(options.channels ?? ['1200000000000000001']);
    this.hiddenChannels = new Set(options.hiddenChannels ?? []);
  }

  /** A guild text channel as GET /channels/{id} returns it. */
  private channelPayload(id: string): Record<string, unknown> {
    const i = [...this.channels].indexOf(id);
    return {
      id,
      type: 0,
      guild_id: this.guildId,
      name: `papers-${i}`,
      position: i,
      permission_overwrites: [],
      parent_id: null,
      nsfw: false,
      topic: null,
      last_message_id: null,
      rate_limit_per_user: 0,
      flags: 0,
    };
  }

  /** DISCORD_API_URL for the adapter: `http://127.0.0.1:PORT/api`. */
  get apiUrl(): string {
    return `${this.base}/api`;
  }

  /** Answers each message creation this much later (a slow platform: a test can stop the bot mid-digest). */
  messageDelayMs = 0;

  /**
   * Told of every creation (a message or a thread): `received` before it is applied, `applied` after it was and
   * before the answer leaves. Returning `drop` closes the connection without an answer: a test kills the client
   * (kill -9) at that very moment, before or after Discord accepted the request.
   */
  onCreate: ((phase: 'received' | 'applied', call: { method: string; path: string }) => 'drop' | undefined) | undefined;

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      // A client killed mid-request (a test's kill -9) resets the connection: not the fake's error.
      req.on('error', () => {});
      res.on('error', () => {});
      if (this.messageDelayMs > 0 && req.method === 'POST' && /\/messages$/.test(req.url ?? '')) {
        setTimeout(() => this.handleOrDrop(req, res), this.messageDelayMs);
        return;
      }
      this.handleOrDrop(req, res);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.base = `http://127.0.0.1:${port}`;
    this.gateway = new WebSocketServer({ server: this.server });
    this.gateway.on('connection', (socket) => this.onGatewayConnection(socket));
    return this;
  }

  /** A request whose client went away mid-body (killed) has nothing to answer; any other failure is the fake's. */
  private handleOrDrop(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.handle(req, res).catch((err: unknown) => {
      res.destroy();
      if (!req.readableAborted && !req.destroyed) throw err;
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    for (const socket of this.gateway?.clients ?? []) socket.terminate();
    this.gateway?.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A snowflake: milliseconds since Discord's epoch, shifted, plus a counter. */
  snowflake(): string {
    this.seq += 1n;
    return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | (this.seq & 0xfffn)).toString();
  }

  script(rule: ScriptRule): void {
    this.rules.push(rule);
  }

  /** The next `times` matching calls get a 429 as Discord sends it (body and headers). */
  rateLimit(match: ScriptRule['match'], retryAfterSeconds = 0.05, times = 1): void {
    this.script({
      match,
      times,
      reply: {
        status: 429,
        body: { message: 'You are being rate limited.', retry_after: retryAfterSeconds, global: false },
        headers: {
          'Retry-After': String(retryAfterSeconds),
          'X-RateLimit-Limit': '5',
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset': String(Date.now() / 1000 + retryAfterSeconds),
          'X-RateLimit-Reset-After': String(retryAfterSeconds),
          'X-RateLimit-Bucket': 'f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5',
          'X-RateLimit-Scope': 'user',
        },
      },
    });
  }

  /** A member (or the bot) reacts to a message; `burst` for a super reaction. */
  addReaction(messageId: string, emoji: string, userId: string, opts: { burst?: boolean } = {}): void {
    const table = opts.burst ? this.burstReactions : this.reactions;
    const byEmoji = table.get(messageId) ?? new Map<string, string[]>();
    const users = byEmoji.get(emoji) ?? [];
    if (!users.includes(userId)) users.push(userId);
    byEmoji.set(emoji, users);
    table.set(messageId, byEmoji);
  }

  /** Makes an interaction token known, as Discord does when it sends the interaction. */
  registerInteraction(
    token: string,
    channelId: string,
    applicationId = this.applicationId,
    opts: { ephemeral?: boolean; messageId?: string } = {},
  ): void {
    // A component's interaction: its @original is the message the component is on.
    this.interactions.set(token, {
      applicationId,
      channelId,
      ...(opts.ephemeral ? { ephemeral: true } : {}),
      ...(opts.messageId ? { original: opts.messageId } : {}),
    });
  }

  /** The initial responses an interaction got (the HTTP answer is recorded with `recordCallback`). */
  callbacksOf(token: string): Array<{ type: number; data?: Record<string, unknown> }> {
    return this.interactions.get(token)?.callbacks ?? [];
  }

  /**
   * An initial response to an interaction, as Discord applies it: 7 (UPDATE_MESSAGE) edits the component's
   * message; 4, 5, 6 and 9 (a modal) are kept as they are. A second initial response is refused (40060).
   */
  recordCallback(token: string, response: { type: number; data?: Record<string, unknown> }): Reply {
    const it = this.interactions.get(token);
    if (!it) return { status: 404, body: { message: 'Unknown interaction', code: 10062 } };
    if (it.callbacks?.length)
      return { status: 400, body: { message: 'Interaction has already been acknowledged.', code: 40060 } };
    it.callbacks = [response];
    it.deferred = response.type === 5;
    const flags = response.data?.flags;
    if (typeof flags === 'number' && (flags & 64) !== 0) it.ephemeral = true;
    if (response.type === 7 && it.original) {
      const msg = this.messages.get(it.original);
      if (msg && Array.isArray(response.data?.components))
        msg.components = response.data.components as Array<Record<string, unknown>>;
    }
    return { status: 204 };
  }

  /** Messages created in a channel or thread, in order. */
  messagesIn(channelId: string): FakeMessage[] {
    return [...this.messages.values()].filter((m) => m.channel_id === channelId);
  }

  callsTo(method: string, pattern: RegExp): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && pattern.test(c.path));
  }

  /** Where GET /gateway/bot sends the bot instead of this fake's own gateway (a firewalled one: a black hole). */
  gatewayAt: string | undefined;

  /** The gateway's URL as GET /gateway/bot gives it. */
  get gatewayUrl(): string {
    return this.gatewayAt ?? `${this.base.replace(/^http/, 'ws')}/gateway`;
  }

  /** Whether a bot has identified on the gateway. */
  get gatewayIdentified(): boolean {
    return this.gatewayReceived.some((p) => p.op === 2);
  }

  /** Sends a DISPATCH (op 0) event to every connected gateway client, as the gateway does. */
  dispatch(t: string, d: unknown): void {
    this.gatewaySeq += 1;
    const frame = JSON.stringify({ op: 0, t, s: this.gatewaySeq, d });
    for (const socket of this.gateway?.clients ?? []) if (socket.readyState === WebSocket.OPEN) socket.send(frame);
  }

  /** A member reacts (or un-reacts) live: recorded for REST and dispatched on the gateway. */
  reactLive(added: boolean, channelId: string, messageId: string, emoji: string, userId: string): void {
    if (added) this.addReaction(messageId, emoji, userId);
    else {
      const users = this.reactions.get(messageId)?.get(emoji);
      if (users?.includes(userId)) users.splice(users.indexOf(userId), 1);
    }
    this.dispatch(added ? 'MESSAGE_REACTION_ADD' : 'MESSAGE_REACTION_REMOVE', {
      user_id: userId,
      channel_id: channelId,
      message_id: messageId,
      guild_id: this.guildId,
      emoji: { id: null, name: emoji },
      burst: false,
      type: 0,
      ...(added
        ? {
            member: {
              user: user(userId, `member${userId.slice(-4)}`, userId === this.botUser.id),
              roles: [],
              joined_at: '2025-01-01T00:00:00.000000+00:00',
              deaf: false,
              mute: false,
            },
          }
        : {}),
    });
  }

  private threadPayload(t: Thread): Record<string, unknown> {
    return {
      id: t.id,
      type: 11,
      guild_id: this.guildId,
      parent_id: t.parent_id,
      owner_id: this.botUser.id,
      name: t.name,
      last_message_id: null,
      message_count: 0,
      member_count: 1,
      rate_limit_per_user: 0,
      flags: 0,
      thread_metadata: {
        archived: false,
        auto_archive_duration: t.auto_archive_duration,
        archive_timestamp: new Date().toISOString(),
        locked: false,
      },
      total_message_sent: 0,
    };
  }

  private guildPayload(): Record<string, unknown> {
    return {
      id: this.guildId,
      name: 'Reading group',
      icon: null,
      owner_id: '1600000000000000000',
      unavailable: false,
      member_count: 3,
      large: false,
      joined_at: '2025-01-01T00:00:00.000000+00:00',
      roles: [
        {
          id: this.guildId,
          name: '@everyone',
          permissions: '0',
          position: 0,
          color: 0,
          hoist: false,
          managed: false,
          mentionable: false,
        },
      ],
      emojis: [],
      stickers: [],
      features: [],
      members: [],
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      channels: [...this.channels].map((id) => this.channelPayload(id)),
      threads: [...this.threads.values()].map((t) => this.threadPayload(t)),
    };
  }

  private onGatewayConnection(socket: WebSocket): void {
    const send = (payload: unknown) => socket.send(JSON.stringify(payload));
    send({ op: 10, d: { heartbeat_interval: 41250 }, s: null, t: null });
    socket.on('message', (data) => {
      const payload = JSON.parse(String(data)) as { op: number; d: unknown };
      this.gatewayReceived.push(payload);
      if (payload.op === 1) send({ op: 11, d: null, s: null, t: null });
      if (payload.op === 2) {
        this.gatewaySeq += 1;
        send({
          op: 0,
          t: 'READY',
          s: this.gatewaySeq,
          d: {
            v: 10,
            user: this.botUser,
            guilds: [{ id: this.guildId, unavailable: true }],
            session_id: 'f1e2d3c4b5a69788',
            resume_gateway_url: this.gatewayUrl,
            shard: [0, 1],
            application: { id: this.applicationId, flags: 0 },
            private_channels: [],
          },
        });
        this.dispatch('GUILD_CREATE', this.guildPayload());
      }
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.base);
    const path = url.pathname.replace(/^\/api/, '').replace(/^\/v10(?=\/)/, '');
    const method = (req.method ?? 'GET').toUpperCase();
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const recorded: RecordedCall = { method, path, query: url.searchParams, headers: req.headers, body, status: 0 };
    this.calls.push(recorded);

    const creates = method === 'POST' && /^\/channels\/\d+\/messages(?:\/\d+\/threads)?$/.test(path);
    if (creates && this.onCreate?.('received', { method, path }) === 'drop') {
      res.destroy();
      return;
    }
    let reply: Reply;
    const rule = this.rules.find((r) => r.times > 0 && r.match({ method, path, body }));
    if (rule) rule.times -= 1;
    if (!url.pathname.startsWith('/api/v10/') && !url.pathname.startsWith('/v10/')) {
      reply = { status: 404, body: { message: '404: Not Found', code: 0 } };
    } else if (rule && !rule.afterCommit) {
      reply = rule.reply;
    } else {
      reply = this.route(method, path, url.searchParams, body, req.headers);
      if (rule?.afterCommit) reply = rule.reply;
    }
    recorded.status = reply.status;
    if (creates && reply.status < 300 && this.onCreate?.('applied', { method, path }) === 'drop') {
      res.destroy();
      return;
    }
    const headers: Record<string, string> = {
      'X-RateLimit-Limit': '50',
      'X-RateLimit-Remaining': '49',
      'X-RateLimit-Reset': String(Date.now() / 1000 + 1),
      'X-RateLimit-Reset-After': '1.000',
      'X-RateLimit-Bucket': 'b1c2d3e4f5a6b7c8',
      ...reply.headers,
    };
    if (reply.body === undefined) {
      res.writeHead(reply.status, headers).end();
      return;
    }
    res.writeHead(reply.status, { ...headers, 'Content-Type': 'application/json' }).end(JSON.stringify(reply.body));
  }

  private authorized(headers: http.IncomingHttpHeaders): boolean {
    return headers.authorization === `Bot ${this.token}`;
  }

  private route(
    method: string,
    path: string,
    query: URLSearchParams,
    body: unknown,
    headers: http.IncomingHttpHeaders,
  ): Reply {
    const b = (body ?? {}) as Record<string, unknown>;
    let m: RegExpMatchArray | null;

    // Interaction webhooks and callbacks are authorised by their token, not the bot token.
    m = method === 'POST' ? path.match(/^\/interactions\/(\d+)\/([^/]+)\/callback$/) : null;
    if (m) {
      return this.recordCallback(m[2] ?? '', {
        type: Number(b.type),
        ...(b.data ? { data: b.data as Record<string, unknown> } : {}),
      });
    }
    m = path.match(/^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/([^/]+))?$/);
    if (m) {
      return this.webhook(method, m[1] ?? '', m[2] ?? '', m[3], b);
    }

    if (!this.authorized(headers)) return { status: 401, body: { message: '401: Unauthorized', code: 0 } };

    if (path === '/users/@me' && method === 'GET') return { status: 200, body: this.botUser };
    if (path === '/gateway/bot' && method === 'GET') {
      return {
        status: 200,
        body: {
          url: this.gatewayUrl,
          shards: 1,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 14400000, max_concurrency: 1 },
        },
      };
    }
    if (path === '/applications/@me' && method === 'GET') {
      return { status: 200, body: { id: this.applicationId, name: 'arxiv-digest', bot_public: false, flags: 0 } };
    }
    m = path.match(/^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/);
    if (m) {
      if (m[1] !== this.applicationId) return { status: 403, body: { message: 'Missing Access', code: 50001 } };
      const guild = m[2];
      if (method === 'PUT') {
        const invalid = validateCommands(body);
        if (invalid) return invalid;
        const list = (Array.isArray(body) ? body : []).map((c: Record<string, unknown>) => ({
          id: this.snowflake(),
          application_id: this.applicationId,
          version: this.snowflake(),
          default_member_permissions: null,
          ...(guild ? { guild_id: guild } : {}),
          ...c,
        }));
        if (guild) this.commands.guilds.set(guild, list);
        else this.commands.global = list;
        return { status: 200, body: list };
      }
      if (method === 'GET')
        return { status: 200, body: guild ? (this.commands.guilds.get(guild) ?? []) : this.commands.global };
    }
    m = method === 'GET' ? path.match(/^\/channels\/(\d+)$/) : null;
    if (m) {
      const id = m[1] ?? '';
      if (this.hiddenChannels.has(id)) return { status: 403, body: { message: 'Missing Access', code: 50001 } };
      const thread = this.threads.get(id);
      if (thread) return { status: 200, body: this.threadPayload(thread) };
      if (!this.channels.has(id)) return { status: 404, body: { message: 'Unknown Channel', code: 10003 } };
      return { status: 200, body: this.channelPayload(id) };
    }
    m = method === 'POST' ? path.match(/^\/channels\/(\d+)\/messages$/) : null;
    if (m) {
      return this.createMessage(m[1] ?? '', b);
    }
    m = method === 'GET' ? path.match(/^\/channels\/(\d+)\/messages$/) : null;
    if (m) return this.listMessages(m[1] ?? '', query);
    m = method === 'GET' ? path.match(/^\/channels\/(\d+)\/messages\/(\d+)$/) : null;
    if (m) {
      const msg = this.messages.get(m[2] ?? '');
      if (!msg || msg.channel_id !== m[1]) return { status: 404, body: { message: 'Unknown Message', code: 10008 } };
      return { status: 200, body: this.messageView(msg) };
    }
    m = method === 'POST' ? path.match(/^\/channels\/(\d+)\/messages\/(\d+)\/threads$/) : null;
    if (m) {
      return this.startThread(m[1] ?? '', m[2] ?? '', b);
    }
    m = method === 'GET' ? path.match(/^\/channels\/(\d+)\/messages\/(\d+)\/reactions\/([^/]+)$/) : null;
    if (m) {
      const msg = this.messages.get(m[2] ?? '');
      if (!msg || msg.channel_id !== m[1]) return { status: 404, body: { message: 'Unknown Message', code: 10008 } };
      const emoji = decodeURIComponent(m[3] ?? '');
      const type = query.get('type') ?? '0';
      const table = type === '1' ? this.burstReactions : this.reactions;
      const ids = [...(table.get(msg.id)?.get(emoji) ?? [])].sort((a, b) =>
        BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0,
      );
      const limit = Number(query.get('limit') ?? 25);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
        return formError({
          limit: { _errors: [{ code: 'NUMBER_TYPE_MAX', message: 'int value should be less than or equal to 100.' }] },
        });
      }
      const after = query.get('after');
      const page = ids.filter((id) => !after || BigInt(id) > BigInt(after)).slice(0, limit);
      return {
        status: 200,
        body: page.map((id) => (id === this.botUser.id ? this.botUser : user(id, `member${id.slice(-4)}`))),
      };
    }
    return { status: 404, body: { message: '404: Not Found', code: 0 } };
  }

  private channelExists(id: string): boolean {
    return this.channels.has(id) || this.threads.has(id);
  }

  private newMessage(channelId: string, b: Record<string, unknown>, author: FakeUser): FakeMessage {
    const msg: FakeMessage = {
      id: this.snowflake(),
      channel_id: channelId,
      type: 0,
      content: typeof b.content === 'string' ? b.content : '',
      embeds: Array.isArray(b.embeds) ? (b.embeds as Array<Record<string, unknown>>) : [],
      ...(Array.isArray(b.components) ? { components: b.components as Array<Record<string, unknown>> } : {}),
      author,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      flags: typeof b.flags === 'number' ? b.flags : 0,
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      attachments: [],
      ...(b.allowed_mentions !== undefined ? { allowed_mentions: b.allowed_mentions } : {}),
    };
    this.messages.set(msg.id, msg);
    return msg;
  }

  private messageView(msg: FakeMessage): Record<string, unknown> {
    const { allowed_mentions: _a, interaction_token: _t, ephemeral: _e, ...view } = msg;
    const normal = this.reactions.get(msg.id) ?? new Map<string, string[]>();
    const burst = this.burstReactions.get(msg.id) ?? new Map<string, string[]>();
    const reactions = [...new Set([...normal.keys(), ...burst.keys()])]
      .map((key) => ({ key, users: normal.get(key) ?? [], bursts: burst.get(key) ?? [] }))
      .filter(({ users, bursts }) => users.length + bursts.length > 0)
      .map(({ key, users, bursts }) => {
        const [name, id] = key.split(':');
        return {
          count: users.length + bursts.length,
          count_details: { normal: users.length, burst: bursts.length },
          me: users.includes(this.botUser.id),
          me_burst: bursts.includes(this.botUser.id),
          burst_colors: [],
          emoji: { id: id ?? null, name },
        };
      });
    const thread = this.threads.get(msg.id);
    return {
      ...view,
      ...(reactions.length ? { reactions } : {}),
      ...(thread ? { thread: { id: thread.id, type: 11, parent_id: thread.parent_id, name: thread.name } } : {}),
    };
  }

  /**
   * GET /channels/{id}/messages as Discord answers it: newest first, `limit` 1–100 (default 50), `before` or
   * `after` a message id. Discord keeps no nonce: listed messages carry none.
   */
  private listMessages(channelId: string, query: URLSearchParams): Reply {
    if (!this.channelExists(channelId)) return { status: 404, body: { message: 'Unknown Channel', code: 10003 } };
    const limit = Number(query.get('limit') ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      return formError({
        limit: { _errors: [{ code: 'NUMBER_TYPE_MAX', message: 'int value should be less than or equal to 100.' }] },
      });
    }
    const before = query.get('before');
    const after = query.get('after');
    const list = [...this.messages.values()]
      .filter((x) => x.channel_id === channelId && !x.ephemeral)
      .filter((x) => !before || BigInt(x.id) < BigInt(before))
      .filter((x) => !after || BigInt(x.id) > BigInt(after))
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? 1 : -1))
      .slice(0, limit)
      .map((x) => {
        const { nonce: _n, ...view } = this.messageView(x);
        return view;
      });
    return { status: 200, body: list };
  }

  private createMessage(channelId: string, b: Record<string, unknown>): Reply {
    if (!this.channelExists(channelId)) return { status: 404, body: { message: 'Unknown Channel', code: 10003 } };
    const invalid = validateMessage(b);
    if (invalid) return invalid;
    // enforce_nonce: a nonce seen recently in this channel returns the message it created, no new one.
    if (b.enforce_nonce === true && b.nonce !== undefined) {
      const earlier = [...this.messages.values()].find((x) => x.channel_id === channelId && x.nonce === b.nonce);
      if (earlier) return { status: 200, body: this.messageView(earlier) };
    }
    const msg = this.newMessage(channelId, b, this.botUser);
    if (b.nonce !== undefined) msg.nonce = b.nonce as string;
    return { status: 200, body: this.messageView(msg) };
  }

  private startThread(channelId: string, messageId: string, b: Record<string, unknown>): Reply {
    const msg = this.messages.get(messageId);
    if (!msg || msg.channel_id !== channelId) return { status: 404, body: { message: 'Unknown Message', code: 10008 } };
    if (this.threads.has(messageId)) {
      return { status: 400, body: { message: 'A thread has already been created for this message', code: 160004 } };
    }
    const name = typeof b.name === 'string' ? b.name : '';
    if (!name || name.length > 100) return formError({ name: lengthError(100) });
    const archive = Number(b.auto_archive_duration ?? 4320);
    if (![60, 1440, 4320, 10080].includes(archive)) {
      return formError({
        auto_archive_duration: {
          _errors: [{ code: 'BASE_TYPE_CHOICES', message: 'Value must be one of {60, 1440, 4320, 10080}.' }],
        },
      });
    }
    // A thread started on a message has the message's id.
    const thread: Thread = { id: messageId, parent_id: channelId, name, auto_archive_duration: archive };
    this.threads.set(thread.id, thread);
    this.dispatch('THREAD_CREATE', { ...this.threadPayload(thread), newly_created: true });
    return { status: 201, body: this.threadPayload(thread) };
  }

  private webhook(
    method: string,
    applicationId: string,
    token: string,
    messageId: string | undefined,
    b: Record<string, unknown>,
  ): Reply {
    const it = this.interactions.get(token);
    if (!it || it.applicationId !== applicationId)
      return { status: 404, body: { message: 'Unknown Webhook', code: 10015 } };
    const author = { ...this.botUser };
    if (method === 'POST' && !messageId) {
      const invalid = validateMessage(b, { webhook: true });
      if (invalid) return invalid;
      const msg = this.newMessage(it.channelId, b, author);
      msg.webhook_id = applicationId;
      msg.interaction_token = token;
      if (typeof b.flags === 'number' && (b.flags & 64) !== 0) msg.ephemeral = true;
      return { status: 200, body: this.messageView(msg) };
    }
    if (messageId === '@original') {
      if (method === 'PATCH') {
        const invalid = validateMessage(b, { webhook: true });
        if (invalid) return invalid;
        if (it.deleted) return { status: 404, body: { message: 'Unknown Message', code: 10008 } };
        const existing = it.original ? this.messages.get(it.original) : undefined;
        if (existing) {
          existing.content = typeof b.content === 'string' ? b.content : existing.content;
          if (Array.isArray(b.embeds)) existing.embeds = b.embeds as Array<Record<string, unknown>>;
          if (Array.isArray(b.components)) existing.components = b.components as Array<Record<string, unknown>>;
          existing.edited_timestamp = new Date().toISOString();
          return { status: 200, body: this.messageView(existing) };
        }
        const msg = this.newMessage(it.channelId, b, author);
        msg.webhook_id = applicationId;
        msg.interaction_token = token;
        if (it.ephemeral) msg.ephemeral = true;
        it.original = msg.id;
        return { status: 200, body: this.messageView(msg) };
      }
      if (method === 'DELETE') {
        if (it.deleted) return { status: 404, body: { message: 'Unknown Message', code: 10008 } };
        it.deleted = true;
        if (it.original) this.messages.delete(it.original);
        return { status: 204 };
      }
    }
    return { status: 405, body: { message: '405: Method Not Allowed', code: 0 } };
  }
}

export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscordServer> {
  return new FakeDiscordServer(options).start();
}

/** Signs interactions as Discord does: Ed25519 over timestamp + raw body, hex in X-Signature-Ed25519. */
export class InteractionSigner {
  readonly publicKeyHex: string;
  private readonly privateKey: KeyObject;

  constructor() {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const jwk = publicKey.export({ format: 'jwk' });
    this.publicKeyHex = Buffer.from(jwk.x ?? '', 'base64url').toString('hex');
    this.privateKey = privateKey;
  }

  sign(rawBody: string, timestamp = String(Math.floor(Date.now() / 1000))): Record<string, string> {
    const signature = sign(null, Buffer.from(timestamp + rawBody, 'utf8'), this.privateKey).toString('hex');
    return { 'X-Signature-Ed25519': signature, 'X-Signature-Timestamp': timestamp };
  }
}

/** Posts a signed interaction; `tamper` changes the body after signing (a forged request). */
export async function postInteraction(
  url: string,
  signer: InteractionSigner,
  payload: unknown,
  opts: { tamper?: (raw: string) => string; headers?: Record<string, string>; timestamp?: string } = {},
): Promise<{ status: number; body: unknown; text: string }> {
  const raw = JSON.stringify(payload);
  const headers = { 'Content-Type': 'application/json', ...signer.sign(raw, opts.timestamp), ...opts.headers };
  const res = await fetch(url, { method: 'POST', headers, body: opts.tamper ? opts.tamper(raw) : raw });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text };
}

let interactionCounter = 0n;

/** An APPLICATION_COMMAND interaction as Discord sends it for `/name paper:value` in a guild channel (a new id each). */
export function commandInteraction(opts: {
  name: string;
  paper?: string;
  /** Other string options by name (e.g. /follow's `author` or `topic`). */
  options?: Record<string, string>;
  applicationId: string;
  channelId: string;
  userId: string;
  token: string;
  id?: string;
}): Record<string, unknown> {
  interactionCounter += 1n;
  return {
    type: 2,
    id: opts.id ?? (1400000000000000000n + interactionCounter).toString(),
    application_id: opts.applicationId,
    token: opts.token,
    version: 1,
    guild_id: '1300000000000000001',
    channel_id: opts.channelId,
    channel: { id: opts.channelId, type: 0, guild_id: '1300000000000000001', name: 'papers' },
    member: {
      user: { id: opts.userId, username: 'ada', discriminator: '0', global_name: 'Ada', avatar: null },
      roles: [],
      permissions: '2248473465835073',
      joined_at: '2025-01-01T00:00:00.000000+00:00',
      nick: null,
    },
    app_permissions: '2248473465835073',
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': '1300000000000000001' },
    context: 0,
    data: {
      id: '1500000000000000001',
      name: opts.name,
      type: 1,
      ...(opts.paper === undefined && !opts.options
        ? {}
        : {
            options: [
              ...(opts.paper === undefined ? [] : [{ name: 'paper', type: 3, value: opts.paper }]),
              ...Object.entries(opts.options ?? {}).map(([name, value]) => ({ name, type: 3, value })),
            ],
          }),
    },
  };
}

/** A tiny HttpRoutes over node:http, standing in for the product's shared server (src/server/http.ts). */
export async function startRoutesServer(): Promise<{ routes: HttpRoutes; url: string; close(): Promise<void> }> {
  const table = new Map<string, (req: RawRequest) => Promise<RawResponse>>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const handler = table.get(`${req.method} ${path}`);
      if (!handler) {
        res.writeHead(404).end('not found');
        return;
      }
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      handler({ method: req.method ?? 'GET', path, headers, rawBody: Buffer.concat(chunks) }).then(
        (out) => res.writeHead(out.status, out.headers ?? {}).end(out.body ?? ''),
        () => res.writeHead(500).end('internal error'),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    routes: {
      route(method, path, handler) {
        table.set(`${method} ${path}`, handler);
      },
    },
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An AppContext for the Discord adapter pointed at the fake: memory store, silent log, DISCORD_* env. */
export async function fakeDiscordContext(
  fake: FakeDiscordServer,
  opts: {
    env?: Record<string, string | undefined>;
    config?: Record<string, unknown>;
    store?: Store;
    clock?: Clock;
  } = {},
): Promise<AppContext> {
  const store = opts.store ?? (await openStore('memory://'));
  const config = parseConfig(
    {
      digests: [{ name: 'nlp', categories: ['cs.CL'], interests: 'LLM reasoning', channels: [] }],
      ...opts.config,
    },
    'test config',
    PLATFORM_CONFIG,
  );
  return createContext({
    config,
    store,
    log: silentLogger,
    ...(opts.clock ? { clock: opts.clock } : {}),
    env: {
      DISCORD_TOKEN: fake.token,
      DISCORD_APPLICATION_ID: fake.applicationId,
      DISCORD_API_URL: fake.apiUrl,
      DISCORD_GATEWAY: 'off',
      ...opts.env,
    },
  });
}

/**
 * The seed day's digest (test/fixtures/seed-papers.json, 2025-10-30) with summaries and critiques in the seed's
 * Markdown, one of them long enough to need several Discord messages, and model text that tries to ping.
 */
export function seedDigest(opts: { longPaper?: number; mentionPaper?: number } = {}): Digest {
  const fixture = seedFixture as unknown as Record<string, { digestSelected?: Paper[] }>;
  const papers = fixture['2025-10-30']?.digestSelected ?? [];
  const longPaper = opts.longPaper ?? 1;
  const mentionPaper = opts.mentionPaper ?? 2;
  const selected: SelectedPaper[] = papers.map((p, i) => {
    const summary = [
      '**Key Contributions:**',
      p.abstract,
      '',
      '**Methods:**',
      '1.  **Stage 1:** a brief cold start, then RL with verifiable rewards.',
      '2.  **Stage 2:** joint RL on mixed-domain data.',
      '',
      '#### Results',
      ...(i === longPaper ? Array.from({ length: 14 }, (_, k) => `*   Result ${k + 1}: ${p.abstract}`) : []),
    ].join('\n');
    const critique = [
      '### Strengths',
      '',
      `1.  **Clear idea:** ${p.title} is well motivated.`,
      '',
      '### Weaknesses',
      '',
      i === mentionPaper
        ? '1.  @everyone should read this; ping <@123456789012345678> and <@&223456789012345678> and @here too.'
        : '1.  **Limited baselines:** more comparisons would help.',
      ...(i === longPaper ? Array.from({ length: 10 }, (_, k) => `${k + 2}.  Weakness ${k + 2}: ${p.abstract}`) : []),
      '',
      '### Overall',
      'A solid contribution.',
    ].join('\n');
    return {
      ...p,
      score: 0.9 - i * 0.05,
      reason: 'Matches the interest in RL for LLM reasoning.',
      keywords: ['reinforcement learning', 'large language models', 'reasoning'],
      summary,
      critique,
    };
  });
  return {
    name: 'nlp',
    date: '2025-10-30',
    categories: ['cs.CL'],
    totalPapers: 58,
    selected,
    intro:
      "Today's research landscape reveals a compelling focus on enhancing the reasoning and collaboration capabilities of large language models (LLMs). @everyone look!",
    tldr: [
      '**TL;DR: Recent papers focus on improving LLM reasoning and alignment.**',
      '',
      '**Key Themes & Insights:**',
      '',
      ...selected.map((p, i) => `${i + 1}. *${p.title}* (https://arxiv.org/abs/${p.id})`),
    ].join('\n'),
    usage: { llmCalls: 12, promptTokens: 120000, completionTokens: 9000, cachedCalls: 0 },
    notices: [],
  };
}

/**
 * A MESSAGE_COMPONENT interaction (type 3) as Discord sends it when a member clicks a button (component_type 2) or
 * picks from a string select (component_type 3, `values`) on `message`.
 */
export function componentInteraction(opts: {
  customId: string;
  message: FakeMessage;
  applicationId: string;
  userId: string;
  token: string;
  id: string;
  values?: string[];
}): Record<string, unknown> {
  const base = commandInteraction({
    name: 'unused',
    applicationId: opts.applicationId,
    channelId: opts.message.channel_id,
    userId: opts.userId,
    token: opts.token,
    id: opts.id,
  });
  return {
    ...base,
    type: 3,
    message: { ...opts.message, components: opts.message.components ?? [] },
    data: opts.values
      ? { custom_id: opts.customId, component_type: 3, values: opts.values }
      : { custom_id: opts.customId, component_type: 2 },
  };
}

/** A MODAL_SUBMIT interaction (type 5) for a modal the bot answered a click with: its one text field filled in. */
export function modalSubmitInteraction(opts: {
  modal: { custom_id: string; components: Array<{ components: Array<{ custom_id: string }> }> };
  message: FakeMessage;
  text: string;
  applicationId: string;
  userId: string;
  token: string;
  id: string;
}): Record<string, unknown> {
  const base = commandInteraction({
    name: 'unused',
    applicationId: opts.applicationId,
    channelId: opts.message.channel_id,
    userId: opts.userId,
    token: opts.token,
    id: opts.id,
  });
  const field = opts.modal.components[0]?.components[0]?.custom_id ?? '';
  return {
    ...base,
    type: 5,
    message: { ...opts.message, components: opts.message.components ?? [] },
    data: {
      custom_id: opts.modal.custom_id,
      components: [{ type: 1, components: [{ type: 4, custom_id: field, value: opts.text }] }],
    },
  };
}
