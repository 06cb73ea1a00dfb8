/**
 * The world of the benches that read long papers (faithfulness, ask): three papers of ~120,000 characters of arXiv
 * LaTeXML HTML (test/fakes/latexml.ts) served by the local arXiv fake, the local OpenAI-compatible server, a fresh
 * SQLite store, and the bot's real services over them (arXiv's spacing shortened: these benches measure prompts and
 * calls, not waits).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type AppContext, createContext, systemClock } from '../src/context';
import { silentLogger } from '../src/app/log';
import { createArxivClient } from '../src/arxiv/client';
import { parseConfig } from '../src/config/load';
import { SEED_INTERESTS } from '../src/config/schema';
import { createServices } from '../src/jobs/services';
import { createLlm } from '../src/llm/client';
import { openStore } from '../src/store';
import { startArxivServer } from '../test/fakes/arxiv-server';
import { type LongPaper, latexmlHtml, longPapers } from '../test/fakes/latexml';
import { type FakeOpenAiOptions, type FakeOpenAi, startOpenAiServer } from '../test/fakes/openai-server';

export interface LongPaperWorld {
  papers: LongPaper[];
  ai: FakeOpenAi;
  ctx: AppContext;
  services: ReturnType<typeof createServices>;
  close(): Promise<void>;
}

export async function startLongPaperWorld(name: string, ai: FakeOpenAiOptions = {}): Promise<LongPaperWorld> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `arxiv-digest-${name}-`));
  const arxivServer = await startArxivServer();
  const llmServer = await startOpenAiServer(ai);
  const store = await openStore(`sqlite://${path.join(dir, 'bench.sqlite')}`);
  const papers = longPapers();
  arxivServer.addPapers(papers.map((p) => p.paper));
  for (const p of papers) arxivServer.serveRaw(`/html/${p.paper.id}`, latexmlHtml(p), 'text/html; charset=utf-8');
  const config = parseConfig(
    { digests: [{ name: 'bench', categories: ['cs.CL'], interests: SEED_INTERESTS }] },
    'bench',
  );
  const env = {
    OPENAI_API_KEY: 'sk-bench-0123456789',
    OPENAI_BASE_URL: llmServer.url,
    ARXIV_API_URL: arxivServer.apiUrl,
    ARXIV_WEB_URL: arxivServer.webUrl,
  };
  const ctx = createContext({ config, store, log: silentLogger, env, clock: systemClock });
  const arxiv = createArxivClient(ctx, { minIntervalMs: 5, webMinIntervalMs: 0 });
  const services = createServices(ctx, { arxiv, llm: createLlm(ctx) });
  return {
    papers,
    ai: llmServer,
    ctx,
    services,
    async close() {
      await store.close();
      await llmServer.close();
      await arxivServer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
