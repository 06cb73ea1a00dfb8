/**
 * The LLM digest at scale: 500-, 2,000- and 5,000-paper announcement days built from real arXiv papers
 * (`../shared/arxiv/arxiv-real.jsonl`, read at bench time, never copied; skipped with a notice when absent), served
 * by the local arXiv fake (RSS listing, export API, HTML full text) through the real ArxivClient with arXiv's real
 * spacing (export API 3 s, arxiv.org pages 1 s), against the local OpenAI-compatible server answering every call
 * after 200 ms, with the default LLM config (shortlist 40, batches of 20, 5 papers).
 *
 * Per size: wall time; the floor, i.e. what the day cannot be faster than: the longer of (a) the export API's
 * required spacing ((requests − 1) × 3 s) and (b) the LLM rounds on the critical path × 200 ms with the full texts'
 * 1 s spacing (the selected papers' pages, fetched from the end of the ranking round on); the ratio wall / floor;
 * the LLM rounds on the critical path (ranking batches at llm.concurrency, the listwise pass, the reviews at
 * min(maxPapers, llm.reviewConcurrency), the day); calls; prompt tokens per paper of the day; peak RSS (the
 * process's maximum so far, sizes run smallest first) and RSS after the digest; the re-run's wall and calls; and the
 * LLM calls of a burst of 50 simultaneous `/critique`s of one paper not yet reviewed (every one answered).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createArxivClient } from '../src/arxiv/client';
import { critiquePaper } from '../src/commands/critique';
import { parseConfig } from '../src/config/load';
import { SEED_INTERESTS } from '../src/config/schema';
import { createContext, systemClock } from '../src/app/context';
import { createServices } from '../src/jobs/services';
import { createLlm } from '../src/llm/client';
import { silentLogger } from '../src/app/log';
import { buildDigest } from '../src/pipeline/digest';
import { firstPass } from '../src/pipeline/firstpass';
import { openStore } from '../src/store';
import { type DayPaper, startArxivServer } from '../test/fakes/arxiv-server';
import { startOpenAiServer } from '../test/fakes/openai-server';

const SIZES = [500, 2000, 5000];
const LLM_DELAY_MS = 200;
const API_SPACING_MS = 3000;
const WEB_SPACING_MS = 1000;
const API_SLICE = 2000;
const DATE = '2025-10-30';
const REAL = path.resolve(__dirname, '../../shared/arxiv/arxiv-real.jsonl');

interface RealPaper {
  id: string;
  title: string;
  abstract: string;
  authors: string[];
  categories: string[];
}

function realDay(n: number): DayPaper[] {
  const out: DayPaper[] = [];
  const seen = new Set<string>();
  for (const line of readFileSync(REAL, 'utf8').split('\n')) {
    if (out.length >= n) break;
    if (!line.trim()) continue;
    const p = JSON.parse(line) as RealPaper;
    if (seen.has(p.id) || !/^\d{4}\.\d{4,5}$/.test(p.id) || !p.abstract || !p.categories.length) continue;
    seen.add(p.id);
    out.push({
      id: p.id,
      version: 1,
      title: p.title,
      abstract: p.abstract,
      authors: p.authors,
      categories: p.categories,
      primaryCategory: p.categories[0],
      announceType: 'new',
    });
  }
  return out;
}

const mb = (bytes: number) => Math.round(bytes / 1048576);

async function one(n: number): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'arxiv-digest-bench-'));
  const arxivServer = await startArxivServer();
  const ai = await startOpenAiServer({ delayMs: LLM_DELAY_MS });
  const store = await openStore(`sqlite://${path.join(dir, 'bench.sqlite')}`);
  try {
    let day: DayPaper[] | undefined = realDay(n);
    const categories = [...new Set(day.flatMap((p) => p.categories))].slice(0, 1);
    arxivServer.setDay(categories, DATE, day);
    const config = parseConfig(
      { digests: [{ name: 'bench', categories, interests: SEED_INTERESTS, maxPapers: 5 }] },
      'bench',
    );
    const digest = config.digests[0]!;
    const env = {
      OPENAI_API_KEY: 'sk-bench-0123456789',
      OPENAI_BASE_URL: ai.url,
      ARXIV_RSS_URL: arxivServer.rssUrl,
      ARXIV_API_URL: arxivServer.apiUrl,
      ARXIV_WEB_URL: arxivServer.webUrl,
    };
    const ctx = createContext({ config, store, log: silentLogger, env, clock: systemClock });
    const arxiv = createArxivClient(ctx, { minIntervalMs: API_SPACING_MS, webMinIntervalMs: WEB_SPACING_MS });
    const services = createServices(ctx, { arxiv, llm: createLlm(ctx) });

    // Five papers spread over the first pass's shortlist score highest: the digest should select them.
    const shortlist = firstPass(day, digest).slice(0, config.llm.shortlist);
    const preferred = [2, 9, 17, 26, 38].map((i) => shortlist[i]?.paper.id).filter((id): id is string => !!id);
    ai.prefer(preferred, 9);
    const other = shortlist[30]?.paper.id ?? day[0]!.id;
    day = undefined; // the bench holds no copy of the day while the digest runs

    const t0 = performance.now();
    const built = await buildDigest(ctx, services, digest);
    const wallMs = performance.now() - t0;
    const rssAfter = process.memoryUsage().rss;
    const peakRss = process.resourceUsage().maxRSS * 1024;

    const calls = [...ai.requests];
    const ranking = calls.filter((r) => r.schemaName === 'paper_ranking');
    const listwise = calls.filter((r) => r.schemaName === 'paper_listwise');
    const reviews = calls.filter((r) => r.schemaName === 'paper_review');
    const allPrompt = calls.reduce((k, r) => k + r.promptTokens, 0);
    const apiRequests = arxivServer.requests.filter((r) => r.path === '/api/query').length;
    const c = config.llm.concurrency;
    const reviewLane = Math.min(digest.maxPapers, config.llm.reviewConcurrency);
    const rankRounds = Math.ceil(ranking.length / c);
    const reviewRounds = Math.ceil(reviews.length / reviewLane);
    const rounds = rankRounds + listwise.length + reviewRounds + 1;
    // (b): ranking, then (while the listwise pass runs) the selected papers' pages 1 s apart, then the last review
    // and the day.
    const texts = built.selected.filter((p) => p.textSource === 'html' || p.textSource === 'pdf').length;
    const llmPath =
      rankRounds * LLM_DELAY_MS +
      Math.max(listwise.length * LLM_DELAY_MS, Math.max(0, texts - 1) * WEB_SPACING_MS) +
      reviewRounds * LLM_DELAY_MS +
      LLM_DELAY_MS;
    const apiPath = Math.max(0, Math.ceil(built.totalPapers / API_SLICE) - 1) * API_SPACING_MS;
    const floorMs = Math.max(llmPath, apiPath);
    const selectedAsScored =
      [...preferred].sort().join() ===
      built.selected
        .map((p) => p.id)
        .sort()
        .join();

    const before = ai.requests.length;
    const t1 = performance.now();
    await buildDigest(ctx, services, digest);
    const rerunMs = performance.now() - t1;
    const rerunCalls = ai.requests.length - before;

    // 50 members ask for the critique of one paper nobody reviewed yet, at once.
    const beforeBurst = ai.requests.length;
    const t2 = performance.now();
    const answers = await Promise.all(Array.from({ length: 50 }, () => critiquePaper(ctx, services, other)));
    const burstMs = performance.now() - t2;

    return {
      papers: built.totalPapers,
      selectedAreTheHighestScored: selectedAsScored ? 'yes' : 'NO',
      wallMs: Math.round(wallMs),
      floorMs,
      wallOverFloor: wallMs / floorMs,
      apiRequests,
      llmRoundsOnCriticalPath: rounds,
      llmCalls: built.usage.llmCalls,
      promptTokensPerPaper: allPrompt / built.totalPapers,
      peakRssMb: mb(peakRss),
      rssAfterDigestMb: mb(rssAfter),
      rerunMs: Math.round(rerunMs),
      rerunOverWall: rerunMs / wallMs,
      rerunCalls,
      burst50CritiqueCalls: ai.requests.length - beforeBurst,
      burst50Answered: answers.filter((a) => a.critique.length > 0).length,
      burst50Ms: Math.round(burstMs),
    };
  } finally {
    await store.close();
    await ai.close();
    await arxivServer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<Record<string, number | string>> {
  if (!existsSync(REAL)) {
    process.stderr.write(`bench digest: ${REAL} is absent: skipped (the real listings live in ../shared/arxiv)\n`);
    return { skipped: 'no ../shared/arxiv' };
  }
  const out: Record<string, number | string> = {};
  for (const n of SIZES) {
    const only = process.env.BENCH_PAPERS;
    if (only && Number(only) !== n) continue;
    for (const [k, v] of Object.entries(await one(n))) out[`${n}.${k}`] = v;
  }
  return out;
}
