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
import { createContext } from '../app/context';
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
