/** Embeddings through the openai SDK against the OpenAI stand-in: batched, cached per paper version, counted. */
import { parseConfig } from '../config/load';
import { SEED_INTERESTS } from '../config/schema';
import { createContext } from '../context';
import { silentLogger } from '../app/log';
import { emptyUsage } from '../app/types';
import { openStore, type Store } from '../store';
import { keys } from '../store/keys';
import { type FakeOpenAi, fakeEmbedding, startOpenAiServer } from '../../test/fakes/openai-server';
import { cosine, createEmbedder, decodeVector, encodeVector, paperText } from './embeddings';

const papers = Array.from({ length: 5 }, (_, i) => ({
  id: `2510.2600${i}`,
  version: 1,
  title: `Paper ${i} on ${i % 2 ? 'video segmentation' : 'preference optimization'}`,
  abstract: `We study ${i % 2 ? 'images and video frames' : 'reward models for language models'} in depth.`,
}));

let ai: FakeOpenAi;
let store: Store;
beforeEach(async () => {
  ai = await startOpenAiServer();
  store = await openStore('memory://');
});
afterEach(async () => {
  await ai.close();
  await store.close();
});

function embedder(llm: Record<string, unknown> = { embeddingModel: 'text-embedding-3-small', embeddingBatch: 2 }) {
  const config = parseConfig(
    { digests: [{ name: 'nlp', categories: ['cs.CL'], interests: SEED_INTERESTS }], llm },
    't',
  );
  const ctx = createContext({
    config,
    store,
    log: silentLogger,
    env: { OPENAI_API_KEY: 'sk-test-0123456789', OPENAI_BASE_URL: ai.url },
  });
  return createEmbedder(ctx);
}

test('papers are embedded in batches, once per version and model, and counted in usage', async () => {
  const e = embedder();
  const usage = emptyUsage();
  const first = await e?.embedPapers(papers, usage);
  expect(first?.size).toBe(5);
  expect(ai.embeddingRequests.map((r) => r.inputs)).toEqual([2, 2, 1]);
  expect(usage.embeddingCalls).toBe(3);
  expect(usage.embeddingTokens).toBe(ai.embeddingRequests.reduce((n, r) => n + r.promptTokens, 0));
  expect(first?.get('2510.26001')?.[0]).toBeCloseTo(fakeEmbedding(paperText(papers[1]!))[0] ?? 0, 5);

  // A re-run embeds nothing; a new version is embedded again; another model is another space.
  const again = emptyUsage();
  await e?.embedPapers(papers, again);
  expect(again.embeddingCalls).toBeUndefined();
  expect(ai.embeddingRequests).toHaveLength(3);
  await e?.embedPapers([{ ...papers[0]!, version: 2 }]);
  expect(ai.embeddingRequests).toHaveLength(4);
  await embedder({ embeddingModel: 'nomic-embed-text' })?.embedPapers(papers.slice(0, 1));
  expect(ai.embeddingRequests.at(-1)?.model).toBe('nomic-embed-text');
});

test('the interests are embedded once; similar texts lie close', async () => {
  const e = embedder();
  const v = await e?.embedText('video segmentation of images');
  await e?.embedText('video segmentation of images');
  expect(ai.embeddingRequests).toHaveLength(1);
  const vectors = await e?.embedPapers(papers);
  expect(cosine(v ?? [], vectors?.get('2510.26001') ?? [])).toBeGreaterThan(
    cosine(v ?? [], vectors?.get('2510.26000') ?? []),
  );
});

test('no embeddings without a model or a key; a failing endpoint is one clear error', async () => {
  expect(embedder({})).toBeUndefined();
  const e = embedder({ embeddingModel: 'm', retries: 0 });
  await ai.close();
  await expect(e?.embedPapers(papers)).rejects.toThrow(/the embeddings request to m failed/);
  ai = await startOpenAiServer();
});

test('vectors are stored compactly and read back', () => {
  const v = [0.25, -0.5, 0.125];
  expect(decodeVector(encodeVector(v))).toEqual(v);
});

test('a vector stored in another form than base64 reads as a miss and is embedded again', async () => {
  const e = embedder();
  const paper = papers[0]!;
  await store.set('embeddings', keys.embedding('text-embedding-3-small', paper.id, paper.version), [0.1, 0.2, 0.3]);
  const got = await e?.embedPapers([paper]);
  expect(got?.get(paper.id)?.length).toBeGreaterThan(3);
  expect(ai.embeddingRequests).toHaveLength(1);
});
