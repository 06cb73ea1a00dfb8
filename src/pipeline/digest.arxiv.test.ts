/**
 * The LLM pipeline end to end through the real ArxivClient: the day's listing from the local arXiv fake's RSS
 * feed and export API, full text from its HTML, answers from the local OpenAI-compatible server.
 */
import { type ArxivServer, seedDay, startArxivServer } from '../../test/fakes/arxiv-server';
import { SEED_SELECTED } from '../../test/fakes/llm-world';
import { type FakeOpenAi, startOpenAiServer } from '../../test/fakes/openai-server';
import { createArxivClient } from '../arxiv/client';
import { critiquePaper } from '../commands/critique';
import { parseConfig } from '../config/load';
import { SEED_INTERESTS } from '../config/schema';
import { createContext } from '../context';
import { createServices } from '../jobs/services';
import { PaperNotFoundError } from '../app/errors';
import { silentLogger } from '../app/log';
import { openStore, type Store } from '../store';
import { buildDigest } from './digest';

let arxiv: ArxivServer;
let ai: FakeOpenAi;
let store: Store;
beforeAll(async () => {
  arxiv = await startArxivServer();
  ai = await startOpenAiServer();
  store = await openStore('memory://');
  arxiv.setDay(['cs.CL'], '2025-10-30', seedDay().papers);
});
afterAll(async () => {
  await store.close();
  await ai.close();
  await arxiv.close();
});

test('a digest of the seed day and a critique, through the real arXiv client', async () => {
  const config = parseConfig(
    { digests: [{ name: 'nlp', categories: ['cs.CL'], interests: SEED_INTERESTS, maxPapers: 5 }] },
    'test',
  );
  const env = {
    OPENAI_API_KEY: 'sk-test-0123456789',
    OPENAI_BASE_URL: ai.url,
    ARXIV_RSS_URL: arxiv.rssUrl,
    ARXIV_API_URL: arxiv.apiUrl,
    ARXIV_WEB_URL: arxiv.webUrl,
  };
  const clock = { now: () => Date.parse('2025-10-30T13:00:00Z'), sleep: async () => {} };
  const ctx = createContext({ config, store, log: silentLogger, env, clock });
  const services = createServices(ctx, { arxiv: createArxivClient(ctx, { minIntervalMs: 0, webMinIntervalMs: 0 }) });
  ai.prefer(SEED_SELECTED, 9);

  const d = await buildDigest(ctx, services, config.digests[0]!);
  expect(d.date).toBe('2025-10-30');
  expect(d.totalPapers).toBe(58);
  expect(d.selected.map((p) => p.id).sort()).toEqual([...SEED_SELECTED].sort());
  for (const p of d.selected) {
    expect(p.textSource).toBe('html');
    expect(p.critique).toContain('### Strengths');
  }
  const review = ai.requests.find((r) => r.schemaName === 'paper_review');
  expect(review?.body.messages[1]?.content).toMatch(
    /<paper_text source="html">\n[\s\S]*Introduction[\s\S]*<\/paper_text>/,
  );

  const calls = ai.requests.length;
  const again = await buildDigest(ctx, services, config.digests[0]!);
  expect(again.usage.llmCalls).toBe(0);
  expect(ai.requests).toHaveLength(calls);

  const critique = await critiquePaper(ctx, services, 'https://arxiv.org/abs/2510.26788');
  expect(critique.cached).toBe(true);
  expect(ai.requests).toHaveLength(calls);
  await expect(critiquePaper(ctx, services, '2510.99999')).rejects.toBeInstanceOf(PaperNotFoundError);
  expect(ai.requests).toHaveLength(calls);
});

describe('a 500-paper morning at the speed of its slowest wait (issue 13)', () => {
  const world = async () => {
    const server = await startArxivServer();
    const llm = await startOpenAiServer();
    const st = await openStore('memory://');
    server.setDay(['cs.CL'], '2025-10-30', seedDay().papers);
    const config = parseConfig(
      { digests: [{ name: 'nlp', categories: ['cs.CL'], interests: SEED_INTERESTS, maxPapers: 5 }] },
      'test',
    );
    const env = {
      OPENAI_API_KEY: 'sk-test-0123456789',
      OPENAI_BASE_URL: llm.url,
      ARXIV_RSS_URL: server.rssUrl,
      ARXIV_API_URL: server.apiUrl,
      ARXIV_WEB_URL: server.webUrl,
    };
    const clock = { now: () => Date.parse('2025-10-30T13:00:00Z'), sleep: async () => {} };
    const ctx = createContext({ config, store: st, log: silentLogger, env, clock });
    const services = createServices(ctx, {
      arxiv: createArxivClient(ctx, { minIntervalMs: 0, webMinIntervalMs: 0 }),
    });
    llm.prefer(SEED_SELECTED, 9);
    const close = async () => {
      await st.close();
      await llm.close();
      await server.close();
    };
    return { server, llm, st, config, ctx, services, close };
  };

  test('ranking starts from the feed: the export API is asked once, alongside, and its metadata is joined in', async () => {
    const w = await world();
    try {
      const d = await buildDigest(w.ctx, w.services, w.config.digests[0]!);
      const api = w.server.requests.filter((r) => r.path === '/api/query');
      expect(api).toHaveLength(1);
      expect(api[0]?.query.id_list?.split(',')).toHaveLength(58);
      // Comments and the primary category come from the export API only (the feed has neither).
      const seed = new Map(seedDay().papers.map((p) => [p.id, p]));
      for (const p of d.selected) {
        expect(p.primaryCategory).toBe(seed.get(p.id)?.primaryCategory);
        expect(p.published).toBeDefined();
        if (seed.get(p.id)?.comments) expect(p.comments).toBe(seed.get(p.id)?.comments);
      }
      // The papers were stored in batches: the listing's metadata is there for the next run.
      expect(await w.st.get('papers', d.selected[0]!.id)).toMatchObject({ id: d.selected[0]!.id });
    } finally {
      await w.close();
    }
  });

  test('a finished day replays from the store: the feed read once, no export API, no LLM call', async () => {
    const w = await world();
    try {
      const first = await buildDigest(w.ctx, w.services, w.config.digests[0]!);
      const requests = w.server.requests.length;
      const calls = w.llm.requests.length;
      const again = await buildDigest(w.ctx, w.services, w.config.digests[0]!);
      expect(again.selected).toEqual(first.selected);
      expect(again.usage.llmCalls).toBe(0);
      expect(w.llm.requests).toHaveLength(calls);
      expect(w.server.requests.slice(requests).map((r) => r.path)).toEqual(['/rss/cs.CL']);
      // A second digest over the same categories reuses the stored listing and metadata: no export API request.
      const other = { ...w.config.digests[0]!, name: 'other' };
      await buildDigest(w.ctx, w.services, other);
      expect(w.server.requests.slice(requests).filter((r) => r.path === '/api/query')).toHaveLength(0);
    } finally {
      await w.close();
    }
  });

  test('50 members asking /critique of one paper at once: one LLM call, one metadata request, all answered', async () => {
    const w = await world();
    try {
      const answers = await Promise.all(
        Array.from({ length: 50 }, () => critiquePaper(w.ctx, w.services, '2510.26788')),
      );
      expect(w.llm.requests.filter((r) => r.schemaName === 'paper_review')).toHaveLength(1);
      expect(w.server.requests.filter((r) => r.path === '/api/query')).toHaveLength(1);
      expect(w.server.requests.filter((r) => r.path.startsWith('/html/'))).toHaveLength(1);
      expect(new Set(answers.map((a) => a.critique)).size).toBe(1);
      expect(answers.filter((a) => !a.cached)).toHaveLength(1);
    } finally {
      await w.close();
    }
  });
});
