/**
 * The LLM digest at scale: a 500-paper announcement day served by the local arXiv fake (RSS listing, export API
 * metadata, HTML full text) through the real ArxivClient, against the local OpenAI-compatible server answering
 * every call after 200 ms, with the default LLM config (shortlist 40, batches of 20, concurrency 4, 5 papers).
 * Then the same day again: it must make no call.
 *
 * Figures: wall time; LLM calls; prompt tokens per candidate (ranking prompt tokens / candidates ranked, and all
 * prompt tokens / papers of the day); peak concurrent calls; the critical path (the LLM rounds that cannot overlap:
 * ranking → the listwise pass → reviews → the day, × 200 ms) and the ratio of the wall time to it, also with the rounds that
 * llm.concurrency adds (5 reviews at concurrency 4 take two rounds); the re-run's calls.
 * Targets: < 20 s wall, < 400 prompt tokens per candidate, 0 calls on the re-run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createArxivClient } from '../src/arxiv/client';
import { parseConfig } from '../src/config/load';
import { SEED_INTERESTS } from '../src/config/schema';
import { createContext, systemClock } from '../src/app/context';
import { createServices } from '../src/jobs/services';
import { createLlm } from '../src/llm/client';
import { silentLogger } from '../src/app/log';
import { buildDigest } from '../src/pipeline/digest';
import { firstPass } from '../src/pipeline/firstpass';
import { openStore } from '../src/store';
import { startArxivServer, syntheticDay } from '../test/fakes/arxiv-server';
import { startOpenAiServer } from '../test/fakes/openai-server';

const PAPERS = 500;
const LLM_DELAY_MS = 200;
const DATE = '2025-10-30';
/**
 * Dependent LLM rounds of a digest: the ranking batches (in parallel), the final listwise pass, then the reviews,
 * then the day.
 */
const DEPENDENT_ROUNDS = 4;

export async function run(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'arxiv-digest-bench-'));
  const arxivServer = await startArxivServer();
  const ai = await startOpenAiServer({ delayMs: LLM_DELAY_MS });
  const store = await openStore(`sqlite://${path.join(dir, 'bench.sqlite')}`);
  try {
    const day = syntheticDay(PAPERS, 7);
    arxivServer.setDay(['cs.CL'], DATE, day);
    const config = parseConfig(
      { digests: [{ name: 'bench', categories: ['cs.CL'], interests: SEED_INTERESTS, maxPapers: 5 }] },
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
    // A local server: arXiv's 3 s spacing is for arxiv.org, not for the bench.
    const arxiv = createArxivClient(ctx, { minIntervalMs: 5, webMinIntervalMs: 0 });
    const services = createServices(ctx, { arxiv, llm: createLlm(ctx) });

    // The server prefers five papers spread over the first pass's shortlist: the digest should select them.
    const listed = day.filter((p) => p.announceType === 'new' || p.announceType === 'cross');
    const shortlist = firstPass(listed, digest).slice(0, config.llm.shortlist);
    const preferred = [2, 9, 17, 26, 38].map((i) => shortlist[i]?.paper.id).filter((id): id is string => !!id);
    ai.prefer(preferred, 9);

    const t0 = performance.now();
    const built = await buildDigest(ctx, services, digest);
    const wallMs = performance.now() - t0;

    const calls = [...ai.requests];
    const ranking = calls.filter((r) => r.schemaName === 'paper_ranking');
    const listwise = calls.filter((r) => r.schemaName === 'paper_listwise');
    const candidates = ranking.reduce((n, r) => n + r.ids.length, 0);
    const rankPrompt = ranking.reduce((n, r) => n + r.promptTokens, 0);
    const allPrompt = calls.reduce((n, r) => n + r.promptTokens, 0);
    const llmStart = Math.min(...calls.map((r) => r.receivedAt));
    const llmEnd = Math.max(...calls.map((r) => r.answeredAt ?? r.receivedAt));
    const criticalPathMs = DEPENDENT_ROUNDS * LLM_DELAY_MS;
    // With llm.concurrency c, the rounds of each stage: ranking batches, then reviews, then the day.
    const c = config.llm.concurrency;
    const roundsAtConcurrency =
      Math.ceil(ranking.length / c) + listwise.length + Math.ceil(built.selected.length / c) + 1;
    const selectedAsScored =
      [...preferred].sort().join() ===
      built.selected
        .map((p) => p.id)
        .sort()
        .join();

    const before = ai.requests.length;
    const t1 = performance.now();
    const again = await buildDigest(ctx, services, digest);
    const rerunMs = performance.now() - t1;

    return {
      papers: built.totalPapers,
      selected: built.selected.length,
      selectedAreTheHighestScored: selectedAsScored ? 'yes' : 'NO',
      wallMs: Math.round(wallMs),
      llmPhaseMs: Math.round(llmEnd - llmStart),
      llmCalls: built.usage.llmCalls,
      rankingCalls: ranking.length,
      candidatesRanked: candidates,
      rankPromptTokensPerCandidate: candidates ? rankPrompt / candidates : 0,
      listwiseCalls: listwise.length,
      listwisePromptTokens: listwise.reduce((n, r) => n + r.promptTokens, 0),
      listwiseCompletionTokens: listwise.reduce((n, r) => n + r.completionTokens, 0),
      promptTokensPerPaperOfTheDay: allPrompt / built.totalPapers,
      promptTokens: built.usage.promptTokens,
      completionTokens: built.usage.completionTokens,
      peakConcurrentCalls: ai.peakConcurrent(),
      llmConcurrency: config.llm.concurrency,
      criticalPathMs,
      wallOverCriticalPath: wallMs / criticalPathMs,
      llmPhaseOverCriticalPath: (llmEnd - llmStart) / criticalPathMs,
      criticalPathAtConcurrencyMs: roundsAtConcurrency * LLM_DELAY_MS,
      llmPhaseOverCriticalPathAtConcurrency: (llmEnd - llmStart) / (roundsAtConcurrency * LLM_DELAY_MS),
      rerunMs: Math.round(rerunMs),
      rerunCalls: ai.requests.length - before,
      rerunCachedCalls: again.usage.cachedCalls,
    };
  } finally {
    await store.close();
    await ai.close();
    await arxivServer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
