/**
 * The one retry policy of every outside call (arXiv, the LLM, the chat platforms' REST): which failures are
 * retried, how long to wait between attempts, and when to give up.
 *
 * - Retried: no answer (network error, reset, timeout), 408, 409 (the LLM's "try again"), 429 and 5xx. Anything else
 *   is the caller's mistake or a refusal: failed at once.
 * - Waited: the server's `Retry-After` (seconds or an HTTP date; `retry-after-ms` when sent) in full, since retrying
 *   earlier is what it asked us not to do; otherwise exponential backoff (`backoffMs · 2^attempt`, capped at
 *   `maxBackoffMs`) with equal jitter (half fixed, half random) so instances that failed together do not retry
 *   together. Sleeps go through an injectable clock.
 * - Given up: after `retries` retries, or at once when the server asks for a wait past MAX_RETRY_AFTER_MS (10
 *   minutes): a morning digest or a /critique gains nothing from waiting longer, and the error says what was asked.
 */

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The longest Retry-After waited out; a longer one fails the request at once. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

export interface RetryOptions {
  /** Retries after the first attempt. */
  retries: number;
  /** The first backoff; doubled per attempt. */
  backoffMs: number;
  /** The longest backoff (a server's Retry-After is not cut to it). */
  maxBackoffMs: number;
  /** In [0, 1): the jitter's source, injectable so tests are exact. */
  random?: () => number;
}

export const DEFAULT_RETRY: RetryOptions = { retries: 4, backoffMs: 1000, maxBackoffMs: 60_000 };

/** A `Retry-After` value in milliseconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined if neither. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value?.trim()) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  if (Number.isFinite(date)) return Math.max(0, date - now);
  return undefined;
}

/** The wait a response asks for: `retry-after-ms` (OpenAI's, finer) when present, else `retry-after`. */
export function retryAfterOf(headers: Headers | undefined, now: number): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  return parseRetryAfter(headers.get('retry-after'), now);
}

/** Whether a failure is worth another attempt: `undefined` status means no answer at all. */
export function isTransientStatus(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;
}

/** The backoff before retry number `attempt + 1`: exponential, capped, with equal jitter. */
export function backoffMs(attempt: number, options: RetryOptions): number {
  const base = Math.min(options.maxBackoffMs, options.backoffMs * 2 ** attempt);
  const random = options.random ?? Math.random;
  return Math.round(base / 2 + random() * (base / 2));
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason?: string };

/**
 * Whether attempt number `attempt` (0 = the first) that failed with `failure` is retried, and after how long.
 * `reason` is set when the server's own Retry-After made us give up.
 */
export function decideRetry(
  attempt: number,
  failure: { status: number | undefined; retryAfterMs?: number | undefined; transient?: boolean },
  options: RetryOptions,
): RetryDecision {
  const transient = failure.transient ?? isTransientStatus(failure.status);
  if (!transient || attempt >= options.retries) return { retry: false };
  const asked = failure.retryAfterMs;
  if (asked !== undefined && asked > MAX_RETRY_AFTER_MS) {
    return { retry: false, reason: `asked to retry after ${Math.round(asked / 1000)} s` };
  }
  return { retry: true, delayMs: asked ?? backoffMs(attempt, options) };
}

/** How an answer cut mid-stream is named when it still fails after the retries ("… after 3 attempts: …" between). */
export const CUT_MID_STREAM = { what: 'the answer was cut mid-stream', why: 'the connection closed during the body' };

/**
 * Whether a failure is an answer cut mid-stream: the status line and headers came, then the connection closed while
 * the body was read (undici's TypeError "terminated" caused by a SocketError "other side closed", a reset or a
 * premature close). No answer was had, so it is retried like any network fault; an abort on purpose is not one.
 */
export function isCutMidStream(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as { name?: unknown; message?: unknown; code?: unknown; cause?: unknown };
  if (e.name === 'AbortError') return false;
  if (depth === 0 && err instanceof TypeError && e.message === 'terminated') return true;
  if (e.code === 'UND_ERR_SOCKET' || e.code === 'ERR_STREAM_PREMATURE_CLOSE') return true;
  return isCutMidStream(e.cause, depth + 1);
}
