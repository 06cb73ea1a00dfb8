/**
 * When the model is down as a digest is due (a storm of 500s or 429s, every call timing out, after the one retry
 * policy gave up): the digest goes out on time without the model's text (ranked by text similarity, the abstracts'
 * first sentences as summaries, the no-LLM digest), saying so in one line on the parent message, and each paper's
 * summary and critique follow in its thread the same day, once the model answers again: `fillPendingSummaries`,
 * called by the scheduler's per-minute tick, posts each exactly once (postInThread: records and nonces).
 *
 * `llm.whenDown: wait` keeps the old behaviour (the run fails and the scheduler retries it); `digest --no-llm`
 * builds without the model at all.
 */
import type { DigestConfig } from '../config/schema';
import { modelFor } from '../config/load';
import { BudgetExceededError, LlmRequestError, oneLine } from '../app/errors';
import type { Digest, SelectedPaper } from '../app/types';
import { emptyUsage } from '../app/types';
import { isTransientStatus } from '../http/retry';
import { NO_LLM_NOTICE, buildDigest, fixedDigest } from '../pipeline/digest';
import { askAboutPaper, renderCritique, renderSummary, reviewRequest } from '../pipeline/review';
import { z } from 'zod';
import type { Store } from '../store';
import { recordKind } from '../store/records';
import { keys, locks, parts } from '../store/keys';
import { exclusive } from '../store/lock';
import type { Assembly } from './assembly';
import { getPostedDigest, postInThread, postedInThread } from './post';

/** How every model-down notice begins: the parent's line, and how a posted digest is known to wait for its text. */
export const MODEL_DOWN_PREFIX = 'The language model did not answer';

/** The parent message's line when the digest went out without the model. */
export function modelDownNotice(why: string): string {
  return `${MODEL_DOWN_PREFIX} (${why}): ranked by text similarity, the abstracts' first sentences as summaries; the summaries and critiques follow in the thread when it answers again.`;
}

export const NO_LLM_SWITCH_NOTICE =
  "Built without the language model (--no-llm): ranked by text similarity; summaries are the abstracts' first sentences; no critiques.";

/** The fill-in gives up on a digest this long after it was posted: "the same day". */
export const FILL_WINDOW_MS = 20 * 3_600_000;
/** After a round that found the model still down, the next waits this long (the tick comes every minute). */
export const FILL_RETRY_MS = 2 * 60_000;

/** Whether a build failed because the model did not answer (no answer, 408/409/429/5xx after the retries). */
export function isModelDown(err: unknown): boolean {
  return err instanceof LlmRequestError && isTransientStatus(err.status);
}

function whyDown(err: unknown): string {
  const status = err instanceof LlmRequestError ? err.status : undefined;
  return status === undefined ? 'no answer' : `HTTP ${status}`;
}

/**
 * The day's digest for a run: with the model, or without it when `noLlm` is asked or when the model is down (and
 * `llm.whenDown` is `post`). A digest built while the model was down carries the model-down notice.
 */
export async function buildForRun(
  app: Assembly,
  digest: DigestConfig,
  opts: { date?: string; noLlm?: boolean } = {},
): Promise<Digest> {
  const date = opts.date ? { date: opts.date } : {};
  const withoutModel = { ...app.services, llm: undefined };
  if (opts.noLlm && app.services.llm) {
    const built = await buildDigest(app.ctx, withoutModel, digest, date);
    return { ...built, notices: built.notices.map((n) => (n === NO_LLM_NOTICE ? NO_LLM_SWITCH_NOTICE : n)) };
  }
  try {
    return await buildDigest(app.ctx, app.services, digest, date);
  } catch (err) {
    if (!app.services.llm || !isModelDown(err) || app.ctx.config.llm.whenDown === 'wait') throw err;
    app.ctx.log.warn(
      { digest: digest.name, err: oneLine(err) },
      'the language model is down: the digest goes out without its text; the summaries and critiques follow in the thread when it answers again',
    );
    const built = await buildDigest(app.ctx, withoutModel, digest, date);
    return { ...built, notices: [modelDownNotice(whyDown(err)), ...built.notices.filter((n) => n !== NO_LLM_NOTICE)] };
  }
}

interface PendingFill {
  name: string;
  date: string;
  /** When the digest was fixed without the model's text (ms). */
  since: number;
}

/** The digests waiting for the model's text ('meta', keys.fillPending), declared once. */
const PENDING_FILLS = recordKind<PendingFill[]>(
  'meta',
  z.array(z.looseObject({ name: z.string(), date: z.string(), since: z.number() })),
);

/** Whether a (fixed) digest went out while the model was down. */
export function postedWhileDown(digest: Digest): boolean {
  return digest.notices.some((n) => n.startsWith(MODEL_DOWN_PREFIX));
}

async function updatePending(store: Store, change: (list: PendingFill[]) => PendingFill[]): Promise<void> {
  await exclusive(store, locks.fillPending, async () => {
    const list = (await PENDING_FILLS.get(store, keys.fillPending)) ?? [];
    await PENDING_FILLS.set(store, keys.fillPending, change(list));
  });
}

/** Records a digest fixed without the model's text, before its first message: its fill-in is then owed. */
export async function notePendingFill(store: Store, digest: Digest, now: number): Promise<void> {
  if (!postedWhileDown(digest)) return;
  const known = (await PENDING_FILLS.get(store, keys.fillPending)) ?? [];
  if (known.some((p) => p.name === digest.name && p.date === digest.date)) return;
  await updatePending(store, (list) =>
    list.some((p) => p.name === digest.name && p.date === digest.date)
      ? list
      : [...list, { name: digest.name, date: digest.date, since: now }],
  );
}

export interface FillReport {
  /** Thread messages posted by this round. */
  posted: number;
  /** Digests still waiting for their text. */
  pending: number;
  /** Set when the model was still down: the round stopped. */
  stillDown?: boolean;
}

/** Per app: a round in flight, and when the next may start after the model was found still down. */
const rounds = new WeakMap<Assembly['ctx'], { running: boolean; notBefore: number }>();

/**
 * Adds the missing summaries and critiques to the threads of digests posted while the model was down, once each,
 * when the model answers. Called every minute by the scheduler; a round in flight or one just after the model was
 * found still down makes the call return at once. Never throws: a failure is logged and retried later.
 */
export async function fillPendingSummaries(app: Assembly): Promise<FillReport> {
  const { ctx } = app;
  const state = rounds.get(ctx) ?? { running: false, notBefore: 0 };
  rounds.set(ctx, state);
  if (!app.services.llm || state.running || ctx.clock.now() < state.notBefore) return { posted: 0, pending: 0 };
  state.running = true;
  try {
    const report = await fillRound(app);
    state.notBefore = report.stillDown ? ctx.clock.now() + FILL_RETRY_MS : 0;
    return report;
  } catch (err) {
    ctx.log.error({ err: oneLine(err) }, 'adding the summaries and critiques to the threads failed; retried later');
    state.notBefore = ctx.clock.now() + FILL_RETRY_MS;
    return { posted: 0, pending: -1 };
  } finally {
    state.running = false;
  }
}

async function fillRound(app: Assembly): Promise<FillReport> {
  const { store, clock, log } = app.ctx;
  const pending = (await PENDING_FILLS.get(store, keys.fillPending)) ?? [];
  const report: FillReport = { posted: 0, pending: 0 };
  const done: PendingFill[] = [];
  for (const entry of pending) {
    const config = app.ctx.config.digests.find((d) => d.name === entry.name);
    const digest = config ? await fixedDigest(store, entry.name, entry.date) : undefined;
    if (!config || !digest || clock.now() - entry.since > FILL_WINDOW_MS) {
      log.warn(
        { digest: entry.name, date: entry.date },
        'the summaries of a digest posted while the model was down were not added: too late',
      );
      done.push(entry);
      continue;
    }
    const outcome = await fillDigest(app, config, digest);
    report.posted += outcome.posted;
    if (outcome.stillDown) {
      report.stillDown = true;
      break;
    }
    if (outcome.complete) {
      log.info(
        { digest: entry.name, date: entry.date, posted: outcome.posted },
        'the model answers again: summaries and critiques added to the threads',
      );
      done.push(entry);
    }
  }
  if (done.length)
    await updatePending(store, (list) => list.filter((p) => !done.some((d) => d.name === p.name && d.date === p.date)));
  report.pending = pending.length - done.length;
  return report;
}

/** One digest's papers: each review asked (cached after), then posted once in every channel's thread. */
async function fillDigest(
  app: Assembly,
  config: DigestConfig,
  digest: Digest,
): Promise<{ posted: number; complete: boolean; stillDown?: boolean }> {
  const llm = app.services.llm;
  if (!llm) return { posted: 0, complete: false };
  const model = modelFor(app.ctx.config, app.ctx.settings, config);
  let posted = 0;
  let complete = true;
  for (const paper of digest.selected) {
    if (paper.withdrawn) continue;
    const threads = await threadsOf(app, config, digest, paper);
    if (threads.missing) complete = false;
    if (threads.open.length === 0) continue;
    let text: string;
    try {
      const answer = await askAboutPaper(
        llm,
        app.services.arxiv,
        paper,
        reviewRequest(paper, config.language),
        model,
        emptyUsage(),
      );
      text = fillText(renderSummary(answer.value), renderCritique(answer.value));
    } catch (err) {
      if (isModelDown(err)) return { posted, complete: false, stillDown: true };
      // The budget may open later today; an unusable answer for this paper will not improve: it keeps its abstract.
      if (err instanceof BudgetExceededError) return { posted, complete: false };
      app.ctx.log.warn({ paper: paper.id, err: oneLine(err) }, 'no summary for this paper: it keeps its abstract');
      continue;
    }
    for (const { adapter, thread } of threads.open) {
      await postInThread(app.ctx.store, adapter, thread, parts.fill(paper.id), {
        kind: 'critique',
        paper,
        critique: text,
        cached: false,
      });
      posted += 1;
    }
  }
  return { posted, complete };
}

/** The threads of `digest` (one per channel) that still lack `paper`'s fill-in; `missing` when a channel has no post yet. */
async function threadsOf(app: Assembly, config: DigestConfig, digest: Digest, paper: SelectedPaper) {
  const open: Array<{
    adapter: NonNullable<Assembly['adapters'][string]>;
    thread: NonNullable<Awaited<ReturnType<typeof getPostedDigest>>>;
  }> = [];
  let missing = false;
  for (const entry of config.channels) {
    for (const [platform, channelId] of Object.entries(entry)) {
      const adapter = app.adapters[platform];
      if (!adapter) continue;
      const thread = await getPostedDigest(app.ctx.store, platform, channelId, digest.name, digest.date);
      if (!thread?.papers[paper.id]) {
        missing = true;
        continue;
      }
      if (!(await postedInThread(app.ctx.store, thread, parts.fill(paper.id)))) open.push({ adapter, thread });
    }
  }
  return { open, missing };
}

function fillText(summary: string, critique: string): string {
  return `**Summary** (the language model answers again)\n\n${summary}\n\n**Critique**\n\n${critique}`;
}
