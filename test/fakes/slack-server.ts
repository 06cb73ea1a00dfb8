/**
 * A local stand-in for Slack, for tests: the Web API (POST /api/<method>, form or JSON bodies, answers
 * `{ok: true, …}` / `{ok: false, error}` with HTTP 200 as Slack does, 429 with Retry-After when scripted), the
 * `response_url` hooks of slash commands, and helpers that sign slash commands and Events API envelopes the way
 * Slack does (v0 HMAC-SHA256) for a bot's `/slack/events` route. Every call is recorded so tests can check what the
 * bot sent. chat.postMessage enforces Slack's message limits, so a renderer that overflows them fails here as it
 * would in production.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpRoutes, RawRequest, RawResponse } from '../../src/chat/types';

/** Slack's documented message limits (chat.postMessage). */
export const FAKE_SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  headerText: 150,
  contextElements: 10,
  contextElementText: 3000,
  /** Slack answers msg_blocks_too_long past about this many characters of block text in one message. */
  blockText: 12_000,
  messageText: 40_000,
} as const;

export interface SlackCall {
  method: string;
  params: Record<string, unknown>;
  /** The bearer token (or `token` field) the call carried. */
  token: string | undefined;
  /** The HTTP status the fake answered with. */
  status: number;
  /** The `error` of an `ok: false` answer. */
  error?: string;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks: Array<Record<string, unknown>>;
  user: string;
  bot_id: string;
  reactions: Array<{ name: string; users: string[] }>;
  unfurl_links?: unknown;
  /** Message metadata (chat.postMessage `metadata`), returned by history reads with include_all_metadata only. */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

export type ScriptedFailure =
  | { status: 429; retryAfter: number }
  | { status: number; body?: string }
  | { error: string }
  /** The connection is cut without an answer (a timeout or a reset, as the client sees it). */
  | { drop: true };

export interface FakeSlackOptions {
  botToken?: string;
  botUserId?: string;
  botId?: string;
  teamId?: string;
  /** Channels the bot is not a member of (chat.postMessage answers not_in_channel). */
  notInChannel?: string[];
  /** The xapp- app-level token apps.connections.open accepts (Socket Mode). */
  appToken?: string;
  /**
   * Channels that do not exist, or are private without the bot: every method answers channel_not_found, as Slack
   * does (it does not tell the two apart).
   */
  missingChannels?: string[];
  /** Archived channels: conversations.info says is_archived, chat.postMessage answers is_archived. */
  archivedChannels?: string[];
  /**
   * The bot token's scopes, sent in `x-oauth-scopes` as Slack does on every Web API answer. Default: the
   * manifest's, without chat:write.public when `notInChannel` is given (that is when Slack answers not_in_channel).
   */
  scopes?: string[];
}

const MANIFEST_SCOPES = [
  'chat:write',
  'chat:write.public',
  'commands',
  'reactions:read',
  'channels:history',
  'groups:history',
  'channels:read',
  'groups:read',
];

interface Scripted {
  method: string;
  failure: ScriptedFailure;
  remaining: number;
  /** Fail only from this call of the method on (1-based), e.g. 4 for "the fourth post". */
  fromCall: number;
  /** Do the call's work first (store the message), then fail: the answer is lost, the post was not. */
  afterCommit: boolean;
}

export class FakeSlackServer {
  /** Answers each chat.postMessage this much later (a slow platform: a test can stop the bot mid-digest). */
  postDelayMs = 0;
  readonly calls: SlackCall[] = [];
  readonly messages: FakeMessage[] = [];
  /** Bodies POSTed to response_url hooks, by hook path. */
  readonly responses: Array<{ path: string; body: Record<string, unknown> }> = [];
  readonly botToken: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  readonly appToken: string;
  /** The WebSocket URL apps.connections.open hands out (a test's Socket Mode server). */
  socketModeUrl: string | undefined;
  private readonly notInChannel: Set<string>;
  private readonly missingChannels: Set<string>;
  private readonly archivedChannels: Set<string>;
  readonly scopes: string[];
  private readonly scripts: Scripted[] = [];
  private readonly methodCounts = new Map<string, number>();
  private tsCounter = 0;

  private constructor(
    private readonly server: http.Server,
    readonly origin: string,
    options: FakeSlackOptions,
  ) {
    this.botToken = options.botToken ?? 'xoxb-1111111111-2222222222222-FakeBotTokenForTests';
    this.botUserId = options.botUserId ?? 'U0BOTUSER1';
    this.botId = options.botId ?? 'B0BOTID001';
    this.teamId = options.teamId ?? 'T0ARXIV001';
    this.appToken = options.appToken ?? 'xapp-1-A0ARXIVDG1-1111111111-FakeAppLevelTokenForTests';
    this.notInChannel = new Set(options.notInChannel ?? []);
    this.missingChannels = new Set(options.missingChannels ?? []);
    this.archivedChannels = new Set(options.archivedChannels ?? []);
    this.scopes =
      options.scopes ??
      (options.notInChannel?.length ? MANIFEST_SCOPES.filter((s) => s !== 'chat:write.public') : MANIFEST_SCOPES);
  }

  static async start(options: FakeSlackOptions = {}): Promise<FakeSlackServer> {
    let fake: FakeSlackServer | undefined;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      // A client killed mid-request (a test's kill -9) resets the connection: not the fake's error.
      req.on('error', () => {});
      res.on('error', () => {});
      req.on('end', () => {
        const go = () => fake?.handle(req, Buffer.concat(chunks).toString('utf8'), res);
        if (fake?.postDelayMs && req.url?.endsWith('/chat.postMessage')) setTimeout(go, fake.postDelayMs);
        else go();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeSlackServer(server, `http://127.0.0.1:${port}`, options);
    return fake;
  }

  /** The Web API base, for SLACK_API_URL. */
  get apiUrl(): string {
    return `${this.origin}/api/`;
  }

  /** A response_url as Slack hands out with a slash command. */
  responseUrl(id = '1'): string {
    return `${this.origin}/commands/${this.teamId}/${id}/hookToken${id}`;
  }

  callsTo(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** The messages chat.postMessage accepted, in order. */
  posted(channel?: string): FakeMessage[] {
    return channel ? this.messages.filter((m) => m.channel === channel) : [...this.messages];
  }

  /** Fails `times` calls of `method`, starting with its `fromCall`-th call (1-based; default: the next one). */
  failNext(
    method: string,
    failure: ScriptedFailure,
    options: { times?: number; fromCall?: number; afterCommit?: boolean } = {},
  ): void {
    const seen = this.methodCounts.get(method) ?? 0;
    this.scripts.push({
      method,
      failure,
      remaining: options.times ?? 1,
      fromCall: options.fromCall ?? seen + 1,
      afterCommit: options.afterCommit ?? false,
    });
  }

  /** A message someone else posted (for reactions on messages the bot did not send). */
  addMessage(channel: string, text: string, user = 'U0MEMBER01'): FakeMessage {
    const msg: FakeMessage = { channel, ts: this.nextTs(), text, blocks: [], user, bot_id: '', reactions: [] };
    this.messages.push(msg);
    return msg;
  }

  /** A member reacts to a message (reactions.get then reports it). */
  addReaction(channel: string, ts: string, name: string, user: string): void {
    const msg = this.find(channel, ts);
    if (!msg) throw new Error(`fake Slack: no message ${channel}/${ts} to react to`);
    let r = msg.reactions.find((x) => x.name === name);
    if (!r) {
      r = { name, users: [] };
      msg.reactions.push(r);
    }
    if (!r.users.includes(user)) r.users.push(user);
  }

  reset(): void {
    this.calls.length = 0;
    this.messages.length = 0;
    this.responses.length = 0;
    this.scripts.length = 0;
    this.methodCounts.clear();
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections?.();
      this.server.close(() => resolve());
    });
  }

  private nextTs(): string {
    this.tsCounter += 1;
    return `${1761830400 + this.tsCounter}.${String(100 + this.tsCounter).padStart(6, '0')}`;
  }

  private find(channel: string, ts: string): FakeMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts);
  }

  private handle(req: http.IncomingMessage, raw: string, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.origin);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'x-oauth-scopes': this.scopes.join(','),
        'x-accepted-oauth-scopes': '',
        ...headers,
      });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (url.pathname.startsWith('/commands/')) {
      // Scripted failures of response_url hooks use the method name `response_url`.
      const hookScript = this.scripts.find((s) => s.method === 'response_url' && s.remaining > 0);
      if (hookScript && 'status' in hookScript.failure) {
        hookScript.remaining -= 1;
        send(hookScript.failure.status, 'expired_url');
        return;
      }
      this.responses.push({ path: url.pathname, body: parseBody(raw, req.headers['content-type']) });
      send(200, { ok: true });
      return;
    }
    const match = /^\/api\/([\w.]+)$/.exec(url.pathname);
    if (req.method !== 'POST' || !match?.[1]) {
      send(404, { ok: false, error: 'unknown_method' });
      return;
    }
    const method = match[1];
    const params = parseBody(raw, req.headers['content-type']);
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ')
      ? auth.slice(7)
      : typeof params.token === 'string'
        ? params.token
        : undefined;
    const count = (this.methodCounts.get(method) ?? 0) + 1;
    this.methodCounts.set(method, count);
    const call: SlackCall = { method, params, token, status: 200 };
    this.calls.push(call);

    const script = this.scripts.find((s) => s.method === method && s.remaining > 0 && count >= s.fromCall);
    if (script) {
      script.remaining -= 1;
      const f = script.failure;
      if (script.afterCommit) this.answer(method, params);
      if ('drop' in f) {
        call.status = 0;
        res.socket?.destroy();
      } else if ('error' in f) {
        call.error = f.error;
        send(200, { ok: false, error: f.error });
      } else if ('retryAfter' in f) {
        call.status = 429;
        send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(f.retryAfter) });
      } else {
        call.status = f.status;
        send(f.status, f.body ?? 'upstream trouble');
      }
      return;
    }
    // apps.connections.open takes the app-level token, every other method the bot token.
    const expected = method === 'apps.connections.open' ? this.appToken : this.botToken;
    const authError = !token ? 'not_authed' : token !== expected ? 'invalid_auth' : undefined;
    const channel = typeof params.channel === 'string' ? params.channel : undefined;
    const answer = authError
      ? { ok: false, error: authError }
      : channel && this.missingChannels.has(channel) && method !== 'auth.test'
        ? { ok: false, error: 'channel_not_found' }
        : channel && this.archivedChannels.has(channel) && method === 'chat.postMessage'
          ? { ok: false, error: 'is_archived' }
          : this.answer(method, params);
    if ('error' in answer && answer.ok === false) call.error = String(answer.error);
    send(200, answer);
  }

  private answer(method: string, p: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://arxiv-lab.slack.com/',
          team: 'arXiv Lab',
          user: 'arxiv_digest',
          team_id: this.teamId,
          user_id: this.botUserId,
          bot_id: this.botId,
          is_enterprise_install: false,
        };
      case 'chat.postMessage':
        return this.postMessage(p);
      case 'chat.postEphemeral': {
        if (!p.channel) return { ok: false, error: 'channel_not_found' };
        if (this.notInChannel.has(String(p.channel))) return { ok: false, error: 'not_in_channel' };
        if (!p.user) return { ok: false, error: 'user_not_in_channel' };
        if (!p.text && !p.blocks) return { ok: false, error: 'no_text' };
        return { ok: true, message_ts: this.nextTs() };
      }
      case 'reactions.get': {
        const msg = this.find(String(p.channel ?? ''), String(p.timestamp ?? ''));
        if (!msg) return { ok: false, error: 'message_not_found' };
        const full = p.full === true || p.full === 'true' || p.full === '1';
        return {
          ok: true,
          type: 'message',
          channel: msg.channel,
          message: {
            type: 'message',
            text: msg.text,
            user: msg.user,
            ts: msg.ts,
            ...(msg.thread_ts ? { thread_ts: msg.thread_ts } : {}),
            team: this.teamId,
            reactions: msg.reactions
              .filter((r) => r.users.length > 0)
              // Without `full`, Slack may cut the list of reacting users; only `count` is then complete.
              .map((r) => ({ name: r.name, users: full ? [...r.users] : r.users.slice(0, 2), count: r.users.length })),
          },
        };
      }
      case 'conversations.history':
      case 'conversations.replies':
        return this.history(method, p);
      case 'chat.update':
        return this.update(p);
      case 'views.open':
        return this.openView(p);
      case 'views.publish':
        return this.publishView(p);
      case 'apps.connections.open':
        return this.socketModeUrl ? { ok: true, url: this.socketModeUrl } : { ok: false, error: 'internal_error' };
      case 'conversations.info': {
        const id = String(p.channel ?? '');
        if (!/^[CGD][A-Z0-9]+$/.test(id)) return { ok: false, error: 'channel_not_found' };
        // Slack's answer needs channels:read (public) or groups:read (private).
        if (!this.scopes.includes('channels:read') && !this.scopes.includes('groups:read'))
          return { ok: false, error: 'missing_scope', needed: 'channels:read', provided: this.scopes.join(',') };
        return {
          ok: true,
          channel: {
            id,
            name: 'arxiv-digest',
            is_channel: true,
            is_private: false,
            is_archived: this.archivedChannels.has(id),
            is_member: !this.notInChannel.has(id),
          },
        };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  /** conversations.history (newest first) and conversations.replies (the thread, oldest first), one page. */
  private history(method: string, p: Record<string, unknown>): Record<string, unknown> {
    const channel = String(p.channel ?? '');
    if (!/^[CGD][A-Z0-9]+$/.test(channel)) return { ok: false, error: 'channel_not_found' };
    if (this.notInChannel.has(channel)) return { ok: false, error: 'not_in_channel' };
    const withMetadata = p.include_all_metadata === true || p.include_all_metadata === 'true';
    const oldest = Number(p.oldest ?? 0);
    let list: FakeMessage[];
    if (method === 'conversations.replies') {
      const ts = String(p.ts ?? '');
      const parent = this.find(channel, ts);
      if (!parent) return { ok: false, error: 'thread_not_found' };
      // The parent comes first whatever `oldest` says, then the replies in order.
      list = [
        parent,
        ...this.messages.filter((m) => m.channel === channel && m.thread_ts === ts && Number(m.ts) > oldest),
      ];
    } else {
      list = this.messages.filter((m) => m.channel === channel && !m.thread_ts && Number(m.ts) > oldest).reverse();
    }
    // Cursor pagination as Slack does it: `limit` per page (at most 999), an opaque next_cursor while more remain.
    const limit = Math.min(999, Math.max(1, Number(p.limit ?? 100) || 100));
    const start = p.cursor
      ? Number(
          Buffer.from(String(p.cursor), 'base64')
            .toString('utf8')
            .replace(/^offset:/, ''),
        )
      : 0;
    const page = list.slice(start, start + limit);
    const more = start + limit < list.length;
    return {
      ok: true,
      messages: page.map((m) => historyView(m, withMetadata)),
      has_more: more,
      response_metadata: { next_cursor: more ? Buffer.from(`offset:${start + limit}`).toString('base64') : '' },
    };
  }

  /** Modals opened with views.open (by trigger_id) and App Home views published (by user), in order. */
  readonly views: Array<{
    method: 'views.open' | 'views.publish';
    trigger_id?: string;
    user_id?: string;
    view: Record<string, unknown>;
  }> = [];
  /** trigger_ids a test handed out with an interaction (views.open takes each once, within 3 s). */
  readonly triggers = new Set<string>();

  private parsed(value: unknown): unknown {
    try {
      return typeof value === 'string' ? JSON.parse(value) : value;
    } catch {
      return undefined;
    }
  }

  /** chat.update: the bot's own message, its text and blocks replaced (blocks checked as chat.postMessage's). */
  private update(p: Record<string, unknown>): Record<string, unknown> {
    const msg = this.find(String(p.channel ?? ''), String(p.ts ?? ''));
    if (!msg) return { ok: false, error: 'message_not_found' };
    if (msg.user !== this.botUserId) return { ok: false, error: 'cant_update_message' };
    const blocks = p.blocks === undefined ? msg.blocks : this.parsed(p.blocks);
    if (!Array.isArray(blocks)) return { ok: false, error: 'invalid_blocks_format' };
    const invalid = checkBlocks(blocks as Array<Record<string, unknown>>);
    if (invalid) return { ok: false, error: invalid };
    msg.blocks = blocks as Array<Record<string, unknown>>;
    if (typeof p.text === 'string') msg.text = p.text;
    return { ok: true, channel: msg.channel, ts: msg.ts, text: msg.text };
  }

  /** views.open: a modal, for a trigger_id Slack gave with an interaction (each used once). */
  private openView(p: Record<string, unknown>): Record<string, unknown> {
    const trigger = String(p.trigger_id ?? '');
    if (!this.triggers.has(trigger)) return { ok: false, error: 'invalid_trigger_id' };
    const view = this.parsed(p.view) as Record<string, unknown> | undefined;
    const invalid = checkView(view, 'modal');
    if (invalid) return { ok: false, error: 'invalid_arguments', response_metadata: { messages: [invalid] } };
    this.triggers.delete(trigger);
    this.views.push({ method: 'views.open', trigger_id: trigger, view: view as Record<string, unknown> });
    return { ok: true, view: { id: `V0${this.views.length}`, ...view } };
  }

  /** views.publish: a member's App Home. */
  private publishView(p: Record<string, unknown>): Record<string, unknown> {
    const user = String(p.user_id ?? '');
    if (!/^[UW][A-Z0-9]+$/.test(user)) return { ok: false, error: 'invalid_arguments' };
    const view = this.parsed(p.view) as Record<string, unknown> | undefined;
    const invalid = checkView(view, 'home');
    if (invalid) return { ok: false, error: 'invalid_arguments', response_metadata: { messages: [invalid] } };
    this.views.push({ method: 'views.publish', user_id: user, view: view as Record<string, unknown> });
    return { ok: true, view: { id: `V0${this.views.length}`, ...view } };
  }

  private postMessage(p: Record<string, unknown>): Record<string, unknown> {
    const channel = typeof p.channel === 'string' ? p.channel : '';
    if (!/^[CGD][A-Z0-9]+$/.test(channel)) return { ok: false, error: 'channel_not_found' };
    if (this.notInChannel.has(channel)) return { ok: false, error: 'not_in_channel' };
    const text = typeof p.text === 'string' ? p.text : '';
    let blocks: Array<Record<string, unknown>> = [];
    if (p.blocks !== undefined) {
      try {
        const parsed = typeof p.blocks === 'string' ? JSON.parse(p.blocks) : p.blocks;
        if (!Array.isArray(parsed)) return { ok: false, error: 'invalid_blocks_format' };
        blocks = parsed as Array<Record<string, unknown>>;
      } catch {
        return { ok: false, error: 'invalid_blocks_format' };
      }
    }
    if (!text && blocks.length === 0) return { ok: false, error: 'no_text' };
    if (text.length > FAKE_SLACK_LIMITS.messageText) return { ok: false, error: 'msg_too_long' };
    const invalid = checkBlocks(blocks);
    if (invalid) return { ok: false, error: invalid, response_metadata: { messages: [`[ERROR] ${invalid}`] } };
    const threadTs = typeof p.thread_ts === 'string' && p.thread_ts ? p.thread_ts : undefined;
    if (threadTs && !this.find(channel, threadTs)) return { ok: false, error: 'thread_not_found' };
    let metadata: FakeMessage['metadata'];
    if (p.metadata !== undefined) {
      try {
        const m = (typeof p.metadata === 'string' ? JSON.parse(p.metadata) : p.metadata) as Record<string, unknown>;
        if (typeof m.event_type !== 'string' || !/^[\w.-]+$/.test(m.event_type)) throw new Error('event_type');
        if (!m.event_payload || typeof m.event_payload !== 'object') throw new Error('event_payload');
        metadata = { event_type: m.event_type, event_payload: m.event_payload as Record<string, unknown> };
      } catch {
        return { ok: false, error: 'invalid_metadata_format' };
      }
    }
    const msg: FakeMessage = {
      channel,
      ts: this.nextTs(),
      ...(threadTs ? { thread_ts: threadTs } : {}),
      text,
      blocks,
      user: this.botUserId,
      bot_id: this.botId,
      reactions: [],
      unfurl_links: p.unfurl_links,
      ...(metadata ? { metadata } : {}),
    };
    this.messages.push(msg);
    return {
      ok: true,
      channel,
      ts: msg.ts,
      message: {
        type: 'message',
        subtype: 'bot_message',
        text,
        user: this.botUserId,
        bot_id: this.botId,
        ts: msg.ts,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        blocks,
        team: this.teamId,
      },
    };
  }
}

/** A message as conversations.history/replies return it; metadata only when include_all_metadata is set. */
function historyView(m: FakeMessage, withMetadata: boolean): Record<string, unknown> {
  return {
    type: 'message',
    ...(m.bot_id ? { subtype: 'bot_message', bot_id: m.bot_id } : {}),
    user: m.user,
    text: m.text,
    ts: m.ts,
    ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
    ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
  };
}

/** The characters of text a block carries, as Slack counts them for msg_blocks_too_long. */
export function blockTextLength(block: Record<string, unknown>): number {
  let n = 0;
  const text = block.text as { text?: string } | undefined;
  if (text?.text) n += text.text.length;
  for (const f of (block.fields as Array<{ text?: string }> | undefined) ?? []) n += f.text?.length ?? 0;
  for (const e of (block.elements as Array<{ text?: string }> | undefined) ?? []) n += e.text?.length ?? 0;
  return n;
}

/**
 * Block Kit's documented limits of an actions block (https://docs.slack.dev/reference/block-kit/blocks/actions-block):
 * at most 25 elements; a button's plain_text ≤ 75 characters, action_id ≤ 255 and unique, value ≤ 2,000; a
 * static_select with 1-100 options, each labelled ≤ 75 characters with a value ≤ 150. The problem, else undefined.
 */
export function checkActions(b: Record<string, unknown>): string | undefined {
  const els = (b.elements as Array<Record<string, unknown>> | undefined) ?? [];
  if (els.length === 0 || els.length > 25) return 'actions: 1 to 25 elements';
  if (typeof b.block_id === 'string' && b.block_id.length > 255) return 'actions: block_id too long';
  const ids = new Set<string>();
  const plain = (t: unknown, max: number) => {
    const x = t as { type?: string; text?: string } | undefined;
    return x?.type === 'plain_text' && !!x.text && x.text.length <= max;
  };
  for (const e of els) {
    const id = e.action_id;
    if (typeof id !== 'string' || !id || id.length > 255 || ids.has(id)) return 'actions: bad or repeated action_id';
    ids.add(id);
    if (e.type === 'button') {
      if (!plain(e.text, 75)) return 'button: text must be plain_text of at most 75 characters';
      if (e.value !== undefined && (typeof e.value !== 'string' || e.value.length > 2000)) return 'button: value';
      if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger') return 'button: style';
    } else if (e.type === 'static_select') {
      const options = (e.options as Array<Record<string, unknown>> | undefined) ?? [];
      if (options.length === 0 || options.length > 100) return 'static_select: 1 to 100 options';
      if (!plain(e.placeholder, 150)) return 'static_select: placeholder';
      for (const o of options)
        if (!plain(o.text, 75) || typeof o.value !== 'string' || !o.value || o.value.length > 150)
          return 'static_select: option';
    } else if (e.type !== 'overflow') return `actions: unknown element ${String(e.type)}`;
  }
  return undefined;
}

/**
 * A view's documented limits (https://docs.slack.dev/reference/views): a modal's title and submit plain_text ≤ 24,
 * callback_id ≤ 255, private_metadata ≤ 3,000, at most 100 blocks; an input block's label ≤ 2,000 and its
 * plain_text_input max_length ≤ 3,000. The problem, else undefined.
 */
export function checkView(view: Record<string, unknown> | undefined, type: 'modal' | 'home'): string | undefined {
  if (!view || view.type !== type) return `view.type must be ${type}`;
  const blocks = view.blocks as Array<Record<string, unknown>> | undefined;
  if (!Array.isArray(blocks) || blocks.length > 100) return 'view.blocks: at most 100';
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) return 'private_metadata';
  if (typeof view.callback_id === 'string' && view.callback_id.length > 255) return 'callback_id';
  if (type === 'modal') {
    const plain = (t: unknown) =>
      (t as { type?: string })?.type === 'plain_text' && ((t as { text?: string }).text?.length ?? 0) <= 24;
    if (!plain(view.title) || (view.submit !== undefined && !plain(view.submit)))
      return 'title/submit: plain_text ≤ 24';
  }
  for (const b of blocks) {
    if (b.type === 'input') {
      const el = b.element as { type?: string; max_length?: number; action_id?: string } | undefined;
      if (!el?.action_id || (el.max_length ?? 0) > 3000) return 'input element';
      if (((b.label as { text?: string })?.text?.length ?? 0) > 2000) return 'input label';
    } else if (b.type === 'section') {
      const accessory = b.accessory as Record<string, unknown> | undefined;
      if (accessory && checkActions({ elements: [accessory] })) return 'section accessory';
      if (!(b.text as { text?: string })?.text) return 'section text';
    } else if (b.type !== 'actions' && checkBlocks([b])) return `block ${String(b.type)}`;
    else if (b.type === 'actions' && checkActions(b)) return 'actions';
  }
  return undefined;
}

/** Validates blocks as chat.postMessage does; returns Slack's error code, or undefined when they are fine. */
export function checkBlocks(blocks: Array<Record<string, unknown>>): string | undefined {
  if (blocks.length > FAKE_SLACK_LIMITS.blocks) return 'invalid_blocks';
  let total = 0;
  for (const b of blocks) {
    const text = (b.text as { type?: string; text?: string } | undefined) ?? undefined;
    switch (b.type) {
      case 'section':
        if (!text?.text || text.text.length > FAKE_SLACK_LIMITS.sectionText) return 'invalid_blocks';
        if (b.expand !== undefined && typeof b.expand !== 'boolean') return 'invalid_blocks';
        break;
      case 'header':
        if (text?.type !== 'plain_text' || !text.text || text.text.length > FAKE_SLACK_LIMITS.headerText)
          return 'invalid_blocks';
        break;
      case 'context': {
        const els = (b.elements as Array<{ text?: string }> | undefined) ?? [];
        if (els.length === 0 || els.length > FAKE_SLACK_LIMITS.contextElements) return 'invalid_blocks';
        if (els.some((e) => !e.text || e.text.length > FAKE_SLACK_LIMITS.contextElementText)) return 'invalid_blocks';
        break;
      }
      case 'divider':
        break;
      case 'actions':
        if (checkActions(b)) return 'invalid_blocks';
        break;
      default:
        return 'invalid_blocks';
    }
    total += blockTextLength(b);
  }
  return total > FAKE_SLACK_LIMITS.blockText ? 'msg_blocks_too_long' : undefined;
}

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  if (contentType?.includes('application/json')) {
    try {
      return JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

// --- Signed requests as Slack sends them -------------------------------------------------------------------------

/** The v0 signature headers Slack puts on every request to a bot. */
export function signSlackRequest(
  signingSecret: string,
  rawBody: string,
  timestampSec: number,
): { 'x-slack-signature': string; 'x-slack-request-timestamp': string } {
  const hash = createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest('hex');
  return { 'x-slack-signature': `v0=${hash}`, 'x-slack-request-timestamp': String(timestampSec) };
}

export interface SlashCommandFields {
  command: string;
  text: string;
  user_id?: string;
  user_name?: string;
  channel_id?: string;
  channel_name?: string;
  team_id?: string;
  response_url?: string;
  trigger_id?: string;
}

let triggerCounter = 0;

/** A slash command body, form-encoded with the fields Slack sends (a new `trigger_id` each, as Slack gives). */
export function slashCommandBody(fields: SlashCommandFields): string {
  triggerCounter += 1;
  return new URLSearchParams({
    token: 'gIkuvaNzQIHg97ATvDxqgjtO',
    team_id: fields.team_id ?? 'T0ARXIV001',
    team_domain: 'arxiv-lab',
    channel_id: fields.channel_id ?? 'C0DIGEST01',
    channel_name: fields.channel_name ?? 'arxiv-digest',
    user_id: fields.user_id ?? 'U0MEMBER01',
    user_name: fields.user_name ?? 'ada',
    command: fields.command,
    text: fields.text,
    api_app_id: 'A0ARXIVDG1',
    is_enterprise_install: 'false',
    response_url: fields.response_url ?? 'https://hooks.slack.com/commands/T0ARXIV001/1/hook',
    trigger_id:
      fields.trigger_id ?? `13345224609.738474920.${(0x8088930838d88f008e0n + BigInt(triggerCounter)).toString(16)}`,
  }).toString();
}

export interface ReactionEventFields {
  type: 'reaction_added' | 'reaction_removed';
  user: string;
  reaction: string;
  channel: string;
  ts: string;
  itemUser?: string;
  teamId?: string;
}

let eventCounter = 0;

/** An Events API `event_callback` envelope for a reaction, JSON as Slack sends it. */
export function reactionEventBody(f: ReactionEventFields): string {
  eventCounter += 1;
  const eventTs = `${1761830500 + eventCounter}.000${100 + eventCounter}`;
  return JSON.stringify({
    token: 'gIkuvaNzQIHg97ATvDxqgjtO',
    team_id: f.teamId ?? 'T0ARXIV001',
    api_app_id: 'A0ARXIVDG1',
    event: {
      type: f.type,
      user: f.user,
      reaction: f.reaction,
      item_user: f.itemUser ?? 'U0BOTUSER1',
      item: { type: 'message', channel: f.channel, ts: f.ts },
      event_ts: eventTs,
    },
    type: 'event_callback',
    event_id: `Ev0${String(eventCounter).padStart(9, '0')}`,
    event_time: Math.floor(Number(eventTs)),
    authorizations: [
      {
        enterprise_id: null,
        team_id: f.teamId ?? 'T0ARXIV001',
        user_id: 'U0BOTUSER1',
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-eyJldCI6InJlYWN0aW9uX2FkZGVkIiwidGlkIjoiVDBBUlhJVjAwMSJ9`,
  });
}

export interface AppMentionFields {
  user: string;
  /** The message's text, with the bot's mention as Slack writes it (`<@U0BOTUSER1> …`). */
  text: string;
  channel: string;
  /** The message's own ts (default: a new one). */
  ts?: string;
  /** The thread it was posted in. */
  thread_ts?: string;
  teamId?: string;
}

/** An Events API `event_callback` envelope for an `app_mention` (a message mentioning the bot), JSON as Slack sends it. */
export function appMentionEventBody(f: AppMentionFields): string {
  eventCounter += 1;
  const ts = f.ts ?? `${1761830600 + eventCounter}.000${200 + eventCounter}`;
  return JSON.stringify({
    token: 'gIkuvaNzQIHg97ATvDxqgjtO',
    team_id: f.teamId ?? 'T0ARXIV001',
    api_app_id: 'A0ARXIVDG1',
    event: {
      type: 'app_mention',
      user: f.user,
      text: f.text,
      ts,
      client_msg_id: `c0ffee00-0000-4000-8000-${String(eventCounter).padStart(12, '0')}`,
      team: f.teamId ?? 'T0ARXIV001',
      channel: f.channel,
      ...(f.thread_ts ? { thread_ts: f.thread_ts, parent_user_id: 'U0BOTUSER1' } : {}),
      blocks: [],
      event_ts: ts,
    },
    type: 'event_callback',
    event_id: `Ev1${String(eventCounter).padStart(9, '0')}`,
    event_time: Math.floor(Number(ts)),
    authorizations: [
      {
        enterprise_id: null,
        team_id: f.teamId ?? 'T0ARXIV001',
        user_id: 'U0BOTUSER1',
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: '4-eyJldCI6ImFwcF9tZW50aW9uIiwidGlkIjoiVDBBUlhJVjAwMSJ9',
  });
}

export interface SignedPostOptions {
  signingSecret: string;
  /** Seconds since the epoch for x-slack-request-timestamp; default now. */
  timestampSec?: number;
  contentType?: 'application/x-www-form-urlencoded' | 'application/json';
  /** Replaces the computed signature (to test refusals). */
  signature?: string;
  headers?: Record<string, string>;
}

/** POSTs a body to the bot's events URL, signed as Slack signs it; resolves with status and body text. */
export async function postSigned(
  url: string,
  rawBody: string,
  options: SignedPostOptions,
): Promise<{ status: number; body: string; headers: Headers }> {
  const ts = options.timestampSec ?? Math.floor(Date.now() / 1000);
  const signed = signSlackRequest(options.signingSecret, rawBody, ts);
  const contentType =
    options.contentType ??
    (rawBody.trimStart().startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded');
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      ...signed,
      ...(options.signature ? { 'x-slack-signature': options.signature } : {}),
      ...options.headers,
    },
    body: rawBody,
  });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

// --- A tiny HttpRoutes over node:http, standing in for the shared server of `start` ------------------------------

export interface TestRoutesServer extends HttpRoutes {
  url: string;
  close(): Promise<void>;
}

export async function startRoutesServer(): Promise<TestRoutesServer> {
  const routes = new Map<string, (req: RawRequest) => Promise<RawResponse>>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const handler = routes.get(`${req.method} ${path}`);
      if (!handler) {
        res.writeHead(404).end('not found');
        return;
      }
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      handler({ method: req.method ?? 'POST', path, headers, rawBody: Buffer.concat(chunks) }).then(
        (out) => {
          res.writeHead(out.status, out.headers ?? {});
          res.end(out.body ?? '');
        },
        () => res.writeHead(500).end('internal error'),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    route(method, path, handler) {
      routes.set(`${method} ${path}`, handler);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

let interactionCounter = 0;

/** Fields of a block_actions click on one of the bot's messages. */
export interface BlockActionFields {
  user: string;
  channel: string;
  /** The message clicked (its ts, thread_ts, text and blocks as Slack holds them). */
  message: { ts: string; thread_ts?: string; text: string; blocks: Array<Record<string, unknown>> };
  action_id: string;
  /** A button's value; for a static_select, the picked option's value. */
  value: string;
  type?: 'button' | 'static_select';
  teamId?: string;
  trigger_id?: string;
}

/**
 * A `block_actions` payload as Slack documents it (https://docs.slack.dev/reference/interaction-payloads/block_actions-payload),
 * form-encoded as `payload=<json>` the way Slack POSTs it to the Request URL.
 */
export function blockActionsBody(f: BlockActionFields): { body: string; triggerId: string } {
  interactionCounter++;
  const triggerId = f.trigger_id ?? `1340${interactionCounter}.3486.d8c1bb837935619ccad0f624c448ffb3`;
  const team = f.teamId ?? 'T0ARXIV001';
  const actionTs = `${Math.floor(Date.now() / 1000)}.${String(interactionCounter).padStart(6, '0')}`;
  const block = f.message.blocks.find((b) => b.type === 'actions');
  const action =
    f.type === 'static_select'
      ? {
          type: 'static_select',
          action_id: f.action_id,
          block_id: block?.block_id ?? 'ad-card',
          selected_option: { text: { type: 'plain_text', text: 'An author', emoji: true }, value: f.value },
          placeholder: { type: 'plain_text', text: 'Follow an author', emoji: true },
          action_ts: actionTs,
        }
      : {
          type: 'button',
          action_id: f.action_id,
          block_id: block?.block_id ?? 'ad-card',
          text: { type: 'plain_text', text: 'A button', emoji: true },
          value: f.value,
          action_ts: actionTs,
        };
  const payload = {
    type: 'block_actions',
    user: { id: f.user, username: 'ada', name: 'ada', team_id: team },
    api_app_id: 'A0ARXIVDG1',
    token: 'verification-token-unused',
    container: {
      type: 'message',
      message_ts: f.message.ts,
      channel_id: f.channel,
      is_ephemeral: false,
      ...(f.message.thread_ts ? { thread_ts: f.message.thread_ts } : {}),
    },
    trigger_id: triggerId,
    team: { id: team, domain: 'arxiv-lab' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: f.channel, name: 'arxiv-digest' },
    message: {
      type: 'message',
      subtype: 'bot_message',
      text: f.message.text,
      ts: f.message.ts,
      ...(f.message.thread_ts ? { thread_ts: f.message.thread_ts } : {}),
      bot_id: 'B0ARXIVBOT',
      blocks: f.message.blocks,
    },
    state: { values: {} },
    response_url: `https://hooks.slack.com/actions/${team}/1340${interactionCounter}/secret`,
    actions: [action],
  };
  return { body: `payload=${encodeURIComponent(JSON.stringify(payload))}`, triggerId };
}

/**
 * A `view_submission` payload (https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload) for a
 * modal the bot opened: its callback_id, private_metadata and blocks, with `text` typed in its one input.
 */
export function viewSubmissionBody(f: {
  user: string;
  view: Record<string, unknown>;
  text: string;
  teamId?: string;
}): string {
  interactionCounter++;
  const team = f.teamId ?? 'T0ARXIV001';
  const input = (f.view.blocks as Array<Record<string, unknown>>).find((b) => b.type === 'input');
  const element = input?.element as { action_id?: string } | undefined;
  const payload = {
    type: 'view_submission',
    team: { id: team, domain: 'arxiv-lab' },
    user: { id: f.user, username: 'ada', name: 'ada', team_id: team },
    api_app_id: 'A0ARXIVDG1',
    token: 'verification-token-unused',
    trigger_id: `1341${interactionCounter}.3486.e9c1bb837935619ccad0f624c448ffb3`,
    view: {
      id: `V0SUBMIT${interactionCounter}`,
      team_id: team,
      type: 'modal',
      blocks: f.view.blocks,
      private_metadata: f.view.private_metadata ?? '',
      callback_id: f.view.callback_id ?? '',
      state: {
        values: {
          [String(input?.block_id ?? '')]: {
            [String(element?.action_id ?? '')]: { type: 'plain_text_input', value: f.text },
          },
        },
      },
      hash: '156772938.1827394',
      title: f.view.title,
      clear_on_close: false,
      notify_on_close: false,
      close: f.view.close ?? null,
      submit: f.view.submit ?? null,
      previous_view_id: null,
      root_view_id: `V0SUBMIT${interactionCounter}`,
      app_id: 'A0ARXIVDG1',
      external_id: '',
      app_installed_team_id: team,
      bot_id: 'B0ARXIVBOT',
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** An `app_home_opened` event (https://docs.slack.dev/reference/events/app_home_opened) in its Events API envelope. */
export function appHomeOpenedBody(f: { user: string; tab?: 'home' | 'messages'; teamId?: string }): string {
  interactionCounter++;
  const team = f.teamId ?? 'T0ARXIV001';
  const ts = `${Math.floor(Date.now() / 1000)}.${String(interactionCounter).padStart(6, '0')}`;
  return JSON.stringify({
    token: 'verification-token-unused',
    team_id: team,
    api_app_id: 'A0ARXIVDG1',
    event: { type: 'app_home_opened', user: f.user, channel: 'D0HOME0001', tab: f.tab ?? 'home', event_ts: ts },
    type: 'event_callback',
    event_id: `Ev2${String(interactionCounter).padStart(9, '0')}`,
    event_time: Math.floor(Number(ts)),
  });
}
