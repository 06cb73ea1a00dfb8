import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { type FakeOpenAi, startOpenAiServer } from '../../test/fakes/openai-server';
import { createContext } from '../context';
import { silentLogger } from '../app/log';
import { parseConfig } from '../config/load';
import { openStore } from '../store';
import { extractJson, readJsonAnswer, stripThinking } from './answer';
import { createLlm } from './client';

const FIXTURES = path.resolve(__dirname, '../../test/fixtures/llm-answers');
const rank = z.object({
  papers: z.array(z.object({ id: z.string(), relevance: z.number(), novelty: z.number(), reason: z.string() })),
});
const expected = {
  papers: [
    {
      id: '2510.26143',
      relevance: 8,
      novelty: 6,
      reason: "RL curriculum for reasoning, close to the team's interests.",
    },
    { id: '2510.26352', relevance: 3, novelty: 5, reason: 'Speech benchmark; only loosely related.' },
  ],
};

describe('reading an answer', () => {
  test.each([
    ['a bare object', '{"a":1}', '{"a":1}'],
    ['a ```json fence', '```json\n{"a":1}\n```', '{"a":1}'],
    ['a fence without a language', '```\n{"a":1}\n```', '{"a":1}'],
    ['a preamble and a fence', 'Here is the JSON you asked for:\n\n```json\n{"a":1}\n```', '{"a":1}'],
    ['a preamble and a bare object', 'Sure. Here it is: {"a":{"b":"}"}}', '{"a":{"b":"}"}}'],
    ['trailing chatter', '{"a":1}\n\nLet me know if you need anything else {or more}.', '{"a":1}'],
    ['a think block', '<think>\nI need {"x":0}... done\n</think>\n\n{"a":1}', '{"a":1}'],
    ['a think block opened by the template', 'reasoning about {it}\n</think>\n```json\n{"a":1}\n```', '{"a":1}'],
    ['<thinking> tags', '<thinking>hmm</thinking>{"a":1}', '{"a":1}'],
  ])('%s', (_name, content, json) => {
    expect(extractJson(content)).toBe(json);
  });

  test('an answer that is all thinking, or prose, is a one-line problem', () => {
    expect(readJsonAnswer('<think>\nstill thinking when the tokens ran out')).toEqual({
      ok: false,
      problem: 'only thinking, no answer after it',
    });
    expect(readJsonAnswer('I cannot help with that.')).toEqual({
      ok: false,
      problem: 'not JSON: I cannot help with that.',
    });
    expect(stripThinking('<think>a</think>b<think>c</think>d')).toBe('bd');
  });

  test('nested braces that never parse cost linear tries, not quadratic', () => {
    expect(extractJson(`${'{'.repeat(5000)}x${'}'.repeat(5000)}`)).toBeUndefined();
  });

  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
  test.each(files)('recorded answer %s: the content is read to the same value', (file) => {
    const body = JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as {
      choices: Array<{ message: { content: string } }>;
    };
    const read = readJsonAnswer(body.choices[0]?.message.content ?? '');
    expect(read.ok).toBe(true);
    if (read.ok) expect(rank.parse(read.json)).toEqual(expected);
  });
});

describe('recorded answers of Ollama, vLLM and llama.cpp through the client', () => {
  let ai: FakeOpenAi;
  beforeAll(async () => {
    ai = await startOpenAiServer();
  });
  afterAll(async () => ai.close());

  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
  test.each(files)('%s is read in one call', async (file) => {
    ai.reset();
    ai.replay(JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as Record<string, unknown>);
    const config = parseConfig({ digests: [{ name: 'n', categories: ['cs.CL'], interests: 'x' }] }, 'test');
    const store = await openStore('memory://');
    const ctx = createContext({
      config,
      store,
      log: silentLogger,
      env: { OPENAI_API_KEY: 'sk-test-0123456789', OPENAI_BASE_URL: ai.url },
    });
    const llm = createLlm(ctx, { backoffMs: 1 });
    const usage = { llmCalls: 0, promptTokens: 0, completionTokens: 0, cachedCalls: 0 };
    const answer = await llm!.ask(
      {
        prompt: 'rank',
        model: 'local-model',
        schemaName: 'paper_ranking',
        schema: rank,
        key: { file },
        input: {
          interests: 'RL for reasoning',
          count: '2',
          papers: '[2510.26143] Reasoning Curriculum\nA.\n\n[2510.26352] Speech\nB.',
          language: 'English',
        },
        maxTokens: 400,
      },
      usage,
    );
    expect(answer.value).toEqual(expected);
    expect(ai.requests).toHaveLength(1);
    expect(usage.llmCalls).toBe(1);
    await store.close();
  });
});
