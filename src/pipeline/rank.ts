/**
 * The LLM ranking pass: the compact abstracts of what the first pass and the screening bring (./screen.ts), in
 * batches, scored for relevance and novelty (0–10) with a one-line reason. Papers are named by arXiv id and every id in an answer is checked: an invented id is ignored
 * and logged, a missing one keeps its first-pass score. A batch whose answer is unusable twice, that the budget
 * refuses, or that the server rejects keeps first-pass scores too; an unreachable LLM fails the digest.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { languageName } from '../config/language';
import type { AppContext } from '../context';
import { BudgetExceededError, LlmBadAnswerError, LlmRequestError, oneLine } from '../app/errors';
import type { LlmClient } from '../llm/client';
import type { LlmUsage } from '../app/types';
import type { FirstPassScore } from './firstpass';
import { matchIds } from './ids';
import { compactAbstract } from './text';
import { keys } from '../store/keys';
import { recordKind } from '../store/records';

export const rankSchema = z.object({
  papers: z.array(
    z.object({
      id: z.string(),
      relevance: z.number().int().min(0).max(10),
      novelty: z.number().int().min(0).max(10),
      reason: z.string(),
    }),
  ),
});

/** The final listwise pass: the pool's ids, best first. */
export const listwiseSchema = z.object({ order: z.array(z.object({ id: z.string() })) });

export interface LlmScore {
  relevance: number;
  novelty: number;
  reason: string;
}

/** One paper's score as kept in the cache (relevance and novelty in [0, 1]). */
const scoreSchema = z.object({
  relevance: z.number().min(0).max(1),
  novelty: z.number().min(0).max(1),
  reason: z.string(),
});
/**
 * A paper's cached score ('llm', keys.llmAnswer of its score key), declared once: anything else stored there (an
 * answer out of bounds, another shape) is a miss, and the paper is asked about again.
 */
const CACHED_SCORE = recordKind<LlmScore | undefined>('llm', scoreSchema.optional().catch(undefined));

export interface RankOutcome {
  scores: Map<string, LlmScore>;
  /** Ids of shortlisted papers the LLM did not score (they keep their first-pass score). */
  unscored: string[];
  /** Why some papers were not scored, for the digest's notices. */
  failures: Array<{ kind: 'budget' | 'bad-answer' | 'rejected'; ids: string[]; message: string }>;
  invented: string[];
}

/**
 * Characters of an abstract sent to the ranker: with the rubric in the prompt, 520 keeps a candidate's prompt tokens
 * where they were with 600 and no rubric (the rubric is sent once per batch; the abstract once per paper).
 */
export const RANK_ABSTRACT_CHARS = 520;
/** Completion cap per paper in a listwise answer: an id in an object, ~12 tokens. */
const TOKENS_PER_ORDERED_PAPER = 20;
/** Completion cap per paper in a ranking answer: id, two integers and a 15-word reason take ~40 tokens. */
const TOKENS_PER_RANKED_PAPER = 60;

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A small seeded PRNG (mulberry32): the same seed, the same sequence, on every machine. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function seedOf(ids: string[]): number {
  return createHash('sha256').update(ids.join(',')).digest().readUInt32BE(0);
}

/**
 * `items` in an order that depends only on the items themselves (a seeded Fisher–Yates shuffle): a model sees no
 * first-pass order to copy (position bias), and the same batch is the same request, so its answer is cached.
 */
export function deterministicShuffle<T>(items: T[], idOf: (item: T) => string): T[] {
  const out = [...items];
  const rand = seeded(seedOf(items.map(idOf)));
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * Candidates (in first-pass order) dealt to ceil(n / size) batches like cards: the 1st to batch 1, the 2nd to batch
 * 2, …, so every batch holds strong and weak candidates alike and a score means the same whichever batch it came
 * from; each batch is then shuffled deterministically.
 */
export function dealRoundRobin(candidates: FirstPassScore[], size: number): FirstPassScore[][] {
  const count = Math.ceil(candidates.length / Math.max(1, size));
  const batches: FirstPassScore[][] = Array.from({ length: count }, () => []);
  candidates.forEach((c, i) => {
    batches[i % count]?.push(c);
  });
  return batches.map((b) => deterministicShuffle(b, (c) => c.paper.id));
}

export function formatRankPapers(batch: FirstPassScore[]): string {
  return batch
    .map(
      ({ paper }) => `[${paper.id}] ${oneLine(paper.title)}\n${compactAbstract(paper.abstract, RANK_ABSTRACT_CHARS)}`,
    )
    .join('\n\n');
}

export interface RankOptions {
  interests: string;
  model: string;
  batchSize: number;
  language: string;
  /** The run's usage, added to as calls are made. */
  meter: LlmUsage;
}

/** One ranking pass's state: its client, options, meter and outcome, and each candidate's per-paper cache key. */
interface Ranking {
  ctx: AppContext;
  llm: LlmClient;
  opts: RankOptions;
  meter: LlmUsage;
  outcome: RankOutcome;
  keyOf: Map<string, string>;
}

export async function llmRank(
  ctx: AppContext,
  llm: LlmClient,
  opts: RankOptions,
  candidates: FirstPassScore[],
): Promise<RankOutcome> {
  const run: Ranking = {
    ctx,
    llm,
    opts,
    meter: opts.meter,
    outcome: { scores: new Map(), unscored: [], failures: [], invented: [] },
    keyOf: new Map(),
  };
  const toAsk = await cachedScores(run, candidates);
  const batches = dealRoundRobin(toAsk, opts.batchSize);
  const task = ctx.progress.task('Ranking abstracts', batches.length);
  // Every batch settles before an error fails the digest: nothing it started (a batch still retrying) outlives it.
  const settled = await Promise.allSettled(
    batches.map(async (batch) => {
      try {
        await rankBatch(run, batch);
      } finally {
        task.tick();
      }
    }),
  );
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  task.done();
  return run.outcome;
}

/**
 * The candidates' scores already cached, each paper's on its own, so a shortlist that shifts (another shortlist
 * size, a learned boost, the screening, a re-run) asks only about the papers never scored against these interests
 * with this prompt and model; returns the candidates still to ask about.
 */
async function cachedScores(run: Ranking, candidates: FirstPassScore[]): Promise<FirstPassScore[]> {
  const { llm, opts, outcome } = run;
  for (const c of candidates) {
    const { key } = await llm.cacheKey({
      prompt: 'rank',
      model: opts.model,
      schemaName: 'paper_score',
      schema: scoreSchema,
      key: { interests: opts.interests, paper: `${c.paper.id}v${c.paper.version}`, language: opts.language },
    });
    run.keyOf.set(c.paper.id, key);
  }
  // One read for the whole shortlist (the store may be busy storing the day's metadata meanwhile).
  const stored = await CACHED_SCORE.getMany(
    run.ctx.store,
    candidates.map((c) => keys.llmAnswer(run.keyOf.get(c.paper.id) ?? '')),
  );
  const toAsk: FirstPassScore[] = [];
  candidates.forEach((c, i) => {
    const hit = stored[i];
    if (hit) outcome.scores.set(c.paper.id, hit);
    else toAsk.push(c);
  });
  if (outcome.scores.size > 0) run.meter.cachedCalls += Math.ceil(outcome.scores.size / opts.batchSize);
  return toAsk;
}

/**
 * The errors a single item falls back on (a batch's papers keep their first-pass scores, a review its abstract);
 * anything else (the LLM unreachable after retries) fails the digest.
 */
export function fallbackKind(err: unknown): 'budget' | 'bad-answer' | 'rejected' | undefined {
  if (err instanceof BudgetExceededError) return 'budget';
  if (err instanceof LlmBadAnswerError) return 'bad-answer';
  if (err instanceof LlmRequestError && err.rejected) return 'rejected';
  return undefined;
}

/** One batch asked, its scores checked against the ids asked about and kept per paper. */
async function rankBatch(run: Ranking, batch: FirstPassScore[]): Promise<void> {
  const { ctx, llm, opts, outcome } = run;
  const asked = batch.map((c) => c.paper.id);
  try {
    const answer = await llm.ask(
      {
        prompt: 'rank',
        model: opts.model,
        schemaName: 'paper_ranking',
        schema: rankSchema,
        key: {
          interests: opts.interests,
          papers: batch.map((c) => `${c.paper.id}v${c.paper.version}`),
          language: opts.language,
        },
        input: {
          interests: opts.interests,
          count: String(batch.length),
          papers: formatRankPapers(batch),
          language: languageName(opts.language),
        },
        maxTokens: 64 + TOKENS_PER_RANKED_PAPER * batch.length,
        // An answer about none of the papers asked about is not a ranking: retried once.
        check: (v) =>
          matchIds(asked, v.papers).found.size === 0 ? 'the answer names none of the ids asked about' : undefined,
      },
      run.meter,
    );
    await keepScores(run, asked, answer.value.papers);
  } catch (err) {
    const kind = fallbackKind(err);
    if (!kind) throw err;
    ctx.log.warn({ err: (err as Error).message, ids: asked }, 'ranking batch fell back to first-pass scores');
    outcome.failures.push({ kind, ids: asked, message: (err as Error).message });
    outcome.unscored.push(...asked);
  }
}

async function keepScores(run: Ranking, asked: string[], papers: z.infer<typeof rankSchema>['papers']): Promise<void> {
  const { ctx, outcome } = run;
  const { found, missing, invented } = matchIds(asked, papers);
  const kept: Array<{ key: string; value: LlmScore }> = [];
  for (const [id, item] of found) {
    const score: LlmScore = {
      relevance: item.relevance / 10,
      novelty: item.novelty / 10,
      reason: oneLine(item.reason).slice(0, 200),
    };
    outcome.scores.set(id, score);
    const key = run.keyOf.get(id);
    if (key) kept.push({ key: keys.llmAnswer(key), value: score });
  }
  await CACHED_SCORE.setMany(ctx.store, kept);
  if (invented.length) {
    ctx.log.warn({ invented }, 'the ranking answer named papers it was not asked about: ignored');
    outcome.invented.push(...invented);
  }
  if (missing.length) {
    ctx.log.warn({ missing }, 'the ranking answer left out papers: they keep their first-pass score');
    outcome.unscored.push(...missing);
  }
}

export interface ListwiseOutcome {
  /** The pool's ids, best first (ids the answer left out follow, in their batch-score order). */
  order: string[];
  cached: boolean;
}

/**
 * The final listwise pass: one call that orders the pool (the best candidates of the batch ranking, in batch-score
 * order) against each other, so the pick does not depend on which batch a paper was scored in. Cached like every
 * answer (the pool's ids and versions, the interests, the prompt, the model). The papers are shown in a
 * deterministic shuffle, not in score order, so the model does not copy the batch ranking's order. Errors that a
 * single item falls back on (budget, unusable answer, a refused request) are thrown to the caller, which keeps the
 * batch order.
 */
export async function llmListwise(
  llm: LlmClient,
  opts: { interests: string; model: string; language: string },
  pool: FirstPassScore[],
  meter: LlmUsage,
): Promise<ListwiseOutcome> {
  const asked = pool.map((c) => c.paper.id);
  const shown = deterministicShuffle(pool, (c) => c.paper.id);
  const answer = await llm.ask(
    {
      prompt: 'rank-final',
      model: opts.model,
      schemaName: 'paper_listwise',
      schema: listwiseSchema,
      key: {
        interests: opts.interests,
        papers: pool.map((c) => `${c.paper.id}v${c.paper.version}`),
        language: opts.language,
      },
      input: { interests: opts.interests, count: String(pool.length), papers: formatRankPapers(shown) },
      maxTokens: 64 + TOKENS_PER_ORDERED_PAPER * pool.length,
      check: (v) =>
        matchIds(asked, v.order).found.size < Math.ceil(asked.length / 2)
          ? 'the answer orders fewer than half of the papers asked about'
          : undefined,
    },
    meter,
  );
  const { found, missing } = matchIds(asked, answer.value.order);
  return { order: [...found.keys(), ...missing], cached: answer.cached };
}
