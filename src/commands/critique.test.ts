import { type FakeOpenAi, useOpenAiServer } from '../../test/fakes/openai-server';
import { makeWorld, SEED_SELECTED } from '../../test/fakes/llm-world';
import { ArxivDigestError, ErrorCode, PaperNotFoundError, UserInputError } from '../app/errors';
import { buildDigest } from '../pipeline/digest';
import { critiquePaper } from './critique';

let ai: FakeOpenAi;
useOpenAiServer((server) => {
  ai = server;
});

describe('critiquePaper', () => {
  test('critiques a paper from its full text, and answers a repeat from the cache', async () => {
    const w = await makeWorld({ ai });
    const first = await critiquePaper(w.ctx, w.services, 'https://arxiv.org/abs/2510.26788v1');
    expect(first.paper.id).toBe('2510.26788');
    expect(first.cached).toBe(false);
    expect(first.critique).toMatch(/^### Strengths\n\n\S[\s\S]*### Weaknesses\n\n\S[\s\S]*### Overall\n\n\S/);
    expect(first.usage.llmCalls).toBe(1);
    expect(ai.requests).toHaveLength(1);
    expect(ai.requests[0]?.ids).toEqual(['2510.26788']);
    expect(ai.requests[0]?.body.messages[1]?.content).toContain('<paper_text source="html">');
    expect(w.arxiv.calls.fullText).toEqual(['2510.26788']);

    const again = await critiquePaper(w.ctx, w.services, '2510.26788');
    expect(again.cached).toBe(true);
    expect(again.critique).toBe(first.critique);
    expect(again.usage).toEqual({ llmCalls: 0, promptTokens: 0, completionTokens: 0, cachedCalls: 1 });
    expect(ai.requests).toHaveLength(1);
    expect(w.arxiv.calls.fullText).toHaveLength(1);
  });

  test('a paper already reviewed by the digest is critiqued with no call, with the same text', async () => {
    const w = await makeWorld({ ai });
    ai.prefer(SEED_SELECTED, 9);
    const digest = await buildDigest(w.ctx, w.services, w.ctx.config.digests[0]!, { date: '2025-10-30' });
    const calls = ai.requests.length;
    const result = await critiquePaper(w.ctx, w.services, 'arXiv:2510.26707');
    expect(result.cached).toBe(true);
    expect(result.critique).toBe(digest.selected.find((p) => p.id === '2510.26707')?.critique);
    expect(ai.requests).toHaveLength(calls);
  });

  test('deep asks the deep-dive prompt, and is cached separately', async () => {
    const w = await makeWorld({ ai });
    const deep = await critiquePaper(w.ctx, w.services, '2510.26143', { deep: true });
    expect(deep.critique).toMatch(/### Overview[\s\S]*### Questions for the Authors[\s\S]*### Overall/);
    expect(ai.requests[0]?.schemaName).toBe('paper_deep_dive');
    const plain = await critiquePaper(w.ctx, w.services, '2510.26143');
    expect(plain.cached).toBe(false);
    expect((await critiquePaper(w.ctx, w.services, '2510.26143', { deep: true })).cached).toBe(true);
    expect(ai.requests).toHaveLength(2);
  });

  test('a malformed id is a UserInputError (exit 2): nothing fetched, no call', async () => {
    const w = await makeWorld({ ai });
    const err = await critiquePaper(w.ctx, w.services, 'not-an-id').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserInputError);
    expect((err as UserInputError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/not-an-id/);
    expect(w.arxiv.calls.getPaper).toBe(0);
    expect(ai.requests).toHaveLength(0);
  });

  test('an unknown paper names the id and makes no call', async () => {
    const w = await makeWorld({ ai });
    const err = await critiquePaper(w.ctx, w.services, '2510.99999').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PaperNotFoundError);
    expect((err as Error).message).toContain('2510.99999');
    expect(ai.requests).toHaveLength(0);
  });

  test('without an LLM it says to set OPENAI_API_KEY (exit 1); a malformed id is still exit 2', async () => {
    const w = await makeWorld();
    const err = await critiquePaper(w.ctx, w.services, '2510.26788').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArxivDigestError);
    expect((err as ArxivDigestError).code).toBe(ErrorCode.LlmError);
    expect((err as ArxivDigestError).exitCode).toBe(1);
    expect((err as Error).message).toMatch(/OPENAI_API_KEY/);
    await expect(critiquePaper(w.ctx, w.services, 'x')).rejects.toBeInstanceOf(UserInputError);
  });

  test('model text is disarmed in the critique', async () => {
    const w = await makeWorld({ ai });
    ai.fail('mention');
    const r = await critiquePaper(w.ctx, w.services, '2510.26352');
    expect(r.critique).not.toMatch(/@(channel|here|everyone)\b|<!(channel|here)|<@U/);
  });
});
