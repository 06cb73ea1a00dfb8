/**
 * One digest for one announcement day: the day's listing → first-pass ranking (text similarity, keywords, followed
 * authors, learned boost) → with an LLM, a screening of every candidate's title and gist, the first pass's top and
 * the screening's best scored from their abstracts in batches, the top `maxPapers` above the threshold reviewed
 * from their full text, and the day's opening and TL;DR (the steps of a DigestRun, ./digest-run.ts); without one,
 * the text-similarity top with the abstracts' first sentences. Every degradation (budget reached, an unusable answer) falls back to the abstract and
 * says so in `notices`.
 *
 * Re-running a day is free: the built digest is stored in 'digests' under `${name}:${date}` and returned as is
 * (while it is complete and the config and prompts are unchanged: 'meta' `digest-build:${name}:${date}` says how it
 * was built), and even without it every LLM answer comes from the cache.
 */
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { recordKind } from '../store/records';
import { modelFor } from '../config/load';
import type { DigestConfig } from '../config/schema';
import type { AppContext } from '../context';
import type { LearnedRanking, PaperVectors, Services } from '../pipeline/services';
import { utcDay } from '../llm/budget';
import { ArxivDigestError, ErrorCode } from '../app/errors';
import type { Store } from '../store';
import { withLock } from '../store/lock';
import { disarmMentions } from '../app/text';
import {
  addUsage,
  DIGEST_SCHEMA,
  type Digest,
  emptyUsage,
  type LlmUsage,
  type Paper,
  type SelectedPaper,
} from '../app/types';
import { METADATA_PER_REQUEST, type OpenedDay } from '../arxiv/client';
import { withdrawalOf, withdrawnNotice } from '../arxiv/withdrawn';
import { type Built, DigestRun, withoutLlm } from './digest-run';
import { type FirstPassScore, firstPass, interestsText, shortlist } from './firstpass';
import { libraryFiles } from '../library/papers';
import { round } from './picks';
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
    /** Screening relevance in [0, 1], for papers the screening pass rated. */
    screen?: number;
    /** LLM relevance in [0, 1], for shortlisted papers when an LLM ranked them. */
    llmScore?: number;
    reason?: string;
    selected: boolean;
  }>;
}
/** The ranker's record of a day ('ranking', keys.ranking), declared once: ids and scores, older ones with texts. */
export const RANKING = recordKind<RankingRecord>(
  'ranking',
  z.looseObject({
    name: z.string(),
    date: z.string(),
    interests: z.string(),
    candidates: z.array(
      z.looseObject({
        id: z.string(),
        version: z.number(),
        title: z.string().optional(),
        abstract: z.string().optional(),
        firstPass: z.number(),
        boost: z.number().optional(),
        affinity: z.number().optional(),
        explore: z.boolean().optional(),
        screen: z.number().optional(),
        llmScore: z.number().optional(),
        reason: z.string().optional(),
        selected: z.boolean(),
      }),
    ),
  }),
);
export { NO_LLM_NOTICE } from './digest-run';

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

const BUILD_SCHEMA = z.looseObject({
  version: z.number(),
  fingerprint: z.string(),
  degraded: z.boolean(),
  fixed: z.boolean().optional(),
});
/**
 * The built digest of a day ('digests', keys.digest), declared once; earlier builds kept it wrapped with its cache
 * fingerprint (`{ digest }`), and both shapes read. Once fixed it is kept FIXED_TTL_MS (FIXED_DIGESTS).
 */
const DIGEST_RECORD = z.union([DIGEST_SCHEMA, z.looseObject({ digest: DIGEST_SCHEMA })]);
const DIGESTS = recordKind<Digest | { digest: Digest }>('digests', DIGEST_RECORD);
const FIXED_DIGESTS = recordKind<Digest | { digest: Digest }>('digests', DIGEST_RECORD, { ttlMs: FIXED_TTL_MS });

/** The built digest of a digest's day, whichever shape it was stored in; undefined when there is none. */
export async function readBuiltDigest(store: Store, name: string, date: string): Promise<Digest | undefined> {
  const raw = await DIGESTS.get(store, keys.digest(name, date));
  return raw && 'digest' in raw ? raw.digest : raw;
}

/** The build record ('meta', keys.digestBuild), declared once, with the namespace's TTL while not fixed... */
const BUILD = recordKind<BuildRecord>('meta', BUILD_SCHEMA);
/** ...and once fixed, kept as long as the fixed digest (FIXED_TTL_MS). */
const FIXED_BUILD = recordKind<BuildRecord>('meta', BUILD_SCHEMA, { ttlMs: FIXED_TTL_MS });

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
    // A reading list that changes (its files' bytes) rebuilds the day.
    ...(digest.library?.length ? { library: libraryFiles(digest).map((f) => f.hash) } : {}),
  };
  if (llm) {
    parts.model = modelFor(ctx.config, ctx.settings, digest);
    parts.rankModel = cfg.rankModel ?? parts.model;
    parts.ranking = [
      cfg.shortlist,
      cfg.batchSize,
      cfg.threshold,
      cfg.fullTextTokens,
      cfg.screenTokens,
      cfg.screenBatch,
    ];
    parts.language = digest.language;
    parts.prompts = await Promise.all(
      ['screen', 'rank', 'rank-final', 'review', 'day'].map(async (n) => (await llm.prompts.load(n)).hash),
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
  const build = await BUILD.get(ctx.store, keys.digestBuild(digest.name, date));
  if (!build) return undefined;
  if (!build.fixed && (build.version !== STORED_VERSION || build.fingerprint !== fingerprint || build.degraded))
    return undefined;
  const stored = await readBuiltDigest(ctx.store, digest.name, date);
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
  const day = await openListing(services, digest, opts.date);
  const listing = day.listing;
  const date = listing.date ?? opts.date ?? utcDay(ctx.clock.now());
  if (listing.empty || listing.papers.length === 0) {
    // A day that announced only replacements is still recorded: their new versions are announced in their threads.
    if (!listing.empty) await day.complete();
    return emptyDigest(digest, date);
  }
  if (!opts.date) {
    // The feed told the date: a day already built (or posted) is replayed without asking arXiv anything more.
    const stored = await replay(ctx, digest, date, fingerprint);
    if (stored) {
      await day.settled?.();
      return stored;
    }
  }
  const built = await buildDay({ ctx, services, digest, date, day });
  return storeBuilt(ctx, { digest, date, fingerprint, ...built });
}

/**
 * The listing as soon as the feed is read: ranking needs nothing more. The export API's metadata is fetched
 * alongside (complete()) and joined in before the digest is returned. While the feed is read, the LLM client loads
 * what its first call needs.
 */
async function openListing(services: Services, digest: DigestConfig, date: string | undefined): Promise<OpenedDay> {
  const warm = setImmediate(() => services.llm?.warmUp?.());
  try {
    // Eager: a day of more than one export API request sends its first while the feed is still read.
    return await services.arxiv.openDay(digest.categories, {
      ...(date ? { date } : {}),
      includeReplacements: digest.includeReplacements,
      eager: true,
    });
  } finally {
    clearImmediate(warm);
  }
}

function emptyDigest(digest: DigestConfig, date: string): Digest {
  return {
    name: digest.name,
    date,
    categories: digest.categories,
    totalPapers: 0,
    selected: [],
    intro: '',
    tldr: '',
    usage: emptyUsage(),
    notices: [],
    empty: true,
  };
}

/**
 * The day's metadata from the export API, started once, waited for by whoever needs it; a failure before anyone
 * waits does not count as unhandled.
 */
function metadataOfDay(day: OpenedDay, background: Array<Promise<unknown>>) {
  let metadata: Promise<Map<string, Paper>> | undefined;
  const start = (): Promise<Map<string, Paper>> => {
    if (!metadata) {
      metadata = day.complete().then((l) => new Map(l.papers.map((p) => [p.id, p])));
      metadata.catch(() => {});
      background.push(metadata);
    }
    return metadata;
  };
  // A review waits for its own paper's metadata (a withdrawal is said in its comments), not for the whole day's.
  const of = (id: string): Promise<Paper | undefined> => {
    const all = start();
    return day.metadataOf ? day.metadataOf(id) : all.then((m) => m.get(id));
  };
  return { start, of };
}

interface DayBuilt {
  result: Digest;
  record: RankingRecord;
  degraded: boolean;
}

/** The day ranked (first pass, then the LLM's steps or the first pass alone) and its digest assembled. */
async function buildDay(opts: {
  ctx: AppContext;
  services: Services;
  digest: DigestConfig;
  date: string;
  day: OpenedDay;
}): Promise<DayBuilt> {
  const { ctx, services, digest, date, day } = opts;
  const papers = day.listing.papers;
  // Nothing started for this digest outlives it, even when it fails: the prefetches and the metadata are waited for.
  const background: Array<Promise<unknown>> = [];
  const metadata = metadataOfDay(day, background);
  // A day that one export API request covers asks for it once the ranking has answered and the likely picks' pages
  // are asked for: reading and storing up to 2,000 entries then holds up neither the ranking call nor the first
  // page, and the answer is in long before the last page (they come 1 s apart). A larger day starts at once: its
  // requests, 3 s apart, are the day's slowest wait.
  if (papers.length > METADATA_PER_REQUEST || !services.llm) void metadata.start();
  const embedUsage = emptyUsage();
  const vectors = await embedDay(ctx, services, digest, papers, embedUsage);
  const learned = await learnedBoosts(ctx, services, digest, papers, vectors);
  const ranked = firstPass(papers, digest, learned?.boost, vectors);
  // The shortlist's metadata is asked for in the next export API request: the reviews need it, the rest can wait.
  const prioritize = (ids: string[]) => day.prioritize?.(ids);
  prioritize(shortlist(ranked, ctx.config.llm.shortlist).map((s) => s.paper.id));
  let built: Built;
  try {
    const setup = {
      ctx,
      services,
      digest,
      date,
      ranked,
      learned,
      metadataOf: metadata.of,
      background,
      picksFetching: () => void metadata.start(),
      prioritize,
    };
    built = services.llm ? await new DigestRun(setup, services.llm).build() : withoutLlm(digest, date, ranked, learned);
  } catch (err) {
    // A failing digest reports at once; its leftovers (a prefetch, the metadata) stop with their own retries.
    for (const b of background) b.catch(() => {});
    throw err;
  }
  await Promise.allSettled(background);
  addUsage(built.digest.usage, embedUsage);
  const full = await metadata.start();
  const result: Digest = {
    name: digest.name,
    date,
    categories: digest.categories,
    totalPapers: papers.length,
    ...built.digest,
    selected: built.digest.selected.map((p) => withMetadata(p, full.get(p.id))),
  };
  return { result, record: rankingRecord({ digest, date, ranked, learned, built, result }), degraded: built.degraded };
}

/** What the ranker saw, for learning: ids and scores of every candidate. */
function rankingRecord(opts: {
  digest: DigestConfig;
  date: string;
  ranked: FirstPassScore[];
  learned: LearnedRanking | undefined;
  built: Built;
  result: Digest;
}): RankingRecord {
  const { digest, date, ranked, learned, built, result } = opts;
  const selected = new Map(result.selected.map((p) => [p.id, p]));
  return {
    name: digest.name,
    date,
    interests: digest.interests,
    candidates: ranked.map((s) => {
      const llm = built.llmScores.get(s.paper.id);
      const screened = built.screened.get(s.paper.id);
      return {
        id: s.paper.id,
        version: s.paper.version,
        firstPass: round(s.firstPass),
        ...(s.boost !== undefined ? { boost: round(s.boost) } : {}),
        ...(learned?.affinity?.has(s.paper.id) ? { affinity: round(learned.affinity.get(s.paper.id) ?? 0) } : {}),
        ...(selected.get(s.paper.id)?.explore ? { explore: true } : {}),
        ...(screened !== undefined ? { screen: screened } : {}),
        ...(llm ? { llmScore: llm.relevance, reason: llm.reason } : {}),
        selected: selected.has(s.paper.id),
      };
    }),
  };
}

/**
 * The built day stored: its ranking record, the digest as built (the tally reads what was shown), and how it was
 * built. A digest that fell back somewhere (budget, unusable answer) is not replayed: a re-run retries what failed
 * and pays nothing for what succeeded (answers are cached). Another run fixed (started posting) this day while
 * this one was building: that digest stays the day's.
 */
async function storeBuilt(
  ctx: AppContext,
  opts: { digest: DigestConfig; date: string; fingerprint: string } & DayBuilt,
): Promise<Digest> {
  const { digest, date, fingerprint, result, record, degraded } = opts;
  const fixed = await fixedDigest(ctx.store, digest.name, date);
  if (fixed) return fixed;
  await RANKING.set(ctx.store, keys.ranking(digest.name, date), record);
  await DIGESTS.set(ctx.store, keys.digest(digest.name, date), result);
  await BUILD.set(ctx.store, keys.digestBuild(digest.name, date), {
    version: STORED_VERSION,
    fingerprint,
    degraded,
  });
  return result;
}

/** The day's digest once it is fixed (its posting started), else undefined. */
export async function fixedDigest(store: Store, name: string, date: string): Promise<Digest | undefined> {
  const build = await BUILD.get(store, keys.digestBuild(name, date));
  if (!build?.fixed) return undefined;
  return readBuiltDigest(store, name, date);
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
      const build = await BUILD.get(store, buildKey);
      await FIXED_DIGESTS.set(store, key, built);
      await FIXED_BUILD.set(store, buildKey, {
        version: STORED_VERSION,
        fingerprint: build?.fingerprint ?? '',
        degraded: build?.degraded ?? false,
        fixed: true,
      });
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
