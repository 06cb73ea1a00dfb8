/** An answer cut mid-stream (the socket closed during the body): retried like any network fault, named when it fails. */
import { z } from 'zod';
import { type FakeOpenAi, startOpenAiServer } from '../../test/fakes/openai-server';
import { makeWorld } from '../../test/fakes/llm-world';
import { LlmRequestError } from '../app/errors';
import { emptyUsage } from '../app/types';

let ai: FakeOpenAi;
beforeAll(async () => {
  ai = await startOpenAiServer();
});
afterAll(() => ai.close());
beforeEach(() => ai.reset());

const rank = z.object({
  papers: z.array(z.object({ id: z.string(), relevance: z.number().int().min(0).max(10), reason: z.string() })),
});

const request = {
  prompt: 'rank',
  model: 'gpt-4o-mini',
  schemaName: 'paper_ranking',
  schema: rank,
  key: 'cut-batch',
  input: {
    interests: 'alignment',
    count: '1',
    papers: '[2510.26707] Value Drifts\nAbstract one.',
    language: 'English',
  },
  maxTokens: 200,
};

async function llm() {
  const w = await makeWorld({ ai, llm: { retries: 2 } });
  if (!w.services.llm) throw new Error('no llm');
  return { llm: w.services.llm, slept: w.slept };
}

it('an answer cut mid-body is retried and the retry answers', async () => {
  const { llm: client, slept } = await llm();
  ai.fail('cut', { times: 2 });
  const answer = await client.ask(request, emptyUsage());
  expect(answer.value.papers[0]?.id).toBe('2510.26707');
  expect(ai.requests.map((r) => r.outcome)).toEqual(['cut', 'cut', 'ok']);
  expect(slept).toHaveLength(2);
});

it('an answer cut on every attempt fails in one line that names the cut', async () => {
  const { llm: client } = await llm();
  ai.fail('cut', { times: 10 });
  const err = await client.ask(request, emptyUsage()).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(LlmRequestError);
  expect((err as Error).message).toMatch(
    /^LLM request failed \(the answer was cut mid-stream after 3 attempts: the connection closed during the body\)/,
  );
  expect((err as Error).message).not.toMatch(/unexpected|^terminated/);
  expect(ai.requests).toHaveLength(3);
});
