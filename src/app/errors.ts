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

/** An outside service answered with an error status, or could not be reached, after the retries. */
export class HttpError extends ArxivDigestError {
  readonly status: number | undefined;
  readonly url: string;
  readonly service: string;
  constructor(service: string, url: string, status: number | undefined, detail: string, cause?: unknown) {
    super(
      ErrorCode.HttpError,
      `${service} request failed: ${status === undefined ? 'no answer' : `HTTP ${status}`} from ${redactUrl(url)}${detail ? ` (${detail})` : ''}`,
      { cause },
    );
    this.status = status;
    this.url = redactUrl(url);
    this.service = service;
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

/** One line for stderr: the message of a known error, else its first line. */
export function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\s*\n\s*/g, ' ').trim();
}
