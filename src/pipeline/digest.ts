/**
 * One digest for one announcement day: the day's listing → first-pass ranking (text similarity, keywords, followed
 * authors, learned boost) → with an LLM, the shortlist scored in batches, the top `maxPapers` above the threshold
 * reviewed from their full text, and the day's opening and TL;DR; without one, the text-similarity top with the
 * abstracts' first sentences. Every degradation (budget reached, an unusable answer) falls back to the abstract and
 * says so in `notices`.
 *
 * Re-running a day is free: the built digest is stored in 'digests' under `${name}:${date}` and returned as is
 * (while it is complete and the config and prompts are unchanged: 'meta' `digest-build:${name}:${date}` says how it
 * was built), and even without it every LLM answer comes from the cache.
 */
import { createHash, randomUUID } from 'node:crypto';
import { modelFor } from '../config/load';
import { languageName } from '../config/language';
import type { DigestConfig } from '../config/schema';
import type { AppContext } from '../context';
import type { LearnedRanking, PaperVectors, Services } from '../pipeline/services';
import { utcDay } from '../llm/budget';
import { ArxivDigestError, BudgetExceededError, ErrorCode, LlmBadAnswerError, LlmRequestError } from '../app/errors';
import type { LlmClient } from '../llm/client';
import type { Store } from '../store';
import { withLock } from '../store/lock';
import { disarmMentions } from '../app/text';
import { addUsage, type Digest, emptyUsage, type LlmUsage, type Paper, type SelectedPaper } from '../app/types';
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
import { type FirstPassScore, firstPass, interestsText, shortlist } from './firstpass';
import { answerId } from './ids';
import { type LlmScore, llmListwise, llmRank } from './rank';
import {
  askAboutPaper,
  clean,
  cleanKeywords,
  renderCritique,
  renderPaperTldr,
  renderSummary,
  reviewRequest,
} from './review';
import { METADATA_PER_REQUEST } from '../arxiv/client';
import { withdrawalOf, withdrawnNotice } from '../arxiv/withdrawn';
import { documentFrequencies, leadingSentences, topTerms } from './text';
import { keys, locks } from '../store/keys';

/**
 * What the ranker saw, kept per digest and day (store namespace 'ranking', key `${name}:${date}`) for learning: ids
 * and scores only, the texts are read from the `papers` store (the tally reads them there).
 */
export interface RankingRecord {
  name: string;
  date: string;
  interests: string;
  candidates: Array<{
    id: string;
    version: number;
    /**
     * Written before the texts were left out of the record (the tally now reads them from the stored papers): a
     * 5,000-paper day's titles and abstracts made this record's write the day's memory peak.
     */
    title?: string;
    abstract?: string;
    /** First-pass text-similarity score, normalized to [0, 1]. */
    firstPass: number;
    /** Learned boost that was added, if any. */
    boost?: number;
    /** The vote profile's affinity for the paper (a z-score among the day's candidates), if any. */
    affinity?: number;
    /** Picked for the exploration slot. */
    explore?: boolean;
    /** LLM relevance in [0, 1], for shortlisted papers when an LLM ranked them. */
    llmScore?: number;
    reason?: string;
    selected: boolean;
  }>;
}

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
/** Exploration: the profile rates the paper at least this many standard deviations above the day's average… */
const EXPLORE_MIN_AFFINITY = 1.5;
/** …while `interests` rate it at most this (the first pass's text score, 1 = the day's best match). */
const EXPLORE_MAX_INTEREST = 0.5;
/** Format version of stored digests: a change rebuilds instead of replaying an old shape. */
const STORED_VERSION = 2;

/** How a stored digest was built ('meta' namespace): replayed only when complete and built the same way. */
interface BuildRecord {
  version: number;
  fingerprint: string;
  degraded: boolean;
  /**
   * Set when the digest's first message was about to be posted: from then on it is the day's digest, replayed as
   * stored by every resume and for every channel, whatever the config, the prompts or the LLM say later.
   */
  fixed?: boolean;
}

/** How long a fixed digest is kept: as long as the records of its posts (src/store defaultTtlMs 'posts'). */
const FIXED_TTL_MS = 180 * 86_400_000;

/**
 * What the stored digest depends on: the digest's config, the LLM settings and models, and the prompt files. A
 * change to any of them rebuilds the day (cheaply: unchanged answers still come from the cache).
 */
async function fingerprintOf(ctx: AppContext, services: Services, digest: DigestConfig): Promise<string> {
  const llm = services.llm;
  const cfg = ctx.config.llm;
  const parts: Record<string, unknown> = {
    v: STORED_VERSION,
    categories: digest.categories,
    interests: digest.interests,
    maxPapers: digest.maxPapers,
    keywords: digest.keywords,
    authors: digest.authors,
    includeReplacements: digest.includeReplacements,
    explore: digest.votes.explore,
    llm: !!llm,
    embeddings: services.embedder?.model ?? null,
  };
  if (llm) {
    parts.model = modelFor(ctx.config, ctx.settings, digest);
    parts.rankModel = cfg.rankModel ?? parts.model;
    parts.ranking = [cfg.shortlist, cfg.batchSize, cfg.threshold, cfg.fullTextTokens];
    parts.language = digest.language;
    parts.prompts = await Promise.all(
      ['rank', 'rank-final', 'review', 'day'].map(async (n) => (await llm.prompts.load(n)).hash),
    );
  }
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

/** A stored digest, replayed: no call was made, every answer it holds counts as cached. */
async function replay(
  ctx: AppContext,
  digest: DigestConfig,
  date: string,
  fingerprint: string,
): Promise<Digest | undefined> {
  const key = keys.digest(digest.name, date);
  const build = await ctx.store.get<BuildRecord>('meta', keys.digestBuild(digest.name, date));
  if (!build) return undefined;
  if (!build.fixed && (build.version !== STORED_VERSION || build.fingerprint !== fingerprint || build.degraded))
    return undefined;
  const stored = await ctx.store.get<Digest>('digests', key);
  if (!stored) return undefined;
  ctx.log.info(
    { digest: key },
    build.fixed
      ? 'digest of this day already posted (fixed): the posted digest is replayed, not rebuilt'
      : 'digest already built for this day: stored copy returned',
  );
  const { usage } = stored;
  return {
    ...stored,
    usage: { llmCalls: 0, promptTokens: 0, completionTokens: 0, cachedCalls: usage.llmCalls + usage.cachedCalls },
  };
}

export async function buildDigest(
  ctx: AppContext,
  services: Services,
  digest: DigestConfig,
  opts: { date?: string } = {},
): Promise<Digest> {
  const fingerprint = await fingerprintOf(ctx, services, digest);
  if (opts.date) {
    const stored = await replay(ctx, digest, opts.date, fingerprint);
    if (stored) return stored;
  }
  // The listing as soon as the feed is read: ranking needs nothing more. The export API's metadata is fetched
  // alongside (complete()) and joined in before the digest is returned.
  // While the feed is read, the LLM client loads what its first call needs.
  const warm = setImmediate(() => services.llm?.warmUp?.());
  // Eager: a day of more than one export API request sends its first while the feed is still read.
  const day = await services.arxiv.openDay(digest.categories, {
    ...(opts.date ? { date: opts.date } : {}),
    includeReplacements: digest.includeReplacements,
    eager: true,
  });
  clearImmediate(warm);
  const listing = day.listing;

  const date = listing.date ?? opts.date ?? utcDay(ctx.clock.now());
  const base = { name: digest.name, date, categories: digest.categories };
  if (listing.empty || listing.papers.length === 0) {
    // A day that announced only replacements is still recorded: their new versions are announced in their threads.
    if (!listing.empty) await day.complete();
    return {
      ...base,
      totalPapers: 0,
      selected: [],
      intro: '',
      tldr: '',
      usage: emptyUsage(),
      notices: [],
      empty: true,
    };
  }
  if (!opts.date) {
    // The feed told the date: a day already built (or posted) is replayed without asking arXiv anything more.
    const stored = await replay(ctx, digest, date, fingerprint);
    if (stored) {
      await day.settled?.();
      return stored;
    }
  }
  // Nothing started for this digest outlives it, even when it fails: the prefetches and the metadata are waited for.
  const background: Array<Promise<unknown>> = [];
  let metadata: Promise<Map<string, Paper>> | undefined;
  const startMetadata = (): Promise<Map<string, Paper>> => {
    if (!metadata) {
      metadata = day.complete().then((l) => new Map(l.papers.map((p) => [p.id, p])));
      // Awaited below; until then a failure must not count as unhandled.
      metadata.catch(() => {});
      background.push(metadata);
    }
    return metadata;
  };
  // A day that one export API request covers asks for it once the ranking has answered and the likely picks' pages
  // are asked for (below): reading and storing up to 2,000 entries then holds up neither the ranking call nor the
  // first page, and the answer is in long before the last page (they come 1 s apart). A larger day starts at once:
  // its requests, 3 s apart, are the day's slowest wait.
  if (listing.papers.length > METADATA_PER_REQUEST || !services.llm) startMetadata();
  // A review waits for its own paper's metadata (a withdrawal is said in its comments), not for the whole day's.
  const metadataOf = (id: string): Promise<Paper | undefined> => {
    const all = startMetadata();
    return day.metadataOf ? day.metadataOf(id) : all.then((m) => m.get(id));
  };

  const papers = listing.papers;
  const embedUsage = emptyUsage();
  const vectors = await embedDay(ctx, services, digest, papers, embedUsage);

  const learned = await learnedBoosts(ctx, services, digest, papers, vectors);

  const ranked = firstPass(papers, digest, learned?.boost, vectors);
  // The shortlist's metadata is asked for in the next export API request: the reviews need it, the rest can wait.
  day.prioritize?.(shortlist(ranked, ctx.config.llm.shortlist).map((s) => s.paper.id));

  let built: Built;
  try {
    built = services.llm
      ? await withLlm(ctx, services, services.llm, digest, date, ranked, learned, metadataOf, background, () => {
          void startMetadata();
        })
      : withoutLlm(digest, date, ranked, learned);
  } catch (err) {
    // A failing digest reports at once; its leftovers (a prefetch, the metadata) stop with their own retries.
    for (const b of background) b.catch(() => {});
    throw err;
  }
  await Promise.allSettled(background);

  addUsage(built.digest.usage, embedUsage);
  const full = await startMetadata();
  const result: Digest = {
    ...base,
    totalPapers: papers.length,
    ...built.digest,
    selected: built.digest.selected.map((p) => withMetadata(p, full.get(p.id))),
  };

  const record: RankingRecord = {
    name: digest.name,
    date,
    interests: digest.interests,
    candidates: ranked.map((s) => {
      const llm = built.llmScores.get(s.paper.id);
      return {
        id: s.paper.id,
        version: s.paper.version,
        firstPass: round(s.firstPass),
        ...(s.boost !== undefined ? { boost: round(s.boost) } : {}),
        ...(learned?.affinity?.has(s.paper.id) ? { affinity: round(learned.affinity.get(s.paper.id) ?? 0) } : {}),
        ...(result.selected.some((p) => p.id === s.paper.id && p.explore) ? { explore: true } : {}),
        ...(llm ? { llmScore: llm.relevance, reason: llm.reason } : {}),
        selected: result.selected.some((p) => p.id === s.paper.id),
      };
    }),
  };
  // Another run fixed (started posting) this day while this one was building: that digest stays the day's.
  const fixed = await fixedDigest(ctx.store, digest.name, date);
  if (fixed) return fixed;
  await ctx.store.set('ranking', keys.ranking(digest.name, date), record);
  // Stored as built (the tally reads what was shown), but a digest that fell back somewhere (budget, unusable
  // answer) is not replayed: a re-run retries what failed and pays nothing for what succeeded (answers are cached).
  await ctx.store.set<Digest>('digests', keys.digest(digest.name, date), result);
  await ctx.store.set<BuildRecord>('meta', keys.digestBuild(digest.name, date), {
    version: STORED_VERSION,
    fingerprint,
    degraded: built.degraded,
  });
  return result;
}

/** The day's digest once it is fixed (its posting started), else undefined. */
export async function fixedDigest(store: Store, name: string, date: string): Promise<Digest | undefined> {
  const build = await store.get<BuildRecord>('meta', keys.digestBuild(name, date));
  if (!build?.fixed) return undefined;
  return store.get<Digest>('digests', keys.digest(name, date));
}

/**
 * Fixes `built` as the day's digest before its first message is posted, and returns the day's fixed digest: the
 * one fixed earlier when there is one (a resume posts exactly what the first run started posting, on every
 * platform), else `built`. Degraded or not, once posted it is the digest of that day.
 */
export async function fixDigest(store: Store, built: Digest): Promise<Digest> {
  const key = keys.digest(built.name, built.date);
  const buildKey = keys.digestBuild(built.name, built.date);
  const owner = `fix:${process.pid}:${randomUUID()}`;
  for (let waited = 0; ; waited += 100) {
    const got = await withLock(store, locks.fix(built.name, built.date), owner, 30_000, async () => {
      const earlier = await fixedDigest(store, built.name, built.date);
      // The usage stays this run's own (a replay spent nothing).
      if (earlier) return { ...earlier, usage: built.usage };
      const build = await store.get<BuildRecord>('meta', buildKey);
      await store.set<Digest>('digests', key, built, FIXED_TTL_MS);
      await store.set<BuildRecord>(
        'meta',
        buildKey,
        {
          version: STORED_VERSION,
          fingerprint: build?.fingerprint ?? '',
          degraded: build?.degraded ?? false,
          fixed: true,
        },
        FIXED_TTL_MS,
      );
      return built;
    });
    if (got.held) return got.value;
    if (waited > 60_000)
      throw new ArxivDigestError(
        ErrorCode.LockBusy,
        `another process has held the lock ${locks.fix(built.name, built.date)} for over a minute`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The day's papers and the digest's interests embedded (cached per paper version and model), when an embeddings
 * model is configured. A failing embeddings endpoint costs the digest its embeddings, not its day.
 */
async function embedDay(
  ctx: AppContext,
  services: Services,
  digest: DigestConfig,
  papers: Paper[],
  usage: LlmUsage,
): Promise<PaperVectors | undefined> {
  const embedder = services.embedder;
  if (!embedder) return undefined;
  const task = ctx.progress.task('Embedding papers', 1);
  try {
    const of = await embedder.embedPapers(papers, usage);
    const interests = await embedder.embedText(interestsText(digest), usage);
    return { model: embedder.model, of, interests };
  } catch (err) {
    ctx.log.warn({ err: (err as Error).message, digest: digest.name }, 'embeddings unavailable: ranking by words');
    return undefined;
  } finally {
    task.tick();
    task.done();
  }
}

/**
 * A selected paper with the export API's metadata joined in (comments, journal ref, primary category, dates, the
 * API's title, authors and abstract); the version stays the one the listing announced and the review read. A paper
 * the metadata shows withdrawn (its comments say so) is said to be withdrawn, whatever its review said.
 */
function withMetadata(p: SelectedPaper, meta: Paper | undefined): SelectedPaper {
  if (!meta) return p;
  const { announceType, version: _version, ...fields } = meta;
  const joined: SelectedPaper = { ...p, ...fields, ...(announceType ? { announceType } : {}), version: p.version };
  const withdrawn = p.withdrawn ? undefined : withdrawalOf(joined);
  if (!withdrawn) return joined;
  const notice = disarmMentions(withdrawnNotice(joined, withdrawn));
  const { tldr: _tldr, ...rest } = joined;
  return {
    ...rest,
    tldr: notice.replace(/\*\*/g, ''),
    summary: notice,
    critique: '',
    withdrawn: true,
    textSource: 'abstract',
  };
}

async function learnedBoosts(
  ctx: AppContext,
  services: Services,
  digest: DigestConfig,
  papers: Paper[],
  vectors: PaperVectors | undefined,
): Promise<LearnedRanking | undefined> {
  if (!services.boost) return undefined;
  try {
    const got = await services.boost(digest, papers, vectors);
    return got instanceof Map ? { boost: got } : got;
  } catch (err) {
    // Learning is an improvement, not a requirement: the digest goes out on text similarity alone.
    ctx.log.warn({ err: (err as Error).message, digest: digest.name }, 'learned ranking boost unavailable');
    return undefined;
  }
}

interface Built {
  digest: Pick<Digest, 'selected' | 'intro' | 'tldr' | 'overview' | 'usage' | 'notices'>;
  llmScores: Map<string, LlmScore>;
  degraded: boolean;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/** Keywords without an LLM: the configured keywords the paper mentions, then its most distinctive terms. */
function plainKeywords(paper: Paper, digest: DigestConfig, df: Map<string, number>, total: number): string[] {
  const text = `${paper.title} ${paper.abstract}`.toLowerCase();
  const configured = digest.keywords.filter((k) => text.includes(k.trim().toLowerCase()));
  const terms = topTerms(paper, df, total, 5).filter((t) => !configured.some((k) => k.toLowerCase() === t));
  return cleanKeywords([...configured, ...terms]).slice(0, 6);
}

type Because = Array<Pick<Paper, 'id' | 'title'>>;

/** The exploration mark of a selected paper. */
function exploreMark(because: Because | undefined): Pick<SelectedPaper, 'explore'> {
  return because ? { explore: { because } } : {};
}

/** Exploration slots of a digest: `votes.explore`, never the whole digest. */
function exploreSlots(digest: DigestConfig): number {
  return Math.max(0, Math.min(digest.votes.explore, digest.maxPapers - 1));
}

/**
 * Up to `slots` papers outside `taken` that the vote profile rates high (affinity ≥ EXPLORE_MIN_AFFINITY) while
 * `interests` rate them low (text score ≤ EXPLORE_MAX_INTEREST), the profile's favourite first, each with the
 * voted-for papers it resembles.
 */
function explorations(
  ranked: FirstPassScore[],
  learned: LearnedRanking | undefined,
  taken: Set<string>,
  slots: number,
): Array<{ s: FirstPassScore; because: Because }> {
  const affinity = learned?.affinity;
  // Only once the votes show a pattern (λ > 0: they agreed with the profile on some day); stray votes explore nothing.
  if (!slots || !affinity?.size || !(learned?.weight ?? 0)) return [];
  const of = (s: FirstPassScore) => affinity.get(s.paper.id) ?? 0;
  return ranked
    .filter((s) => !taken.has(s.paper.id) && s.firstPass <= EXPLORE_MAX_INTEREST && of(s) >= EXPLORE_MIN_AFFINITY)
    .sort((a, b) => of(b) - of(a))
    .slice(0, slots)
    .map((s) => ({ s, because: learned?.because?.(s.paper) ?? [] }));
}

/** The first `max` of `order`, with the last `slots` of them given to explorations when there are any. */
function withExploration<T extends { s: FirstPassScore }>(
  order: T[],
  max: number,
  slots: number,
  explore: (taken: Set<string>) => Array<T & { because: Because }>,
): Array<T & { because?: Because }> {
  const head = order.slice(0, max - slots);
  const explored = explore(new Set(head.map((c) => c.s.paper.id)));
  const exploredIds = new Set(explored.map((c) => c.s.paper.id));
  const fill = order.slice(head.length).filter((c) => !exploredIds.has(c.s.paper.id));
  return [...head, ...fill.slice(0, max - head.length - explored.length), ...explored];
}

/** A selected paper built from its abstract alone: no LLM, or the LLM's answer was unavailable. */
function fromAbstract(
  s: FirstPassScore,
  score: number,
  reason: string,
  keywords: string[],
  because?: Because,
): SelectedPaper {
  const withdrawn = withdrawalOf(s.paper);
  if (withdrawn) return { ...fromWithdrawn(s, score, reason, keywords, withdrawn), ...exploreMark(because) };
  return {
    ...s.paper,
    ...exploreMark(because),
    score: round(clamp01(score)),
    reason,
    keywords,
    summary: disarmMentions(leadingSentences(s.paper.abstract)),
    critique: '',
    textSource: 'abstract',
  };
}

/** A withdrawn paper: said to be withdrawn, in its TL;DR and summary; no critique of the retracted text. */
function fromWithdrawn(
  s: FirstPassScore,
  score: number,
  reason: string,
  keywords: string[],
  withdrawn: string,
): SelectedPaper {
  const notice = disarmMentions(withdrawnNotice(s.paper, withdrawn));
  return {
    ...s.paper,
    score: round(clamp01(score)),
    reason,
    keywords,
    tldr: notice.replace(/\*\*/g, ''),
    summary: notice,
    critique: '',
    withdrawn: true,
    textSource: 'abstract',
  };
}

function withoutLlm(
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
    degraded: false,
  };
}

type FallbackKind = 'budget' | 'bad-answer' | 'rejected';

interface Failure {
  kind: FallbackKind;
  what: 'ranking' | 'final' | 'review' | 'day';
  ids: string[];
  message?: string;
}

/** The errors a single item falls back on; anything else (the LLM unreachable after retries) fails the digest. */
function fallbackKind(err: unknown): FallbackKind | undefined {
  if (err instanceof BudgetExceededError) return 'budget';
  if (err instanceof LlmBadAnswerError) return 'bad-answer';
  if (err instanceof LlmRequestError && err.rejected) return 'rejected';
  return undefined;
}

async function withLlm(
  ctx: AppContext,
  services: Services,
  llm: LlmClient,
  digest: DigestConfig,
  date: string,
  ranked: FirstPassScore[],
  learned: LearnedRanking | undefined,
  /** A paper's export API metadata: a review waits for its paper's (a withdrawal is said in its comments). */
  metadataOf: (id: string) => Promise<Paper | undefined> = async () => undefined,
  /** Work started here that may outlive a failure (the prefetches): the caller waits for it before returning. */
  background: Array<Promise<unknown>> = [],
  /** Called once the likely picks' pages are being fetched. */
  picksFetching: () => void = () => {},
): Promise<Built> {
  const cfg = ctx.config.llm;
  const model = modelFor(ctx.config, ctx.settings, digest);
  const rankModel = cfg.rankModel ?? model;
  const usage: LlmUsage = emptyUsage();
  const failures: Failure[] = [];
  const language = digest.language;

  // 1. Rank: the first pass narrows the day, the LLM scores the shortlist.
  const candidates = shortlist(ranked, cfg.shortlist);

  const interests = digest.keywords.length
    ? `${digest.interests.trim()} Keywords: ${digest.keywords.join(', ')}.`
    : digest.interests.trim();
  const rank = await llmRank(
    ctx,
    llm,
    { interests, model: rankModel, batchSize: cfg.batchSize, language },
    candidates,
    usage,
  );
  for (const f of rank.failures) failures.push({ kind: f.kind, what: 'ranking', ids: f.ids, message: f.message });

  // 2. Select: LLM relevance (and novelty) where the LLM answered, the first-pass score where it did not, plus the
  // vote profile's boost.
  const scoreOf = (s: FirstPassScore) => {
    const vote = VOTE_WEIGHT * (s.boost ?? 0);
    const llmScore = rank.scores.get(s.paper.id);
    if (!llmScore)
      return { s, score: s.firstPass + vote, vote, relevance: s.firstPass, reason: 'first-pass text similarity' };
    const score = (1 - NOVELTY_WEIGHT) * llmScore.relevance + NOVELTY_WEIGHT * llmScore.novelty + vote;
    return { s, score, vote, relevance: llmScore.relevance, reason: clean(llmScore.reason) };
  };
  const eligible = candidates
    .map(scoreOf)
    .filter((c) => c.relevance + Math.max(0, c.vote) >= cfg.threshold)
    .sort((a, b) => b.score - a.score || b.s.combined - a.s.combined);
  // The likely picks' full texts are fetched now, while the final pass (and the metadata) is awaited: a review
  // starts as soon as its text is there. Only for reviews not already answered (a cached one needs no text).
  for (const c of eligible.slice(0, digest.maxPapers)) {
    if (withdrawalOf(c.s.paper)) continue;
    background.push(
      prefetchText(llm, services, c.s.paper, model, language).catch((err: unknown) => {
        ctx.log.debug({ paper: c.s.paper.id, err: (err as Error).message }, 'full-text prefetch failed');
      }),
    );
  }
  picksFetching();
  // 2b. The final listwise pass: the best 2×maxPapers ordered against each other in one call, so the pick does not
  // hang on which batch a paper was scored in. Skipped when the pick is already decided (no more than maxPapers).
  let order = eligible;
  const pool = eligible.slice(0, 2 * digest.maxPapers);
  if (pool.length > digest.maxPapers) {
    try {
      const final = await llmListwise(
        llm,
        { interests, model: rankModel, language },
        pool.map((c) => c.s),
        usage,
      );
      // The pool's scores (without the vote boost) are dealt again in the listwise order, then each paper's vote
      // boost is added back: the final order is the model's, and what the team keeps voting for still counts.
      const byId = new Map(pool.map((c) => [c.s.paper.id, c]));
      const bases = pool.map((c) => c.score - c.vote).sort((a, b) => b - a);
      const listed = final.order.map((id) => byId.get(id)).filter((c): c is (typeof pool)[number] => !!c);
      const reordered = [...listed, ...pool.filter((c) => !listed.includes(c))]
        .map((c, k) => ({ c: { ...c, score: (bases[k] ?? 0) + c.vote }, k }))
        .sort((a, b) => b.c.score - a.c.score || a.k - b.k)
        .map(({ c }) => c);
      order = [...reordered, ...eligible.slice(pool.length)];
    } catch (err) {
      const kind = fallbackKind(err);
      if (!kind) throw err;
      ctx.log.warn({ err: (err as Error).message }, 'the final ranking pass fell back to the batch scores');
      failures.push({ kind, what: 'final', ids: pool.map((c) => c.s.paper.id), message: (err as Error).message });
    }
  }
  // 2c. The last `votes.explore` slots go to what the votes rate high and interests rate low.
  const slots = exploreSlots(digest);
  const picked = withExploration(order, digest.maxPapers, slots, (taken) =>
    explorations(ranked, learned, taken, slots).map(({ s, because }) => ({
      ...scoreOf(s),
      reason: 'exploration: like papers the team voted for',
      because,
    })),
  );

  // 3. Review each selected paper from its full text.
  // Term statistics for the keywords of a paper that falls back to its abstract: computed only if one does.
  let df: Map<string, number> | undefined;
  const dayFrequencies = () => {
    df ??= documentFrequencies(ranked.map((s) => s.paper));
    return df;
  };
  const writing = ctx.progress.task('Writing summaries', picked.length);
  // A review written from a stand-in text (arXiv's HTML/PDF failed just now) makes the stored digest not replayed.
  let provisional = false;
  const selected = await Promise.all(
    picked.map(async (c): Promise<SelectedPaper> => {
      // The text is being fetched meanwhile; the review itself is not paid for a paper arXiv says is withdrawn.
      const meta = await metadataOf(c.s.paper.id);
      const withdrawn = withdrawalOf(c.s.paper) ?? (meta ? withdrawalOf(meta) : undefined);
      if (withdrawn) {
        writing.tick();
        return fromWithdrawn(
          c.s,
          c.score,
          c.reason,
          plainKeywords(c.s.paper, digest, dayFrequencies(), ranked.length),
          withdrawn,
        );
      }
      try {
        const answer = await askAboutPaper(
          llm,
          services.arxiv,
          c.s.paper,
          reviewRequest(c.s.paper, language),
          model,
          usage,
        );
        const source = answer.meta?.textSource;
        if (answer.meta?.provisional) provisional = true;
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
        failures.push({ kind, what: 'review', ids: [c.s.paper.id], message: (err as Error).message });
        return fromAbstract(
          c.s,
          c.score,
          c.reason,
          plainKeywords(c.s.paper, digest, dayFrequencies(), ranked.length),
          c.because,
        );
      } finally {
        writing.tick();
      }
    }),
  );
  writing.done();

  // 4. The day's opening and TL;DR from the reviews.
  let intro = plainIntro({
    date,
    categories: digest.categories,
    total: ranked.length,
    selected: selected.length,
    how: 'the ranking',
  });
  let tldr = plainTldr(selected);
  let overview: Digest['overview'];
  if (selected.length > 0) {
    try {
      const answer = await llm.ask<DayAnswer>(
        {
          prompt: 'day',
          model,
          schemaName: 'day_overview',
          schema: daySchema,
          key: {
            date,
            language,
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
            language: languageName(language),
          },
          maxTokens: DAY_MAX_TOKENS,
          check: (v) =>
            v.themes.some((t) => t.papers.some((p) => selected.some((s) => s.id === answerId(p.id))))
              ? undefined
              : 'no theme names a selected paper',
        },
        usage,
      );
      intro = clean(answer.value.opening);
      tldr = renderTldr(answer.value, selected);
      overview = dayOverview(answer.value, selected);
    } catch (err) {
      const kind = fallbackKind(err);
      if (!kind) throw err;
      ctx.log.warn({ err: (err as Error).message }, 'the day overview fell back to a plain paragraph');
      failures.push({ kind, what: 'day', ids: [], message: (err as Error).message });
    }
  }

  return {
    digest: {
      selected,
      intro,
      tldr,
      ...(overview ? { overview } : {}),
      usage,
      notices: noticesFor(failures, cfg.dailyTokenBudget),
    },
    llmScores: rank.scores,
    degraded: failures.length > 0 || provisional,
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
    const ranking = list.filter((f) => f.what === 'ranking').flatMap((f) => f.ids);
    const reviews = list.filter((f) => f.what === 'review').flatMap((f) => f.ids);
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
