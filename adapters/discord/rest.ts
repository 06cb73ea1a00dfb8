/**
 * The one REST client of the Discord adapter: @discordjs/rest, whose handlers wait out 429s (Retry-After, the
 * X-RateLimit-* buckets, the global limit) and retry 5xx and timeouts in one place. It keeps to the product's one
 * retry policy (src/http/retry.ts): the same number of retries, and a rate limit longer than MAX_RETRY_AFTER_MS
 * fails at once instead of being waited out. Its base is DISCORD_API_URL, so tests point it at a local server.
 * Errors leave this module as HttpError (code chat_error, with status, method and url) or ArxivDigestError with one
 * line that names the call and Discord's own reason, and never an interaction token.
 */
import { DiscordAPIError, HTTPError, REST, RateLimitError } from '@discordjs/rest';
import type { AppContext } from '../../src/context';
import { ArxivDigestError, ErrorCode, HttpError } from '../../src/app/errors';
import { DEFAULT_RETRY, MAX_RETRY_AFTER_MS } from '../../src/http/retry';
import { discordEnv } from './config';

export interface DiscordRestOptions {
  /** Per-request timeout; @discordjs/rest's default is 15 s. */
  timeoutMs?: number;
  /** Retries of 5xx answers and timeouts; default the policy's (src/http/retry.ts). */
  retries?: number;
  /** Extra milliseconds added to every rate-limit wait (@discordjs/rest's `offset`, default 50). */
  rateLimitOffsetMs?: number;
}

export function createRest(ctx: AppContext, token: string | undefined, options: DiscordRestOptions = {}): REST {
  const rest = new REST({
    api: discordEnv(ctx.env).apiUrl,
    version: '10',
    timeout: options.timeoutMs ?? 15_000,
    retries: options.retries ?? DEFAULT_RETRY.retries,
    // The one rule for giving up: a wait past MAX_RETRY_AFTER_MS is refused (RateLimitError), not slept through.
    rejectOnRateLimit: (limit) => limit.retryAfter > MAX_RETRY_AFTER_MS,
    ...(options.rateLimitOffsetMs === undefined ? {} : { offset: options.rateLimitOffsetMs }),
  });
  if (token) rest.setToken(token);
  rest.on('rateLimited', (info) => {
    ctx.log.warn(
      { route: info.route, method: info.method, retryAfterMs: info.retryAfter, global: info.global },
      'discord rate limit: waiting',
    );
  });
  return rest;
}

/** Routes of the REST API v10 the adapter uses (ids are snowflakes; emoji must arrive URL-encoded). */
export const routes = {
  me: () => '/users/@me' as const,
  channel: (channelId: string) => `/channels/${channelId}` as const,
  application: () => '/applications/@me' as const,
  channelMessages: (channelId: string) => `/channels/${channelId}/messages` as const,
  channelMessage: (channelId: string, messageId: string) => `/channels/${channelId}/messages/${messageId}` as const,
  threadFromMessage: (channelId: string, messageId: string) =>
    `/channels/${channelId}/messages/${messageId}/threads` as const,
  reactionUsers: (channelId: string, messageId: string, encodedEmoji: string) =>
    `/channels/${channelId}/messages/${messageId}/reactions/${encodedEmoji}` as const,
  globalCommands: (applicationId: string) => `/applications/${applicationId}/commands` as const,
  guildCommands: (applicationId: string, guildId: string) =>
    `/applications/${applicationId}/guilds/${guildId}/commands` as const,
  interactionCallback: (interactionId: string, token: string) =>
    `/interactions/${interactionId}/${token}/callback` as const,
  webhook: (applicationId: string, token: string) => `/webhooks/${applicationId}/${token}` as const,
  webhookMessage: (applicationId: string, token: string, messageId: string) =>
    `/webhooks/${applicationId}/${token}/messages/${messageId}` as const,
};

/** Interaction tokens are credentials for 15 minutes: keep them out of messages and logs. */
export function redactDiscordUrl(url: string): string {
  return url
    .replace(/(\/webhooks\/\d+\/)[^/?#]+/g, '$1***')
    .replace(/(\/interactions\/\d+\/)[^/?#]+/g, '$1***')
    .replace(/^https?:\/\/[^/]+/, '');
}

/** Discord's numeric error code of a failed call (e.g. 160004 thread exists, 10008 unknown message), if any. */
export function discordCode(err: unknown): number | undefined {
  if (err instanceof DiscordAPIError && typeof err.code === 'number') return err.code;
  if (err instanceof ArxivDigestError && err.cause) return discordCode(err.cause);
  return undefined;
}

/** The HTTP status of a failed call, if it got an answer. */
export function discordStatus(err: unknown): number | undefined {
  if (err instanceof DiscordAPIError || err instanceof HTTPError) return err.status;
  if (err instanceof ArxivDigestError && err.cause) return discordStatus(err.cause);
  return undefined;
}

/**
 * Wraps whatever a REST call threw into one line that names what was being done. An answer with an error status
 * becomes an HttpError (code chat_error) carrying its status, method and url (interaction tokens redacted).
 */
export function chatError(what: string, err: unknown): ArxivDigestError {
  if (err instanceof ArxivDigestError) return err;
  if (err instanceof DiscordAPIError || err instanceof HTTPError) {
    const method = err.method.toUpperCase();
    const url = redactDiscordUrl(err.url);
    const reason =
      err instanceof DiscordAPIError
        ? `: ${err.message.replace(/\s*\n\s*/g, '; ')}${typeof err.code === 'number' && err.code ? ` (code ${err.code})` : ''}`
        : ' after the retries';
    return new HttpError('discord', url, err.status, '', {
      cause: err,
      method,
      code: ErrorCode.ChatError,
      message: `discord: ${what} failed: HTTP ${err.status} ${method} ${url}${reason}`,
    });
  }
  let detail: string;
  if (err instanceof RateLimitError) {
    detail = `rate limited on ${err.route} for ${err.retryAfter} ms`;
  } else {
    const e = err as { name?: string; message?: string };
    detail =
      e?.name === 'AbortError' ? 'no answer before the timeout' : redactDiscordUrl(String(e?.message ?? err)).trim();
  }
  return new ArxivDigestError(ErrorCode.ChatError, `discord: ${what} failed: ${detail}`, { cause: err });
}

/** Runs one REST call, turning its failure into a ChatError that says what was being done. */
export async function call<T>(what: string, fn: () => Promise<unknown>): Promise<T> {
  try {
    return (await fn()) as T;
  } catch (err) {
    throw chatError(what, err);
  }
}
