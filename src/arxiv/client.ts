/**
 * The arXiv client: a day's listing from the RSS feed (one request for all categories), metadata from the export
 * API (batched `id_list`, at least 3 s apart, one request at a time, as arXiv's terms ask), past days from the store
 * or the API's submission window, and full text (HTML → PDF → abstract). Every request goes through HttpClient
 * (retries with backoff on 429/5xx/network errors, Retry-After honoured, HttpError after the retries); the clock is
 * injected so tests never wait. Papers are stored by id (newest version wins), so re-running is harmless.
 */
import type { AppContext, Clock, Endpoints } from '../context';
import { ArxivDigestError, ErrorCode, HttpError, PaperNotFoundError, UserInputError } from '../app/errors';
import { HttpClient } from '../http/client';
import type { Logger } from '../app/log';
import type { Store } from '../store';
import { type TurnLimiter, openLimiter, turnGate } from './limiter';
import { type AnnounceType, type Paper, PAPER_SCHEMA } from '../app/types';
import { z } from 'zod';
import { recordKind } from '../store/records';
import { type AtomFeed, AtomParser } from './atom';
import { singleFlight } from '../store/flight';
import { type FullText, binarySafeFetch, fetchFullText, storedFullText } from './fulltext';
import { type ArxivId, parseArxivId } from './ids';
import { type RssFeed, type RssItem, RssParser } from './rss';
import { localDate } from '../app/time';
import { formatDay, isWeekend, parseDay, submissionWindow, submittedDateClause } from './window';
import { keys, locks } from '../store/keys';

export type { FullText } from './fulltext';

export interface DayListing {
  /** Announcement day YYYY-MM-DD; undefined when the feed was empty and carried no date. */
  date: string | undefined;
  categories: string[];
  /** The day's papers (new + cross-lists, replacements only when asked), each once, with export-API metadata. */
  papers: Paper[];
  /** True on a day without announcements (weekend, holiday). */
  empty: boolean;
  source: 'rss' | 'store' | 'api';
}

export interface ArxivClientOptions {
  /** Minimum ms between export API requests (arXiv's terms: 3000). */
  minIntervalMs?: number;
  retries?: number;
  backoffMs?: number;
  /** Ids per id_list request. */
  batchSize?: number;
  /** Results per page of a submission-window search (default 200). */
  pageSize?: number;
  /** Minimum ms between requests to arxiv.org's HTML/PDF pages (default 1000). */
  webMinIntervalMs?: number;
  /** Minimum ms between RSS feed requests (default: webMinIntervalMs). */
  feedMinIntervalMs?: number;
  /** The turns shared by every instance (src/arxiv/limiter.ts); without it the spacing is this process's. */
  limiter?: TurnLimiter;
  /** Per-request timeout (default 30 s; PDFs can be large). */
  timeoutMs?: number;
  userAgent?: string;
}

export interface ArxivDeps {
  endpoints: Endpoints;
  store: Store;
  log: Logger;
  clock: Clock;
}

/** What the store keeps of a listing, so a later `--date` for that day reads it back exactly. */
export interface StoredDay {
  date: string;
  categories: string[];
  fetchedAt: string;
  entries: Array<{ id: string; version: number; announceType: AnnounceType }>;
}

/** A listing before and after the export API's metadata (ArxivClient.openDay). */
export interface OpenedDay {
  /** The feed's papers, as soon as it is read. */
  listing: DayListing;
  /** The same papers with the export API's metadata joined in, stored, and the day recorded. */
  complete(): Promise<DayListing>;
  /**
   * One paper of the listing with its metadata joined in, as soon as the API answer holding it is read (not the
   * whole day's); undefined for a paper not in the listing. Starts complete() when it has not started.
   */
  metadataOf?(id: string): Promise<Paper | undefined>;
  /** Ids whose metadata is wanted first: they go in the next export API request (e.g. the shortlist). */
  prioritize?(ids: string[]): void;
  /** Resolves once nothing this day started is still running (the eager first API request), without completing it. */
  settled?(): Promise<void>;
}

/** The first export API request of a day that takes several, sent while the feed was still read (openDay's eager). */
interface EarlyBatch {
  ids: Set<string>;
  meta?: Map<string, Paper>;
  error?: unknown;
}

/** The eager first API request's hooks while a feed is read (openDay's `eager`), and the parser reading it. */
interface EarlyFetch {
  onItem: (item: RssItem) => void;
  result: () => Promise<EarlyBatch | undefined>;
  parser?: RssParser;
}

/** arXiv's announcement time: 20:00 in New York, Sunday to Thursday. */
const ANNOUNCE_ZONE = 'America/New_York';

/** The announcement a reading at `now` sees: named by the New York day that starts at its 20:00. */
export function announcementCycle(now: number): string {
  return localDate(now + 4 * 3_600_000, ANNOUNCE_ZONE);
}

/** Minutes since the last 20:00 in New York. */
function minutesIntoCycle(now: number): number {
  const [h = '0', m = '0'] = new Intl.DateTimeFormat('en-GB', {
    timeZone: ANNOUNCE_ZONE,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .format(now)
    .split(':');
  return (((Number(h) + 4) % 24) * 60 + Number(m)) % 1440;
}

/** How fetchMetadata reports progress: each answer's papers as it is read, and ids to ask for first. */
export interface MetadataProgress {
  onBatch?(papers: Paper[]): void;
  /** Ids (without version) to put in the next request, read before each request. */
  first?(): ReadonlySet<string>;
}

/** The API's largest slice: "max_results … in slices of at most 2000 at a time" (arXiv API user manual, 3.1.1.2). */
const MAX_ID_LIST = 2000;
/** Papers one export API request answers (a listing of more takes several requests, 3 s apart). */
export const METADATA_PER_REQUEST = MAX_ID_LIST;
/** Past this URL length an id_list goes in a POST body: proxies commonly refuse request lines past 8 KB. */
const MAX_GET_URL = 4000;

const CATEGORY = /^[a-z-]+(\.[A-Za-z-]+)?$/;
const TYPE_RANK: Record<AnnounceType, number> = { new: 0, cross: 1, replace: 2, 'replace-cross': 3 };
/** Past this many results a submission window is surely wrong (arXiv's busiest categories announce ~1000 a day). */
const MAX_WINDOW_RESULTS = 5000;
/** How recent a --date must be for the live feed to be worth a look before the API window. */
const RECENT_MS = 4 * 86_400_000;
/**
 * Re-asks of an export API answer that came back 200 but unusable: an empty or cut body, or a page without entries
 * in the middle of a result set. arXiv's API does both now and then, and they pass on asking again.
 */
const FLAKY_API_RETRIES = 2;

function isReplacement(t: AnnounceType | undefined): boolean {
  return t === 'replace' || t === 'replace-cross';
}

/** Query-string encoding that keeps ids readable (`hep-th/9901001`, commas between ids). */
function q(value: string): string {
  return encodeURIComponent(value).replace(/%2F/gi, '/').replace(/%2C/gi, ',').replace(/%3A/gi, ':');
}

function stripAnnounceType(p: Paper): Paper {
  const { announceType: _unused, ...rest } = p;
  return rest;
}

export class ArxivClient {
  private readonly api: HttpClient;
  private readonly feeds: HttpClient;
  private readonly web: HttpClient;

  constructor(
    readonly deps: ArxivDeps,
    readonly options: ArxivClientOptions = {},
  ) {
    const common = {
      retries: options.retries ?? 4,
      backoffMs: options.backoffMs ?? 2000,
      timeoutMs: options.timeoutMs ?? 30_000,
      sleep: (ms: number) => deps.clock.sleep(ms),
      now: () => deps.clock.now(),
      log: deps.log,
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
    };
    const apiInterval = options.minIntervalMs ?? 3000;
    this.api = new HttpClient({
      ...common,
      service: 'arXiv API',
      unreachableHint: 'check the network (and a proxy, if one is needed) or ARXIV_API_URL',
      minIntervalMs: apiInterval,
      // Instances sharing a store (Redis, PostgreSQL) also share arXiv's spacing: turns handed out in order.
      ...this.sharedTurns('arxiv-api', apiInterval),
    });
    const webInterval = options.webMinIntervalMs ?? 1000;
    const feedInterval = options.feedMinIntervalMs ?? webInterval;
    this.feeds = new HttpClient({
      ...common,
      service: 'arXiv RSS',
      unreachableHint: 'check the network (and a proxy, if one is needed) or ARXIV_RSS_URL',
      minIntervalMs: feedInterval,
      ...this.sharedTurns('arxiv-org', feedInterval),
    });
    this.web = new HttpClient({
      ...common,
      service: 'arXiv web',
      unreachableHint: 'check the network (and a proxy, if one is needed) or ARXIV_WEB_URL',
      minIntervalMs: webInterval,
      ...this.sharedTurns('arxiv-org', webInterval),
      fetch: binarySafeFetch(),
    });
  }

  private get log(): Logger {
    return this.deps.log;
  }

  private feedsShared = false;

  /**
   * From now on a category set's feed is read once per announcement and shared through the store (the long-running
   * bot: its scheduler, its runs, its other instances). A one-shot command reads the feed it is run for.
   */
  shareFeedsPerAnnouncement(): void {
    this.feedsShared = true;
  }

  /**
   * Before a morning of digests over many category sets: the feed of all their categories at once (one request)
   * and the export API's metadata of every paper in it that the store lacks (one request per 2,000), once per
   * announcement per deployment; each set's digest then finds its papers stored and asks the API for none.
   * Only once feeds are shared (the scheduler); a failure is logged and leaves each set to ask for its own.
   */
  async warmLatest(categories: string[]): Promise<void> {
    if (!this.feedsShared) return;
    const cats = this.checkCategories(categories).sort();
    const marker = keys.feedRead(cats, `warm:${announcementCycle(this.deps.clock.now())}`);
    try {
      await singleFlight(this.deps.store, locks.feedFlight(marker), {
        ready: () => WARMED.get(this.deps.store, marker),
        work: async () => {
          const feed = await this.latestFeed(`${this.deps.endpoints.arxivRss}/${cats.join('+')}`, cats);
          const items = dedupe(feed.items);
          const held = await this.heldPapers(items);
          const missing = items.map((it) => it.id).filter((id) => !held.has(id));
          if (missing.length) await this.fetchMetadata(missing);
          this.log.info({ categories: cats.length, papers: items.length, asked: missing.length }, 'morning warmed');
          // Each digest's category set is cut from this feed from now on (fromMorningFeed).
          await FEED_UNION.set(this.deps.store, keys.feedRead(['*'], announcementCycle(this.deps.clock.now())), cats);
          await WARMED.set(this.deps.store, marker, true);
          return true;
        },
      });
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'warming the morning failed: each digest asks for its own papers');
    }
  }

  /** The shared limiter's gate for `name` (pages and feeds share arxiv.org's 1 s), when there is one. */
  private sharedTurns(name: string, intervalMs: number): { gate?: () => Promise<void> } {
    const limiter = this.options.limiter;
    return limiter && intervalMs > 0 ? { gate: turnGate(limiter, name, intervalMs, this.deps.clock) } : {};
  }

  /**
   * The announcement day's papers for `categories`: without `date` the latest listing (RSS, recorded in the store);
   * with `date` the store's copy of that day, else the live feed if it is that day, else the export API's submission
   * window (an approximation). A weekend date is an empty listing. Throws UserInputError for a bad date or category.
   */
  async fetchDay(
    categories: string[],
    opts: { date?: string; includeReplacements?: boolean } = {},
  ): Promise<DayListing> {
    return (await this.openDay(categories, opts)).complete();
  }

  /**
   * Metadata of `ids` (with or without versions) from the export API, by id without version; unknown ids are absent.
   * As few requests as the API allows: up to 2,000 ids a request (its largest `max_results` slice), sent as a POST
   * form when the id list would make a long URL (the manual's advice for long parameter lists). Each answer's
   * papers are stored in one batch (one transaction).
   */
  async fetchMetadata(ids: string[], progress: MetadataProgress = {}): Promise<Map<string, Paper>> {
    let wanted = [
      ...new Set(
        ids.map((s) => {
          const ref = parseArxivId(s);
          return ref.version === undefined ? ref.id : `${ref.id}v${ref.version}`;
        }),
      ),
    ];
    const found = new Map<string, Paper>();
    const size = this.batchSize();
    for (let i = 0; i < wanted.length; i += size) {
      const first = progress.first?.();
      if (first?.size) {
        // The ids wanted first go in this request; the others keep their order.
        const rest = wanted.slice(i);
        const idOf = (w: string) => w.replace(/v\d+$/, '');
        wanted = [
          ...wanted.slice(0, i),
          ...rest.filter((w) => first.has(idOf(w))),
          ...rest.filter((w) => !first.has(idOf(w))),
        ];
      }
      const batch = wanted.slice(i, i + size);
      const params = `id_list=${batch.map(q).join(',')}&max_results=${batch.length}`;
      const api = this.deps.endpoints.arxivApi;
      const feed =
        api.length + params.length + 1 <= MAX_GET_URL
          ? await this.apiFeed(`${api}?${params}`)
          : await this.apiFeed(`${api}?max_results=${batch.length}`, () => true, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: params,
            });
      if (feed.errors.length) this.log.warn({ errors: feed.errors }, 'arXiv API rejected some ids');
      const unversioned = new Set(batch.filter((w) => !/v\d+$/.test(w)));
      for (const paper of feed.papers) found.set(paper.id, paper);
      progress.onBatch?.(feed.papers);
      await this.savePapers(feed.papers);
      // Asked without a version, arXiv answered with the newest: getPaper need not ask again for a while.
      const now = this.deps.clock.now();
      await PAPER_CHECKED.setMany(
        this.deps.store,
        feed.papers.filter((p) => unversioned.has(p.id)).map((p) => ({ key: keys.paperChecked(p.id), value: now })),
      );
    }
    return found;
  }

  /**
   * The replacements (new versions of older papers: `replace`, `replace-cross`) that the recorded listing of `date`
   * for `categories` announced, with the versions it announced. Empty when the day was not read (or had none): a
   * digest of that day records its listing before it is posted.
   */
  async replacementsOn(categories: string[], date: string): Promise<Array<{ id: string; version: number }>> {
    const stored = await STORED_DAY.get(this.deps.store, keys.day(this.checkCategories(categories), date));
    return (stored?.entries ?? [])
      .filter((e) => isReplacement(e.announceType))
      .map((e) => ({ id: e.id, version: e.version }));
  }

  /**
   * The export API's metadata of exact versions (title, abstract and comments as of that version): the stored
   * copy where it is that version, the rest in one request. A version arXiv does not answer is absent.
   */
  async paperVersions(refs: Array<{ id: string; version: number }>): Promise<Map<string, Paper>> {
    const out = new Map<string, Paper>();
    if (refs.length === 0) return out;
    const stored = await STORED_PAPER.getMany(
      this.deps.store,
      refs.map((r) => keys.paper(r.id)),
    );
    const missing: string[] = [];
    refs.forEach((r, i) => {
      const p = stored[i];
      if (p?.published && p.version === r.version) out.set(r.id, p);
      else missing.push(`${r.id}v${r.version}`);
    });
    if (missing.length) {
      const wanted = new Map(refs.map((r) => [r.id, r.version]));
      for (const [id, p] of await this.fetchMetadata(missing)) if (p.version === wanted.get(id)) out.set(id, p);
    }
    return out;
  }

  /**
   * One paper's metadata: the store's copy when it came from the API (and is the asked version), else the API.
   * Askers of the same paper at once share one request (in this process and across instances on the store).
   */
  async getPaper(ref: ArxivId): Promise<Paper> {
    const fresh = await this.storedPaper(ref);
    if (fresh) return fresh;
    const wanted = ref.version === undefined ? ref.id : `${ref.id}v${ref.version}`;
    const flight = await singleFlight(this.deps.store, locks.paperFlight(wanted), {
      ready: () => this.storedPaper(ref),
      work: () => this.fetchPaper(ref),
    });
    return flight.value;
  }

  /** The stored copy when it answers `ref` without asking arXiv, else undefined. */
  private async storedPaper(ref: ArxivId): Promise<Paper | undefined> {
    const stored = await STORED_PAPER.get(this.deps.store, keys.paper(ref.id));
    if (stored?.published) {
      if (ref.version !== undefined && stored.version === ref.version) return stored;
      // Without a version the newest is wanted: the stored copy answers while it is recent; an older one is checked
      // against arXiv (a v2 may have come out), and still answers if arXiv cannot be reached.
      if (ref.version === undefined) {
        const checked = (await PAPER_CHECKED.get(this.deps.store, keys.paperChecked(ref.id))) ?? 0;
        if (this.deps.clock.now() - checked < PAPER_FRESH_MS) return stored;
      }
    }
    return undefined;
  }

  private async fetchPaper(ref: ArxivId): Promise<Paper> {
    const stored = await STORED_PAPER.get(this.deps.store, keys.paper(ref.id));
    const wanted = ref.version === undefined ? ref.id : `${ref.id}v${ref.version}`;
    const url = `${this.deps.endpoints.arxivApi}?id_list=${q(wanted)}&max_results=1`;
    let feed: AtomFeed;
    try {
      feed = await this.apiFeed(url);
    } catch (err) {
      if (stored?.published && ref.version === undefined) {
        this.log.warn(
          { id: ref.id, err: (err as Error).message },
          'arXiv unreachable: using the stored copy of the paper',
        );
        return stored;
      }
      throw err;
    }
    const paper = feed.papers.find((p) => p.id === ref.id);
    if (!paper) throw new PaperNotFoundError(wanted);
    await this.savePaper(paper);
    if (ref.version === undefined) await this.markChecked(ref.id);
    return paper;
  }

  private markChecked(id: string): Promise<void> {
    return PAPER_CHECKED.set(this.deps.store, keys.paperChecked(id), this.deps.clock.now());
  }

  /**
   * The paper's text (HTML → PDF → abstract), cut to `maxChars` at a boundary; cached per version for 14 days.
   * Askers of the same text at once share one fetch (in this process and across instances on the store).
   */
  async fullText(paper: Paper, maxChars: number): Promise<FullText> {
    const deps = { web: this.web, store: this.deps.store, log: this.log, webUrl: this.deps.endpoints.arxivWeb };
    const flight = await singleFlight(this.deps.store, locks.fullTextFlight(paper.id, paper.version, maxChars), {
      ready: () => storedFullText(deps, paper, maxChars),
      work: () => fetchFullText(deps, paper, maxChars),
    });
    return flight.value;
  }

  // -------------------------------------------------------------------------------------------------------------

  /**
   * One export API answer, parsed. An answer that is 200 but unreadable, or not `complete`, is asked for again
   * (through the same spaced, retrying client) up to FLAKY_API_RETRIES times; then the last one is returned, or its
   * parse error thrown.
   */
  private async apiFeed(
    url: string,
    complete: (feed: AtomFeed) => boolean = () => true,
    init: RequestInit = {},
  ): Promise<AtomFeed> {
    for (let attempt = 0; ; attempt++) {
      let feed: AtomFeed;
      // Parsed as it arrives (a 2,000-entry answer is ~5 MB), one entry held at a time.
      let parser = new AtomParser(url);
      try {
        await this.api.request(url, init, () => {
          parser = new AtomParser(url);
          return parser;
        });
        feed = parser.end();
      } catch (err) {
        const unreadable = err instanceof ArxivDigestError && err.code === ErrorCode.FeedMalformed;
        if (!unreadable || attempt >= FLAKY_API_RETRIES) throw err;
        this.log.warn(
          { url, attempt: attempt + 1, err: (err as Error).message },
          'unreadable arXiv API answer, asked again',
        );
        continue;
      }
      if (complete(feed) || attempt >= FLAKY_API_RETRIES) return feed;
      this.log.warn({ url, attempt: attempt + 1 }, 'incomplete arXiv API answer (an empty page), asked again');
    }
  }

  private checkCategories(categories: string[]): string[] {
    if (categories.length === 0)
      throw new UserInputError('no arXiv categories given (expected at least one, e.g. cs.CL)');
    for (const c of categories) {
      if (!CATEGORY.test(c))
        throw new UserInputError(`"${c}" is not an arXiv category (expected e.g. cs.CL or hep-th)`);
    }
    return [...new Set(categories)];
  }

  /**
   * The day's listing in two steps: `listing` as soon as the feed is read (what ranking needs: ids, versions,
   * titles, authors, abstracts, categories, announce types), and `complete()` for the same papers with the export
   * API's metadata joined in (comments, journal refs, primary categories, exact versions, dates), started on the
   * first call and shared by the later ones. Without `date` the feed is read; with one, see fetchDay (then both are
   * the same listing). A day whose listing the store already holds (a re-run, a restart, a second digest over the
   * same categories) completes from the store, asking arXiv only for papers it lacks.
   */
  async openDay(
    categories: string[],
    opts: { date?: string; includeReplacements?: boolean; eager?: boolean } = {},
  ): Promise<OpenedDay> {
    const cats = this.checkCategories(categories);
    const includeReplacements = opts.includeReplacements ?? false;
    const eager = opts.eager ?? false;
    if (opts.date === undefined) return this.openLatest(cats, includeReplacements, eager);
    const done = (listing: DayListing): OpenedDay => ({ listing, complete: async () => listing });

    const day = parseDay(opts.date);
    const date = formatDay(day);
    const stored = await STORED_DAY.get(this.deps.store, keys.day(cats, date));
    if (stored) return done(await this.fromStore(stored, cats, includeReplacements));
    if (isWeekend(day)) return done({ date, categories: cats, papers: [], empty: true, source: 'api' });

    const age = this.deps.clock.now() - Date.parse(`${date}T12:00:00Z`);
    if (age >= -86_400_000 && age < RECENT_MS) {
      const latest = await this.openLatest(cats, includeReplacements, eager);
      if (latest.listing.date === date) return latest;
      // Not that day after all: a first API request sent while reading it is waited for, not left running.
      await latest.settled?.();
    }
    return done(await this.fromApiWindow(cats, date, includeReplacements));
  }

  /**
   * The feed of `cats` for the current announcement (arXiv announces at 20:00 New York time, Sunday to Thursday):
   * read once per announcement per deployment, kept in the store and shared (several digests over one category
   * set, the scheduler and the run, several instances); askers at once share one read.
   */
  private async latestFeed(url: string, cats: string[], early?: EarlyFetch): Promise<RssFeed> {
    if (!this.feedsShared) return this.readFeed(url, early);
    const now = this.deps.clock.now();
    const cycle = announcementCycle(now);
    const key = keys.feedRead(cats, cycle);
    const cached = await FEED.get(this.deps.store, key);
    if (cached) return cached;
    const derived = await this.fromMorningFeed(cats, cycle);
    if (derived) return derived;
    const flight = await singleFlight(this.deps.store, locks.feedFlight(key), {
      ready: () => FEED.get(this.deps.store, key),
      work: async () => {
        const feed = await this.readFeed(url, early);
        // Read in the announcement's first hour, it may still be the previous one's: kept for minutes only.
        const fresh = minutesIntoCycle(now) >= 60;
        await FEED.set(this.deps.store, key, feed, fresh ? FEED_DAY_MS : 10 * 60_000);
        return feed;
      },
    });
    return flight.value;
  }

  /**
   * A category set's feed cut from the morning's feed of all the digests' categories (warmLatest), when it covers
   * the set: the items listed in any of the set's categories (announce types are made relative to the set from
   * the primary category when the metadata is joined in). No request.
   */
  private async fromMorningFeed(cats: string[], cycle: string): Promise<RssFeed | undefined> {
    const union = await FEED_UNION.get(this.deps.store, keys.feedRead(['*'], cycle));
    if (!union || !cats.every((c) => union.includes(c))) return undefined;
    const feed = await FEED.get(this.deps.store, keys.feedRead(union, cycle));
    if (!feed) return undefined;
    const wanted = new Set(cats);
    return { ...feed, items: feed.items.filter((it) => it.categories.some((c) => wanted.has(c))) };
  }

  private async readFeed(url: string, early?: EarlyFetch): Promise<RssFeed> {
    // The feed is parsed as it arrives (a 5,000-paper day's is 10 MB), and no tree of it is held.
    let parser = new RssParser(url);
    try {
      await this.feeds.request(url, {}, () => {
        parser = new RssParser(url, early?.onItem);
        if (early) early.parser = parser;
        return parser;
      });
      return parser.end();
    } catch (err) {
      await early?.result();
      throw err;
    }
  }

  private async openLatest(cats: string[], includeReplacements: boolean, eager = false): Promise<OpenedDay> {
    const url = `${this.deps.endpoints.arxivRss}/${cats.join('+')}`;
    const reading: { parser?: RssParser } = {};
    const early = eager ? this.earlyMetadata(cats, includeReplacements, () => reading.parser?.date) : undefined;
    const feed = await this.latestFeed(url, cats, early && Object.assign(reading, early));
    if (feed.skipped) this.log.warn({ feed: url, skipped: feed.skipped }, 'feed items without an arXiv id skipped');
    if (feed.items.length === 0) {
      this.log.info({ feed: url, date: feed.date }, 'no announcements in the feed (weekend or holiday)');
      if (feed.date) await this.recordDay(cats, feed.date, []);
      const listing: DayListing = { date: feed.date, categories: cats, papers: [], empty: true, source: 'rss' };
      return { listing, complete: async () => listing };
    }
    const settled = async () => {
      await early?.result();
    };
    const items = dedupe(feed.items);
    const kept = items.filter((it) => includeReplacements || !isReplacement(it.announceType));
    const listing: DayListing = {
      date: feed.date,
      categories: cats,
      papers: kept.map((it) => merge(it, undefined, cats)),
      empty: false,
      source: 'rss',
    };
    // Per paper, its metadata as soon as the answer holding it is read; waiters of papers not read yet are answered
    // when the day completes (or fails: the feed's own data then).
    const byId = new Map(kept.map((it) => [it.id, it]));
    const read = new Map<string, Paper>();
    const waiting = new Map<string, Array<(p: Paper | undefined) => void>>();
    const first = new Set<string>();
    const progress: MetadataProgress = {
      first: () => first,
      onBatch: (papers) => {
        for (const meta of papers) {
          const item = byId.get(meta.id);
          if (!item) continue;
          const joined = merge(item, meta, cats);
          read.set(meta.id, joined);
          for (const resolve of waiting.get(meta.id) ?? []) resolve(joined);
          waiting.delete(meta.id);
        }
      },
    };
    let completed: Promise<DayListing> | undefined;
    let final: Map<string, Paper> | undefined;
    const complete = () => {
      if (!completed) {
        completed = this.completeLatest(
          url,
          cats,
          feed.date,
          items,
          kept,
          includeReplacements,
          progress,
          early?.result(),
        );
        const settle = (papers: Paper[]) => {
          final = new Map(papers.map((p) => [p.id, p]));
          for (const [id, list] of waiting) for (const resolve of list) resolve(final.get(id) ?? read.get(id));
          waiting.clear();
        };
        completed.then(
          (l) => settle(l.papers),
          () => settle(listing.papers),
        );
      }
      return completed;
    };
    const metadataOf = (id: string): Promise<Paper | undefined> => {
      if (!byId.has(id)) return Promise.resolve(undefined);
      const done = read.get(id) ?? final?.get(id);
      if (done || final) return Promise.resolve(done);
      const answer = new Promise<Paper | undefined>((resolve) => {
        waiting.set(id, [...(waiting.get(id) ?? []), resolve]);
      });
      void complete().catch(() => {});
      return answer;
    };
    const prioritize = (ids: string[]) => {
      for (const id of ids) first.add(id);
    };
    return { listing, complete, metadataOf, prioritize, settled };
  }

  /**
   * The first export API request of a day that takes several, sent while its feed is still read: once more than
   * METADATA_PER_REQUEST papers to keep are seen (so the day surely takes more than one request), the first batch of
   * them is asked for, unless the store already holds that day's listing (a re-run completes from the store). Its
   * outcome, an error included, is kept for completeLatest; it never rejects.
   */
  private earlyMetadata(
    cats: string[],
    includeReplacements: boolean,
    dateNow: () => string | undefined,
  ): { onItem: (item: RssItem) => void; result: () => Promise<EarlyBatch | undefined> } {
    const size = this.batchSize();
    const seen = new Set<string>();
    let started: Promise<EarlyBatch | undefined> | undefined;
    const onItem = (item: RssItem) => {
      if (started || (!includeReplacements && isReplacement(item.announceType))) return;
      seen.add(item.id);
      if (seen.size <= METADATA_PER_REQUEST) return;
      const date = dateNow();
      if (!date) {
        started = Promise.resolve(undefined);
        return;
      }
      const ids = [...seen].slice(0, size);
      started = (async (): Promise<EarlyBatch | undefined> => {
        try {
          if (await STORED_DAY.get(this.deps.store, keys.day(cats, date))) return undefined;
          return { ids: new Set(ids), meta: await this.fetchMetadata(ids) };
        } catch (error) {
          return { ids: new Set(ids), error };
        }
      })();
    };
    return { onItem, result: () => started ?? Promise.resolve(undefined) };
  }

  private batchSize(): number {
    return Math.max(1, Math.min(MAX_ID_LIST, this.options.batchSize ?? MAX_ID_LIST));
  }

  private async completeLatest(
    url: string,
    cats: string[],
    date: string | undefined,
    items: RssItem[],
    kept: RssItem[],
    includeReplacements: boolean,
    progress: MetadataProgress = {},
    early?: Promise<EarlyBatch | undefined>,
  ): Promise<DayListing> {
    if (date) {
      // This announcement was read before (a re-run, a restart, another digest on these categories): its listing
      // and metadata are in the store; arXiv is asked only for what the store lacks.
      const stored = await STORED_DAY.get(this.deps.store, keys.day(cats, date));
      if (stored && stored.entries.length === items.length) {
        await early;
        const listing = await this.fromStore(stored, cats, includeReplacements);
        return { ...listing, source: 'rss' };
      }
    }
    const first = await early;
    let meta: Map<string, Paper>;
    if (first?.error !== undefined) {
      if (!apiUnavailable(first.error)) throw first.error;
      this.warnNoMetadata(first.error as Error);
      meta = new Map();
    } else {
      // The first batch, asked for while the feed was read, then the rest (the ids wanted first leading).
      if (first?.meta) progress.onBatch?.([...first.meta.values()]);
      meta = new Map(first?.meta);
      // Papers the store already holds at the listed version (another category set's digest read them) are not
      // asked for again: one morning of any number of digests asks arXiv once per paper.
      const held = await this.heldPapers(kept.filter((it) => !first?.ids.has(it.id)));
      if (held.size) progress.onBatch?.([...held.values()]);
      for (const [id, p] of held) meta.set(id, p);
      const rest = kept.map((it) => it.id).filter((id) => !first?.ids.has(id) && !held.has(id));
      if (rest.length) for (const [id, p] of await this.metadataOrNothing(rest, progress)) meta.set(id, p);
    }
    const papers = kept.map((it) => merge(it, meta.get(it.id), cats));
    await this.savePapers(papers.filter((p) => !meta.has(p.id)));
    if (date) {
      // Recorded with the final versions and types; dropped replacements too, for a later includeReplacements.
      const final = new Map(papers.map((p) => [p.id, p]));
      await this.recordDay(
        cats,
        date,
        items.map((it) => {
          const p = final.get(it.id);
          return p ? { ...it, version: p.version, announceType: p.announceType ?? it.announceType } : it;
        }),
      );
    }
    this.log.info(
      { feed: url, date, papers: papers.length, dropped: items.length - kept.length },
      'arXiv listing read',
    );
    return { date, categories: cats, papers, empty: false, source: 'rss' };
  }

  /** The stored export-API metadata of the items that the store holds at (at least) the listed version. */
  private async heldPapers(items: RssItem[]): Promise<Map<string, Paper>> {
    const held = new Map<string, Paper>();
    if (!items.length) return held;
    const stored = await STORED_PAPER.getMany(
      this.deps.store,
      items.map((it) => keys.paper(it.id)),
    );
    items.forEach((it, i) => {
      const p = stored[i];
      if (p?.published && p.version >= it.version) held.set(it.id, p);
    });
    return held;
  }

  /** Metadata for the listing; without the API (down after retries) the feed's own data still makes a digest. */
  private async metadataOrNothing(ids: string[], progress: MetadataProgress = {}): Promise<Map<string, Paper>> {
    try {
      return await this.fetchMetadata(ids, progress);
    } catch (err) {
      if (!apiUnavailable(err)) throw err;
      this.warnNoMetadata(err as Error);
      return new Map();
    }
  }

  private warnNoMetadata(err: Error): void {
    this.log.warn(
      { err: err.message },
      'arXiv API unavailable: the listing goes without comments and primary categories',
    );
  }

  private async recordDay(
    cats: string[],
    date: string,
    items: Array<Pick<RssItem, 'id' | 'version' | 'announceType'>>,
  ): Promise<void> {
    const record: StoredDay = {
      date,
      categories: [...cats].sort(),
      fetchedAt: new Date(this.deps.clock.now()).toISOString(),
      entries: items.map((it) => ({ id: it.id, version: it.version, announceType: it.announceType })),
    };
    await STORED_DAY.set(this.deps.store, keys.day(cats, date), record);
  }

  private async fromStore(stored: StoredDay, cats: string[], includeReplacements: boolean): Promise<DayListing> {
    const entries = stored.entries.filter((e) => includeReplacements || !isReplacement(e.announceType));
    const papers = new Map<string, Paper>();
    const missing: string[] = [];
    const got = await STORED_PAPER.getMany(
      this.deps.store,
      entries.map((e) => keys.paper(e.id)),
    );
    entries.forEach((e, i) => {
      const p = got[i];
      if (p) papers.set(e.id, p);
      else missing.push(e.id);
    });
    if (missing.length) for (const [id, p] of await this.fetchMetadata(missing)) papers.set(id, p);
    const out: Paper[] = [];
    for (const e of entries) {
      const p = papers.get(e.id);
      if (!p) {
        this.log.warn({ id: e.id, date: stored.date }, 'paper of a stored listing not found, skipped');
        continue;
      }
      // The listing links the version it announced, even if a newer one is stored since.
      out.push({ ...p, version: e.version, announceType: e.announceType });
    }
    return { date: stored.date, categories: cats, papers: out, empty: stored.entries.length === 0, source: 'store' };
  }

  /** A past day from the export API: the submissions of that announcement's window (an approximation). */
  private async fromApiWindow(cats: string[], date: string, includeReplacements: boolean): Promise<DayListing> {
    const window = submissionWindow(parseDay(date));
    const search = `(${cats.map((c) => `cat:${c}`).join(' OR ')}) AND ${submittedDateClause(window)}`;
    const pageSize = Math.max(1, this.options.pageSize ?? 200);
    const papers: Paper[] = [];
    const seen = new Set<string>();
    for (let start = 0; start < MAX_WINDOW_RESULTS; start += pageSize) {
      const url =
        `${this.deps.endpoints.arxivApi}?search_query=${q(search)}&start=${start}&max_results=${pageSize}` +
        '&sortBy=submittedDate&sortOrder=ascending';
      // A page without entries before the end of the results is arXiv's flakiness, not the end of the window.
      const feed = await this.apiFeed(url, (f) => f.papers.length > 0 || start >= f.totalResults);
      if (feed.papers.length === 0 && start < feed.totalResults) {
        throw new ArxivDigestError(
          ErrorCode.FeedMalformed,
          `arXiv API answer from ${url} is incomplete: no entries at ${start} of ${feed.totalResults} results, ${FLAKY_API_RETRIES + 1} times`,
        );
      }
      await this.savePapers(feed.papers);
      for (const p of feed.papers) {
        if (seen.has(p.id)) continue;
        seen.add(p.id);
        const primary = p.primaryCategory ?? p.categories[0] ?? '';
        papers.push({ ...p, announceType: cats.includes(primary) ? 'new' : 'cross' });
      }
      if (feed.papers.length === 0 || start + pageSize >= feed.totalResults) break;
    }
    if (includeReplacements)
      this.log.info(
        { date },
        'replacements of a past day are not in its submission window: only new papers and cross-lists',
      );
    this.log.info(
      {
        date,
        papers: papers.length,
        from: new Date(window.start).toISOString(),
        to: new Date(window.end).toISOString(),
      },
      'past listing approximated by its submission window',
    );
    return { date, categories: cats, papers, empty: papers.length === 0, source: 'api' };
  }

  /** Stores a paper under its id: the newest version wins; the same version gains fields it lacked. */
  private savePaper(paper: Paper): Promise<void> {
    return this.savePapers([paper]);
  }

  /** savePaper for many papers: one batched read and one batched write (one transaction on SQLite). */
  private async savePapers(list: Paper[]): Promise<void> {
    if (list.length === 0) return;
    const byId = new Map<string, Paper>();
    for (const p of list) {
      const cur = byId.get(p.id);
      if (!cur || cur.version <= p.version) byId.set(p.id, p);
    }
    const incoming = [...byId.values()].map(stripAnnounceType);
    const current = await STORED_PAPER.getMany(
      this.deps.store,
      incoming.map((p) => keys.paper(p.id)),
    );
    const writes: Array<{ key: string; value: Paper }> = [];
    incoming.forEach((p, i) => {
      const cur = current[i];
      if (cur && cur.version > p.version) return;
      writes.push({ key: keys.paper(p.id), value: cur && cur.version === p.version ? { ...cur, ...defined(p) } : p });
    });
    await STORED_PAPER.setMany(this.deps.store, writes);
  }
}

/** The export API down after the retries, or answering nonsense: the day goes on with the feed's own data. */
function apiUnavailable(err: unknown): boolean {
  return err instanceof HttpError || (err instanceof ArxivDigestError && err.code === ErrorCode.FeedMalformed);
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
}

/** How long a stored paper answers `getPaper` without a version before arXiv is asked for a newer one. */
const PAPER_FRESH_MS = 3 * 86_400_000;
/** How long an announcement's feed read after its first hour, and the morning's records, are kept. */
const FEED_DAY_MS = 36 * 3_600_000;

/**
 * The 'papers' records this client reads and writes: a paper's metadata (keys.paper, the namespace's TTL) and when
 * arXiv last answered with its newest version (keys.paperChecked, PAPER_FRESH_MS). A value this version cannot read
 * is a miss (the paper is asked for again, the check is stale), as it always was where it was looked at.
 */
/**
 * The 'days' records: a day's listing as read (keys.day, the namespace's TTL), an announcement's feed of a category
 * set (keys.feedRead, each write's TTL: 36 h, or 10 min when read in the announcement's first hour), the morning's
 * union of the digests' categories (keys.feedRead(['*']), 36 h) and the morning's warmed marker (36 h; any value
 * stored there marks it warmed, as it always did).
 */
const ANNOUNCE_TYPE = z.enum(['new', 'cross', 'replace', 'replace-cross']);
const STORED_DAY = recordKind<StoredDay>(
  'days',
  z.looseObject({
    date: z.string(),
    categories: z.array(z.string()),
    fetchedAt: z.string(),
    entries: z.array(z.looseObject({ id: z.string(), version: z.number(), announceType: ANNOUNCE_TYPE })),
  }),
);
const FEED = recordKind<RssFeed>(
  'days',
  z
    .looseObject({
      date: z.string().optional(),
      items: z.array(
        z.looseObject({
          id: z.string(),
          version: z.number(),
          title: z.string(),
          abstract: z.string(),
          authors: z.array(z.string()),
          categories: z.array(z.string()),
          announceType: ANNOUNCE_TYPE,
        }),
      ),
      skipped: z.number(),
    })
    .transform((f) => ({ ...f, date: f.date })),
);
const FEED_UNION = recordKind<string[]>('days', z.array(z.string()), { ttlMs: FEED_DAY_MS });
const WARMED = recordKind<boolean>('days', z.boolean().catch(true), { ttlMs: FEED_DAY_MS });

const STORED_PAPER = recordKind<Paper | undefined>('papers', PAPER_SCHEMA.optional().catch(undefined));
const PAPER_CHECKED = recordKind<number | undefined>('papers', z.number().optional().catch(undefined), {
  ttlMs: PAPER_FRESH_MS,
});

/** Each paper once across categories, at its first position, with its strongest announce type (new > cross > …). */
function dedupe(items: RssItem[]): RssItem[] {
  const byId = new Map<string, RssItem>();
  for (const it of items) {
    const cur = byId.get(it.id);
    if (!cur) byId.set(it.id, it);
    else if (TYPE_RANK[it.announceType] < TYPE_RANK[cur.announceType] || it.version > cur.version)
      byId.set(it.id, {
        ...cur,
        version: Math.max(cur.version, it.version),
        announceType: TYPE_RANK[it.announceType] < TYPE_RANK[cur.announceType] ? it.announceType : cur.announceType,
        categories: [...new Set([...cur.categories, ...it.categories])],
      });
  }
  return [...byId.values()];
}

/**
 * A listing item with the export API's metadata (comments, journal ref, primary category, exact version, dates).
 * With the primary category known, the announce type is made relative to the digest's categories: a paper whose
 * primary category is among them is new (or a replacement) for the digest, whichever feed listed it.
 */
function merge(item: RssItem, meta: Paper | undefined, cats: string[]): Paper {
  const base: Paper = {
    id: item.id,
    version: item.version,
    title: item.title,
    authors: item.authors,
    abstract: item.abstract,
    categories: item.categories,
    announceType: item.announceType,
  };
  if (!meta) return base;
  return {
    ...base,
    ...defined(meta),
    title: meta.title || base.title,
    authors: meta.authors.length ? meta.authors : base.authors,
    abstract: meta.abstract || base.abstract,
    categories: meta.categories.length ? meta.categories : base.categories,
    version: Math.max(meta.version, item.version),
    announceType: relativeType(item.announceType, meta.primaryCategory, cats),
  };
}

function relativeType(type: AnnounceType, primary: string | undefined, cats: string[]): AnnounceType {
  if (!primary) return type;
  const isNew = cats.includes(primary);
  if (isReplacement(type)) return isNew ? 'replace' : 'replace-cross';
  return isNew ? 'new' : 'cross';
}

export function createArxivClient(ctx: AppContext, options: ArxivClientOptions = {}): ArxivClient {
  const shared = ctx.store.kind === 'redis' || ctx.store.kind === 'postgres';
  const limiter = options.limiter ?? (shared ? openLimiter(ctx.settings.storeUrl) : undefined);
  return new ArxivClient(
    { endpoints: ctx.endpoints, store: ctx.store, log: ctx.log, clock: ctx.clock },
    { ...options, ...(limiter ? { limiter } : {}) },
  );
}
