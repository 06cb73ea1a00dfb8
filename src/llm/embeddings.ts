/**
 * Paper embeddings through the `openai` SDK's embeddings API (`POST /embeddings`, which OpenAI, Ollama, vLLM and
 * llama.cpp's server all speak), when `llm.embeddingModel` is configured. Each paper's title and abstract is
 * embedded once per version and model: vectors are kept in the store (namespace 'embeddings', key
 * `${model}:${id}v${version}`, as base64 float32 so a 1,536-dimension vector takes 8 KB), requests are batched
 * (`llm.embeddingBatch` texts each), and calls and tokens are added to the digest's `usage`.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type OpenAIClient from 'openai';
import type { CreateEmbeddingResponse } from 'openai/resources/embeddings';
import type { AppContext } from '../context';
import { ArxivDigestError, ErrorCode } from '../app/errors';
import type { Logger } from '../app/log';
import type { LlmUsage, Paper } from '../app/types';
import type { Store } from '../store';
import { keys } from '../store/keys';
import { recordKind } from '../store/records';

export type EmbeddablePaper = Pick<Paper, 'id' | 'version' | 'title' | 'abstract'>;

/** Characters of a paper's text sent to the model: title and abstract fit (8,192 tokens is the usual limit). */
const MAX_CHARS = 6000;

/**
 * A vector as the store keeps it ('embeddings', keys.embedding and keys.embeddingText): base64 float32, declared
 * once. Anything else stored there (a vector of an older form) reads as a miss, and is embedded again, as before.
 */
const VECTOR = recordKind<string | undefined>('embeddings', z.string().optional().catch(undefined));

export function paperText(p: Pick<Paper, 'title' | 'abstract'>): string {
  return `${p.title.replace(/\s+/g, ' ').trim()}\n\n${p.abstract.replace(/\s+/g, ' ').trim()}`.slice(0, MAX_CHARS);
}

export function encodeVector(v: number[]): string {
  return Buffer.from(new Float32Array(v).buffer).toString('base64');
}

export function decodeVector(s: string): number[] {
  const buf = Buffer.from(s, 'base64');
  return Array.from(new Float32Array(buf.buffer, buf.byteOffset, Math.floor(buf.byteLength / 4)));
}

/** The openai SDK, loaded with the first embeddings request (a day whose vectors are cached never loads it). */
let OpenAI: typeof OpenAIClient | undefined;

export class Embedder {
  private sdk: OpenAIClient | undefined;

  constructor(
    readonly model: string,
    private readonly deps: {
      apiKey: string;
      baseURL: string | undefined;
      store: Store;
      log: Logger;
      batchSize: number;
      timeoutMs: number;
      retries: number;
    },
  ) {}

  private get openai(): OpenAIClient {
    OpenAI ??= (require('openai') as { default: typeof OpenAIClient }).default;
    this.sdk ??= new OpenAI({
      apiKey: this.deps.apiKey,
      ...(this.deps.baseURL ? { baseURL: this.deps.baseURL } : {}),
      maxRetries: this.deps.retries,
      timeout: this.deps.timeoutMs,
    });
    return this.sdk;
  }

  paperKey(p: Pick<Paper, 'id' | 'version'>): string {
    return keys.embedding(this.model, p.id, p.version);
  }

  private textKey(text: string): string {
    return keys.embeddingText(this.model, createHash('sha256').update(text).digest('hex').slice(0, 32));
  }

  /** The vectors of `papers` already in the store (no call). */
  async cached(papers: Array<Pick<Paper, 'id' | 'version'>>): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    for (const p of papers) {
      const hit = await VECTOR.get(this.deps.store, this.paperKey(p));
      if (typeof hit === 'string') out.set(p.id, decodeVector(hit));
    }
    return out;
  }

  /** Each paper's vector by id: from the store, else embedded now (batched) and stored. */
  async embedPapers(papers: EmbeddablePaper[], meter?: LlmUsage): Promise<Map<string, number[]>> {
    const out = await this.cached(papers);
    const missing = [...new Map(papers.filter((p) => !out.has(p.id)).map((p) => [p.id, p])).values()];
    const vectors = await this.request(
      missing.map((p) => paperText(p)),
      meter,
    );
    for (const [i, p] of missing.entries()) {
      const v = vectors[i];
      if (!v) continue;
      out.set(p.id, v);
      await VECTOR.set(this.deps.store, this.paperKey(p), encodeVector(v));
    }
    return out;
  }

  /** The vector of a free text (the digest's interests), cached by its hash. */
  async embedText(text: string, meter?: LlmUsage): Promise<number[]> {
    const key = this.textKey(text);
    const hit = await VECTOR.get(this.deps.store, key);
    if (typeof hit === 'string') return decodeVector(hit);
    const [v] = await this.request([text.slice(0, MAX_CHARS)], meter);
    if (!v) throw new ArxivDigestError(ErrorCode.LlmError, `the embeddings model ${this.model} returned no vector`);
    await VECTOR.set(this.deps.store, key, encodeVector(v));
    return v;
  }

  private async request(texts: string[], meter?: LlmUsage): Promise<number[][]> {
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += this.deps.batchSize) {
      const batch = texts.slice(i, i + this.deps.batchSize);
      let res: CreateEmbeddingResponse;
      try {
        // float, not the SDK's default base64: Ollama and other compatible servers answer floats only.
        res = await this.openai.embeddings.create({ model: this.model, input: batch, encoding_format: 'float' });
      } catch (err) {
        throw new ArxivDigestError(
          ErrorCode.LlmError,
          `the embeddings request to ${this.model} failed: ${(err as Error).message}`,
          { cause: err },
        );
      }
      const byIndex = new Map(res.data.map((d) => [d.index, d.embedding]));
      for (let k = 0; k < batch.length; k++) {
        const v = byIndex.get(k);
        if (!Array.isArray(v) || v.length === 0)
          throw new ArxivDigestError(
            ErrorCode.LlmError,
            `the embeddings answer of ${this.model} has no vector for input ${k}`,
          );
        out.push(v);
      }
      if (meter) {
        meter.embeddingCalls = (meter.embeddingCalls ?? 0) + 1;
        meter.embeddingTokens =
          (meter.embeddingTokens ?? 0) + (res.usage?.prompt_tokens ?? Math.ceil(batch.join('').length / 4));
      }
      this.deps.log.debug({ model: this.model, texts: batch.length, tokens: res.usage?.prompt_tokens }, 'embeddings');
    }
    return out;
  }
}

/** Undefined without OPENAI_API_KEY or without `llm.embeddingModel`. */
export function createEmbedder(ctx: AppContext): Embedder | undefined {
  const apiKey = ctx.settings.openaiApiKey;
  const model = ctx.config.llm.embeddingModel;
  if (!apiKey || !model) return undefined;
  return new Embedder(model, {
    apiKey,
    baseURL: ctx.endpoints.openaiBase,
    store: ctx.store,
    log: ctx.log,
    batchSize: ctx.config.llm.embeddingBatch,
    timeoutMs: ctx.config.llm.timeoutMs,
    retries: ctx.config.llm.retries,
  });
}

/** Cosine of two dense vectors (0 when either is empty or of another dimension). */
export function cosine(a: number[], b: number[]): number {
  if (a.length !== b.length || a.length === 0) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}
