/**
 * Does the ranking find what a real team reads? Measured on the curated days of `../shared/curated/` (eight real
 * cs.CL days with the picks of a human-run digest of the seed digest's series; README there), with the default
 * config's interests (the seed digest's) as the team's interests. Skipped with a notice when the folder is absent.
 *
 * Per day and pooled (picks found / picks in the listing):
 *   - without a key: the share of the picks in the product's top 5 and top 10 (the first pass, as the digest ranks
 *     without an LLM), beside a plain TF-IDF cosine against the interests and random choice (its expectation,
 *     k / papers);
 *   - with an LLM (the OpenAI stand-in, test/fakes/openai-server.ts, which records the ids each request showed): the
 *     share of the picks that reach the model in a screening, ranking or listwise request, and the prompt tokens
 *     per paper of the day for the whole ranking (screening, ranking, listwise); also without the screening pass
 *     (`llm.screenTokens: 0`, the ranking before it) and on a 500-paper day of real papers
 *     (`../shared/arxiv/arxiv-real.jsonl`); and the LLM calls of a re-run (0);
 *   - with a reading list: a BibTeX file (as Zotero exports it) of the picks of the first half of the days, given
 *     as `library:`, evaluated on the later days only (never on the days it was built from), against the same
 *     days without it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Paper } from '../src/app/types';
import { parseConfig } from '../src/config/load';
import { DEFAULT_CONFIG_INPUT } from '../src/config/schema';
import { buildDigest } from '../src/pipeline/digest';
import { createContext } from '../src/context';
import { silentLogger } from '../src/app/log';
import { libraryDocs } from '../src/library/papers';
import { firstPass } from '../src/pipeline/firstpass';
import { createProfileBoost } from '../src/profile/profile';
import { openStore } from '../src/store';
import { makeWorld } from '../test/fakes/llm-world';
import { type FakeOpenAi, startOpenAiServer } from '../test/fakes/openai-server';
import { CURATED, type CuratedDay, curatedDays, recallAt, tfidfOrder } from './curated';

type Figures = Record<string, number | string>;

const REAL = path.resolve(__dirname, '../../shared/arxiv/arxiv-real.jsonl');
const RANKING_SCHEMAS = new Set(['paper_screening', 'paper_ranking', 'paper_listwise']);
const pct = (x: number) => Math.round(x * 1000) / 10;

/** The default config's digest (the seed digest's interests, cs.CL, 5 papers). */
function defaultDigest(extra: Record<string, unknown> = {}) {
  const input = { digests: [{ ...DEFAULT_CONFIG_INPUT.digests[0], ...extra }] };
  const digest = parseConfig(input, 'bench').digests[0];
  if (!digest) throw new Error('the default config has no digest');
  return digest;
}

interface Counts {
  found: number;
  of: number;
}
const add = (a: Counts, b: Counts): Counts => ({ found: a.found + b.found, of: a.of + b.of });
const share = (c: Counts) => (c.of ? pct(c.found / c.of) : 0);
const counted = (order: string[], picks: string[], k: number): Counts => ({
  found: Math.round(recallAt(order, picks, k) * picks.length),
  of: picks.length,
});

/** Top-5/top-10 recall without a key: the product, TF-IDF, random; per day and pooled. */
function withoutKey(days: CuratedDay[], order: (d: CuratedDay) => string[], label: string, out: Figures): void {
  const digest = defaultDigest();
  const pooled: Record<string, Counts> = {};
  for (const d of days) {
    const rows: Record<string, Counts> = {
      [`${label}.top5`]: counted(order(d), d.picks, 5),
      [`${label}.top10`]: counted(order(d), d.picks, 10),
      'tfidf.top5': counted(tfidfOrder(d.papers, digest.interests), d.picks, 5),
      'tfidf.top10': counted(tfidfOrder(d.papers, digest.interests), d.picks, 10),
    };
    out[`${d.date}`] = `${d.papers.length} papers, ${d.picks.length} picks`;
    for (const [k, c] of Object.entries(rows)) {
      out[`${d.date}.${k}`] = `${c.found}/${c.of}`;
      pooled[k] = add(pooled[k] ?? { found: 0, of: 0 }, c);
    }
    out[`${d.date}.random.top10`] = pct(Math.min(1, 10 / d.papers.length));
  }
  for (const [k, c] of Object.entries(pooled)) out[`pooled.${k}`] = share(c);
  const random = (k: number) =>
    days.reduce((a, d) => a + Math.min(1, k / d.papers.length) * d.picks.length, 0) /
    days.reduce((a, d) => a + d.picks.length, 0);
  out['pooled.random.top5'] = pct(random(5));
  out['pooled.random.top10'] = pct(random(10));
}

interface LlmDay {
  shown: Counts;
  ranked: Counts;
  promptTokens: number;
  papers: number;
  rerunCalls: number;
}

/** One day built with the LLM stand-in: the picks shown to the model, the ranking's prompt tokens, a re-run's calls. */
async function withLlm(ai: FakeOpenAi, day: CuratedDay, llm: Record<string, unknown>): Promise<LlmDay> {
  ai.reset();
  const w = await makeWorld({
    ai,
    llm,
    digest: { ...DEFAULT_CONFIG_INPUT.digests[0], name: 'nlp' },
    days: [{ date: day.date, categories: ['cs.CL'], papers: day.papers }],
    bodyChars: 2000,
  });
  try {
    const cfg = w.ctx.config.digests[0];
    if (!cfg) throw new Error('no digest');
    await buildDigest(w.ctx, w.services, cfg, { date: day.date });
    const ranking = ai.requests.filter((r) => RANKING_SCHEMAS.has(r.schemaName ?? ''));
    const shown = new Set(ranking.flatMap((r) => r.ids));
    const ranked = new Set(ranking.filter((r) => r.schemaName === 'paper_ranking').flatMap((r) => r.ids));
    const before = ai.requests.length;
    const again = await buildDigest(w.ctx, w.services, cfg, { date: day.date });
    return {
      shown: { found: day.picks.filter((id) => shown.has(id)).length, of: day.picks.length },
      ranked: { found: day.picks.filter((id) => ranked.has(id)).length, of: day.picks.length },
      promptTokens: ranking.reduce((a, r) => a + r.promptTokens, 0),
      papers: day.papers.length,
      rerunCalls: ai.requests.length - before + again.usage.llmCalls,
    };
  } finally {
    await w.store.close();
  }
}

async function llmFigures(days: CuratedDay[], out: Figures): Promise<void> {
  const ai = await startOpenAiServer();
  try {
    for (const [label, llm] of [
      ['llm', {}],
      ['llm.noScreening', { screenTokens: 0 }],
    ] as const) {
      let shown: Counts = { found: 0, of: 0 };
      let ranked: Counts = { found: 0, of: 0 };
      let tokens = 0;
      let papers = 0;
      let rerun = 0;
      for (const d of days) {
        const r = await withLlm(ai, d, llm);
        out[`${d.date}.${label}.shown`] = `${r.shown.found}/${r.shown.of}`;
        out[`${d.date}.${label}.promptTokensPerPaper`] = Math.round(r.promptTokens / r.papers);
        shown = add(shown, r.shown);
        ranked = add(ranked, r.ranked);
        tokens += r.promptTokens;
        papers += r.papers;
        rerun += r.rerunCalls;
      }
      out[`pooled.${label}.shownToModel`] = share(shown);
      out[`pooled.${label}.inFullRanking`] = share(ranked);
      out[`pooled.${label}.promptTokensPerPaper`] = Math.round(tokens / papers);
      out[`pooled.${label}.rerunCalls`] = rerun;
    }
    const big = realDay(500);
    if (big.length === 500) {
      const r = await withLlm(ai, { date: '2025-10-30', papers: big, picks: [] }, {});
      out['500papers.llm.promptTokensPerPaper'] = Math.round(r.promptTokens / r.papers);
      const screened = ai.requests.filter((q) => q.schemaName === 'paper_screening');
      out['500papers.llm.shownToModel'] = pct(
        new Set(ai.requests.filter((q) => RANKING_SCHEMAS.has(q.schemaName ?? '')).flatMap((q) => q.ids)).size / 500,
      );
      out['500papers.llm.screeningCalls'] = screened.length;
      const off = await withLlm(ai, { date: '2025-10-30', papers: big, picks: [] }, { screenTokens: 0 });
      out['500papers.llm.noScreening.promptTokensPerPaper'] = Math.round(off.promptTokens / off.papers);
    } else out['500papers'] = 'skipped: no ../shared/arxiv/arxiv-real.jsonl';
  } finally {
    await ai.close();
  }
}

/** The first `n` distinct real papers of the crawl (a 500-paper day, as the digest bench builds it). */
function realDay(n: number): Paper[] {
  if (!existsSync(REAL)) return [];
  const out: Paper[] = [];
  const seen = new Set<string>();
  for (const line of readFileSync(REAL, 'utf8').split('\n')) {
    if (out.length >= n) break;
    if (!line.trim()) continue;
    const p = JSON.parse(line) as Pick<Paper, 'id' | 'title' | 'abstract' | 'authors' | 'categories'>;
    if (seen.has(p.id) || !/^\d{4}\.\d{4,5}$/.test(p.id) || !p.abstract || !p.categories.length) continue;
    seen.add(p.id);
    out.push({
      ...p,
      version: 1,
      announceType: 'new',
      ...(p.categories[0] ? { primaryCategory: p.categories[0] } : {}),
    });
  }
  return out;
}

/** A Zotero-style BibTeX export of papers (@article with title, abstract, eprint, url). */
export function zoteroBibtex(papers: Paper[]): string {
  const esc = (s: string) => s.replace(/[{}]/g, '').replace(/\s+/g, ' ');
  return papers
    .map(
      (p, i) => `@article{paper${i},
\ttitle = {{${esc(p.title)}}},
\turl = {http://arxiv.org/abs/${p.id}},
\tabstract = {${esc(p.abstract)}},
\tjournal = {arXiv preprint},
\tauthor = {${p.authors.map(esc).join(' and ')}},
\tyear = {2025},
\tnote = {arXiv:${p.id}},
\teprint = {${p.id}},
\tarchivePrefix = {arXiv},
}
`,
    )
    .join('\n');
}

/** Reading list: the first half of the days' picks as `library:`, measured on the later days against no list. */
async function libraryFigures(days: CuratedDay[], out: Figures): Promise<void> {
  const half = Math.floor(days.length / 2);
  const train = days.slice(0, half);
  const test = days.slice(half);
  const picks = train.flatMap((d) => d.papers.filter((p) => d.picks.includes(p.id)));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'arxiv-digest-selection-'));
  try {
    const file = path.join(dir, 'library.bib');
    writeFileSync(file, zoteroBibtex(picks));
    out['library'] = `${picks.length} papers from ${train[0]?.date}…${train[train.length - 1]?.date}`;
    const plain = defaultDigest();
    const withList = await libraryRanker(file);
    const later: Record<string, Counts> = {};
    for (const d of test) {
      const rows: Record<string, Counts> = {
        'noLibrary.top5': counted(orderOf(d, plain), d.picks, 5),
        'noLibrary.top10': counted(orderOf(d, plain), d.picks, 10),
        'library.top5': counted(await withList(d), d.picks, 5),
        'library.top10': counted(await withList(d), d.picks, 10),
      };
      for (const [k, c] of Object.entries(rows)) {
        out[`${d.date}.${k}`] = `${c.found}/${c.of}`;
        later[k] = add(later[k] ?? { found: 0, of: 0 }, c);
      }
    }
    for (const [k, c] of Object.entries(later)) out[`later.${k}`] = share(c);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The product's no-key order of a day. */
function orderOf(d: CuratedDay, digest = defaultDigest(), boost?: Map<string, number>): string[] {
  return firstPass(d.papers, digest, boost).map((s) => s.paper.id);
}

/**
 * The no-key order with a reading list: the product's path (the config's `library:`, the library's papers, the
 * profile's boost in the first pass), on a store without votes.
 */
async function libraryRanker(file: string): Promise<(d: CuratedDay) => Promise<string[]>> {
  const digest = defaultDigest({ library: file });
  const store = await openStore('memory://');
  const ctx = createContext({ config: parseConfig({ digests: [digest] }, 'bench'), store, log: silentLogger });
  const arxiv = { fetchMetadata: async () => new Map<string, Paper>() };
  const boost = createProfileBoost(store, (dg) => libraryDocs(ctx, arxiv, dg));
  return async (d) => {
    const got = await boost(digest, d.papers);
    return orderOf(d, digest, got instanceof Map ? got : got.boost);
  };
}

export async function run(): Promise<Figures> {
  const days = curatedDays();
  if (!days.length) {
    process.stderr.write(`bench selection: ${CURATED} is absent: skipped (the curated days live in ../shared)\n`);
    return { skipped: 'no ../shared/curated' };
  }
  const out: Figures = {};
  withoutKey(days, (d) => orderOf(d), 'project', out);
  if (process.env.BENCH_SELECTION !== 'nokey') await llmFigures(days, out);
  await libraryFigures(days, out);
  return out;
}
