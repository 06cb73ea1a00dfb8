/**
 * Errors with stable codes (after bolt-js's errors.ts): code says what failed, exitCode what the CLI returns.
 * UserInputError is the user-facing class: its message is one line that names the bad value and what is expected.
 */
export const ErrorCode = {
  InvalidInput: 'invalid_input',
  InvalidArxivId: 'invalid_arxiv_id',
  InvalidConfig: 'invalid_config',
  UnknownOption: 'unknown_option',
  HttpError: 'http_error',
  FeedMalformed: 'feed_malformed',
  PaperNotFound: 'paper_not_found',
  LlmError: 'llm_error',
  LlmBadAnswer: 'llm_bad_answer',
  BudgetExceeded: 'budget_exceeded',
  StoreError: 'store_error',
  ChatError: 'chat_error',
  RateLimited: 'rate_limited',
  LockLost: 'lock_lost',
  LockBusy: 'lock_busy',
  PromptInvalid: 'prompt_invalid',
  SchemaInvalid: 'schema_invalid',
  PdfUnreadable: 'pdf_unreadable',
  BodyTooLarge: 'body_too_large',
  BodyTimeout: 'body_timeout',
  Internal: 'internal',
  StopRequested: 'stop_requested',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class ArxivDigestError extends Error {
  readonly code: ErrorCode;
  /** The CLI's exit status for this error: 1 the work failed, 2 bad input. */
  readonly exitCode: 1 | 2;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; exitCode?: 1 | 2 }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options?.exitCode ?? 1;
  }
}

/** Bad input from a person: exit 2, nothing posted or stored, the message is shown as is. */
export class UserInputError extends ArxivDigestError {
  constructor(message: string, code: ErrorCode = ErrorCode.InvalidInput) {
    super(code, message, { exitCode: 2 });
  }
}

/**
 * An outside service answered with an error status, or could not be reached, after the retries (after
 * @discordjs/rest's HTTPError/DiscordAPIError: the status, method and url of the call travel with the error).
 * `url` is redacted (no credentials, no token-like query parameters).
 */
export class HttpError extends ArxivDigestError {
  readonly status: number | undefined;
  readonly url: string;
  readonly method: string;
  readonly service: string;
  constructor(
    service: string,
    url: string,
    status: number | undefined,
    detail: string,
    options: { cause?: unknown; method?: string; code?: ErrorCode; message?: string } = {},
  ) {
    super(
      options.code ?? ErrorCode.HttpError,
      options.message ??
        `${service} request failed: ${status === undefined ? 'no answer' : `HTTP ${status}`} from ${redactUrl(url)}${detail ? ` (${detail})` : ''}`,
      { cause: options.cause },
    );
    this.status = status;
    this.url = redactUrl(url);
    this.method = options.method ?? 'GET';
    this.service = service;
  }
}

/** The LLM service failed after the retries, or refused the request. */
export class LlmRequestError extends ArxivDigestError {
  constructor(
    message: string,
    readonly status: number | undefined,
    cause?: unknown,
  ) {
    super(ErrorCode.LlmError, message, { cause });
  }
  /** The request itself was refused (too long for the model, unsupported schema): that item can fall back. */
  get rejected(): boolean {
    return this.status === 400 || this.status === 413 || this.status === 422;
  }
}

/** Two answers in a row were not usable (invalid JSON, wrong shape, truncated, failed the caller's check). */
export class LlmBadAnswerError extends ArxivDigestError {
  constructor(message: string) {
    super(ErrorCode.LlmBadAnswer, message);
  }
}

/** The daily token budget (llm.dailyTokenBudget) would be passed by the next call. */
export class BudgetExceededError extends ArxivDigestError {
  /** Set when a member's command was refused by a share (src/llm/budget.ts): all members', or this member's. */
  readonly share: 'members' | 'member' | undefined;
  constructor(
    readonly limit: number,
    readonly spent: number,
    readonly needed: number,
    opts: { share?: 'members' | 'member'; shareTokens?: number } = {},
  ) {
    const of = opts.share === 'member' ? "this member's share" : "the members' share";
    super(
      ErrorCode.BudgetExceeded,
      opts.share
        ? `${of} of the daily LLM token budget (${opts.shareTokens ?? 0} of llm.dailyTokenBudget ${limit}, after the digests' reserve) is spent: ${spent} tokens used today, the next call needs up to ${needed}`
        : `the daily LLM token budget (llm.dailyTokenBudget: ${limit}) is reached: ${spent} tokens spent today, the next call needs up to ${needed}`,
    );
    this.share = opts.share;
  }
}

/** Thrown at a safe point when the instance was told to stop at once; the work resumes on the next start. */
export class StopRequestedError extends ArxivDigestError {
  constructor(readonly instance: string) {
    super(
      ErrorCode.StopRequested,
      `instance ${instance} is stopping: the work stops here and resumes on the next start`,
    );
  }
}

/** The store cannot be used: exit 1, one line naming STORE_URL (`start` degrades instead and recovers). */
export class StoreUnavailableError extends ArxivDigestError {
  readonly reason: string;
  constructor(
    description: string,
    backend: 'sqlite' | 'redis' | 'postgres' | 'memory',
    reason: string,
    hint: string,
    cause?: unknown,
  ) {
    const verb = backend === 'sqlite' ? 'cannot use' : 'cannot reach';
    super(ErrorCode.StoreError, `${verb} the store at ${description} (${reason}): ${hint}`, { cause });
    this.reason = reason;
  }
}

/**
 * The SQLite file was deleted under the running process and a new one was opened (src/store/reopen.ts): the
 * operation that noticed it failed, what it read or wrote belonged to the lost file; the work can start again.
 */
export class StoreReopenedError extends StoreUnavailableError {
  constructor(description: string, file: string, cause?: unknown) {
    super(
      description,
      'sqlite',
      `the database file ${file} was deleted while it was open`,
      'a new one was opened in its place; the work starts again and adopts what the chat platforms already show',
      cause,
    );
  }
}

/** One store operation outlasted its deadline (store/faults.ts words it as StoreUnavailableError). */
export class StoreTimeoutError extends ArxivDigestError {
  constructor(readonly ms: number) {
    super(ErrorCode.StoreError, `no answer within ${Math.round(ms / 1000)} s`);
  }
}

/** A request body past the HTTP server's limit: answered 413. */
export class BodyTooLargeError extends ArxivDigestError {
  constructor(readonly limit: number) {
    super(ErrorCode.BodyTooLarge, `request body larger than ${limit} bytes`);
  }
}

/** A request body not received within the HTTP server's body deadline: answered 408, the connection closed. */
export class BodyTimeoutError extends ArxivDigestError {
  constructor(readonly deadlineMs: number) {
    super(ErrorCode.BodyTimeout, `request body not received within ${deadlineMs} ms`);
  }
}

/** A held store lock was taken over by another instance: the work must stop before it does something twice. */
export class LockLostError extends ArxivDigestError {
  constructor(readonly lock: string) {
    super(
      ErrorCode.LockLost,
      `the store lock ${lock} was taken over by another instance (this one stalled past its expiry)`,
    );
  }
}

export class PaperNotFoundError extends ArxivDigestError {
  readonly paperId: string;
  constructor(id: string) {
    super(ErrorCode.PaperNotFound, `arXiv has no paper ${id}: check the id (e.g. 2510.26707) and try again`);
    this.paperId = id;
  }
}

export function isArxivDigestError(err: unknown): err is ArxivDigestError {
  return err instanceof ArxivDigestError;
}

/** Removes credentials and token-like query parameters from a URL before it is shown or logged. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = u.username ? '***' : '';
      u.password = u.password ? '***' : '';
    }
    for (const key of [...u.searchParams.keys()]) {
      if (/token|key|secret|signature|password/i.test(key)) u.searchParams.set(key, '***');
    }
    return u.toString();
  } catch {
    return url;
  }
}

/**
 * One line: an error's message (or any value as text) with every run of white space, newlines included, folded to
 * one space; cut to `max` characters when given. For stderr, logs and text sent to a model.
 */
export function oneLine(value: unknown, max?: number): string {
  const text = value instanceof Error ? value.message : String(value);
  const line = text.replace(/\s+/g, ' ').trim();
  return max === undefined ? line : line.slice(0, max);
}

/**
 * The network cause behind a failed request, in the terms a user can act on (`ENOTFOUND rss.arxiv.org`,
 * `ECONNREFUSED 127.0.0.1:8080`), found in the error's cause chain (fetch's "fetch failed" hides it there), if any.
 */
export function networkCause(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== 'object' || depth > 5) return undefined;
  const e = err as {
    code?: unknown;
    hostname?: unknown;
    address?: unknown;
    port?: unknown;
    cause?: unknown;
    errors?: unknown;
    message?: unknown;
  };
  if (typeof e.code === 'string' && /^E[A-Z_]+$/.test(e.code)) {
    const where =
      typeof e.hostname === 'string'
        ? e.hostname
        : typeof e.address === 'string'
          ? `${e.address}${e.port !== undefined ? `:${String(e.port)}` : ''}`
          : '';
    return where ? `${e.code} ${where}` : e.code;
  }
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const found = networkCause(inner, depth + 1);
      if (found) return found;
    }
  }
  const deeper = networkCause(e.cause, depth + 1);
  if (deeper) return deeper;
  // The innermost cause without a code still says more than "fetch failed" ("bad port").
  if (depth > 0 && typeof e.message === 'string' && e.message && !/fetch failed|connection error/i.test(e.message))
    return e.message.split('\n')[0];
  return undefined;
}
