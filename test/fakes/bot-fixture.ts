/**
 * Builds an Assembly for the bot's tests: a real store (memory, or any STORE_URL), a fake clock, a fake arXiv client
 * serving the seeds' real papers, no LLM, and memory chat adapters. `fakeRun` stands in for runDigest until the
 * pipeline exists: it builds a digest from the day's listing (first-pass order) and posts it with the core's real
 * exactly-once postDigest, recording the digest and its ranking in the store as the pipeline does.
 */
import type { ArxivClient, DayListing, OpenedDay } from '../../src/arxiv/client';
import type { ArxivId } from '../../src/arxiv/ids';
import { parseConfig } from '../../src/config/load';
import { PLATFORM_CONFIG } from '../../src/cli/adapters';
import { discordCommandExample } from '../../adapters/discord/commands';
import type { Config, DigestConfig } from '../../src/config/schema';
import type { Assembly } from '../../src/jobs/assembly';
import { type Clock, createContext } from '../../src/context';
import { postDigest } from '../../src/jobs/post';
import { type RunResult, channelsOf } from '../../src/jobs/run';
import type { Services } from '../../src/pipeline/services';
import { createProfileBoost } from '../../src/profile/profile';
import { PaperNotFoundError } from '../../src/app/errors';
import { silentLogger } from '../../src/app/log';
import { keys } from '../../src/store/keys';
import type { RankingRecord } from '../../src/pipeline/digest';
import { type Store, openStore } from '../../src/store';
import { type Digest, type Paper, emptyUsage } from '../../src/app/types';
import seeds from '../fixtures/seed-papers.json';
import { MemoryAdapter, MemoryPlatform } from './memory-adapter';

export const SEED_OCT30 = seeds['2025-10-30'].listed as Paper[];
export const SEED_SEP30 = seeds['2025-09-30'].listed as Paper[];
export const ALL_SEED_PAPERS: Paper[] = [
  ...SEED_OCT30,
  ...SEED_SEP30,
  ...(seeds['2025-10-30'].digestSelected as Paper[]),
];

export class FakeClock implements Clock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.t += ms;
  }
  set(iso: string): void {
    this.t = Date.parse(iso);
  }
}

/** A fake arXiv: the "latest" listing is whatever the test sets; papers are the seeds. */
export class FakeArxiv {
  listing: DayListing = { date: undefined, categories: ['cs.CL'], papers: [], empty: true, source: 'rss' };
  fetchDayCalls = 0;
  announce(date: string, papers: Paper[]): void {
    this.listing = { date, categories: ['cs.CL'], papers, empty: false, source: 'rss' };
  }
  nothing(): void {
    this.listing = { date: undefined, categories: ['cs.CL'], papers: [], empty: true, source: 'rss' };
  }
  async fetchDay(): Promise<DayListing> {
    this.fetchDayCalls++;
    return this.listing;
  }
  async openDay(): Promise<OpenedDay> {
    const listing = await this.fetchDay();
    return { listing, complete: async () => listing };
  }
  async fetchMetadata(ids: string[]): Promise<Map<string, Paper>> {
    return new Map(ALL_SEED_PAPERS.filter((p) => ids.includes(p.id)).map((p) => [p.id, p]));
  }
  /** The listing's replacements (papers announced as replace/replace-cross), as the real client reads them back. */
  async replacementsOn(_categories: string[], date: string): Promise<Array<{ id: string; version: number }>> {
    if (this.listing.date !== date) return [];
    return this.listing.papers
      .filter((p) => p.announceType === 'replace' || p.announceType === 'replace-cross')
      .map((p) => ({ id: p.id, version: p.version }));
  }
  async paperVersions(refs: Array<{ id: string; version: number }>): Promise<Map<string, Paper>> {
    const out = new Map<string, Paper>();
    for (const r of refs) {
      const p = this.listing.papers.find((x) => x.id === r.id && x.version === r.version);
      if (p) out.set(r.id, p);
    }
    return out;
  }
  async getPaper(id: ArxivId): Promise<Paper> {
    const p = ALL_SEED_PAPERS.find((x) => x.id === id.id);
    if (!p) throw new PaperNotFoundError(id.id);
    return p;
  }
  async fullText(paper: Paper) {
    return { source: 'abstract' as const, text: paper.abstract };
  }
}

export const SLACK_CHANNEL = 'C0123456789';
export const DISCORD_CHANNEL = '123456789012345678';

export function testConfig(
  digests: Array<Partial<DigestConfig> & { name: string }>,
  extra: Record<string, unknown> = {},
): Config {
  return parseConfig(
    {
      digests: digests.map((d) => ({
        categories: ['cs.CL'],
        interests: 'Reinforcement learning and preference optimization for LLMs; alignment; reasoning; agents.',
        channels: [{ slack: SLACK_CHANNEL }],
        ...d,
      })),
      ...extra,
    },
    'test config',
    PLATFORM_CONFIG,
  );
}

export interface TestBot {
  app: Assembly;
  store: Store;
  clock: FakeClock;
  arxiv: FakeArxiv;
  slack: MemoryAdapter;
  discord: MemoryAdapter;
}

export async function makeApp(
  config: Config,
  opts: {
    storeUrl?: string;
    store?: Store;
    clock?: FakeClock;
    arxiv?: FakeArxiv;
    slackWorld?: MemoryPlatform;
    discordWorld?: MemoryPlatform;
    services?: Partial<Services>;
  } = {},
): Promise<TestBot> {
  const store = opts.store ?? (await openStore(opts.storeUrl ?? 'memory://'));
  const clock = opts.clock ?? new FakeClock(Date.parse('2025-10-30T12:00:00Z'));
  const arxiv = opts.arxiv ?? new FakeArxiv();
  const ctx = createContext({ config, store, log: silentLogger, env: {}, clock });
  const slack = new MemoryAdapter('slack', opts.slackWorld ?? new MemoryPlatform(), 'UBOT');
  // Stands for Discord: its commands are written as Discord writes them.
  const discord = new MemoryAdapter(
    'discord',
    opts.discordWorld ?? new MemoryPlatform(),
    '999999999999999999',
    discordCommandExample,
  );
  const services: Services = {
    arxiv: arxiv as unknown as ArxivClient,
    llm: undefined,
    boost: createProfileBoost(ctx.store),
    ...opts.services,
  };
  const app: Assembly = { ctx, services, adapters: { slack, discord } };
  return { app, store, clock, arxiv, slack, discord };
}

/** Stands in for runDigest: the day's papers in listing order, the first maxPapers selected, posted exactly once. */
export async function fakeRun(app: Assembly, digest: DigestConfig, opts: { date?: string } = {}): Promise<RunResult> {
  const listing = await app.services.arxiv.fetchDay(digest.categories, opts.date ? { date: opts.date } : {});
  const date = opts.date ?? listing.date ?? 'unknown';
  const selected = listing.papers.slice(0, digest.maxPapers).map((p, i) => ({
    ...p,
    score: Math.round((0.9 - i * 0.1) * 100) / 100,
    keywords: [],
    summary: p.abstract,
    critique: '',
  }));
  const digestOut: Digest = {
    name: digest.name,
    date,
    categories: digest.categories,
    totalPapers: listing.papers.length,
    selected,
    intro: 'Today in arXiv.',
    tldr: 'Themes.',
    usage: emptyUsage(),
    notices: ['Built without an LLM.'],
    ...(listing.empty ? { empty: true } : {}),
  };
  if (listing.empty) return { digest: digestOut, posted: [] };
  // As the pipeline leaves them: the day's papers stored (the real client stores what it reads), the ranking
  // record with ids and scores only.
  await app.ctx.store.setMany(
    'papers',
    listing.papers.map((p) => ({ key: keys.paper(p.id), value: p })),
  );
  const ranking: RankingRecord = {
    name: digest.name,
    date,
    interests: digest.interests,
    candidates: listing.papers.map((p, i) => ({
      id: p.id,
      version: p.version,
      firstPass: 1 - i / listing.papers.length,
      selected: i < digest.maxPapers,
    })),
  };
  await app.ctx.store.set('digests', `${digest.name}:${date}`, { version: 1, fingerprint: 'test', digest: digestOut });
  await app.ctx.store.set('ranking', `${digest.name}:${date}`, ranking);
  const result: RunResult = { digest: digestOut, posted: [] };
  for (const target of channelsOf(digest)) {
    const adapter = app.adapters[target.platform];
    if (!adapter) continue;
    result.posted.push(await postDigest(app.ctx.store, adapter, target.channelId, digestOut, digest.votes.emoji));
  }
  return result;
}
