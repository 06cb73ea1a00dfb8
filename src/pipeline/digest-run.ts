/**
 * A digest run with an LLM, as an object that carries its context, digest, date, usage and failures, in named
 * steps: screen (every candidate's title and gist, so no paper of an ordinary day is dropped by the text ranking
 * alone), rank (the full abstracts of what the first pass and the screening bring), select (the threshold and the
 * vote boost), listwise (the best candidates ordered against each other), explore (the exploration slots), review
 * (each pick from its full text) and day (the opening and TL;DR). Without an LLM, `withoutLlm`: the first pass's
 * order. Every degradation (budget reached, an unusable answer) falls back and is said in the notices.
 */
import { createHash } from 'node:crypto';
import { modelFor } from '../config/load';
import { languageName } from '../config/language';
import type { DigestConfig } from '../config/schema';
import type { AppContext } from '../context';
import type { LearnedRanking, Services } from './services';
import type { LlmClient } from '../llm/client';
import { type Digest, emptyUsage, type LlmUsage, type Paper, type SelectedPaper } from '../app/types';
import { withdrawalOf } from '../arxiv/withdrawn';
import {
  DAY_MAX_TOKENS,
  type DayAnswer,
  dayOverview,
  daySchema,
  formatDayPapers,
  plainIntro,
  plainTldr,
  renderTldr,
} from './day';
import type { FirstPassScore } from './firstpass';
import { answerId } from './ids';
import {
  type Because,
  clamp01,
  explorations,
  exploreMark,
  exploreSlots,
  fromAbstract,
  fromWithdrawn,
  plainKeywords,
  round,
  withExploration,
} from './picks';
import { fallbackKind, type LlmScore, llmListwise, llmRank } from './rank';
import {
  askAboutPaper,
  clean,
  cleanKeywords,
  renderCritique,
  renderPaperTldr,
  renderSummary,
  reviewRequest,
} from './review';
import { rankingPool, screen } from './screen';
import { documentFrequencies } from './text';

export const NO_LLM_NOTICE =
  "Built without an LLM (OPENAI_API_KEY is not set): ranked by text similarity; summaries are the abstracts' first sentences; no critiques.";

/** How much novelty weighs against relevance in the final LLM score. */
const NOVELTY_WEIGHT = 0.25;
/**
 * How much the vote profile moves the final selection: its boost, λ·tanh(z/2) with λ from 0 (no evidence) to 1 (a
 * theme voted for day after day, whose votes the profile predicted), is added in full to the 0–1 score, as in the
 * first pass. The boost also counts toward `llm.threshold`: a kind of paper the team keeps voting for is selected
 * even when the ranker, which reads `interests` alone, rates it low.
 */
const VOTE_WEIGHT = 1;

export interface Built {
  digest: Pick<Digest, 'selected' | 'intro' | 'tldr' | 'overview' | 'usage' | 'notices'>;
  llmScores: Map<string, LlmScore>;
  /** Screening relevance in [0, 1] of the papers the screening rated. */
  screened: Map<string, number>;
  degraded: boolean;
}

type FallbackKind = 'budget' | 'bad-answer' | 'rejected';

interface Failure {
  kind: FallbackKind;
  what: 'screening' | 'ranking' | 'final' | 'review' | 'day';
  ids: string[];
  message?: string;
}

/** What a run is given: the day ranked by the first pass, and the hooks into the day's metadata. */
export interface RunSetup {
  ctx: AppContext;
  services: Services;
  digest: DigestConfig;
  date: string;
  ranked: FirstPassScore[];
  learned: LearnedRanking | undefined;
  /** A paper's export API metadata: a review waits for its paper's (a withdrawal is said in its comments). */
  metadataOf: (id: string) => Promise<Paper | undefined>;
  /** Work started here that may outlive a failure (the prefetches): the caller waits for it before returning. */
  background: Array<Promise<unknown>>;
  /** Called once the likely picks' pages are being fetched. */
  picksFetching: () => void;
  /** The shortlist's ids are wanted first from the export API (the reviews need their metadata). */
  prioritize: (ids: string[]) => void;
}

/** A candidate with its selection score. */
interface Candidate {
  s: FirstPassScore;
  score: number;
  vote: number;
  relevance: number;
  reason: string;
  because?: Because;
}

export class DigestRun {
  readonly usage: LlmUsage = emptyUsage();
  readonly failures: Failure[] = [];
  private scores = new Map<string, LlmScore>();
  private screened = new Map<string, number>();
  /** A review written from a stand-in text (arXiv's HTML/PDF failed just now): the digest is not replayed. */
  private provisional = false;
  private readonly model: string;
  private readonly rankModel: string;
  private readonly interests: string;

  constructor(
    private readonly run: RunSetup,
    private readonly llm: LlmClient,
  ) {
    const { ctx, digest } = run;
    this.model = modelFor(ctx.config, ctx.settings, digest);
    this.rankModel = ctx.config.llm.rankModel ?? this.model;
    this.interests = digest.keywords.length
      ? `${digest.interests.trim()} Keywords: ${digest.keywords.join(', ')}.`
      : digest.interests.trim();
  }

  private get language(): string {
    return this.run.digest.language;
  }

  async build(): Promise<Built> {
    const pool = await this.screen();
    await this.rank(pool);
    const eligible = this.select(pool);
    this.prefetch(eligible);
    const order = await this.listwise(eligible);
    const picked = this.explore(order);
    const selected = await this.review(picked);
    const day = await this.day(selected);
    return {
      digest: {
        selected,
        ...day,
        usage: this.usage,
        notices: noticesFor(this.failures, this.run.ctx.config.llm.dailyTokenBudget),
      },
      llmScores: this.scores,
      screened: this.screened,
      degraded: this.failures.length > 0 || this.provisional,
    };
  }

  /**
   * 1a. Screen: every candidate the first pass does not already hand to the full ranking (its top half of
   * `llm.shortlist`, the followed authors' papers), as far as `llm.screenTokens` allows; then the pool of the full
   * ranking is the first pass's top half and the screening's best.
   */
  async screen(): Promise<FirstPassScore[]> {
    const { ctx, ranked } = this.run;
    const cfg = ctx.config.llm;
    const size = cfg.shortlist;
    if (cfg.screenTokens > 0 && ranked.length > size) {
      const head = new Set(ranked.slice(0, Math.floor(size / 2)).map((s) => s.paper.id));
      const outcome = await screen(
        ctx,
        this.llm,
        {
          interests: this.interests,
          model: this.rankModel,
          batchSize: cfg.screenBatch,
          allowance: cfg.screenTokens,
          fallbackKind,
          meter: this.usage,
        },
        ranked.filter((s) => !head.has(s.paper.id) && !s.followed),
      );
      this.screened = outcome.scores;
      for (const f of outcome.failures)
        this.failures.push({ kind: f.kind, what: 'screening', ids: f.ids, message: f.message });
    }
    const pool = rankingPool(ranked, size, this.screened);
    this.run.prioritize(pool.map((s) => s.paper.id));
    return pool;
  }

  /** 1b. Rank: the pool's compact abstracts scored in batches (relevance, novelty, a reason). */
  async rank(pool: FirstPassScore[]): Promise<void> {
    const cfg = this.run.ctx.config.llm;
    const outcome = await llmRank(
      this.run.ctx,
      this.llm,
      {
        interests: this.interests,
        model: this.rankModel,
        batchSize: cfg.batchSize,
        language: this.language,
        meter: this.usage,
      },
      pool,
    );
    this.scores = outcome.scores;
    for (const f of outcome.failures)
      this.failures.push({ kind: f.kind, what: 'ranking', ids: f.ids, message: f.message });
  }

  /** A candidate's selection score: LLM relevance (and novelty) where it answered, else the first pass; plus votes. */
  private scoreOf(s: FirstPassScore): Candidate {
    const vote = VOTE_WEIGHT * (s.boost ?? 0);
    const llmScore = this.scores.get(s.paper.id);
    if (!llmScore)
      return { s, score: s.firstPass + vote, vote, relevance: s.firstPass, reason: 'first-pass text similarity' };
    const score = (1 - NOVELTY_WEIGHT) * llmScore.relevance + NOVELTY_WEIGHT * llmScore.novelty + vote;
    return { s, score, vote, relevance: llmScore.relevance, reason: clean(llmScore.reason) };
  }

  /** 2. Select: the pool above `llm.threshold` (the vote boost counts toward it), best first. */
  select(pool: FirstPassScore[]): Candidate[] {
    const threshold = this.run.ctx.config.llm.threshold;
    return pool
      .map((s) => this.scoreOf(s))
      .filter((c) => c.relevance + Math.max(0, c.vote) >= threshold)
      .sort((a, b) => b.score - a.score || b.s.combined - a.s.combined);
  }

  /**
   * The likely picks' full texts are fetched now, while the final pass (and the metadata) is awaited: a review
   * starts as soon as its text is there. Only for reviews not already answered (a cached one needs no text).
   */
  private prefetch(eligible: Candidate[]): void {
    const { ctx, services, digest, background } = this.run;
    for (const c of eligible.slice(0, digest.maxPapers)) {
      if (withdrawalOf(c.s.paper)) continue;
      background.push(
        prefetchText(this.llm, services, c.s.paper, this.model, this.language).catch((err: unknown) => {
          ctx.log.debug({ paper: c.s.paper.id, err: (err as Error).message }, 'full-text prefetch failed');
        }),
      );
    }
    this.run.picksFetching();
  }

  /**
   * 3. Listwise: the best 2×maxPapers ordered against each other in one call, so the pick does not hang on which
   * batch a paper was scored in. Skipped when the pick is already decided (no more than maxPapers).
   */
  async listwise(eligible: Candidate[]): Promise<Candidate[]> {
    const { ctx, digest } = this.run;
    const pool = eligible.slice(0, 2 * digest.maxPapers);
    if (pool.length <= digest.maxPapers) return eligible;
    try {
      const final = await llmListwise(
        this.llm,
        { interests: this.interests, model: this.rankModel, language: this.language },
        pool.map((c) => c.s),
        this.usage,
      );
      // The pool's scores (without the vote boost) are dealt again in the listwise order, then each paper's vote
      // boost is added back: the final order is the model's, and what the team keeps voting for still counts.
      const byId = new Map(pool.map((c) => [c.s.paper.id, c]));
      const bases = pool.map((c) => c.score - c.vote).sort((a, b) => b - a);
      const listed = final.order.map((id) => byId.get(id)).filter((c): c is Candidate => !!c);
      const reordered = [...listed, ...pool.filter((c) => !listed.includes(c))]
        .map((c, k) => ({ c: { ...c, score: (bases[k] ?? 0) + c.vote }, k }))
        .sort((a, b) => b.c.score - a.c.score || a.k - b.k)
        .map(({ c }) => c);
      return [...reordered, ...eligible.slice(pool.length)];
    } catch (err) {
      const kind = fallbackKind(err);
      if (!kind) throw err;
      ctx.log.warn({ err: (err as Error).message }, 'the final ranking pass fell back to the batch scores');
      this.failures.push({ kind, what: 'final', ids: pool.map((c) => c.s.paper.id), message: (err as Error).message });
      return eligible;
    }
  }

  /** 4. Explore: the last `votes.explore` slots go to what the votes rate high and interests rate low. */
  explore(order: Candidate[]): Candidate[] {
    const { digest, ranked, learned } = this.run;
    const slots = exploreSlots(digest);
    return withExploration(order, digest.maxPapers, slots, (taken) =>
      explorations(ranked, learned, taken, slots).map(({ s, because }) => ({
        ...this.scoreOf(s),
        reason: 'exploration: like papers the team voted for',
        because,
      })),
    );
  }

  /** 5. Review each selected paper from its full text (a withdrawn one is said to be withdrawn, unpaid). */
  async review(picked: Candidate[]): Promise<SelectedPaper[]> {
    const writing = this.run.ctx.progress.task('Writing summaries', picked.length);
    try {
      return await Promise.all(
        picked.map(async (c) => {
          try {
            return await this.reviewOne(c);
          } finally {
            writing.tick();
          }
        }),
      );
    } finally {
      writing.done();
    }
  }

  /** Term statistics for the keywords of a paper that falls back to its abstract: computed only if one does. */
  private df: Map<string, number> | undefined;
  private keywordsOf(paper: Paper): string[] {
    const { ranked, digest } = this.run;
    this.df ??= documentFrequencies(ranked.map((s) => s.paper));
    return plainKeywords(paper, digest, this.df, ranked.length);
  }

  private async reviewOne(c: Candidate): Promise<SelectedPaper> {
    const { ctx, services } = this.run;
    // The text is being fetched meanwhile; the review itself is not paid for a paper arXiv says is withdrawn.
    const meta = await this.run.metadataOf(c.s.paper.id);
    const withdrawn = withdrawalOf(c.s.paper) ?? (meta ? withdrawalOf(meta) : undefined);
    if (withdrawn) return fromWithdrawn(c.s, c.score, c.reason, this.keywordsOf(c.s.paper), withdrawn);
    try {
      const answer = await askAboutPaper(
        this.llm,
        services.arxiv,
        c.s.paper,
        reviewRequest(c.s.paper, this.language),
        this.model,
        this.usage,
      );
      const source = answer.meta?.textSource;
      if (answer.meta?.provisional) this.provisional = true;
      return {
        ...c.s.paper,
        ...exploreMark(c.because),
        score: round(clamp01(c.score)),
        reason: c.reason,
        keywords: cleanKeywords(answer.value.keywords),
        tldr: renderPaperTldr(answer.value),
        summary: renderSummary(answer.value),
        critique: renderCritique(answer.value),
        ...(source === 'html' || source === 'pdf' || source === 'abstract' ? { textSource: source } : {}),
      };
    } catch (err) {
      const kind = fallbackKind(err);
      if (!kind) throw err;
      ctx.log.warn({ paper: c.s.paper.id, err: (err as Error).message }, 'review fell back to the abstract');
      this.failures.push({ kind, what: 'review', ids: [c.s.paper.id], message: (err as Error).message });
      return fromAbstract(c.s, c.score, c.reason, this.keywordsOf(c.s.paper), c.because);
    }
  }

  /** 6. The day's opening and TL;DR from the reviews (plain ones when the model's answer is unavailable). */
  async day(selected: SelectedPaper[]): Promise<Pick<Digest, 'intro' | 'tldr' | 'overview'>> {
    const { ctx, digest, date, ranked } = this.run;
    const plain = {
      intro: plainIntro({
        date,
        categories: digest.categories,
        total: ranked.length,
        selected: selected.length,
        how: 'the ranking',
      }),
      tldr: plainTldr(selected),
    };
    if (selected.length === 0) return plain;
    try {
      const answer = await this.llm.ask<DayAnswer>(this.dayRequest(selected), this.usage);
      return {
        intro: clean(answer.value.opening),
        tldr: renderTldr(answer.value, selected),
        overview: dayOverview(answer.value, selected),
      };
    } catch (err) {
      const kind = fallbackKind(err);
      if (!kind) throw err;
      ctx.log.warn({ err: (err as Error).message }, 'the day overview fell back to a plain paragraph');
      this.failures.push({ kind, what: 'day', ids: [], message: (err as Error).message });
      return plain;
    }
  }

  private dayRequest(selected: SelectedPaper[]) {
    const { digest, date } = this.run;
    return {
      prompt: 'day',
      model: this.model,
      schemaName: 'day_overview',
      schema: daySchema,
      key: {
        date,
        language: this.language,
        categories: digest.categories,
        papers: selected.map((p) => `${p.id}v${p.version}`),
        summaries: createHash('sha256')
          .update(selected.map((p) => p.summary).join('\n'))
          .digest('hex'),
      },
      input: {
        date,
        categories: digest.categories.join(', '),
        interests: digest.interests.trim(),
        count: String(selected.length),
        papers: formatDayPapers(selected),
        language: languageName(this.language),
      },
      maxTokens: DAY_MAX_TOKENS,
      check: (v: DayAnswer) =>
        v.themes.some((t) => t.papers.some((p) => selected.some((s) => s.id === answerId(p.id))))
          ? undefined
          : 'no theme names a selected paper',
    };
  }
}

/** Without an LLM: the first pass's order, followed authors first, with the exploration slots. */
export function withoutLlm(
  digest: DigestConfig,
  date: string,
  ranked: FirstPassScore[],
  learned: LearnedRanking | undefined,
): Built {
  // Followed authors first: the team asked for their papers, and without an LLM there is no better judge.
  const order = [...ranked.filter((s) => s.followed), ...ranked.filter((s) => !s.followed)].map((s) => ({ s }));
  const picked = withExploration(order, digest.maxPapers, exploreSlots(digest), (taken) =>
    explorations(ranked, learned, taken, exploreSlots(digest)),
  );
  const papers = ranked.map((s) => s.paper);
  const df = documentFrequencies(papers);
  const selected = picked.map(({ s, because }) =>
    fromAbstract(
      s,
      s.combined,
      because
        ? 'exploration: like papers the team voted for'
        : s.followed
          ? 'a followed author'
          : s.boost && s.boost > 0.05
            ? 'text similarity to the interests and to what the team voted for'
            : 'text similarity to the interests',
      plainKeywords(s.paper, digest, df, papers.length),
      because,
    ),
  );
  return {
    digest: {
      selected,
      intro: plainIntro({
        date,
        categories: digest.categories,
        total: ranked.length,
        selected: selected.length,
        how: 'text similarity',
      }),
      tldr: plainTldr(selected),
      usage: emptyUsage(),
      notices: [NO_LLM_NOTICE],
    },
    llmScores: new Map(),
    screened: new Map(),
    degraded: false,
  };
}

/** Fetches (and stores) the paper's text for its coming review, unless that review is already answered. */
async function prefetchText(
  llm: LlmClient,
  services: Services,
  paper: Paper,
  model: string,
  language: string,
): Promise<void> {
  const { language: _language, ...request } = reviewRequest(paper, language);
  if (await llm.lookup({ ...request, model })) return;
  await services.arxiv.fullText(paper, llm.config.fullTextTokens * 4);
}

/** One line per cause, saying what the reader gets instead. */
function noticesFor(failures: Failure[], budget: number): string[] {
  const notices: string[] = [];
  const describe = (list: typeof failures): string => {
    const parts: string[] = [];
    const screening = list.filter((f) => f.what === 'screening').flatMap((f) => f.ids);
    const ranking = list.filter((f) => f.what === 'ranking').flatMap((f) => f.ids);
    const reviews = list.filter((f) => f.what === 'review').flatMap((f) => f.ids);
    if (screening.length)
      parts.push(`${screening.length} titles were not screened (the first pass's order stood for them)`);
    if (ranking.length) parts.push(`${ranking.length} abstracts were ranked by text similarity only`);
    if (list.some((f) => f.what === 'final'))
      parts.push('the top candidates were picked by their batch scores, without the final comparison');
    if (reviews.length)
      parts.push(
        `${reviews.length === 1 ? `${reviews[0]} has` : `${reviews.join(', ')} have`} the abstract's first sentences as summary and no critique`,
      );
    if (list.some((f) => f.what === 'day')) parts.push('the opening paragraph and TL;DR are plain');
    return parts.join('; ');
  };
  const byKind = (kind: FallbackKind) => failures.filter((f) => f.kind === kind);
  if (byKind('budget').length) {
    notices.push(
      `The daily LLM token budget (llm.dailyTokenBudget: ${budget} tokens) was reached: ${describe(byKind('budget'))}.`,
    );
  }
  if (byKind('bad-answer').length) {
    // An endpoint that is no chat-completion API at all is named as such: retrying the answer will not help.
    const endpoint = byKind('bad-answer').find((f) => f.message?.startsWith('the endpoint at OPENAI_BASE_URL'));
    const why = endpoint?.message
      ? `${endpoint.message.replace(/ \(.*\)$/, '').replace(/^t/, 'T')}`
      : "The LLM's answers were unusable twice";
    notices.push(`${why}, so ${describe(byKind('bad-answer'))}.`);
  }
  if (byKind('rejected').length) {
    notices.push(`The LLM service refused some requests, so ${describe(byKind('rejected'))}.`);
  }
  return notices;
}
