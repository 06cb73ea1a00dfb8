/**
 * The LLM digest at scale: 500-, 2,000- and 5,000-paper announcement days built from real arXiv papers
 * (`../shared/arxiv/arxiv-real.jsonl`, read at bench time, never copied; skipped with a notice when absent), served
 * by the local arXiv fake (RSS listing, export API, HTML full text) with arXiv's real spacing (the command's
 * defaults: export API 3 s, arxiv.org pages 1 s), against the local OpenAI-compatible server answering every call
 * after 200 ms, with the default LLM config (shortlist 40, 5 papers).
 *
 * The bot runs in its own process, as a user runs it: `node bin/arxiv-digest.js digest --dry-run --format json`
 * (from dist/, built first when stale), with the fakes in the bench's process, so neither the fakes' work nor
 * their memory is counted. A preload (bench/memory-probe.js) reports the process's peak RSS at exit and its RSS on
 * SIGUSR2.
 *
 * Per size: wall time, from the feed request reaching the fake arXiv to the process's exit (start-up, which the
 * start-up bench measures, is left out); the floor, i.e. what the day cannot be faster than: the longer of (a) the
 * export API's required spacing ((requests − 1) × 3 s) and (b) the LLM rounds on the critical path × 200 ms with the
 * full texts' 1 s spacing (the selected papers' pages, fetched from the end of the ranking round on); the ratio
 * wall / floor; the LLM rounds on the critical path (screening, then ranking calls at llm.concurrency, the
 * listwise pass when the last review waited for it, i.e. it answered after the last selected page was asked for,
 * the reviews at min(maxPapers, llm.reviewConcurrency), the day), the rounds in all, and by how much the listwise answer came
 * before the last page (listwiseSlackMs); calls; prompt tokens per paper of
 * the day; the digest process's peak RSS; the re-run's wall and calls (a second process on the same store); and the
 * LLM calls of a burst of 50 simultaneous `/critique`s of one paper not yet reviewed (every one answered). For 500
 * papers also `start`: the long-running bot (Slack in HTTP mode, against the fake Slack) posts the day's digest on
 * start (catch-up of a firing at 00:00 UTC), and its RSS is read 3 s after the digest is posted.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createArxivClient } from '../src/arxiv/client';
import { critiquePaper } from '../src/commands/critique';
import { parseConfig } from '../src/config/load';
import { SEED_INTERESTS } from '../src/config/schema';
import { createContext, systemClock } from '../src/context';
import { createServices } from '../src/jobs/services';
import { getPostedDigest } from '../src/jobs/post';
import { createLlm } from '../src/llm/client';
import { costUsd, pricingTable, roundUsd } from '../src/llm/pricing';
import { silentLogger } from '../src/app/log';
import type { Digest } from '../src/app/types';
import { firstPass } from '../src/pipeline/firstpass';
import { openStore } from '../src/store';
import { type DayPaper, startArxivServer } from '../test/fakes/arxiv-server';
import { startOpenAiServer } from '../test/fakes/openai-server';
import { FakeSlackServer } from '../test/fakes/slack-server';

// bin/ is plain CommonJS (it runs before any TypeScript hook): its launcher decides dist/ or the sources.
const buildInfo: { chooseRuntime(): { runtime: 'dist' | 'source'; reason: string } } = require('../bin/build-info');

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'arxiv-digest.js');
const PROBE = path.join(__dirname, 'memory-probe.js');
const SLACK_CHANNEL = 'C0BENCH0001';
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

interface Probe {
  kind: 'now' | 'exit';
  rssKb: number;
  heapUsedKb: number;
  maxRssKb: number;
}

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  probes: Probe[];
  exited: Promise<number | null>;
}

/** `node -r memory-probe bin/arxiv-digest.js …` in `dir`, its memory reports collected from descriptor 3. */
function launch(args: string[], env: NodeJS.ProcessEnv, dir: string): Running {
  // BENCH_CPU_PROF=DIR: a CPU profile of each process (node --cpu-prof), to see where the time goes.
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  const child = spawn(process.execPath, [...prof, '-r', PROBE, BIN, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let fd3 = '';
  const probes: Probe[] = [];
  child.stdout?.on('data', (c) => (stdout += c));
  child.stderr?.on('data', (c) => (stderr += c));
  child.stdio[3]?.on('data', (c) => {
    fd3 += c;
    let nl = fd3.indexOf('\n');
    while (nl >= 0) {
      probes.push(JSON.parse(fd3.slice(0, nl)) as Probe);
      fd3 = fd3.slice(nl + 1);
      nl = fd3.indexOf('\n');
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, probes, exited };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function one(n: number): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'arxiv-digest-bench-'));
  const arxivServer = await startArxivServer();
  const ai = await startOpenAiServer({ delayMs: LLM_DELAY_MS });
  const running: Running[] = [];
  try {
    const day: DayPaper[] = realDay(n);
    const categories = [...new Set(day.flatMap((p) => p.categories))].slice(0, 1);
    arxivServer.setDay(categories, DATE, day);
    const digestConfig = { name: 'bench', categories, interests: SEED_INTERESTS, maxPapers: 5 };
    const config = parseConfig({ digests: [digestConfig] }, 'bench');
    const digest = config.digests[0]!;
    // YAML reads JSON: the config file is the same object.
    writeFileSync(path.join(dir, 'config.yaml'), JSON.stringify({ digests: [digestConfig] }));
    const storeUrl = `sqlite://${path.join(dir, 'bench.sqlite')}`;
    const env = {
      OPENAI_API_KEY: 'sk-bench-0123456789',
      OPENAI_BASE_URL: ai.url,
      ARXIV_RSS_URL: arxivServer.rssUrl,
      ARXIV_API_URL: arxivServer.apiUrl,
      ARXIV_WEB_URL: arxivServer.webUrl,
    };

    // Five papers spread over the first pass's shortlist score highest: the digest should select them.
    const shortlist = firstPass(day, digest).slice(0, config.llm.shortlist);
    const preferred = [2, 9, 17, 26, 38].map((i) => shortlist[i]?.paper.id).filter((id): id is string => !!id);
    ai.prefer(preferred, 9);
    const other = shortlist[30]?.paper.id ?? day[0]!.id;

    /** One `digest` process: its digest, wall from its feed request to its exit, and its peak RSS. */
    const digestRun = async () => {
      const from = arxivServer.requests.length;
      const r = launch(
        ['digest', '--dry-run', '--format', 'json', '--config', path.join(dir, 'config.yaml')],
        { ...env, STORE_URL: storeUrl },
        dir,
      );
      running.push(r);
      const code = await r.exited;
      const end = Date.now();
      if (code !== 0) throw new Error(`digest exited ${code}: ${r.stderr().trim().slice(-600)}`);
      const feedAt = arxivServer.requests.slice(from).find((q) => q.path.startsWith('/rss'))?.at ?? end;
      const exit = r.probes.find((p) => p.kind === 'exit');
      return {
        built: JSON.parse(r.stdout()) as Digest,
        wallMs: end - feedAt,
        peakRss: (exit?.maxRssKb ?? 0) * 1024,
        stderr: r.stderr(),
      };
    };

    const first = await digestRun();
    if (process.env.BENCH_TIMELINE) {
      // Where the time went: every request the fakes saw, from the feed request on (ms).
      const t0 = arxivServer.requests[0]?.at ?? 0;
      for (const r of arxivServer.requests) process.stderr.write(`  ${r.at - t0} arXiv ${r.method} ${r.path}\n`);
      for (const r of ai.requests)
        process.stderr.write(`  ${r.receivedAt - t0}-${(r.answeredAt ?? 0) - t0} LLM ${r.schemaName}\n`);
      process.stderr.write(`  ${first.wallMs} exit\n`);
      for (const line of first.stderr.split('\n').filter((l) => l.startsWith('T ')))
        process.stderr.write(`  ${Number(line.split(' ')[1]) - t0} ${line.split(' ').slice(2).join(' ')}\n`);
    }
    const built = first.built;
    const wallMs = first.wallMs;

    const calls = [...ai.requests];
    const screening = calls.filter((r) => r.schemaName === 'paper_screening');
    const ranking = calls.filter((r) => r.schemaName === 'paper_ranking');
    const listwise = calls.filter((r) => r.schemaName === 'paper_listwise');
    const reviews = calls.filter((r) => r.schemaName === 'paper_review');
    const allPrompt = calls.reduce((k, r) => k + r.promptTokens, 0);
    const apiRequests = arxivServer.requests.filter((r) => r.path === '/api/query').length;
    const c = config.llm.concurrency;
    const reviewLane = Math.min(digest.maxPapers, config.llm.reviewConcurrency);
    // The screening's rounds come before the ranking's (the ranking reads what the screening brings).
    const rankRounds = Math.ceil(screening.length / c) + Math.ceil(ranking.length / c);
    const reviewRounds = Math.ceil(reviews.length / reviewLane);
    // (b): ranking, then (while a listwise pass runs) the selected papers' pages 1 s apart, then the last review
    // and the day.
    const pages = arxivServer.requests.filter((r) => r.path.startsWith('/html/') || r.path.startsWith('/pdf/'));
    const texts = new Set(pages.map((r) => r.path.replace(/^\/(html|pdf)\//, ''))).size;
    // The listwise pass is on the critical path only when the last review waited for it: when it answered after
    // the last selected page was asked for (else that page was what the last review waited for). Measured, not
    // assumed: listwiseSlackMs is how long before the last page it answered.
    const lastPageAt = Math.max(0, ...pages.map((r) => r.at));
    const listwiseAnsweredAt = Math.max(0, ...listwise.map((r) => r.answeredAt ?? Number.POSITIVE_INFINITY));
    const listwiseOnPath = listwise.length > 0 && listwiseAnsweredAt > lastPageAt;
    const rounds = rankRounds + (listwiseOnPath ? listwise.length : 0) + reviewRounds + 1;
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
    const again = await digestRun();
    const rerunMs = again.wallMs;
    const rerunCalls = ai.requests.length - before;

    // 50 members ask for the critique of one paper nobody reviewed yet, at once (in the bench's process, on the
    // digest's store).
    const store = await openStore(storeUrl);
    let burstCalls: number;
    let burstAnswered: number;
    let burstMs: number;
    try {
      const ctx = createContext({ config, store, log: silentLogger, env, clock: systemClock });
      const arxiv = createArxivClient(ctx, { minIntervalMs: API_SPACING_MS, webMinIntervalMs: WEB_SPACING_MS });
      const services = createServices(ctx, { arxiv, llm: createLlm(ctx) });
      const beforeBurst = ai.requests.length;
      const t2 = performance.now();
      const answers = await Promise.all(Array.from({ length: 50 }, () => critiquePaper(ctx, services, other)));
      burstMs = performance.now() - t2;
      burstCalls = ai.requests.length - beforeBurst;
      burstAnswered = answers.filter((a) => a.critique.length > 0).length;
    } finally {
      await store.close();
    }

    const out: Record<string, number | string> = {
      papers: built.totalPapers,
      selectedAreTheHighestScored: selectedAsScored ? 'yes' : 'NO',
      wallMs: Math.round(wallMs),
      floorMs,
      wallOverFloor: wallMs / floorMs,
      apiRequests,
      llmRoundsOnCriticalPath: rounds,
      llmRoundsInAll: rankRounds + listwise.length + reviewRounds + 1,
      listwiseSlackMs: listwise.length ? lastPageAt - listwiseAnsweredAt : 'no listwise call',
      llmCalls: built.usage.llmCalls,
      promptTokensPerPaper: allPrompt / built.totalPapers,
      promptTokens: built.usage.promptTokens,
      completionTokens: built.usage.completionTokens,
      // What the same tokens cost at a few models' default prices (src/llm/pricing.ts), and as the run priced them.
      ...costAt(built.usage),
      peakRssMb: mb(first.peakRss),
      rerunMs: Math.round(rerunMs),
      rerunOverWall: rerunMs / wallMs,
      rerunCalls,
      burst50CritiqueCalls: burstCalls,
      burst50Answered: burstAnswered,
      burst50Ms: Math.round(burstMs),
    };
    if (n === SIZES[0]) out.startRssAfterDigestMb = await startAfterDigest(env, dir, running);
    return out;
  } finally {
    for (const r of running) {
      if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
      await r.exited;
    }
    await ai.close();
    await arxivServer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The day's tokens priced at a few common models' defaults (USD), and the run's own estimate (its model's). */
function costAt(usage: Digest['usage']): Record<string, number> {
  const table = pricingTable(undefined);
  const tokens = { prompt: usage.promptTokens, completion: usage.completionTokens };
  const out: Record<string, number> = { estimatedCostUsd: roundUsd(usage.estimatedCostUsd ?? 0) };
  for (const model of ['gpt-4o-mini', 'gpt-4.1-mini', 'gpt-5-mini', 'gpt-4o'])
    out[`usd@${model}`] = roundUsd(costUsd(table, model, tokens));
  return out;
}

/**
 * `start` on a store of its own posts the day's digest at once (its 00:00 UTC firing is caught up) to the fake
 * Slack; 3 s after the digest is posted completely, the process's RSS.
 */
async function startAfterDigest(env: Record<string, string>, dir: string, running: Running[]): Promise<number> {
  const slack = await FakeSlackServer.start();
  const storeUrl = `sqlite://${path.join(dir, 'start.sqlite')}`;
  const store = await openStore(storeUrl);
  try {
    const cfg = path.join(dir, 'start.yaml');
    const config = JSON.parse(readFileSync(path.join(dir, 'config.yaml'), 'utf8')) as {
      digests: Array<Record<string, unknown>>;
    };
    for (const d of config.digests)
      Object.assign(d, { schedule: '0 0 * * *', timezone: 'UTC', channels: [{ slack: SLACK_CHANNEL }] });
    writeFileSync(cfg, JSON.stringify(config));
    const r = launch(
      ['start', '--config', cfg],
      {
        ...env,
        STORE_URL: storeUrl,
        PORT: '0',
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99yyyzzz85a5',
        SLACK_API_URL: slack.apiUrl,
      },
      dir,
    );
    running.push(r);
    const started = Date.now();
    for (;;) {
      const posted = await getPostedDigest(store, 'slack', SLACK_CHANNEL, 'bench', DATE);
      if (posted?.complete) break;
      if (r.child.exitCode !== null) throw new Error(`start exited: ${r.stderr().trim().slice(-600)}`);
      if (Date.now() - started > 120_000) throw new Error('start did not post the digest within 120 s');
      await sleep(100);
    }
    await sleep(3000);
    const count = r.probes.length;
    r.child.kill('SIGUSR2');
    for (let i = 0; i < 100 && r.probes.length === count; i++) await sleep(20);
    const now = r.probes[count];
    r.child.kill('SIGTERM');
    await r.exited;
    if (!now) throw new Error('start did not report its memory');
    return mb(now.rssKb * 1024);
  } finally {
    await store.close();
    await slack.close();
  }
}

export async function run(): Promise<Record<string, number | string>> {
  if (!existsSync(REAL)) {
    process.stderr.write(`bench digest: ${REAL} is absent: skipped (the real listings live in ../shared/arxiv)\n`);
    return { skipped: 'no ../shared/arxiv' };
  }
  if (buildInfo.chooseRuntime().runtime !== 'dist') {
    process.stderr.write('bench digest: building dist/ first (npm run build)\n');
    const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js')], { stdio: 'inherit' });
    if (built.status !== 0) throw new Error('npm run build failed');
  }
  const out: Record<string, number | string> = {};
  for (const n of SIZES) {
    const only = process.env.BENCH_PAPERS;
    if (only && Number(only) !== n) continue;
    for (const [k, v] of Object.entries(await one(n))) out[`${n}.${k}`] = v;
  }
  return out;
}
