/**
 * The screening pass: with an LLM, every candidate of the day that the first pass does not already hand to the
 * full-abstract ranking is shown to the model as one compact line (`[ID] Title — gist`, prompts/screen.md), in
 * batches, and rated 0–10; the best of them join the first pass's top in the full ranking, so no paper of an
 * ordinary day is dropped by the text ranking alone. Past the per-day allowance (`llm.screenTokens`), the
 * candidates screened are the first ones in first-pass order. Answers are cached like every answer (the batch's
 * ids and versions, its lines, the interests, the prompt, the model); ids in an answer are checked against the ids
 * asked about. A batch the budget refuses, or whose answer is unusable, leaves its papers to the first pass.
 */
import { z } from 'zod';
import type { AppContext } from '../context';
import { oneLine } from '../app/errors';
import type { LlmClient } from '../llm/client';
import type { LlmUsage } from '../app/types';
import type { FirstPassScore } from './firstpass';
import { matchIds } from './ids';
import { chunk, deterministicShuffle } from './rank';
import { sentences } from './text';

export const screenSchema = z.object({
  papers: z.array(z.object({ id: z.string(), relevance: z.number().int().min(0).max(10) })),
});

/** Characters of a paper's gist: one sentence of its abstract, cut at a word. */
export const GIST_CHARS = 110;
/** Characters of a title on a screening line (a longer one is cut at a word). */
const TITLE_CHARS = 140;
/** Completion cap per paper of a screening answer: `{"id":"2510.12345","relevance":7},` is ~14 tokens. */
const TOKENS_PER_SCREENED_PAPER = 20;
/** The prompt's fixed part (system and framing), in tokens, counted once per batch against the allowance. */
const BATCH_OVERHEAD_TOKENS = 160;
/** About 4 characters a token (the tokenizers of the models in use, on English text). */
const CHARS_PER_TOKEN = 4;

/** What the paper does, in one sentence: the first that says "we …"/"this paper …", else the first one. */
const CONTRIBUTION =
  /\b(we|this (paper|work|study)|our)\b[^.]*\b(propose|introduce|present|develop|show|find|study|investigate|design|release|build|construct|explore|analy[sz]e|demonstrate|evaluate)/i;

function cut(text: string, max: number): string {
  const s = text.replace(/\s+/g, ' ').trim();
  if (s.length <= max) return s;
  const head = s.slice(0, max);
  const at = head.lastIndexOf(' ');
  return `${(at > max * 0.6 ? head.slice(0, at) : head).replace(/[\s,;:]+$/, '')}…`;
}

/** One line of an abstract: its contribution sentence (else its first), cut to `GIST_CHARS`. */
export function gistOf(abstract: string): string {
  const all = sentences(abstract.replace(/\s+/g, ' ').trim());
  const sentence = all.find((s) => CONTRIBUTION.test(s)) ?? all[0] ?? '';
  return cut(sentence, GIST_CHARS);
}

/** A candidate's screening line. */
export function screenLine(c: FirstPassScore): string {
  return `[${c.paper.id}] ${cut(oneLine(c.paper.title), TITLE_CHARS)} — ${gistOf(c.paper.abstract)}`;
}

/** Estimated prompt tokens of a line (with its newline). */
function lineTokens(line: string): number {
  return Math.ceil((line.length + 1) / CHARS_PER_TOKEN);
}

/**
 * The candidates a day's allowance covers, in first-pass order: each line's estimated tokens and, per batch, the
 * prompt's fixed part count against `allowance`.
 */
export function withinAllowance(
  candidates: FirstPassScore[],
  opts: { allowance: number; batchSize: number },
): Array<{ c: FirstPassScore; line: string }> {
  const out: Array<{ c: FirstPassScore; line: string }> = [];
  let spent = 0;
  for (const c of candidates) {
    const line = screenLine(c);
    const cost = lineTokens(line) + (out.length % opts.batchSize === 0 ? BATCH_OVERHEAD_TOKENS : 0);
    if (spent + cost > opts.allowance) break;
    spent += cost;
    out.push({ c, line });
  }
  return out;
}

export interface ScreenOutcome {
  /** Screening relevance in [0, 1] of each paper the model rated. */
  scores: Map<string, number>;
  /** Ids screened (shown to the model, answered or not). */
  shown: string[];
  /** Batches that fell back (budget, unusable answer, refused): their papers are left to the first pass. */
  failures: Array<{ kind: 'budget' | 'bad-answer' | 'rejected'; ids: string[]; message: string }>;
}

export interface ScreenOptions {
  interests: string;
  model: string;
  /** Papers per screening call. */
  batchSize: number;
  /** Prompt tokens the day's screening may spend (estimated before sending). */
  allowance: number;
  /** Classifies an error a batch falls back on (else it fails the digest). */
  fallbackKind: (err: unknown) => 'budget' | 'bad-answer' | 'rejected' | undefined;
  /** The run's usage, added to as calls are made. */
  meter: LlmUsage;
}

/**
 * Screens `candidates` (in first-pass order): as many as the allowance covers, dealt into batches in that order
 * (each batch shuffled deterministically, so the model sees no ranking to copy and a batch is the same request on
 * a re-run), asked at `llm.concurrency`.
 */
export async function screen(
  ctx: AppContext,
  llm: LlmClient,
  opts: ScreenOptions,
  candidates: FirstPassScore[],
): Promise<ScreenOutcome> {
  const covered = withinAllowance(candidates, opts);
  const outcome: ScreenOutcome = { scores: new Map(), shown: covered.map((x) => x.c.paper.id), failures: [] };
  const batches = chunk(covered, opts.batchSize).map((b) => deterministicShuffle(b, (x) => x.c.paper.id));
  if (!batches.length) return outcome;
  const task = ctx.progress.task('Screening titles', batches.length);
  const settled = await Promise.allSettled(
    batches.map(async (batch) => {
      try {
        await screenBatch({ ctx, llm, opts, outcome }, batch);
      } catch (err) {
        const kind = opts.fallbackKind(err);
        if (!kind) throw err;
        const ids = batch.map((x) => x.c.paper.id);
        ctx.log.warn({ err: (err as Error).message, ids }, 'screening batch fell back to the first pass');
        outcome.failures.push({ kind, ids, message: (err as Error).message });
      } finally {
        task.tick();
      }
    }),
  );
  task.done();
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return outcome;
}

async function screenBatch(
  run: { ctx: AppContext; llm: LlmClient; opts: ScreenOptions; outcome: ScreenOutcome },
  batch: Array<{ c: FirstPassScore; line: string }>,
): Promise<void> {
  const { ctx, llm, opts, outcome } = run;
  const asked = batch.map((x) => x.c.paper.id);
  const answer = await llm.ask(
    {
      prompt: 'screen',
      model: opts.model,
      schemaName: 'paper_screening',
      schema: screenSchema,
      key: {
        interests: opts.interests,
        papers: batch.map((x) => `${x.c.paper.id}v${x.c.paper.version}`),
      },
      input: {
        interests: opts.interests,
        count: String(batch.length),
        papers: batch.map((x) => x.line).join('\n'),
      },
      maxTokens: 64 + TOKENS_PER_SCREENED_PAPER * batch.length,
      check: (v) =>
        matchIds(asked, v.papers).found.size === 0 ? 'the answer names none of the ids asked about' : undefined,
    },
    opts.meter,
  );
  const { found, invented } = matchIds(asked, answer.value.papers);
  for (const [id, item] of found) outcome.scores.set(id, item.relevance / 10);
  if (invented.length) ctx.log.warn({ invented }, 'the screening answer named papers it was not asked about: ignored');
}

/**
 * The papers the full-abstract ranking reads: the first pass's best `floor(size / 2)` (and every paper of a followed
 * author), then the screening's best up to `size` in all (ties and unscreened papers in first-pass order). Without
 * screening scores, the first pass's best `size`.
 */
export function rankingPool(ranked: FirstPassScore[], size: number, screened: Map<string, number>): FirstPassScore[] {
  if (screened.size === 0) return [...ranked.slice(0, size), ...ranked.slice(size).filter((s) => s.followed)];
  const head = ranked.slice(0, Math.floor(size / 2));
  const taken = new Set(head.map((s) => s.paper.id));
  const rest = ranked
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => !taken.has(s.paper.id))
    .sort((a, b) => (screened.get(b.s.paper.id) ?? -1) - (screened.get(a.s.paper.id) ?? -1) || a.i - b.i)
    .map(({ s }) => s);
  const pool = [...head, ...rest.slice(0, size - head.length)];
  const inPool = new Set(pool.map((s) => s.paper.id));
  return [...pool, ...ranked.filter((s) => s.followed && !inPool.has(s.paper.id))];
}
