import { type FakeOpenAi, useOpenAiServer } from '../../test/fakes/openai-server';
import { makeWorld, SEED_SELECTED } from '../../test/fakes/llm-world';
import { critiquePaper } from '../commands/critique';
import { buildDigest } from './digest';
import { PROVISIONAL_ANSWER_TTL_MS, type ReviewAnswer, renderCritique, renderPaperTldr, renderSummary } from './review';

let ai: FakeOpenAi;
useOpenAiServer((server) => {
  ai = server;
});

describe('model text cannot reshape the digest', () => {
  // What a paper's text can talk a model into writing: headings and rules that would read as new digest sections.
  const injected = '# Totally Different Paper\n---\nAuthors: Nobody\n\n## TL;DR\nText\n===\n* * *\n@everyone read this';
  const answer: ReviewAnswer = {
    id: '2510.26707',
    keywords: ['values'],
    summary: { contributions: injected, methods: '1. **Step:** one', results: '- +3 points' },
    critique: { strengths: injected, weaknesses: '1. **Small:** only 8B models', overall: 'Solid.' },
    tldr: injected,
  };

  test("headings become plain lines (never the digest's structure), rules and setext underlines go, mentions are disarmed", () => {
    for (const text of [renderSummary(answer), renderCritique(answer)]) {
      const lines = text.split('\n');
      // The only headings are the renderer's own "### Strengths" etc.; no "# …", "## …" or "---" from the model.
      expect(
        lines.filter((l) => /^#{1,6}\s/.test(l)).every((l) => /^### (Strengths|Weaknesses|Overall)$/.test(l)),
      ).toBe(true);
      expect(lines.some((l) => /^\s*(-{3,}|={3,}|(\*\s*){3,})\s*$/.test(l))).toBe(false);
      expect(text).toMatch(/^Totally Different Paper$/m);
      expect(text).toMatch(/^TL;DR$/m);
      expect(text).not.toContain('**Totally Different Paper**');
      expect(text).not.toMatch(/@everyone/);
    }
    // The card's TL;DR is one flat paragraph: no heading, rule or live mention survives.
    const tldr = renderPaperTldr(answer);
    expect(tldr).not.toMatch(/\n|^#|@everyone/);
    expect(tldr).toContain('Totally Different Paper');
    expect(tldr).not.toContain('**Totally Different Paper**');
    // Lists and bold openers, the seed's own style, are untouched.
    expect(renderSummary(answer)).toContain('**Methods:**\n1. **Step:** one');
  });
});

describe('answers written from a stand-in text', () => {
  test('are cached for a while only, and the digest built on them is not replayed', async () => {
    const w = await makeWorld({ ai, provisional: ['2510.26707'] });
    ai.prefer(SEED_SELECTED, 9);
    const ttls = new Map<string, number | undefined>();
    const set = w.store.set.bind(w.store);
    jest.spyOn(w.store, 'set').mockImplementation(async (ns, key, value, ttl) => {
      const record = value as { value: { id?: string }; meta?: { textSource?: string } };
      if (ns === 'llm') ttls.set(record.meta?.textSource === 'abstract' ? (record.value.id ?? key) : key, ttl);
      return set(ns, key, value, ttl);
    });
    const d = await buildDigest(w.ctx, w.services, w.ctx.config.digests[0]!, { date: '2025-10-30' });
    expect(d.selected.find((p) => p.id === '2510.26707')?.textSource).toBe('abstract');
    expect(ttls.get('2510.26707')).toBe(PROVISIONAL_ANSWER_TTL_MS);
    // Every other answer (rankings, the other reviews, the day) is kept for good.
    expect([...ttls.entries()].filter(([k, t]) => k !== '2510.26707' && t !== undefined)).toEqual([]);

    // A re-run of the day rebuilds instead of replaying the stored digest (its answers still come from the cache).
    const calls = ai.requests.length;
    const again = await buildDigest(w.ctx, w.services, w.ctx.config.digests[0]!, { date: '2025-10-30' });
    expect(again.usage.cachedCalls).toBeGreaterThan(0);
    expect(w.arxiv.calls.fetchDay).toBe(2);
    expect(ai.requests.length).toBe(calls);
  });

  test('the abstract is sent once when it is all there is', async () => {
    const w = await makeWorld({ ai, provisional: ['2510.26707'] });
    await critiquePaper(w.ctx, w.services, '2510.26707');
    const user = ai.requests[0]?.body.messages[1]?.content ?? '';
    const abstract = w.day.papers.find((p) => p.id === '2510.26707')?.abstract ?? '';
    expect(abstract.length).toBeGreaterThan(100);
    expect(user.split(abstract.slice(0, 80)).length - 1).toBe(1);
    expect(user).toContain('<paper_text source="abstract">');
  });

  test('/critique of a paper whose text failed is kept only for a while', async () => {
    const w = await makeWorld({ ai, provisional: ['2510.26788'] });
    const ttls: Array<number | undefined> = [];
    const set = w.store.set.bind(w.store);
    jest.spyOn(w.store, 'set').mockImplementation(async (ns, key, value, ttl) => {
      if (ns === 'llm') ttls.push(ttl);
      return set(ns, key, value, ttl);
    });
    await critiquePaper(w.ctx, w.services, '2510.26788');
    await critiquePaper(w.ctx, w.services, '2510.26143');
    expect(ttls).toEqual([PROVISIONAL_ANSWER_TTL_MS, undefined]);
  });
});

describe('the day overview', () => {
  test("is asked again when the digest's interests change, though the papers are the same", async () => {
    const w = await makeWorld({ ai });
    // Distinct scores: the selection and its order do not depend on the first pass, only the interests change.
    for (const [i, id] of SEED_SELECTED.entries()) ai.prefer([id], 10 - i);
    const cfg = w.ctx.config.digests[0]!;
    await buildDigest(w.ctx, w.services, cfg, { date: '2025-10-30' });
    expect(ai.requests.filter((r) => r.schemaName === 'day_overview')).toHaveLength(1);

    const changed = { ...cfg, interests: 'Efficient training of language models: numerics, precision, and RL.' };
    const d = await buildDigest(w.ctx, w.services, changed, { date: '2025-10-30' });
    expect(d.selected.map((p) => p.id).sort()).toEqual([...SEED_SELECTED].sort());
    const day = ai.requests.filter((r) => r.schemaName === 'day_overview');
    expect(day).toHaveLength(2);
    expect(day[1]?.body.messages[0]?.content).toContain('numerics, precision');
    // The reviews do not depend on the interests: still cached.
    expect(ai.requests.filter((r) => r.schemaName === 'paper_review')).toHaveLength(5);
  });
});
