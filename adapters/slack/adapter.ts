/**
 * The Slack adapter: Block Kit rendering, the Web API through bolt's WebClient (base URL from SLACK_API_URL, 429s
 * waited out by the client's Retry-After handling), and live commands and reactions through a bolt App on either
 * Socket Mode (SLACK_APP_TOKEN) or HTTP mode (SLACK_SIGNING_SECRET, /slack/events on the shared server).
 * Exactly-once posting is the core's (src/jobs/post.ts); this class only renders and sends one part at a time.
 */
import { randomBytes } from 'node:crypto';
import {
  App,
  type Receiver,
  type RespondFn,
  type SlashCommand,
  SocketModeReceiver,
  type types as SlackTypes,
  webApi,
} from '@slack/bolt';
import type { AppContext } from '../../src/context';
import { linkedArxivIds } from '../../src/app/text';
import { ArxivDigestError, ErrorCode, oneLine } from '../../src/app/errors';
import { MAX_RETRY_AFTER_MS } from '../../src/http/retry';
import { InFlight } from '../../src/chat/inflight';
import { firstTime } from '../../src/chat/replay';
import { resolveVoteEmoji } from '../../src/votes/emoji';
import { slackReaction } from './emoji';
import type {
  ActionEvent,
  ChatAdapter,
  FormEvent,
  HomeEvent,
  DigestMarker,
  FoundDigest,
  ChatEvent,
  ChatEventHandler,
  CommandEvent,
  HttpRoutes,
  OutgoingMessage,
  PostedMessage,
  RenderedPart,
  ThreadRef,
} from '../../src/chat/types';
import { boltLogger } from './logger';
import { escapeText, toMrkdwn } from './mrkdwn';
import { RoutesReceiver } from './receiver';
import { DEFAULT_SLACK_API_URL, SLACK_PLATFORM } from './config';
import { type RenderOptions, renderSlack, type SlackMessagePart } from './render';
import { formOrigin, homeView, modalView, readOrigin, submittedText, withVoteCount } from './interactive';
import { ACTION_PREFIX, actionOf, parseCardValue } from '../../src/chat/actions';

/** What the adapter reads of a block_actions payload (https://docs.slack.dev/reference/interaction-payloads/block_actions-payload). */
interface SlackBlockAction {
  trigger_id?: string;
  user: { id: string; team_id?: string };
  team?: { id: string } | null;
  channel?: { id: string };
  container?: { channel_id?: string; message_ts?: string };
  message?: { ts: string; thread_ts?: string; text?: string; blocks?: unknown[] };
}
interface SlackElementAction {
  type: string;
  action_id: string;
  action_ts?: string;
  value?: string;
  selected_option?: { value: string };
}

export interface SlackCredentials {
  /** xoxb- bot token (SLACK_BOT_TOKEN). */
  botToken: string;
  /** xapp- app-level token (SLACK_APP_TOKEN): Socket Mode. */
  appToken?: string;
  /** SLACK_SIGNING_SECRET: HTTP mode. */
  signingSecret?: string;
  /** SLACK_API_URL: the Web API base (default Slack's). */
  apiUrl?: string;
}

export interface SlackAdapterOptions {
  /** Retries of Web API calls (p-retry options; 429s count as retries after their Retry-After wait). */
  retryConfig?: webApi.RetryOptions;
  /** Per-request timeout of Web API calls, in ms. */
  timeoutMs?: number;
  /** Path of the Events API and slash-command route in HTTP mode. */
  eventsPath?: string;
  /** In HTTP mode, answer Slack after this long when no listener acknowledged a request. */
  unackedTimeoutMs?: number;
  render?: RenderOptions;
}

export interface BotIdentity {
  userId: string;
  botId: string | undefined;
  teamId: string | undefined;
}

/** Bounded: five retries over about five minutes, instead of the client's default thirty. */
const DEFAULT_RETRY: webApi.RetryOptions = webApi.retryPolicies.fiveRetriesInFiveMinutes;

/** The metadata event type of the bot's posts; its payload's nonce identifies one post. */
const POST_EVENT_TYPE = 'arxiv_digest_post';
/** Attempts of one post whose outcome stayed unknown (each after looking it up), and the pause between them. */
const MAX_POST_ATTEMPTS = 4;
const POST_RETRY_DELAY_MS = 2_000;
/** 429s waited out for one post before giving up. */
const MAX_RATE_LIMIT_WAITS = 10;
/** Pages of history (200 messages each) searched for a post whose answer was lost. */
const LOOKUP_MAX_PAGES = 5;

/**
 * `/critique`, `/vote`, `/follow`, `/unfollow`, `/follows`, `/ask`, and renamed variants such as `/arxiv-critique`
 * for workspaces where the names are taken.
 */
const COMMAND = /^\/(?:[a-z0-9_-]*[-_])?(critique|vote|follow|unfollow|follows|ask|digest)$/i;

/** Errors meaning the bot cannot post in that channel (not invited, a DM, private): response_url still works. */
const NO_ACCESS = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

/** auth.test answers meaning the token itself is refused. */
const TOKEN_REFUSED = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'account_inactive', 'token_expired']);

const HINTS: Record<string, string> = {
  not_in_channel: 'invite the bot to the channel with /invite',
  channel_not_found: 'check the channel id in the config; a private channel needs the bot invited',
  invalid_auth: 'check SLACK_BOT_TOKEN',
  not_authed: 'set SLACK_BOT_TOKEN',
  token_revoked: 'the app was uninstalled or the token revoked; reinstall it and update SLACK_BOT_TOKEN',
  account_inactive: 'the app was uninstalled or the token revoked; reinstall it and update SLACK_BOT_TOKEN',
  msg_blocks_too_long: 'a message exceeded Slack\u2019s block text limit',
};

function slackErrorCode(err: unknown): string | undefined {
  const e = err as { code?: string; data?: { error?: string } };
  return e?.code === webApi.ErrorCode.PlatformError ? e.data?.error : undefined;
}

/** A Slack failure as one line that names the call, the channel and what to do. */
export function slackError(method: string, err: unknown, channel?: string): ArxivDigestError {
  const code = slackErrorCode(err);
  const needed = (err as { data?: { needed?: string } })?.data?.needed;
  const hint =
    code === 'missing_scope'
      ? `add the scope ${needed ?? '(see the error)'} to the app (adapters/slack/manifest.yaml) and reinstall it`
      : code
        ? HINTS[code]
        : undefined;
  const what = code ?? (err instanceof Error ? err.message : String(err));
  return new ArxivDigestError(
    ErrorCode.ChatError,
    `Slack ${method}${channel ? ` in ${channel}` : ''} failed: ${what}${hint ? ` (${hint})` : ''}`,
    { cause: err },
  );
}

/**
 * What a member typed, as plain text for the core: Slack wraps a URL as `<url>` or `<url|label>`, and the core
 * reads neither (src/ask/question.ts finds an arXiv URL in plain text).
 */
export function commandArgument(text: string): string {
  return text
    .trim()
    .replace(/^<([^|>]+)(?:\|[^>]*)?>$/, '$1')
    .replace(/<((?:https?|mailto):[^|>\s]+)(?:\|[^>]*)?>/gi, '$1');
}

/**
 * Answers through a command's response_url. Its failure (an axios error whose fields hold the URL, a credential
 * for 30 minutes) leaves as a one-line ChatError that keeps no reference to the original.
 */
async function answerByHook(respond: RespondFn, message: Parameters<RespondFn>[0]): Promise<void> {
  try {
    await respond(message);
  } catch (err) {
    const status = (err as { response?: { status?: number } })?.response?.status;
    throw new ArxivDigestError(
      ErrorCode.ChatError,
      `Slack response_url answer failed: ${status ? `HTTP ${status}` : oneLine(err)}`,
    );
  }
}

/** A message Slack stored (its channel and ts), as the core records it. */
function postedMessage(at: { channel: string; ts: string }, thread: ThreadRef | undefined): PostedMessage {
  return {
    platform: SLACK_PLATFORM,
    channelId: at.channel,
    messageId: at.ts,
    ...(thread ? { threadId: thread.threadId } : {}),
  };
}

export class SlackAdapter implements ChatAdapter {
  readonly platform = SLACK_PLATFORM;
  /** Kept in the message's metadata, any length; 25 as the releases before wrote them, so they still match. */
  readonly nonceLength = 25;
  /** The Web API client: every call of the adapter and of one-shot commands goes through it. */
  readonly client: webApi.WebClient;
  private readonly probe: webApi.WebClient;
  private readonly poster: webApi.WebClient;
  private readonly logger;
  private handler: ChatEventHandler | undefined;
  private identity: Promise<BotIdentity> | undefined;
  private app: App | undefined;
  private readonly inflight = new InFlight();
  private readonly apiUrl: string;

  constructor(
    private readonly ctx: AppContext,
    private readonly credentials: SlackCredentials,
    private readonly options: SlackAdapterOptions = {},
  ) {
    this.logger = boltLogger(ctx.log);
    this.apiUrl = credentials.apiUrl ?? DEFAULT_SLACK_API_URL;
    this.client = new webApi.WebClient(credentials.botToken, this.clientOptions());
    // Health checks answer at once: no retries.
    this.probe = new webApi.WebClient(credentials.botToken, { ...this.clientOptions(), retryConfig: { retries: 0 } });
    // Posts: no retries inside the client (they could post twice); postOnce decides instead.
    this.poster = new webApi.WebClient(credentials.botToken, {
      ...this.clientOptions(),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
  }

  private clientOptions(): webApi.WebClientOptions {
    return {
      slackApiUrl: this.apiUrl,
      logger: this.logger,
      retryConfig: this.options.retryConfig ?? DEFAULT_RETRY,
      // 429: wait out Retry-After, then retry (the client pauses its whole queue meanwhile).
      rejectRateLimitedCalls: false,
      timeout: this.options.timeoutMs ?? 30_000,
      // Calls go to SLACK_API_URL only, and errors carry no request (and so no token).
      allowAbsoluteUrls: false,
      attachOriginalToWebAPIRequestError: false,
    };
  }

  /**
   * The preflight of a digest (contract: a destination that cannot be posted to is found before any LLM token is
   * spent): auth.test for the token, conversations.info for the channel. An answer that is an error for good
   * (channel_not_found, not invited, archived, token refused) stops the run; a network failure or a missing
   * read scope on an older install only logs, and the post itself names the failure if there is one.
   */
  async checkChannel(channelId: string): Promise<void> {
    const refuse = (code: string, fix: string) =>
      new ArxivDigestError(ErrorCode.ChatError, `slack channel ${channelId} cannot be posted to (${code}): ${fix}`);
    let scopes: string[] | undefined;
    try {
      const auth = await this.probe.auth.test();
      scopes = auth.response_metadata?.scopes;
    } catch (err) {
      const code = slackErrorCode(err);
      if (code && TOKEN_REFUSED.has(code))
        throw new ArxivDigestError(
          ErrorCode.ChatError,
          `Slack refuses SLACK_BOT_TOKEN (${code}): copy the Bot User OAuth Token (xoxb-…) again from the app's OAuth & Permissions page, or reinstall the app`,
        );
      this.ctx.log.warn({ err: oneLine(err) }, 'slack preflight: auth.test did not answer; posting will tell');
      return;
    }
    let channel: { name?: string; is_member?: boolean; is_private?: boolean; is_archived?: boolean } | undefined;
    try {
      channel = (await this.probe.conversations.info({ channel: channelId })).channel;
    } catch (err) {
      const code = slackErrorCode(err);
      if (code === 'channel_not_found')
        throw refuse(
          code,
          'check the channel id in the config (channel details, at the bottom of About); a private channel needs the bot invited with /invite @arxiv-digest',
        );
      if (code === 'missing_scope') {
        this.ctx.log.warn(
          { channel: channelId },
          'slack preflight: the app lacks channels:read/groups:read, so the channel is not checked before the digest is built; reinstall it from adapters/slack/manifest.yaml',
        );
        return;
      }
      this.ctx.log.warn({ channel: channelId, err: oneLine(err) }, 'slack preflight: conversations.info failed');
      return;
    }
    const where = channel?.name ? `#${channel.name}` : 'the channel';
    if (channel?.is_archived) throw refuse('is_archived', `${where} is archived: unarchive it or pick another channel`);
    const canPostUninvited = !channel?.is_private && !!scopes?.includes('chat:write.public');
    if (channel?.is_member === false && !canPostUninvited)
      throw refuse('not_in_channel', `invite the bot to ${where} with /invite @arxiv-digest`);
  }

  /** The bot's own user id (its reactions never count), from auth.test once, on first need. */
  botIdentity(): Promise<BotIdentity> {
    this.identity ??= this.client.auth.test().then(
      (r) => {
        if (!r.user_id) throw new ArxivDigestError(ErrorCode.ChatError, 'Slack auth.test returned no user_id');
        return { userId: r.user_id, botId: r.bot_id, teamId: r.team_id };
      },
      (err: unknown) => {
        this.identity = undefined; // try again next time
        throw slackError('auth.test', err);
      },
    );
    return this.identity;
  }

  async init(handler: ChatEventHandler): Promise<void> {
    this.handler = handler;
  }

  /** Slack's way to ask a paper: a mention of the bot in the digest's thread, or /ask naming the paper. */
  commandExample(command: CommandEvent['command'], argument: string): string {
    if (command === 'ask') return `@arXiv Digest ${argument} in the digest's thread, or /ask ${argument}`;
    return `/${command} ${argument}`;
  }

  async start(http?: HttpRoutes): Promise<void> {
    if (this.app) return;
    const me = await this.botIdentity();
    const { appToken, signingSecret, botToken } = this.credentials;
    let receiver: Receiver;
    if (appToken) {
      receiver = new SocketModeReceiver({
        appToken,
        logger: this.logger,
        installerOptions: { clientOptions: { slackApiUrl: this.apiUrl } },
      });
    } else if (signingSecret) {
      if (!http) throw new ArxivDigestError(ErrorCode.ChatError, 'Slack HTTP mode needs the HTTP server of `start`');
      receiver = new RoutesReceiver({
        signingSecret,
        http,
        path: this.options.eventsPath ?? '/slack/events',
        now: () => this.ctx.clock.now(),
        log: this.ctx.log,
        ...(this.options.unackedTimeoutMs ? { unackedTimeoutMs: this.options.unackedTimeoutMs } : {}),
        firstTime: (requestId) => firstTime(this.ctx.store, SLACK_PLATFORM, requestId),
      });
    } else {
      throw new ArxivDigestError(
        ErrorCode.ChatError,
        'Slack commands and reactions need SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode on PORT); set one of them',
      );
    }
    const app = new App({
      token: botToken,
      // Known from auth.test already, so bolt does not call it again.
      botUserId: me.userId,
      ...(me.botId ? { botId: me.botId } : {}),
      receiver,
      logger: this.logger,
      clientOptions: this.clientOptions(),
      ignoreSelf: true,
      convoStore: false,
    });
    this.listen(app, me);
    await app.start();
    this.app = app;
    this.ctx.log.info({ mode: appToken ? 'socket' : 'http' }, 'Slack adapter started');
  }

  async stop(): Promise<void> {
    const app = this.app;
    this.app = undefined;
    // Stop taking new events, then let the work in flight (a critique being posted) finish.
    await app
      ?.stop()
      .catch((err: unknown) => this.ctx.log.warn({ error: oneLine(err) }, 'Slack receiver did not stop cleanly'));
    await this.inflight.settled();
  }

  /** Resolves when the events being handled now are done (tests; stop() waits for them too). */
  async settled(): Promise<void> {
    await this.inflight.settled();
  }

  async healthy(): Promise<boolean> {
    try {
      return (await this.probe.auth.test()).ok === true;
    } catch {
      return false;
    }
  }

  render(message: OutgoingMessage): RenderedPart[] {
    return renderSlack(message, this.options.render);
  }

  async send(
    channelId: string,
    part: RenderedPart,
    thread?: ThreadRef,
    options?: { nonce?: string },
  ): Promise<PostedMessage> {
    const { text, blocks, papers } = part as Partial<SlackMessagePart>;
    if (typeof text !== 'string') throw new ArxivDigestError(ErrorCode.ChatError, 'Slack part has no text fallback');
    // Every post carries a nonce in its metadata, so a post whose answer was lost can be recognised (see postOnce).
    const nonce = options?.nonce ?? `ad${randomBytes(9).toString('base64url')}`;
    const args = {
      channel: channelId,
      text,
      ...(thread ? { thread_ts: thread.threadId } : {}),
      // Paper links would otherwise unfold into big previews, one per link.
      unfurl_links: false,
      unfurl_media: false,
      // A digest's papers ride along as one space-separated string (metadata values are scalars).
      metadata: {
        event_type: POST_EVENT_TYPE,
        event_payload: { nonce, ...(papers?.length ? { papers: papers.join(' ') } : {}) } as Record<string, string>,
      },
    };
    let res: { channel: string; ts: string };
    try {
      res = await this.postOnce(blocks?.length ? { ...args, blocks } : args, nonce);
    } catch (err) {
      // Slack's ceiling on a message's block text is undocumented and approximate: a part the renderer packed within
      // its budget may still be refused (and would be refused again on every re-run, stalling the digest). Slack
      // posted nothing then; the same text without blocks (the `text` fallback is the blocks' mrkdwn, up to 40,000
      // characters) goes through.
      if (!blocks?.length || slackErrorCode((err as { cause?: unknown }).cause) !== 'msg_blocks_too_long') throw err;
      this.ctx.log.warn(
        { channel: channelId, chars: text.length },
        'Slack refused the blocks as too long; posting the text alone',
      );
      res = await this.postOnce(args, nonce);
    }
    return postedMessage(res, thread);
  }

  /**
   * chat.postMessage has no idempotency key, and the WebClient's own retries resend a post after a timeout or a 5xx
   * even when Slack had stored it: a duplicate. So posts go through a client that never retries by itself, and
   * here: a 429 (Slack refused the call, nothing was posted) is waited out and retried; an unknown outcome (no
   * answer, a 5xx) is first looked up by the post's nonce in the channel or thread, and only retried when absent.
   */
  private async postOnce(
    args: webApi.ChatPostMessageArguments & { channel: string; thread_ts?: string },
    nonce: string,
  ): Promise<{ channel: string; ts: string }> {
    let waits = 0;
    for (let attempt = 1; ; attempt++) {
      let res: webApi.ChatPostMessageResponse;
      try {
        res = await this.poster.chat.postMessage(args);
      } catch (err) {
        const code = (err as { code?: string })?.code;
        const retryAfter = (err as Partial<webApi.WebAPIRateLimitedError>).retryAfter ?? 0;
        // The one rule for giving up (src/http/retry.ts): a wait past MAX_RETRY_AFTER_MS fails the post now.
        if (
          code === webApi.ErrorCode.RateLimitedError &&
          waits < MAX_RATE_LIMIT_WAITS &&
          retryAfter * 1000 <= MAX_RETRY_AFTER_MS
        ) {
          waits += 1;
          attempt -= 1;
          this.ctx.log.warn({ method: 'chat.postMessage', retryAfterSec: retryAfter }, 'Slack rate limit: waiting');
          await this.ctx.clock.sleep(Math.max(0, retryAfter) * 1000);
          continue;
        }
        const unknownOutcome = code === webApi.ErrorCode.RequestError || code === webApi.ErrorCode.HTTPError;
        if (!unknownOutcome) throw slackError('chat.postMessage', err, args.channel);
        // A post still being stored when our request gave up shows in the history a moment later: wait, then look.
        await this.ctx.clock.sleep(POST_RETRY_DELAY_MS * attempt);
        let found: { channel: string; ts: string } | undefined;
        try {
          found = await this.lookupPosted(args.channel, args.thread_ts, nonce);
        } catch (lookupErr) {
          const method = args.thread_ts ? 'conversations.replies' : 'conversations.history';
          throw new ArxivDigestError(
            ErrorCode.ChatError,
            `Slack chat.postMessage in ${args.channel} failed: ${oneLine(err)}; whether Slack stored the message is unknown (looking it up failed: ${slackError(method, lookupErr).message})`,
            { cause: err },
          );
        }
        if (found) return found;
        if (attempt >= MAX_POST_ATTEMPTS) throw slackError('chat.postMessage', err, args.channel);
        continue;
      }
      if (!res.ts)
        throw new ArxivDigestError(ErrorCode.ChatError, `Slack chat.postMessage in ${args.channel} returned no ts`);
      return { channel: res.channel ?? args.channel, ts: res.ts };
    }
  }

  /**
   * The message posted with `nonce`, in the thread or the channel, if Slack has it. No time window (it would
   * depend on our clock agreeing with Slack's): the channel's history comes newest first, and a digest's thread is
   * short, so a few pages hold any post of the last minutes.
   */
  async findPosted(channelId: string, nonce: string, thread?: ThreadRef): Promise<PostedMessage | undefined> {
    const found = await this.lookupPosted(channelId, thread?.threadId, nonce);
    if (!found) return undefined;
    return postedMessage(found, thread);
  }

  private async lookupPosted(
    channel: string,
    threadTs: string | undefined,
    nonce: string,
  ): Promise<{ channel: string; ts: string } | undefined> {
    let cursor: string | undefined;
    for (let page = 0; page < LOOKUP_MAX_PAGES; page++) {
      const common = { channel, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) };
      const res = threadTs
        ? await this.client.conversations.replies({ ...common, ts: threadTs })
        : await this.client.conversations.history(common);
      for (const m of res.messages ?? []) {
        const meta = (m as { metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }).metadata;
        if (m.ts && meta?.event_type === POST_EVENT_TYPE && meta.event_payload?.nonce === nonce) {
          return { channel, ts: m.ts };
        }
      }
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) return undefined;
    }
    return undefined;
  }

  /**
   * A digest posted earlier in the channel: its top-level message found by the nonce in its metadata (the
   * channel's history, newest first, a few pages), then the bot's replies in its thread with their nonces.
   */
  async findDigest(channelId: string, marker: DigestMarker): Promise<FoundDigest | undefined> {
    let parent: { channel: string; ts: string } | undefined;
    try {
      parent = await this.lookupPosted(channelId, undefined, marker.nonce);
    } catch (err) {
      throw slackError('conversations.history', err, channelId);
    }
    if (!parent) return undefined;
    const replies: FoundDigest['replies'] = [];
    let named: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < LOOKUP_MAX_PAGES; page++) {
      let res: webApi.ConversationsRepliesResponse;
      try {
        res = await this.client.conversations.replies({
          channel: channelId,
          ts: parent.ts,
          include_all_metadata: true,
          limit: 200,
          ...(cursor ? { cursor } : {}),
        });
      } catch (err) {
        throw slackError('conversations.replies', err, channelId);
      }
      for (const m of res.messages ?? []) {
        const meta = (m as { metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }).metadata;
        if (!m.ts || meta?.event_type !== POST_EVENT_TYPE) continue;
        if (m.ts === parent.ts) {
          const papers = meta.event_payload?.papers;
          named =
            typeof papers === 'string'
              ? papers.split(' ').filter(Boolean)
              : linkedArxivIds(JSON.stringify([m.text, m.blocks]));
          continue;
        }
        const nonce = typeof meta.event_payload?.nonce === 'string' ? meta.event_payload.nonce : undefined;
        replies.push({
          message: { platform: 'slack', channelId, messageId: m.ts, threadId: parent.ts },
          ...(nonce ? { nonce } : {}),
        });
      }
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
    return {
      parent: { platform: 'slack', channelId, messageId: parent.ts },
      thread: { platform: 'slack', channelId, threadId: parent.ts },
      named,
      replies,
    };
  }

  /** A bot token belongs to one workspace: every channel it posts to is in the team auth.test names. */
  async workspaceOf(): Promise<string | undefined> {
    return (await this.botIdentity()).teamId;
  }

  async openThread(parent: PostedMessage): Promise<ThreadRef> {
    // A Slack thread is the parent's ts; nothing to create.
    return { platform: SLACK_PLATFORM, channelId: parent.channelId, threadId: parent.messageId };
  }

  async readReactions(message: PostedMessage, emoji: string[]): Promise<string[]> {
    const allowed = resolveVoteEmoji(emoji); // neutral already; normalized again so any form works
    const me = await this.botIdentity();
    let res: webApi.ReactionsGetResponse;
    try {
      // full: every reacting user, not a cut list.
      res = await this.client.reactions.get({ channel: message.channelId, timestamp: message.messageId, full: true });
    } catch (err) {
      throw slackError('reactions.get', err, message.channelId);
    }
    const users = new Set<string>();
    for (const r of res.message?.reactions ?? []) {
      if (!r.name || !allowed.includes(slackReaction(r.name))) continue;
      for (const u of r.users ?? []) if (u !== me.userId) users.add(u);
    }
    return [...users];
  }

  // --- live events -------------------------------------------------------------------------------------------

  private listen(app: App, me: BotIdentity): void {
    app.command(COMMAND, async ({ command, ack, respond }) => {
      const name = (COMMAND.exec(command.command)?.[1] ?? '').toLowerCase() as CommandEvent['command'];
      const argument = commandArgument(command.text ?? '');
      // Answer Slack first (its 3 s deadline); the work happens after, and its answer is a channel message.
      await ack(
        name === 'critique' && argument
          ? `:hourglass_flowing_sand: Reading ${escapeText(argument)}…`
          : name === 'ask' && argument
            ? ':hourglass_flowing_sand: Reading the paper to answer…'
            : undefined,
      );
      await this.track(this.dispatch(this.commandEvent(name, argument, command, respond)));
    });
    // A question to a paper: a message mentioning the bot (in a digest's thread). bolt acknowledges the event.
    app.event('app_mention', async ({ event }) => {
      const e = event as {
        user?: string;
        bot_id?: string;
        text?: string;
        ts: string;
        channel: string;
        thread_ts?: string;
      };
      if (!e.user || e.user === me.userId || e.bot_id) return;
      await this.track(this.dispatch(this.mentionEvent(e as typeof e & { user: string }, me)));
    });
    this.listenInteractive(app, me);
    for (const type of ['reaction_added', 'reaction_removed'] as const) {
      app.event(type, async ({ event }) => {
        // bolt's ignoreSelf drops the bot's own events already; checked here too so it never depends on it.
        if (event.item.type !== 'message' || event.user === me.userId) return;
        await this.track(
          this.dispatch({
            type: 'reaction',
            platform: SLACK_PLATFORM,
            added: type === 'reaction_added',
            emoji: slackReaction(event.reaction),
            userId: event.user,
            channelId: event.item.channel,
            messageId: event.item.ts,
          }),
        );
      });
    }
  }

  /** Card buttons and menus, the Ask… form and the App Home (adapters/slack/interactive.ts). */
  private listenInteractive(app: App, me: BotIdentity): void {
    app.action({ action_id: /^ad:/ }, async ({ ack, body, action }) => {
      await ack();
      const event = this.actionEvent(body as unknown as SlackBlockAction, action as unknown as SlackElementAction);
      if (event) await this.track(this.dispatch(event));
    });
    app.view({ callback_id: /^ad:/, type: 'view_submission' }, async ({ ack, body, view }) => {
      await ack();
      const origin = readOrigin(view.private_metadata);
      const form = view.callback_id.slice(ACTION_PREFIX.length);
      if (!origin) return;
      const userId = body.user.id;
      const thread: ThreadRef | undefined = origin.t
        ? { platform: SLACK_PLATFORM, channelId: origin.c, threadId: origin.t }
        : undefined;
      const event: FormEvent = {
        type: 'form',
        platform: SLACK_PLATFORM,
        form,
        paper: origin.paper,
        text: submittedText(view as Parameters<typeof submittedText>[0]),
        interactionId: view.id,
        userId,
        channelId: origin.c,
        ...(origin.m ? { messageId: origin.m } : {}),
        ...(origin.t ? { threadId: origin.t } : {}),
        ...(body.team?.id ? { workspaceId: body.team.id } : {}),
        reply: (message, target) => this.postParts(message, target ?? thread, origin.c),
        replyPrivately: (text) => this.ephemeral(origin.c, userId, text, origin.t),
      };
      await this.track(this.dispatch(event));
    });
    app.event('app_home_opened', async ({ event, body }) => {
      if (event.tab !== 'home' || event.user === me.userId) return;
      const team = (body as { team_id?: string }).team_id ?? me.teamId;
      await this.track(this.dispatch(this.homeEvent(event.user, team)));
    });
  }

  private homeEvent(userId: string, teamId: string | undefined): HomeEvent {
    return {
      type: 'home',
      platform: SLACK_PLATFORM,
      userId,
      ...(teamId ? { workspaceId: teamId } : {}),
      publish: async (page) => {
        try {
          await this.client.views.publish({ user_id: userId, view: homeView(page, this.options.render?.paperBase) });
        } catch (err) {
          throw slackError('views.publish', err);
        }
      },
    };
  }

  /** A block_actions payload's click as the core's ActionEvent; undefined when it is not one of ours. */
  private actionEvent(body: SlackBlockAction, action: SlackElementAction): ActionEvent | undefined {
    const name = actionOf(action.action_id);
    if (!name) return undefined;
    const raw = action.type === 'static_select' ? action.selected_option?.value : action.value;
    const card = raw ? parseCardValue(raw) : undefined;
    const channel = body.channel?.id ?? body.container?.channel_id;
    const message = body.message;
    const userId = body.user.id;
    const teamId = body.team?.id ?? body.user.team_id;
    const threadTs = message?.thread_ts && message.thread_ts !== message.ts ? message.thread_ts : undefined;
    const here: ThreadRef | undefined = channel
      ? { platform: SLACK_PLATFORM, channelId: channel, threadId: threadTs ?? message?.ts ?? '' }
      : undefined;
    const value = card ? (card.option !== undefined ? String(card.option) : undefined) : raw;
    return {
      type: 'action',
      platform: SLACK_PLATFORM,
      action: name,
      ...(card ? { paper: card.paper } : {}),
      ...(value !== undefined ? { value } : {}),
      interactionId: body.trigger_id ?? action.action_ts ?? '',
      userId,
      channelId: channel ?? '',
      ...(message?.ts ? { messageId: message.ts } : {}),
      ...(threadTs ? { threadId: threadTs } : {}),
      ...(teamId ? { workspaceId: teamId } : {}),
      reply: async (m, target) => (channel ? this.postParts(m, target ?? here, channel) : undefined),
      replyPrivately: async (text) => {
        if (channel) await this.ephemeral(channel, userId, text, threadTs);
        else this.ctx.log.info({ user: userId }, 'Slack App Home click answered by refreshing the page');
      },
      openForm: async (form) => {
        if (!body.trigger_id || !channel) return;
        const origin = formOrigin({
          channel,
          ...(message?.ts ? { message: message.ts } : {}),
          ...(threadTs ? { thread: threadTs } : {}),
          paper: form.paper,
        });
        try {
          await this.client.views.open({ trigger_id: body.trigger_id, view: modalView(form, origin) });
        } catch (err) {
          throw slackError('views.open', err, channel);
        }
      },
      showVoteCount: async (count) => {
        if (!channel || !message?.ts || !Array.isArray(message.blocks)) return;
        try {
          await this.client.chat.update({
            channel,
            ts: message.ts,
            text: typeof message.text === 'string' ? message.text : '',
            blocks: withVoteCount(message.blocks as SlackTypes.KnownBlock[], count),
          });
        } catch (err) {
          throw slackError('chat.update', err, channel);
        }
      },
      refreshHome: () => this.dispatch(this.homeEvent(userId, teamId)),
    };
  }

  /** Sends a logical message's parts to the channel (in `thread` when given); the first part's record. */
  private async postParts(message: OutgoingMessage, thread: ThreadRef | undefined, channel: string) {
    let first: PostedMessage | undefined;
    for (const part of this.render(message)) {
      const posted = await this.send(thread?.channelId ?? channel, part, thread?.threadId ? thread : undefined);
      first ??= posted;
    }
    return first;
  }

  private async ephemeral(channel: string, user: string, text: string, threadTs?: string): Promise<void> {
    try {
      await this.client.chat.postEphemeral({
        channel,
        user,
        text: toMrkdwn(text),
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
    } catch (err) {
      throw slackError('chat.postEphemeral', err, channel);
    }
  }

  private track<T>(work: Promise<T>): Promise<T> {
    return this.inflight.track(work);
  }

  private async dispatch(event: ChatEvent): Promise<void> {
    if (!this.handler) {
      this.ctx.log.warn({ type: event.type }, 'Slack event before init(): dropped');
      return;
    }
    try {
      await this.handler.processEvent(event);
    } catch (err) {
      // The message only: an error's own fields may carry a request's URL (a response_url is a credential).
      this.ctx.log.error({ error: oneLine(err), type: event.type }, 'handling a Slack event failed');
      if (event.type === 'command') {
        await event.replyPrivately('Sorry, that did not work. Please try again later.').catch(() => undefined);
      }
    }
  }

  /**
   * A mention of the bot as an `ask` command: the question is the text without the bot's mention; the answer goes
   * in the thread (a mention outside a thread is answered in a thread on the member's message); private lines are
   * ephemeral in that thread.
   */
  private mentionEvent(
    e: { user: string; text?: string; ts: string; channel: string; thread_ts?: string },
    me: BotIdentity,
  ): CommandEvent {
    const own = new RegExp(`<@${me.userId}(?:\\|[^>]*)?>`, 'g');
    const argument = commandArgument((e.text ?? '').replace(own, ' ').replace(/\s+/g, ' '));
    const here: ThreadRef = { platform: SLACK_PLATFORM, channelId: e.channel, threadId: e.thread_ts ?? e.ts };
    return {
      type: 'command',
      platform: SLACK_PLATFORM,
      command: 'ask',
      argument,
      userId: e.user,
      channelId: e.channel,
      ...(e.thread_ts ? { threadId: e.thread_ts } : {}),
      messageId: e.ts,
      reply: async (message, thread) => {
        const target = thread ?? here;
        let first: PostedMessage | undefined;
        for (const part of this.render(message)) {
          const posted = await this.send(target.channelId, part, target);
          first ??= posted;
        }
        return first;
      },
      replyPrivately: async (text) => {
        try {
          await this.client.chat.postEphemeral({
            channel: e.channel,
            user: e.user,
            text: toMrkdwn(text),
            thread_ts: here.threadId,
          });
        } catch (err) {
          throw slackError('chat.postEphemeral', err, e.channel);
        }
      },
    };
  }

  private commandEvent(
    name: CommandEvent['command'],
    argument: string,
    command: SlashCommand,
    respond: RespondFn,
  ): CommandEvent {
    return {
      type: 'command',
      platform: SLACK_PLATFORM,
      command: name,
      argument,
      userId: command.user_id,
      channelId: command.channel_id,
      ...(command.team_id ? { workspaceId: command.team_id } : {}),
      reply: async (message, thread) => {
        const parts = this.render(message) as SlackMessagePart[];
        const channel = thread?.channelId ?? command.channel_id;
        let first: PostedMessage | undefined;
        try {
          for (const part of parts) {
            const posted = await this.send(channel, part, thread);
            first ??= posted;
          }
          return first;
        } catch (err) {
          // The bot is not in this channel (a DM, a private channel): answer through the command's response_url,
          // which works anywhere but takes at most five answers, so it is the fallback and not the way.
          const code = slackErrorCode((err as { cause?: unknown }).cause);
          if (first || !code || !NO_ACCESS.has(code)) throw err;
          for (const part of parts)
            await answerByHook(respond, { response_type: 'in_channel', text: part.text, blocks: part.blocks });
          return undefined;
        }
      },
      replyPrivately: async (text) => {
        const mrkdwn = toMrkdwn(text);
        try {
          await this.client.chat.postEphemeral({ channel: command.channel_id, user: command.user_id, text: mrkdwn });
        } catch (err) {
          const code = slackErrorCode(err);
          if (!code || !NO_ACCESS.has(code)) throw slackError('chat.postEphemeral', err, command.channel_id);
          await answerByHook(respond, { response_type: 'ephemeral', text: mrkdwn });
        }
      },
    };
  }
}
