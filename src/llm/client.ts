/**
 * The one LLM client: the `openai` SDK speaking Chat Completions (the API every OpenAI-compatible server has), with
 * structured answers asked for by `response_format: json_schema` built from zod and validated with zod on return.
 *
 * Around each call: the answer cache (store namespace 'llm', keyed by the inputs' identity, the prompt file's hash,
 * the model and the schema, so a re-run or a repeated /critique makes no call), the daily token budget, a
 * concurrency limit, retries by the one HTTP retry policy (../http/retry: backoff with jitter on 429/5xx/timeouts,
 * Retry-After honoured, given up past 10 minutes; the SDK's own retries are off), sleeping on the injectable clock, and one retry of a malformed or truncated answer. Callers get a validated value or a typed error
 * (LlmBadAnswerError, BudgetExceededError, LlmRequestError) to fall back on: never garbage.
 */
import { createHash } from 'node:crypto';
import type { ClientOptions } from 'openai';
import type OpenAIClient from 'openai';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import { z } from 'zod';
import type { LlmConfig } from '../config/schema';
import type { AppContext, Clock } from '../context';
import { LlmBadAnswerError, LlmRequestError, networkCause, oneLine } from '../app/errors';
import type { Logger } from '../app/log';
import type { Progress } from '../app/progress';
import type { Store } from '../store';
import { keys, locks } from '../store/keys';
import { recordKind } from '../store/records';
import { emptyUsage, type LlmUsage } from '../app/types';
import { readJsonAnswer } from './answer';
import { boundAnswer } from './bounds';
import { estimateDigestCost, TokenBudget } from './budget';
import { PromptLibrary } from './prompts';
import { strictJsonSchema } from './schema';
import { singleFlight } from '../store/flight';
import {
  CUT_MID_STREAM,
  decideRetry,
  isCutMidStream,
  isTransientStatus,
  type RetryOptions,
  retryAfterOf,
} from '../http/retry';
import { metrics } from '../app/metrics';
import { costUsd, pricingTable } from './pricing';

/** About 4 characters a token for English prose: used for the budget's worst case and the bench's figures. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export interface PromptInput {
  vars: Record<string, string>;
  /** Kept with the cached answer and returned with it (e.g. where a paper's text came from). */
  meta?: Record<string, unknown>;
  /**
   * Keep the answer only this long: for an answer built on a stand-in input (the abstract while arXiv's HTML was
   * unreachable), which must not be served for ever in place of the real one.
   */
  cacheTtlMs?: number;
}

export interface LlmRequest<T> {
  /** Prompt file in prompts/, without `.md`. */
  prompt: string;
  model: string;
  /** json_schema name: letters, digits, _ and -. */
  schemaName: string;
  schema: z.ZodType<T>;
  /**
   * What identifies the inputs (a paper's id and version, a batch's ids): with the prompt file's hash, the model
   * and the schema it makes the cache key. When `input` is a plain record, its values are part of the key too.
   */
  key: unknown;
  /**
   * The placeholders' values. A record is hashed into the cache key (so no placeholder can change without a fresh
   * answer); a function is called only on a cache miss (so a cached paper's text is not fetched), and then `key`
   * alone must identify what it returns.
   */
  input: Record<string, string> | (() => Promise<PromptInput>);
  /** Completion cap for this call. */
  maxTokens: number;
  /** A further check of a valid answer (ids asked about, …); a message makes the answer unusable. */
  check?: (value: T) => string | undefined;
  /**
   * 'review': a paper's review or deep-dive, limited by `llm.reviewConcurrency` in a lane of its own (a digest's
   * reviews all run in one round); anything else by `llm.concurrency`.
   */
  lane?: 'review';
}

export interface LlmAnswer<T> {
  value: T;
  cached: boolean;
  meta?: Record<string, unknown>;
}

interface CacheRecord {
  value: unknown;
  meta?: Record<string, unknown>;
  model: string;
  prompt: string;
  at: string;
}

/**
 * A cached answer ('llm', keys.llmAnswer), declared once; each task writes it with its own TTL. A record this
 * version cannot read is a miss (the call is made again), as a cached value that fails the task's schema is.
 */
const LLM_ANSWER = recordKind<CacheRecord | undefined>(
  'llm',
  z
    .looseObject({
      value: z.unknown(),
      meta: z.record(z.string(), z.unknown()).optional(),
      model: z.string(),
      prompt: z.string(),
      at: z.string(),
    })
    .optional()
    .catch(undefined),
);

export interface LlmClientDeps {
  config: LlmConfig;
  apiKey: string;
  /** Undefined: OpenAI's own endpoint. */
  baseURL: string | undefined;
  store: Store;
  log: Logger;
  clock: Clock;
  /** Where "still waiting for the LLM" lines go while a call takes long (stderr of one-shot commands). */
  progress?: Progress;
  /** The configured digests' daily cost before any day was recorded (the budget reserves it for them). */
  defaultDigestCost?: number;
}

export interface LlmClientOptions {
  promptsDir?: string;
  /** Overrides of the config, for tests and the bench. */
  timeoutMs?: number;
  retries?: number;
  concurrency?: number;
  reviewConcurrency?: number;
  backoffMs?: number;
  /** The backoff jitter's source, in [0, 1). */
  random?: () => number;
  /** After this long without an answer a progress line says the call is still waiting, and again as often. */
  slowNoticeMs?: number;
}

/** How long a call may wait before a progress line says so (and then again every as long). */
const SLOW_NOTICE_MS = 20_000;
/**
 * Timed-out attempts in a row (across calls, nothing answered between) after which a timeout is not retried: a model
 * that answers nothing costs the digest two timeouts (llm.timeoutMs each), not four, before it goes out without it.
 */
const TIMEOUTS_DOWN = 2;
/** An endpoint that answered something other than a chat completion is not asked again for this long. */
const NOT_CHAT_PAUSE_MS = 10 * 60_000;

/** The longest backoff between LLM attempts when the server names no wait (the policy itself is ../http/retry). */
const MAX_BACKOFF_MS = 30_000;
/**
 * Characters per prompt token assumed for the budget's reservation before any answer has said better: below
 * English prose's ~4 because LaTeX, code, numbers and names tokenize denser, and an estimate that is too low lets
 * a call pass the budget.
 */
const INITIAL_CHARS_PER_TOKEN = 3;

/**
 * How structured answers are asked for: strict json_schema (OpenAI), json_schema without `strict` (servers and
 * routers that refuse the flag), or json_object with the schema in the system message (servers without
 * json_schema). Learned from the first 400 that says so; the answer is validated with zod in every mode.
 */
type AnswerFormat = 'strict-schema' | 'schema' | 'json-object';

type CacheKeyRequest = Pick<LlmRequest<unknown>, 'prompt' | 'model' | 'schemaName' | 'schema' | 'key'> & {
  input?: LlmRequest<unknown>['input'];
};

type Limit = <R>(fn: () => Promise<R>) => Promise<R>;

/**
 * The openai SDK, loaded when the first request is sent (a cached answer never pays its start-up). A request's
 * errors are checked against its classes (`OpenAI.APIError`) only after that request loaded it.
 */
let OpenAI: typeof OpenAIClient;
function loadOpenAi(): typeof OpenAIClient {
  OpenAI ??= (require('openai') as { default: typeof OpenAIClient }).default;
  return OpenAI;
}

export class LlmClient {
  readonly prompts: PromptLibrary;
  readonly budget: TokenBudget;
  private readonly sdkOptions: ClientOptions;
  private sdk: OpenAIClient | undefined;
  private readonly retryPolicy: RetryOptions;
  private readonly concurrency: number;
  /** OpenAI's own API wants max_completion_tokens (its reasoning models refuse max_tokens); others know max_tokens. */
  private readonly officialApi: boolean;
  private limiter: Promise<Limit> | undefined;
  private reviewLimiter: Promise<Limit> | undefined;
  private readonly reviewConcurrency: number;
  /**
   * Parameters a model refused (reasoning models refuse `temperature`; OpenAI's refuse `max_tokens`): learned from
   * the first 400 that names them, then left out or renamed for every later call.
   */
  private sendTemperature = true;
  private capName: 'max_tokens' | 'max_completion_tokens';
  private format: AnswerFormat = 'strict-schema';
  /** The densest tokenization seen so far (prompt characters per reported prompt token), for the budget. */
  private charsPerToken = INITIAL_CHARS_PER_TOKEN;
  /** Attempts (of any call) that timed out since the model last answered: TIMEOUTS_DOWN of them fail at once. */
  private timeoutsInRow = 0;
  private lastTimeoutAt = 0;
  /** Set when the endpoint answered HTML or text instead of a chat completion: later calls fail at once. */
  private notChat: { error: LlmBadAnswerError; until: number } | undefined;
  private readonly slowNoticeMs: number;
  /** USD per million tokens per model (llm.pricing over the defaults), for the estimated cost. */
  private readonly prices: ReturnType<typeof pricingTable>;

  constructor(
    private readonly deps: LlmClientDeps,
    options: LlmClientOptions = {},
  ) {
    this.prompts = new PromptLibrary(options.promptsDir);
    this.budget = new TokenBudget(deps.store, deps.config.dailyTokenBudget, () => deps.clock.now(), {
      memberShare: deps.config.memberShare,
      ...(deps.defaultDigestCost !== undefined ? { defaultDigestCost: deps.defaultDigestCost } : {}),
    });
    this.prices = pricingTable(deps.config.pricing);
    this.retryPolicy = {
      retries: options.retries ?? deps.config.retries,
      backoffMs: options.backoffMs ?? 1000,
      maxBackoffMs: MAX_BACKOFF_MS,
      ...(options.random ? { random: options.random } : {}),
    };
    this.concurrency = options.concurrency ?? deps.config.concurrency;
    this.reviewConcurrency = options.reviewConcurrency ?? deps.config.reviewConcurrency;
    this.slowNoticeMs = options.slowNoticeMs ?? SLOW_NOTICE_MS;
    this.officialApi = !deps.baseURL || /(^|\.)openai\.com$/i.test(safeHost(deps.baseURL));
    this.capName = this.officialApi ? 'max_completion_tokens' : 'max_tokens';
    // Retries are ours (on the injectable clock, logged, Retry-After honoured), so the SDK makes one attempt.
    this.sdkOptions = {
      apiKey: deps.apiKey,
      ...(deps.baseURL ? { baseURL: deps.baseURL } : {}),
      maxRetries: 0,
      timeout: options.timeoutMs ?? deps.config.timeoutMs,
    };
  }

  /** The SDK's client, made (and the SDK loaded) with the first request. */
  private get openai(): OpenAIClient {
    this.sdk ??= new (loadOpenAi())(this.sdkOptions);
    return this.sdk;
  }

  get config(): LlmConfig {
    return this.deps.config;
  }

  /**
   * Loads what the first call needs (the SDK, the concurrency lanes) now: a digest calls this while it waits for
   * arXiv's feed, so the loading is not added to the first ranking call's latency.
   */
  warmUp(): void {
    void this.openai;
    void this.limit().catch(() => {});
    void this.limit('review').catch(() => {});
  }

  private limit(lane?: 'review'): Promise<Limit> {
    // p-limit is ESM-only: loaded once, on first use.
    if (lane === 'review') {
      this.reviewLimiter ??= import('p-limit').then(({ default: pLimit }) => pLimit(this.reviewConcurrency) as Limit);
      return this.reviewLimiter;
    }
    this.limiter ??= import('p-limit').then(({ default: pLimit }) => pLimit(this.concurrency) as Limit);
    return this.limiter;
  }

  /**
   * The cache key of a request: changes with the inputs' identity, the prompt file, the model, the schema and,
   * for a record input, every placeholder's value.
   */
  async cacheKey(req: CacheKeyRequest) {
    const template = await this.prompts.load(req.prompt);
    const schema = strictJsonSchema(req.schema);
    const vars = req.input && typeof req.input === 'object' ? varsHash(req.input) : undefined;
    const id = JSON.stringify({
      prompt: req.prompt,
      promptHash: template.hash,
      model: req.model,
      schema: `${req.schemaName}:${schema.hash}`,
      key: req.key,
      ...(vars ? { vars } : {}),
    });
    return { key: createHash('sha256').update(id).digest('hex'), template, schema };
  }

  /** The cached answer of a request, if any; makes no call. */
  async lookup<T>(
    req: Pick<LlmRequest<T>, 'prompt' | 'model' | 'schemaName' | 'schema' | 'key'> & {
      input?: LlmRequest<T>['input'];
    },
  ): Promise<LlmAnswer<T> | undefined> {
    const { key } = await this.cacheKey(req);
    return this.fromCache(key, req.schema);
  }

  private async fromCache<T>(key: string, schema: z.ZodType<T>): Promise<LlmAnswer<T> | undefined> {
    const hit = await LLM_ANSWER.get(this.deps.store, keys.llmAnswer(key));
    if (!hit) return undefined;
    const parsed = schema.safeParse(hit.value);
    if (!parsed.success) return undefined;
    // Answers cached before the field bounds are bounded as they are read.
    return { value: boundAnswer(parsed.data), cached: true, ...(hit.meta ? { meta: hit.meta } : {}) };
  }

  /**
   * Answers `req` from the cache or the model. Usage (calls, tokens, cached calls) is added to `meter` as it
   * happens, so tokens spent on a bad answer are counted even when the call then fails.
   */
  async ask<T>(req: LlmRequest<T>, meter: LlmUsage = emptyUsage()): Promise<LlmAnswer<T>> {
    const { key, template, schema } = await this.cacheKey(req);
    const cached = await this.fromCache(key, req.schema);
    if (cached) {
      meter.cachedCalls += 1;
      metrics.llmCacheHit(req.prompt);
      return cached;
    }
    // Single flight: askers of the same answer at once (50 members' /critique of one paper, two digests, two
    // instances) share one call; the others get the answer as cached.
    const flight = await singleFlight(this.deps.store, locks.llmFlight(key), {
      ready: () => this.fromCache(key, req.schema),
      work: () => this.call(req, key, template, schema, meter),
    });
    if (!flight.shared) return flight.value;
    meter.cachedCalls += 1;
    metrics.llmCacheHit(req.prompt);
    return { ...flight.value, cached: true };
  }

  /** The call itself (the cache missed): budget, retries, one retry of an unusable answer, the answer cached. */
  private async call<T>(
    req: LlmRequest<T>,
    key: string,
    template: Awaited<ReturnType<LlmClient['cacheKey']>>['template'],
    schema: Awaited<ReturnType<LlmClient['cacheKey']>>['schema'],
    meter: LlmUsage,
  ): Promise<LlmAnswer<T>> {
    // An endpoint that is not a chat-completion API (a proxy's login page): every item falls back at once, unasked.
    if (this.notChat && this.deps.clock.now() < this.notChat.until) throw this.notChat.error;
    const input = typeof req.input === 'function' ? await req.input() : { vars: req.input };
    const rendered = this.prompts.render(template, input.vars);
    const messages = [
      { role: 'system' as const, content: rendered.system },
      { role: 'user' as const, content: rendered.user },
    ];
    const promptChars = rendered.system.length + rendered.user.length;
    let problem = '';
    for (let attempt = 1; attempt <= 2; attempt++) {
      // Per attempt: the first answer may have taught a denser tokenization.
      const worstCase = Math.ceil(promptChars / this.charsPerToken) + 16 + req.maxTokens;
      const reservation = await this.budget.reserve(worstCase);
      let completion: ChatCompletion;
      try {
        completion = await this.send(req, messages, schema.json);
      } catch (err) {
        await this.budget.commit(reservation, 0);
        throw err;
      }
      const promptTokens = completion.usage?.prompt_tokens ?? estimateTokens(rendered.system + rendered.user);
      if (completion.usage?.prompt_tokens && promptChars > 0) {
        this.charsPerToken = Math.max(1, Math.min(this.charsPerToken, promptChars / completion.usage.prompt_tokens));
      }
      const content = completion.choices[0]?.message?.content ?? '';
      const completionTokens = completion.usage?.completion_tokens ?? estimateTokens(content);
      meter.llmCalls += 1;
      meter.promptTokens += promptTokens;
      meter.completionTokens += completionTokens;
      const cost = costUsd(this.prices, req.model, { prompt: promptTokens, completion: completionTokens });
      meter.estimatedCostUsd = (meter.estimatedCostUsd ?? 0) + cost;
      metrics.llmCall({ model: req.model, prompt: req.prompt, promptTokens, completionTokens, costUsd: cost });
      await this.budget.commit(reservation, promptTokens + completionTokens);

      const result = this.parse(completion, req);
      if (result.ok) {
        const record: CacheRecord = {
          value: result.value,
          ...(input.meta ? { meta: input.meta } : {}),
          model: req.model,
          prompt: req.prompt,
          at: new Date(this.deps.clock.now()).toISOString(),
        };
        await LLM_ANSWER.set(this.deps.store, keys.llmAnswer(key), record, input.cacheTtlMs);
        return { value: result.value, cached: false, ...(input.meta ? { meta: input.meta } : {}) };
      }
      problem = result.problem;
      this.deps.log.warn({ prompt: req.prompt, model: req.model, attempt, problem }, 'unusable LLM answer');
    }
    throw new LlmBadAnswerError(`the ${req.prompt} answer of ${req.model} was unusable twice: ${problem}`);
  }

  private parse<T>(
    completion: ChatCompletion,
    req: LlmRequest<T>,
  ): { ok: true; value: T } | { ok: false; problem: string } {
    const choice = completion.choices[0];
    if (!choice) return { ok: false, problem: 'no choices in the answer' };
    if (choice.finish_reason === 'length') return { ok: false, problem: 'truncated (finish_reason "length")' };
    if (choice.finish_reason === 'content_filter') return { ok: false, problem: 'cut by the content filter' };
    if (choice.message.refusal) return { ok: false, problem: `refused: ${choice.message.refusal.slice(0, 200)}` };
    const content = choice.message.content;
    if (!content?.trim()) return { ok: false, problem: 'empty content' };
    // Thinking (`<think>…</think>`), a preamble, a ```json fence and trailing chatter are taken off: read in one call.
    const read = readJsonAnswer(content);
    if (!read.ok) return { ok: false, problem: read.problem };
    const parsed = req.schema.safeParse(read.json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        ok: false,
        problem: `does not match the schema at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
      };
    }
    // Every field within its bound (./bounds): an answer far past its cap is cut cleanly, never posted in full.
    const value = boundAnswer(parsed.data);
    const complaint = req.check?.(value);
    if (complaint) return { ok: false, problem: complaint };
    return { ok: true, value };
  }

  /** One completion, retried on 429, 5xx, timeouts and network errors. */
  private async send(
    req: Pick<LlmRequest<unknown>, 'prompt' | 'model' | 'schemaName' | 'maxTokens' | 'lane'>,
    messages: Array<{ role: 'system' | 'user'; content: string }>,
    schema: Record<string, unknown>,
  ): Promise<ChatCompletion> {
    const limit = await this.limit(req.lane);
    let adaptations = 0;
    for (let attempt = 0; ; attempt++) {
      const started = this.deps.clock.now();
      // The SDK's timeout runs on real time: an attempt that lasted it timed out, whatever error class says so.
      const sentAt = Date.now();
      try {
        const completion = await limit(() =>
          this.whileWaiting(req, () =>
            this.openai.chat.completions.create({
              model: req.model,
              ...(this.sendTemperature ? { temperature: this.deps.config.temperature } : {}),
              ...(this.capName === 'max_tokens'
                ? { max_tokens: req.maxTokens }
                : { max_completion_tokens: req.maxTokens }),
              ...this.answerFormat(req.schemaName, messages, schema),
            }),
          ),
        );
        const problem = notACompletion(completion);
        if (problem) {
          const error = new LlmBadAnswerError(
            `the endpoint at OPENAI_BASE_URL answered ${problem}, not a chat completion (${this.deps.baseURL ?? 'OpenAI'}: expected an OpenAI-compatible API base, usually ending in /v1)`,
          );
          this.notChat = { error, until: this.deps.clock.now() + NOT_CHAT_PAUSE_MS };
          this.deps.log.error({ prompt: req.prompt, answered: problem }, error.message);
          throw error;
        }
        this.deps.log.debug(
          { prompt: req.prompt, model: req.model, ms: this.deps.clock.now() - started, usage: completion.usage },
          'llm call',
        );
        this.timeoutsInRow = 0;
        return completion;
      } catch (err) {
        if (err instanceof OpenAI.APIError && err.status === 400 && adaptations < 4 && this.adaptTo(err)) {
          adaptations += 1;
          attempt -= 1;
          continue;
        }
        await this.retryOrThrow(err, req, attempt, sentAt);
      }
    }
  }

  /**
   * After a failed attempt: waits before the next (by the one retry policy, ../http/retry) or throws the error that
   * names the failure. An answer cut mid-stream is a network fault like any other.
   */
  private async retryOrThrow(
    err: unknown,
    req: Pick<LlmRequest<unknown>, 'prompt'>,
    attempt: number,
    sentAt: number,
  ): Promise<void> {
    const attempts = attempt ? ` after ${attempt + 1} attempts` : '';
    if (isCutMidStream(err)) {
      const next = decideRetry(attempt, { status: undefined, transient: true }, this.retryPolicy);
      if (!next.retry)
        throw new LlmRequestError(
          `LLM request failed (${CUT_MID_STREAM.what}${attempts}: ${CUT_MID_STREAM.why}): check OPENAI_BASE_URL and the network`,
          undefined,
          err,
        );
      this.deps.log.warn(
        { prompt: req.prompt, attempt: attempt + 1, waitMs: next.delayMs },
        'LLM answer cut mid-stream: retried',
      );
      await this.deps.clock.sleep(next.delayMs);
      return;
    }
    if (!(err instanceof OpenAI.APIError)) throw err;
    this.notChat = undefined;
    const status = err.status;
    // OpenAI's 429 "insufficient_quota" (billing) does not pass with waiting: only rate limits are retried.
    const quota = err.code === 'insufficient_quota';
    // Timeouts in a row with nothing answered between (any call): the model counts as down, not retried further.
    const timedOut =
      err instanceof OpenAI.APIConnectionTimeoutError ||
      (err instanceof OpenAI.APIConnectionError &&
        Date.now() - sentAt >= (this.sdkOptions.timeout ?? Number.POSITIVE_INFINITY) - 50);
    // Calls sent together (a digest's parallel reviews) that time out together count once: a stall is one timeout.
    if (timedOut && sentAt >= this.lastTimeoutAt) this.timeoutsInRow += 1;
    if (timedOut) this.lastTimeoutAt = Date.now();
    const down = timedOut && this.timeoutsInRow >= TIMEOUTS_DOWN;
    const next = decideRetry(
      attempt,
      {
        status,
        retryAfterMs: retryAfterOf(err.headers, this.deps.clock.now()),
        // No status and no connection error: the request was aborted on purpose, not retried.
        transient:
          !down &&
          (err instanceof OpenAI.APIConnectionError || (status !== undefined && isTransientStatus(status) && !quota)),
      },
      this.retryPolicy,
    );
    if (!next.retry) {
      if (err instanceof OpenAI.APIConnectionError) {
        // The SDK says only "Connection error.": the host and the network cause are what can be fixed.
        const host = this.deps.baseURL ? safeHost(this.deps.baseURL) : 'api.openai.com';
        const cause = down
          ? `timed out ${this.timeoutsInRow} times in a row with no answer between, so the model counts as down`
          : timedOut
            ? 'timed out'
            : networkCause(err);
        throw new LlmRequestError(
          `LLM request failed (no answer from ${host}${attempts}${cause ? `: ${cause}` : ''}): check OPENAI_BASE_URL and the network`,
          undefined,
          err,
        );
      }
      const what = status === undefined ? 'no answer' : `HTTP ${status}`;
      const reason = next.reason ? `; ${next.reason}` : '';
      throw new LlmRequestError(
        `LLM request failed (${what}${attempts}${reason}): ${this.scrub(err.message)}`,
        status,
        err,
      );
    }
    this.deps.log.warn({ prompt: req.prompt, status, attempt: attempt + 1, waitMs: next.delayMs }, 'LLM call retried');
    await this.deps.clock.sleep(next.delayMs);
  }

  /**
   * The request body's messages and response_format in the current answer format. In json_object mode the schema
   * goes into the system message (and the word JSON with it, which some servers require for that mode).
   */
  private answerFormat(
    name: string,
    messages: Array<{ role: 'system' | 'user'; content: string }>,
    schema: Record<string, unknown>,
  ) {
    if (this.format === 'json-object') {
      const [system, ...rest] = messages;
      const instruction = `Answer with one JSON object and nothing else, valid against this JSON Schema:\n${JSON.stringify(schema)}`;
      return {
        messages: [{ role: 'system' as const, content: `${system?.content ?? ''}\n\n${instruction}` }, ...rest],
        response_format: { type: 'json_object' as const },
      };
    }
    return {
      messages,
      response_format: {
        type: 'json_schema' as const,
        json_schema: { name, schema, ...(this.format === 'strict-schema' ? { strict: true } : {}) },
      },
    };
  }

  /** Adjusts to a 400 that names a parameter this model does not take; true when the request should be resent. */
  private adaptTo(err: InstanceType<typeof OpenAI.APIError>): boolean {
    const about = `${err.param ?? ''} ${err.message}`;
    // Structured-output support first: a router or server that refuses `strict`, or json_schema altogether.
    // (OpenAI's own "Invalid schema for response_format" in strict mode: non-strict json_schema takes any schema.)
    if (this.format === 'strict-schema' && /\bstrict\b|invalid schema/i.test(about)) {
      this.format = 'schema';
      this.deps.log.warn(
        { param: 'strict' },
        'the endpoint refuses strict json_schema: sent without strict from now on',
      );
      return true;
    }
    if (this.format !== 'json-object' && /response_format|json_schema/i.test(about)) {
      this.format = 'json-object';
      this.deps.log.warn(
        { param: 'response_format' },
        'the endpoint has no json_schema: json_object with the schema in the prompt from now on',
      );
      return true;
    }
    if (this.sendTemperature && /temperature/i.test(about)) {
      this.sendTemperature = false;
      this.deps.log.warn({ param: 'temperature' }, 'the model refuses temperature: left out from now on');
      return true;
    }
    const other = this.capName === 'max_tokens' ? 'max_completion_tokens' : 'max_tokens';
    if (new RegExp(`\\b${this.capName}\\b`).test(about) && /unsupported|not supported|use/i.test(about)) {
      this.capName = other;
      this.deps.log.warn({ param: other }, 'the model wants another completion cap parameter: switched');
      return true;
    }
    return false;
  }

  /**
   * Runs one call; while it has not answered after `slowNoticeMs`, a progress line (and a log line) says what is
   * being waited for, and again every as long, so a slow or silent endpoint is never a silent wait.
   */
  private async whileWaiting<R>(
    req: Pick<LlmRequest<unknown>, 'prompt' | 'model'>,
    call: () => Promise<R>,
  ): Promise<R> {
    const started = Date.now();
    const timer = setInterval(() => {
      const seconds = Math.round((Date.now() - started) / 1000);
      const line = `still waiting for the LLM (${req.prompt}, ${req.model}) after ${seconds} s; each call gives up after ${Math.round(this.deps.config.timeoutMs / 1000)} s (llm.timeoutMs)`;
      this.deps.progress?.note(line);
      this.deps.log.warn({ prompt: req.prompt, model: req.model, seconds }, 'still waiting for the LLM');
    }, this.slowNoticeMs);
    timer.unref();
    try {
      return await call();
    } finally {
      clearInterval(timer);
    }
  }

  /** Error text from the service without the API key (OpenAI's 401 message quotes part of it). */
  private scrub(message: string): string {
    let out = oneLine(message, 300);
    if (this.deps.apiKey) out = out.split(this.deps.apiKey).join('[redacted]');
    return out.replace(/\b(sk-[\w*.-]{4,})/g, 'sk-[redacted]');
  }
}

/** A stable hash of a prompt's placeholder values (key order does not matter). */
function varsHash(vars: Record<string, string>): string {
  const sorted = Object.keys(vars)
    .sort()
    .map((k) => [k, vars[k]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 32);
}

function safeHost(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/**
 * What an answer is when it is not a chat completion (the SDK hands back the body as text when the server did not
 * answer JSON): "HTML", "text" or "JSON without choices"; undefined for a chat completion.
 */
function notACompletion(answer: unknown): string | undefined {
  if (typeof answer === 'string')
    return /^\s*(<!doctype html|<html|<head|<body|<\?xml|<)/i.test(answer) ? 'HTML' : 'text';
  if (!answer || typeof answer !== 'object') return 'nothing';
  const choices = (answer as { choices?: unknown }).choices;
  return Array.isArray(choices) ? undefined : 'JSON without choices';
}

/** Undefined without OPENAI_API_KEY: the digest is then built without an LLM. */
export function createLlm(ctx: AppContext, options: LlmClientOptions = {}): LlmClient | undefined {
  const apiKey = ctx.settings.openaiApiKey;
  if (!apiKey) return undefined;
  return new LlmClient(
    {
      config: ctx.config.llm,
      apiKey,
      baseURL: ctx.endpoints.openaiBase,
      store: ctx.store,
      log: ctx.log,
      clock: ctx.clock,
      progress: ctx.progress,
      defaultDigestCost: ctx.config.digests.reduce(
        (total, d) => total + estimateDigestCost(ctx.config.llm, d.maxPapers),
        0,
      ),
    },
    options,
  );
}
