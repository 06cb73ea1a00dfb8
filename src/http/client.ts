/**
 * The one HTTP layer for arXiv and the other plain-HTTP services: timeouts, retries with backoff on 429/5xx and
 * network errors, Retry-After honoured, an optional minimum spacing between requests (arXiv's 3 s), one request at a
 * time when spacing is set. Errors after the retries are HttpError with status and url.
 * The clock (`sleep`, `now`) is injectable so tests do not wait.
 */
import { HttpError } from '../app/errors';
import type { Logger } from '../app/log';

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  url: string;
}

export interface HttpClientOptions {
  /** Service name used in errors and logs: "arXiv API". */
  service: string;
  retries?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  timeoutMs?: number;
  /** Minimum time between the start of one request and the next; requests are then serialized. */
  minIntervalMs?: number;
  /**
   * Waits for a slot shared with other processes (e.g. a lock with expiry in a shared store) before each request,
   * after the local spacing: arXiv's terms ask for the spacing across all of a team's instances.
   */
  gate?: () => Promise<void>;
  userAgent?: string;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  fetch?: typeof fetch;
  log?: Logger;
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The longest Retry-After waited out; a longer one fails the request at once. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

export const DEFAULT_USER_AGENT = 'arxiv-digest/0.1 (self-hosted research-team digest bot)';

export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  if (Number.isFinite(date)) return Math.max(0, date - now);
  return undefined;
}

export class HttpClient {
  private readonly opts: Required<Omit<HttpClientOptions, 'log' | 'minIntervalMs' | 'gate'>> & {
    minIntervalMs: number;
    log: Logger | undefined;
    gate: (() => Promise<void>) | undefined;
  };
  private lastStart = Number.NEGATIVE_INFINITY;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: HttpClientOptions) {
    this.opts = {
      service: options.service,
      retries: options.retries ?? 4,
      backoffMs: options.backoffMs ?? 1000,
      maxBackoffMs: options.maxBackoffMs ?? 60_000,
      timeoutMs: options.timeoutMs ?? 30_000,
      minIntervalMs: options.minIntervalMs ?? 0,
      userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
      sleep: options.sleep ?? realSleep,
      now: options.now ?? Date.now,
      fetch: options.fetch ?? globalThis.fetch,
      log: options.log,
      gate: options.gate,
    };
  }

  /** GET (or another method) with retries; resolves for 2xx and for statuses in `accept`, throws HttpError otherwise. */
  request(url: string, init: RequestInit & { accept?: number[] } = {}): Promise<HttpResponse> {
    if (this.opts.minIntervalMs <= 0) return this.attempt(url, init);
    // Serialize: one connection at a time, spaced by minIntervalMs.
    const run = this.queue.then(() => this.attempt(url, init));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async spacing(): Promise<void> {
    if (this.opts.minIntervalMs <= 0) return;
    const wait = this.lastStart + this.opts.minIntervalMs - this.opts.now();
    if (wait > 0) await this.opts.sleep(wait);
    if (this.opts.gate) await this.opts.gate();
    this.lastStart = this.opts.now();
  }

  private async attempt(url: string, init: RequestInit & { accept?: number[] }): Promise<HttpResponse> {
    const { accept = [], ...rest } = init;
    const { service, retries, backoffMs, maxBackoffMs, timeoutMs, sleep, now, log } = this.opts;
    let lastError: HttpError | undefined;
    for (let attempt = 0; attempt <= retries; attempt++) {
      await this.spacing();
      let response: Response;
      let text: string;
      try {
        const headers = new Headers(rest.headers);
        if (!headers.has('user-agent')) headers.set('user-agent', this.opts.userAgent);
        // The timeout covers the body too; a caller's own signal (shutdown) still aborts the request.
        const timeout = AbortSignal.timeout(timeoutMs);
        const signal = rest.signal ? AbortSignal.any([rest.signal, timeout]) : timeout;
        response = await this.opts.fetch(url, { ...rest, headers, signal });
        // Read inside the try: a connection reset or a timeout mid-body is a network failure to retry, like one
        // before the headers.
        text = await response.text();
      } catch (err) {
        const detail =
          err instanceof Error
            ? err.name === 'TimeoutError'
              ? `timed out after ${timeoutMs} ms`
              : err.message
            : String(err);
        lastError = new HttpError(service, url, undefined, detail, err);
        if (rest.signal?.aborted) throw lastError; // the caller gave up: no retry
        if (attempt < retries) {
          const delay = Math.min(maxBackoffMs, backoffMs * 2 ** attempt);
          log?.warn(
            { service, url: lastError.url, attempt: attempt + 1, delayMs: delay, err: detail },
            'request failed, retrying',
          );
          await sleep(delay);
          continue;
        }
        throw lastError;
      }
      if (response.ok || accept.includes(response.status)) {
        return { status: response.status, headers: response.headers, text, url };
      }
      const retryable = response.status === 429 || response.status >= 500;
      lastError = new HttpError(service, url, response.status, text.slice(0, 200).replace(/\s+/g, ' ').trim());
      if (!retryable || attempt >= retries) throw lastError;
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'), now());
      // The server's Retry-After is honoured in full (retrying earlier is what it asked us not to do); past
      // MAX_RETRY_AFTER_MS waiting is pointless for a morning digest, so the request fails now with the error.
      if (retryAfter !== undefined && retryAfter > MAX_RETRY_AFTER_MS) {
        throw new HttpError(service, url, response.status, `asked to retry after ${Math.round(retryAfter / 1000)} s`);
      }
      const delay = retryAfter ?? Math.min(maxBackoffMs, backoffMs * 2 ** attempt);
      log?.warn(
        { service, url: lastError.url, status: response.status, attempt: attempt + 1, delayMs: delay },
        'retrying',
      );
      await sleep(delay);
    }
    throw lastError ?? new HttpError(service, url, undefined, 'no attempt made');
  }
}
