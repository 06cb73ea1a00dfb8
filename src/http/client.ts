/**
 * The one HTTP layer for arXiv and the other plain-HTTP services: timeouts, the retry policy of ./retry.ts (backoff
 * with jitter on 429/5xx and network errors, Retry-After honoured, given up past 10 minutes), an optional minimum
 * spacing between requests (arXiv's 3 s), one request at a time when spacing is set. Errors after the retries are
 * HttpError with status, method and url. The clock (`sleep`, `now`) is injectable so tests do not wait.
 */
import { HttpError, networkCause, redactUrl } from '../app/errors';
import type { Logger } from '../app/log';
import { DEFAULT_RETRY, decideRetry, parseRetryAfter, realSleep } from './retry';
import { metrics } from '../app/metrics';

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  url: string;
}

/**
 * Where a streamed 2xx body goes (HttpClient.request's `body`): one sink per attempt, so a retry after a body cut off
 * midway starts a fresh one. An error thrown by `write` ends the request at once, unretried (the body is bad, not the
 * connection).
 */
export interface BodySink {
  write(chunk: string): void;
}

export interface HttpClientOptions {
  /** Service name used in errors and logs: "arXiv API". */
  service: string;
  /** What to check when the service cannot be reached at all (no answer): "check the network … or ARXIV_RSS_URL". */
  unreachableHint?: string;
  retries?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  /** The jitter's source, in [0, 1): injectable so tests know the waits exactly. */
  random?: () => number;
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

export const DEFAULT_USER_AGENT = 'arxiv-digest/0.1 (self-hosted research-team digest bot)';

export class HttpClient {
  private readonly opts: Required<
    Omit<HttpClientOptions, 'log' | 'minIntervalMs' | 'gate' | 'random' | 'unreachableHint'>
  > & {
    random: (() => number) | undefined;
    unreachableHint: string | undefined;
    minIntervalMs: number;
    log: Logger | undefined;
    gate: (() => Promise<void>) | undefined;
  };
  private lastStart = Number.NEGATIVE_INFINITY;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: HttpClientOptions) {
    this.opts = {
      service: options.service,
      retries: options.retries ?? DEFAULT_RETRY.retries,
      backoffMs: options.backoffMs ?? DEFAULT_RETRY.backoffMs,
      maxBackoffMs: options.maxBackoffMs ?? DEFAULT_RETRY.maxBackoffMs,
      random: options.random,
      timeoutMs: options.timeoutMs ?? 30_000,
      minIntervalMs: options.minIntervalMs ?? 0,
      userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
      sleep: options.sleep ?? realSleep,
      now: options.now ?? Date.now,
      fetch: options.fetch ?? globalThis.fetch,
      log: options.log,
      gate: options.gate,
      unreachableHint: options.unreachableHint,
    };
  }

  /**
   * GET (or another method) with retries; resolves for 2xx and for statuses in `accept`, throws HttpError otherwise.
   * With `body`, a 2xx body is not collected: its text goes, decoded as UTF-8, chunk by chunk as it arrives into
   * the sink `body()` makes for that attempt, and the response's `text` is empty.
   */
  request(url: string, init: RequestInit & { accept?: number[] } = {}, body?: () => BodySink): Promise<HttpResponse> {
    if (this.opts.minIntervalMs <= 0) return this.attempt(url, init, body);
    // Serialize: one connection at a time, spaced by minIntervalMs.
    const run = this.queue.then(() => this.attempt(url, init, body));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async spacing(): Promise<void> {
    if (this.opts.minIntervalMs <= 0) return;
    const from = this.opts.now();
    const wait = this.lastStart + this.opts.minIntervalMs - from;
    if (wait > 0) await this.opts.sleep(wait);
    if (this.opts.gate) await this.opts.gate();
    this.lastStart = this.opts.now();
    metrics.upstreamWaited(this.opts.service, this.lastStart - from);
  }

  private async attempt(
    url: string,
    init: RequestInit & { accept?: number[] },
    body?: () => BodySink,
  ): Promise<HttpResponse> {
    const { accept = [], ...rest } = init;
    const { service, timeoutMs, sleep, now, log } = this.opts;
    const method = (rest.method ?? 'GET').toUpperCase();
    const policy = {
      retries: this.opts.retries,
      backoffMs: this.opts.backoffMs,
      maxBackoffMs: this.opts.maxBackoffMs,
      ...(this.opts.random ? { random: this.opts.random } : {}),
    };
    for (let attempt = 0; ; attempt++) {
      await this.spacing();
      let response: Response;
      let text: string;
      let sinkError: { err: unknown } | undefined;
      try {
        const headers = new Headers(rest.headers);
        if (!headers.has('user-agent')) headers.set('user-agent', this.opts.userAgent);
        // The timeout covers the body too; a caller's own signal (shutdown) still aborts the request.
        const timeout = AbortSignal.timeout(timeoutMs);
        const signal = rest.signal ? AbortSignal.any([rest.signal, timeout]) : timeout;
        response = await this.opts.fetch(url, { ...rest, headers, signal });
        metrics.upstreamRequest(service, response.status);
        // Read inside the try: a connection reset or a timeout mid-body is a network failure to retry, like one
        // before the headers.
        if (body && response.ok && response.body) {
          text = '';
          sinkError = await streamBody(response.body, body());
        } else {
          text = await response.text();
        }
      } catch (err) {
        // fetch says only "fetch failed": the cause (ENOTFOUND rss.arxiv.org) is what the user can act on.
        // (Checked by shape: fetch's errors come from another realm under test runners.)
        const e = err as { name?: unknown; message?: unknown } | undefined;
        const detail =
          e && typeof e === 'object' && typeof e.message === 'string'
            ? e.name === 'TimeoutError'
              ? `timed out after ${timeoutMs} ms`
              : (networkCause(err) ?? e.message)
            : String(err);
        const error = new HttpError(service, url, undefined, detail, { cause: err, method });
        metrics.upstreamRequest(service, 'error');
        if (rest.signal?.aborted) throw error; // the caller gave up: no retry
        const next = decideRetry(attempt, { status: undefined }, policy);
        if (!next.retry) {
          // Unreachable after the retries: the cause, and what to check.
          const hint = this.opts.unreachableHint;
          throw hint ? new HttpError(service, url, undefined, `${detail}; ${hint}`, { cause: err, method }) : error;
        }
        log?.warn(
          { service, url: error.url, attempt: attempt + 1, delayMs: next.delayMs, err: detail },
          `${service}: no answer from ${error.url} (${detail}); retry ${attempt + 1} of ${policy.retries} in ${Math.max(1, Math.round(next.delayMs / 1000))} s`,
        );
        await sleep(next.delayMs);
        continue;
      }
      if (sinkError) throw sinkError.err;
      if (response.ok || accept.includes(response.status)) {
        return { status: response.status, headers: response.headers, text, url };
      }
      const status = response.status;
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now());
      const next = decideRetry(attempt, { status, retryAfterMs }, policy);
      if (!next.retry) {
        const detail = next.reason ?? text.slice(0, 200).replace(/\s+/g, ' ').trim();
        throw new HttpError(service, url, status, detail, { method });
      }
      log?.warn({ service, url: redactUrl(url), status, attempt: attempt + 1, delayMs: next.delayMs }, 'retrying');
      await sleep(next.delayMs);
    }
  }
}

/**
 * Decodes a body as UTF-8 (a BOM dropped, as Response.text() does) into `sink`, chunk by chunk. A network error
 * reading it is thrown (to be retried); an error of the sink is returned, after the rest of the body is cancelled.
 */
async function streamBody(stream: ReadableStream<Uint8Array>, sink: BodySink): Promise<{ err: unknown } | undefined> {
  const decoder = new TextDecoder('utf-8');
  const reader = stream.getReader();
  const put = (text: string): { err: unknown } | undefined => {
    if (!text) return undefined;
    try {
      sink.write(text);
      return undefined;
    } catch (err) {
      return { err };
    }
  };
  for (;;) {
    const { done, value } = await reader.read();
    const failed = put(done ? decoder.decode() : decoder.decode(value, { stream: true }));
    if (failed) {
      await reader.cancel().catch(() => {});
      return failed;
    }
    if (done) return undefined;
  }
}
