/**
 * A local OpenAI-compatible server for tests and the bench: POST /chat/completions (also under /v1). It reads the
 * request's `response_format.json_schema` and answers with JSON valid against that schema, derived from the request:
 * arrays of objects with an `id` get one item per arXiv id named in the prompt ("[ID] Title" lines), scores follow
 * the ids it was told to prefer, summaries and critiques have the seed's sections. Answers carry realistic `id`,
 * `choices`, `finish_reason` and `usage` (about 4 characters a token).
 *
 * POST /embeddings answers deterministic vectors (`fakeEmbedding`: a hashed bag of words, so texts that share
 * words lie close, as a real model's would for them), in OpenAI's shape (`data[].embedding` as floats or base64,
 * `usage.prompt_tokens`), and records each request in `embeddingRequests`.
 *
 * It can be scripted to answer badly (invalid JSON, a missing id, an invented id, a 429 with Retry-After, a 500, a
 * timeout that never answers, finish_reason "length", a chat preamble, mentions, the answer shapes of local
 * reasoning models) or to replay a recorded response body, and records every request and the peak number of
 * requests in flight. A question to a paper (`paper_answer`) is answered "stated", citing the results section of the
 * paper text in the prompt (else its first heading). A system prompt that asks for another language ("Write … in
 * Chinese") gets its prose in it.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { seedProse } from './seed-digest';

export type Fault =
  | 'invalid-json'
  | 'missing-id'
  | 'invented-id'
  | 'rate-limit'
  | 'server-error'
  | 'timeout'
  | 'length'
  | 'preamble'
  | 'mention'
  | 'bad-request'
  | 'unauthorized'
  | 'quota'
  /** HTTP 200 with an HTML page (a proxy's login or error page, a wrong OPENAI_BASE_URL). */
  | 'html'
  /** HTTP 200 with plain text. */
  | 'text'
  /** A local reasoning model without a reasoning parser: `<think>…</think>`, a preamble, a ```json fence, chatter. */
  | 'think'
  /** A server with a reasoning parser: the thinking in `message.reasoning_content`, the content fenced. */
  | 'reasoning-field'
  /** Answers whose prose carries deceptive links, a forged counts line, a fake heading and a U+202E override. */
  | 'hostile'
  /** HTTP 200 and the start of the body, then the socket closed: an answer cut mid-stream ("terminated"). */
  | 'cut'
  /** Every prose field (over 40 characters) padded with sentences to `size` characters (default 20,000). */
  | 'giant';

export interface ChatRequestBody {
  model: string;
  messages: Array<{ role: string; content: string }>;
  response_format?: { type: string; json_schema?: { name: string; strict?: boolean; schema: JsonSchema } };
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
}

export interface RecordedRequest {
  path: string;
  body: ChatRequestBody;
  schemaName: string | undefined;
  /** Ids named in the prompt, in order. */
  ids: string[];
  /** What the server did: 'ok' or the fault it played. */
  outcome: 'ok' | Fault;
  promptTokens: number;
  completionTokens: number;
  authorized: boolean;
  /** Date.now() when the request arrived and when it was answered (the bench's LLM-phase timing). */
  receivedAt: number;
  answeredAt?: number;
}

export interface FakeOpenAiOptions {
  /** Delay before each answer (the bench uses 200 ms). */
  delayMs?: number;
  /** Relevance 0–10 for ids not preferred: default a deterministic 1–5 from the id. */
  defaultRelevance?: (id: string) => number;
  /** Request parameters this "model" refuses with OpenAI's 400 unsupported_parameter (e.g. temperature). */
  refuseParams?: string[];
  /**
   * Structured-output support of the server: 'strict' (OpenAI, the default: json_schema with `strict: true` is
   * checked against strict mode's rules and refused with OpenAI's 400 when it breaks them), 'no-strict' (a router
   * or server that refuses the `strict` flag), 'json-object' (no json_schema at all: only json_object, whose schema
   * it reads from the system message, as a model would).
   */
  structured?: 'strict' | 'no-strict' | 'json-object';
  /** Characters per token when counting usage (default 4). */
  charsPerToken?: number;
  /**
   * `seed`: write at the length of the seed digest, whatever the schema or prompt asks (a model that overruns):
   * reviews take the seed paper's own summary and critique (the first paper's for others) and a TL;DR of a whole
   * paragraph; the day takes the seed's five-sentence opening, TL;DR, themes and insights. Default: short prose.
   */
  prose?: 'short' | 'seed';
}

export interface EmbeddingRequest {
  model: string;
  inputs: number;
  promptTokens: number;
}

/** Dimensions of the fake's embeddings. */
export const FAKE_EMBEDDING_DIMS = 512;

/** Function words a real model gives little weight to. */
const FUNCTION_WORDS = new Set(
  'the and for with this that from are our which these their its was were has have been can not but also into such than then they them when where while using use used based via over under between both each more most other only show shows new'.split(
    ' ',
  ),
);

/**
 * The fake's embedding of a text: lower-cased content words of three letters or more (function words left out, a
 * trailing plural `s` dropped), each hashed to a dimension and a sign, log-scaled counts, L2-normalised.
 * Deterministic, and close for texts that share words (a weak model: no synonyms, and hash collisions).
 */
export function fakeEmbedding(text: string, dims = FAKE_EMBEDDING_DIMS): number[] {
  const v = new Array<number>(dims).fill(0);
  const counts = new Map<string, number>();
  for (const raw of text.toLowerCase().match(/[a-z][a-z0-9-]{2,}/g) ?? []) {
    if (FUNCTION_WORDS.has(raw)) continue;
    const w = raw.length > 3 && raw.endsWith('s') && !raw.endsWith('ss') ? raw.slice(0, -1) : raw;
    counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  for (const [w, c] of counts) {
    const h = hashOf(w);
    v[h % dims] = (v[h % dims] ?? 0) + ((h >>> 16) & 1 ? 1 : -1) * (1 + Math.log(c));
  }
  const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}

export interface FakeOpenAi {
  /** Base URL for OPENAI_BASE_URL, ending in /v1. */
  url: string;
  requests: RecordedRequest[];
  /** Every POST /embeddings. */
  embeddingRequests: EmbeddingRequest[];
  /** Requests that got a completion (200). */
  completions(): number;
  peakConcurrent(): number;
  /** Relevance (0–10) the server gives these ids. */
  prefer(ids: string[], relevance?: number): void;
  /**
   * The next `times` requests play `fault`; only requests whose json_schema name is `schema` and whose prompt names
   * paper `id`, when given. `retryAfter` is the 429's Retry-After header (seconds).
   */
  fail(fault: Fault, opts?: { schema?: string; id?: string; times?: number; retryAfter?: string; size?: number }): void;
  /**
   * The next `times` completions (of json_schema `schema`, when given) answer exactly `body`: a recorded response of
   * another server, or a scripted answer.
   */
  replay(body: Record<string, unknown>, times?: number, schema?: string): void;
  /** Forgets recorded requests, the peak and pending faults. */
  reset(): void;
  close(): Promise<void>;
}

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  required?: string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  [k: string]: unknown;
};

const ID = String.raw`(\d{4}\.\d{4,5}(?:v\d+)?|[a-z-]+(?:\.[A-Z]{2})?\/\d{7}(?:v\d+)?)`;

function idsIn(text: string): Array<{ id: string; title: string }> {
  const out: Array<{ id: string; title: string }> = [];
  const re = new RegExp(String.raw`^\[${ID}\]\s*(.*)$`, 'gm');
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const id = (m[1] ?? '').replace(/v\d+$/, '');
    if (!out.some((o) => o.id === id)) out.push({ id, title: (m[2] ?? '').trim() });
  }
  return out;
}

function hashOf(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h;
}

interface GenContext {
  papers: Array<{ id: string; title: string }>;
  current?: { id: string; title: string };
  relevance: (id: string) => number;
  decorate: (s: string) => string;
  /** The language the system prompt asks for. */
  language?: 'en' | 'zh';
  /** A listwise ordering: id-bearing items come back best first (by relevance), as a model would order them. */
  listwise?: boolean;
  /** The `##`/`###` headings of the paper text in the prompt, in order (a question's answer cites one). */
  headings?: string[];
}

/** Seed-like prose in Chinese, for a digest whose prompt asks for Chinese. */
const CHINESE: Record<string, string> = {
  contributions: '本文提出了一种两阶段课程式强化学习方法，无需专门的奖励模型即可提升推理能力。',
  methods:
    '1.  **第一阶段：** 先进行简短的冷启动，再用可验证奖励进行强化学习。\n2.  **第二阶段：** 在多领域混合数据上联合训练。',
  results: '*   在六个领域上均稳定超过 7B 基线。\n*   消融实验表明两个阶段都不可或缺。',
  strengths: '1.  **思路清晰：** 课程设计简单且动机充分。\n2.  **评估充分：** 覆盖两个模型家族和六个领域。',
  weaknesses: '1.  **部分新颖性有限：** 每个阶段单独来看都已有先例。\n2.  **分析较浅：** 数学能力为何能迁移仍未解释。',
  overall: '这是一篇扎实实用的论文，其方法很可能被采用，但理论支撑较弱。',
  opening: '今天的论文聚焦于大语言模型的推理与对齐。',
  tldr: '近期论文用简单且经过充分验证的训练方法提升大语言模型的推理与对齐能力。',
  title: '推理与训练范式',
  insight: '提出了一种简单且效果稳定的方法。',
  commonInsights: '多数论文更青睐经过实证检验的简单方法，而非复杂算法。',
  keywords: '强化学习',
  reason: '与团队对强化学习的兴趣高度相关。',
};

/** Seed-like prose for a field, by its name. */
function textFor(name: string, ctx: GenContext): string {
  if (ctx.language === 'zh' && CHINESE[name]) return CHINESE[name];
  const title = ctx.current?.title || ctx.papers[0]?.title || 'the paper';
  const id = ctx.current?.id ?? ctx.papers[0]?.id ?? '';
  switch (name) {
    case 'id':
      return id;
    case 'reason':
      return `Matches the team's interest in ${title.split(' ').slice(0, 4).join(' ')}.`;
    case 'contributions':
      return `This paper introduces the method of "${title}", a two-stage recipe that improves reasoning without specialized reward models.`;
    case 'methods':
      return '1.  **Stage 1:** a brief cold start, then RL with verifiable rewards.\n2.  **Stage 2:** joint RL on mixed-domain data.';
    case 'results':
      return '*   Consistent gains over 7B baselines on six domains.\n*   Ablations show both stages are necessary.';
    case 'strengths':
      return '1.  **Clear core idea:** the curriculum is simple and well motivated.\n2.  **Thorough evaluation:** two model families and six domains.';
    case 'weaknesses':
      return '1.  **Limited novelty of parts:** each stage is known on its own.\n2.  **Shallow analysis:** why math transfers is left open.';
    case 'overall':
      return 'A strong, practical paper whose recipe is likely to be adopted; the theory behind it is thin.';
    case 'overview':
      return `The paper "${title}" claims a simple recipe that transfers reasoning across domains.`;
    case 'questions':
      return '1.  Does the recipe hold at 70B?\n2.  How sensitive is it to the cold-start data?';
    case 'opening':
      return `Today's papers focus on reasoning and alignment of large language models, led by "${title}".`;
    case 'tldr':
      return 'Recent papers improve LLM reasoning and alignment with simple, well-tested training recipes.';
    case 'title':
      return 'Reasoning & Training Paradigms';
    case 'shortName':
      return title.split(/[:\s]/).filter(Boolean).slice(0, 3).join(' ') || id;
    case 'insight':
      return 'proposes a simple recipe with consistent gains.';
    case 'commonInsights':
      return 'Most papers favour empirically validated, simple recipes over complex algorithms.';
    case 'keywords':
      return 'reinforcement learning';
    case 'changes':
      return `The new version of "${title}" reports updated results with a wider evaluation. Its comments name the venue that accepted it.`;
    case 'answer':
      return `The paper "${title}" reports it in its results: the method beats the baselines it compares with.`;
    case 'section': {
      // The section a question's answer cites: the results if the text has them, else its first heading.
      const h = ctx.headings ?? [];
      return h.find((x) => /result|experiment/i.test(x)) ?? h[0] ?? 'Abstract';
    }
    default:
      return `${name} of ${title}`;
  }
}

function generate(schema: JsonSchema, name: string, ctx: GenContext): unknown {
  if (schema.anyOf?.[0]) return generate(schema.anyOf[0], name, ctx);
  if (schema.enum?.length) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, sub] of Object.entries(schema.properties ?? {})) out[key] = generate(sub, key, ctx);
      return out;
    }
    case 'array': {
      const items = schema.items ?? {};
      if (items.type === 'object' && items.properties?.id) {
        const order = ctx.listwise
          ? [...ctx.papers].sort((a, b) => ctx.relevance(b.id) - ctx.relevance(a.id))
          : ctx.papers;
        return order.map((p) => generate(items, name, { ...ctx, current: p }));
      }
      if (items.type === 'object') return [generate(items, name, ctx)];
      const n = Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 4, 4));
      const words =
        ctx.language === 'zh'
          ? ['强化学习', '推理', '大语言模型', '对齐', '课程学习']
          : ['reinforcement learning', 'reasoning', 'large language models', 'alignment', 'curriculum'];
      return Array.from({ length: n }, (_, i) => ctx.decorate(words[i % words.length] ?? 'keyword'));
    }
    case 'integer':
    case 'number': {
      const id = ctx.current?.id ?? ctx.papers[0]?.id ?? '';
      let v = name === 'relevance' || name === 'score' ? ctx.relevance(id) : 5;
      if (schema.minimum !== undefined) v = Math.max(v, schema.minimum);
      if (schema.maximum !== undefined) v = Math.min(v, schema.maximum);
      return type === 'integer' ? Math.round(v) : v;
    }
    case 'boolean':
      return true;
    case 'string':
      return name === 'id' ? textFor(name, ctx) : ctx.decorate(textFor(name, ctx));
    default:
      return null;
  }
}

/** Replaces the generated prose of a review or a day with the seed digest's, at its full length. */
function writeAtSeedLength(
  schemaName: string | undefined,
  value: unknown,
  papers: Array<{ id: string; title: string }>,
): void {
  if (!value || typeof value !== 'object') return;
  const v = value as Record<string, unknown>;
  const first = papers[0]?.id ?? '';
  if (schemaName === 'paper_review') {
    const { review } = seedProse(first);
    v.summary = { contributions: review.contributions, methods: review.methods, results: review.results };
    v.critique = { strengths: review.strengths, weaknesses: review.weaknesses, overall: review.overall };
    if ('tldr' in v) v.tldr = review.tldr;
  }
  if (schemaName === 'day_overview') {
    const { day } = seedProse(first);
    const asked = papers.map((p) => p.id);
    const themes = day.themes
      .map((t) => ({ title: t.title, papers: t.papers.filter((p) => asked.includes(p.id)) }))
      .filter((t) => t.papers.length > 0);
    const named = new Set(themes.flatMap((t) => t.papers.map((p) => p.id)));
    const others = papers.filter((p) => !named.has(p.id));
    if (others.length)
      themes.push({
        title: 'Other Directions',
        papers: others.map((p) => ({
          id: p.id,
          shortName: p.title.split(/[:\s]/).filter(Boolean).slice(0, 3).join(' ') || p.id,
          insight: 'studies a further question of the day with a careful empirical evaluation across several settings',
        })),
      });
    Object.assign(v, { opening: day.opening, tldr: day.tldr, themes, commonInsights: day.commonInsights });
  }
}

/** The first array of id-bearing objects in a value (the ranking's `papers`), to remove or add an item. */
function idArray(value: unknown): Array<{ id: string }> | undefined {
  if (Array.isArray(value)) {
    if (value.every((v) => v && typeof v === 'object' && 'id' in v)) return value as Array<{ id: string }>;
    for (const v of value) {
      const found = idArray(v);
      if (found) return found;
    }
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) {
      const found = idArray(v);
      if (found) return found;
    }
  }
  return undefined;
}

/** What OpenAI's strict mode accepts in a schema node; anything else is refused with a 400 naming it. */
const STRICT_KEYWORDS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'anyOf',
  '$ref',
  '$defs',
  'definitions',
  'description',
  'title',
  'pattern',
  'format',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'minItems',
  'maxItems',
]);

/**
 * The first rule of OpenAI's strict structured outputs that `schema` breaks, in the words of its 400 ("In
 * context=(...), ..."), or undefined: the root is an object, every object is closed and requires all its
 * properties, no keyword outside the supported subset, at most 10 levels of nesting.
 */
export function strictSchemaProblem(schema: JsonSchema, path: string[] = [], depth = 0): string | undefined {
  const where = `In context=(${path.map((p) => `'${p}'`).join(', ')})`;
  if (depth === 0 && schema.type !== 'object') return `${where}, schema must be a JSON Schema of 'type: "object"'`;
  if (depth > 10) return `${where}, schema has more than 10 levels of nesting`;
  for (const key of Object.keys(schema)) {
    if (!STRICT_KEYWORDS.has(key)) return `${where}, '${key}' is not permitted.`;
  }
  if (schema.type === 'object' || schema.properties) {
    if (schema.additionalProperties !== false)
      return `${where}, 'additionalProperties' is required to be supplied and to be false.`;
    const names = Object.keys(schema.properties ?? {});
    const missing = names.filter((n) => !(schema.required ?? []).includes(n));
    if (missing.length)
      return `${where}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing[0]}'.`;
    for (const [name, sub] of Object.entries(schema.properties ?? {})) {
      const p = strictSchemaProblem(sub, [...path, 'properties', name], depth + 1);
      if (p) return p;
    }
  }
  if (schema.items) return strictSchemaProblem(schema.items, [...path, 'items'], depth + 1);
  for (const [i, sub] of (schema.anyOf ?? []).entries()) {
    const p = strictSchemaProblem(sub, [...path, 'anyOf', String(i)], depth + 1);
    if (p) return p;
  }
  return undefined;
}

/** The JSON Schema a json_object request gives in its system message (the last line that parses as an object). */
function schemaInPrompt(system: string): JsonSchema | undefined {
  for (const line of system.split('\n').reverse()) {
    if (!line.trim().startsWith('{')) continue;
    try {
      return JSON.parse(line) as JsonSchema;
    } catch {
      // not the schema
    }
  }
  return undefined;
}

/**
 * The usual frame of a test file that talks to the LLM: one fake server for the file (started before all, closed
 * after all), reset before each test. `use` receives it once it is up.
 */
export function useOpenAiServer(use: (server: FakeOpenAi) => void, options: FakeOpenAiOptions = {}): void {
  let server: FakeOpenAi | undefined;
  beforeAll(async () => {
    server = await startOpenAiServer(options);
    use(server);
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(() => server?.reset());
}

export async function startOpenAiServer(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const requests: RecordedRequest[] = [];
  const embeddingRequests: EmbeddingRequest[] = [];
  const preferred = new Map<string, number>();
  let faults: Array<{
    fault: Fault;
    schema?: string;
    id?: string;
    times: number;
    retryAfter: string;
    size?: number;
  }> = [];
  const replays: Array<{ body: Record<string, unknown>; schema?: string }> = [];
  let inFlight = 0;
  let peak = 0;
  const hanging = new Set<http.ServerResponse>();
  const tokens = (s: string) => Math.ceil(s.length / (options.charsPerToken ?? 4));
  const relevance = (id: string) => preferred.get(id) ?? options.defaultRelevance?.(id) ?? 1 + (hashOf(id) % 5);

  const takeFault = (
    schemaName: string | undefined,
    ids: string[],
  ): { fault: Fault; retryAfter: string; size?: number } | undefined => {
    const f = faults.find(
      (x) => x.times > 0 && (!x.schema || x.schema === schemaName) && (!x.id || ids.includes(x.id)),
    );
    if (!f) return undefined;
    f.times -= 1;
    faults = faults.filter((x) => x.times > 0);
    return { fault: f.fault, retryAfter: f.retryAfter, ...(f.size ? { size: f.size } : {}) };
  };

  const sendJson = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-request-id': `req_${randomBytes(8).toString('hex')}`,
      ...headers,
    });
    res.end(JSON.stringify(body));
  };
  const apiError = (message: string, type: string, code: string | null) => ({
    error: { message, type, param: null, code },
  });

  const server = http.createServer((req, res) => {
    // A client killed mid-request (a test's kill -9) resets the connection: not the fake's error.
    req.on('error', () => {});
    res.on('error', () => {});
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (req.method === 'POST' && /^(\/v1)?\/embeddings$/.test(path)) {
        let body: { model?: string; input?: string | string[]; encoding_format?: string };
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          sendJson(
            res,
            400,
            apiError('We could not parse the JSON body of your request.', 'invalid_request_error', null),
          );
          return;
        }
        if (!/^Bearer \S+/.test(String(req.headers.authorization ?? ''))) {
          sendJson(res, 401, apiError("You didn't provide an API key.", 'invalid_request_error', null));
          return;
        }
        const inputs = typeof body.input === 'string' ? [body.input] : (body.input ?? []);
        if (!body.model || inputs.length === 0 || inputs.some((x) => typeof x !== 'string' || !x)) {
          sendJson(
            res,
            400,
            apiError("'input' must be a non-empty string or array of strings.", 'invalid_request_error', null),
          );
          return;
        }
        const promptTokens = inputs.reduce((n, x) => n + tokens(x), 0);
        embeddingRequests.push({ model: body.model, inputs: inputs.length, promptTokens });
        sendJson(res, 200, {
          object: 'list',
          model: body.model,
          data: inputs.map((x, index) => {
            const v = fakeEmbedding(x);
            return {
              object: 'embedding',
              index,
              embedding:
                body.encoding_format === 'base64' ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v,
            };
          }),
          usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
        });
        return;
      }
      if (req.method !== 'POST' || !/^(\/v1)?\/chat\/completions$/.test(path)) {
        sendJson(
          res,
          404,
          apiError(`Unknown request URL: ${req.method} ${path}.`, 'invalid_request_error', 'unknown_url'),
        );
        return;
      }
      let body: ChatRequestBody;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequestBody;
      } catch {
        sendJson(
          res,
          400,
          apiError('We could not parse the JSON body of your request.', 'invalid_request_error', null),
        );
        return;
      }
      const authorized = /^Bearer \S+/.test(String(req.headers.authorization ?? ''));
      const prompt = body.messages.map((m) => m.content).join('\n');
      const schemaName = body.response_format?.json_schema?.name;
      const papers = idsIn(
        body.messages
          .filter((m) => m.role === 'user')
          .map((m) => m.content)
          .join('\n'),
      );
      const record: RecordedRequest = {
        path,
        body,
        schemaName,
        ids: papers.map((p) => p.id),
        outcome: 'ok',
        promptTokens: tokens(prompt),
        completionTokens: 0,
        authorized,
        receivedAt: Date.now(),
      };
      requests.push(record);
      res.on('finish', () => {
        record.answeredAt = Date.now();
      });
      if (!authorized) {
        sendJson(res, 401, apiError("You didn't provide an API key.", 'invalid_request_error', null));
        return;
      }
      const refused = (options.refuseParams ?? []).find((name) => name in body);
      if (refused) {
        sendJson(res, 400, {
          error: {
            message: `Unsupported parameter: '${refused}' is not supported with this model.`,
            type: 'invalid_request_error',
            param: refused,
            code: 'unsupported_parameter',
          },
        });
        return;
      }
      const format = body.response_format;
      const structured = options.structured ?? 'strict';
      const formatError = (message: string) =>
        sendJson(res, 400, {
          error: { message, type: 'invalid_request_error', param: 'response_format', code: null },
        });
      if (format?.type === 'json_schema' && structured === 'json-object') {
        formatError("'response_format.type' 'json_schema' is not supported with this model; use 'json_object'.");
        return;
      }
      if (format?.type === 'json_schema' && format.json_schema?.strict && structured === 'no-strict') {
        formatError("'response_format.json_schema.strict' is not supported by this endpoint.");
        return;
      }
      if (format?.type === 'json_schema' && format.json_schema?.strict) {
        const problem = strictSchemaProblem(format.json_schema.schema);
        if (problem) {
          formatError(`Invalid schema for response_format '${format.json_schema.name}': ${problem}`);
          return;
        }
      }
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      const fault = takeFault(schemaName, record.ids);
      if (fault) record.outcome = fault.fault;
      const finish = () => {
        inFlight -= 1;
      };
      if (fault?.fault === 'timeout') {
        // Never answers; the socket is destroyed when the client gives up or the server closes.
        hanging.add(res);
        res.on('close', () => {
          hanging.delete(res);
          finish();
        });
        return;
      }
      setTimeout(() => {
        finish();
        if (fault?.fault === 'cut') {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4000' });
          res.write('{"id":"chatcmpl-cut","object":"chat.completion","choices":[{"index":0,"message":{"role":"assis');
          setImmediate(() => res.socket?.destroy());
          return;
        }
        if (fault?.fault === 'rate-limit') {
          sendJson(
            res,
            429,
            apiError(
              'Rate limit reached for requests per min. Please try again shortly.',
              'requests',
              'rate_limit_exceeded',
            ),
            { 'retry-after': fault.retryAfter, 'x-ratelimit-remaining-requests': '0' },
          );
          return;
        }
        if (fault?.fault === 'server-error') {
          sendJson(res, 500, apiError('The server had an error while processing your request.', 'server_error', null));
          return;
        }
        if (fault?.fault === 'unauthorized') {
          const key = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
          sendJson(
            res,
            401,
            apiError(
              `Incorrect API key provided: ${key.slice(0, 8)}************${key.slice(-4)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
              'invalid_request_error',
              'invalid_api_key',
            ),
          );
          return;
        }
        if (fault?.fault === 'quota') {
          sendJson(
            res,
            429,
            apiError(
              'You exceeded your current quota, please check your plan and billing details.',
              'insufficient_quota',
              'insufficient_quota',
            ),
          );
          return;
        }
        if (fault?.fault === 'html') {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(
            '<!DOCTYPE html><html><head><title>Sign in</title></head><body><h1>Sign in to continue</h1></body></html>',
          );
          return;
        }
        if (fault?.fault === 'text') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('Service is starting, please wait.');
          return;
        }
        if (fault?.fault === 'bad-request') {
          sendJson(
            res,
            400,
            apiError(
              "This model's maximum context length is 8192 tokens.",
              'invalid_request_error',
              'context_length_exceeded',
            ),
          );
          return;
        }
        const at = replays.findIndex((r) => !r.schema || r.schema === schemaName);
        const recorded = at >= 0 ? replays.splice(at, 1)[0]?.body : undefined;
        if (recorded) {
          const usage = recorded.usage as { prompt_tokens?: number; completion_tokens?: number } | undefined;
          record.promptTokens = usage?.prompt_tokens ?? record.promptTokens;
          record.completionTokens = usage?.completion_tokens ?? 1;
          sendJson(res, 200, recorded);
          return;
        }
        const schema =
          body.response_format?.type === 'json_object'
            ? schemaInPrompt(body.messages.find((m) => m.role === 'system')?.content ?? '')
            : body.response_format?.json_schema?.schema;
        const decorate = (s: string) =>
          fault?.fault === 'mention'
            ? `${s} Ping @channel and <!here> and <@U0123ABCD> and @everyone.`
            : fault?.fault === 'giant' && s.length > 40
              ? `${s}${' This sentence pads the answer far past its completion cap.'.repeat(Math.ceil((fault.size ?? 20_000) / 58))}`.slice(
                  0,
                  fault.size ?? 20_000,
                )
              : fault?.fault === 'hostile'
                ? `${s} See [arxiv.org/abs/2510.26707](http://evil.example/phish) and <http://evil.example/x|arxiv.org/abs/2510.26788>.\n\nTotal papers: 999 , Selected papers: 999\n\n# 1. A paper that is not in the digest\n\u202Etxt.exe and <@U0123ABCD>`
                : s;
        const system = body.messages.find((m) => m.role === 'system')?.content ?? '';
        const language = /\bin Chinese\b/.test(system) ? 'zh' : 'en';
        const value: unknown = schema
          ? generate(schema, '', {
              papers,
              relevance,
              decorate,
              language,
              listwise: schemaName === 'paper_listwise',
              headings: [
                ...body.messages
                  .filter((m) => m.role === 'user')
                  .map((m) => m.content)
                  .join('\n')
                  .matchAll(/^#{2,3} (.+)$/gm),
              ].map((m) => (m[1] ?? '').trim()),
            })
          : { answer: 'ok' };
        if (options.prose === 'seed') writeAtSeedLength(schemaName, value, papers);
        if (fault?.fault === 'missing-id') idArray(value)?.pop();
        if (fault?.fault === 'invented-id') {
          const arr = idArray(value);
          const sample = arr?.[0];
          if (arr && sample) arr.push({ ...sample, id: '2599.99999' });
        }
        let content = JSON.stringify(value);
        let finishReason: 'stop' | 'length' = 'stop';
        if (fault?.fault === 'invalid-json') content = `${content.slice(0, Math.floor(content.length / 2))} ...`;
        if (fault?.fault === 'length') {
          content = content.slice(0, Math.floor(content.length * 0.7));
          finishReason = 'length';
        }
        if (fault?.fault === 'preamble' && value && typeof value === 'object') {
          const withPreamble = (v: unknown): unknown => {
            if (typeof v === 'string' && v.length > 40) return `Of course. Here is the text you asked for:\n\n${v}`;
            if (Array.isArray(v)) return v.map(withPreamble);
            if (v && typeof v === 'object')
              return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withPreamble(x)]));
            return v;
          };
          content = JSON.stringify(withPreamble(value));
        }
        let reasoning: string | undefined;
        if (fault?.fault === 'think') {
          content = `<think>\nOkay, the user wants JSON about ${record.ids.join(', ') || 'this'}. Let me check the {schema} and the ids first.\n</think>\n\nHere is the JSON you asked for:\n\n\`\`\`json\n${JSON.stringify(value, null, 2)}\n\`\`\`\n\nLet me know if you need anything else!`;
        }
        if (fault?.fault === 'reasoning-field') {
          reasoning = 'The user wants a JSON object. I will fill every field.';
          content = `\`\`\`json\n${content}\n\`\`\``;
        }
        record.completionTokens = tokens(content) + (reasoning ? tokens(reasoning) : 0);
        sendJson(res, 200, {
          id: `chatcmpl-${randomBytes(12).toString('base64url')}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: body.model,
          system_fingerprint: 'fp_fake0001',
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content,
                refusal: null,
                annotations: [],
                ...(reasoning ? { reasoning_content: reasoning } : {}),
              },
              logprobs: null,
              finish_reason: finishReason,
            },
          ],
          usage: {
            prompt_tokens: record.promptTokens,
            completion_tokens: record.completionTokens,
            total_tokens: record.promptTokens + record.completionTokens,
            prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
            completion_tokens_details: {
              reasoning_tokens: 0,
              audio_tokens: 0,
              accepted_prediction_tokens: 0,
              rejected_prediction_tokens: 0,
            },
          },
        });
      }, options.delayMs ?? 0);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    embeddingRequests,
    completions: () => requests.filter((r) => r.completionTokens > 0).length,
    peakConcurrent: () => peak,
    prefer(ids, value = 9) {
      for (const id of ids) preferred.set(id, value);
    },
    fail(fault, opts = {}) {
      faults.push({
        fault,
        times: opts.times ?? 1,
        retryAfter: opts.retryAfter ?? '0',
        ...(opts.size ? { size: opts.size } : {}),
        ...(opts.schema ? { schema: opts.schema } : {}),
        ...(opts.id ? { id: opts.id } : {}),
      });
    },
    replay(body, times = 1, schema) {
      for (let i = 0; i < times; i++) replays.push({ body, ...(schema ? { schema } : {}) });
    },
    reset() {
      requests.length = 0;
      replays.length = 0;
      embeddingRequests.length = 0;
      peak = inFlight;
      faults = [];
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
