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

it('two timeouts in a row with nothing answered between: the model counts as down, no third attempt', async () => {
  const w = await makeWorld({ ai, llm: { retries: 3 }, client: { timeoutMs: 200 } });
  const client = w.services.llm;
  if (!client) throw new Error('no llm');
  ai.fail('timeout', { times: 10 });
  const err = await client.ask({ ...request, key: 'timeouts' }, emptyUsage()).catch((e: unknown) => e);
  expect((err as Error).message).toMatch(
    /^LLM request failed \(no answer from 127\.0\.0\.1 after 2 attempts: timed out 2 times in a row with no answer between, so the model counts as down\)/,
  );
  expect(ai.requests).toHaveLength(2);
  // Still down: a new call is not retried either, until something answers.
  ai.reset();
  ai.fail('timeout', { times: 1 });
  await expect(client.ask({ ...request, key: 'still-down' }, emptyUsage())).rejects.toThrow(/counts as down/);
  expect(ai.requests).toHaveLength(1);
  // A fresh client: one timeout, then an answer, retried as before.
  const fresh = (await makeWorld({ ai, llm: { retries: 3 }, client: { timeoutMs: 200 } })).services.llm;
  if (!fresh) throw new Error('no llm');
  ai.reset();
  ai.fail('timeout', { times: 1 });
  const answer = await fresh.ask({ ...request, key: 'one-timeout' }, emptyUsage());
  expect(answer.cached).toBe(false);
  expect(ai.requests.map((r) => r.outcome)).toEqual(['timeout', 'ok']);
});
