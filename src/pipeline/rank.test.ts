import { type FakeOpenAi, useOpenAiServer } from '../../test/fakes/openai-server';
import { makeWorld, SEED_SELECTED } from '../../test/fakes/llm-world';
import { renderMarkdown } from '../archive/markdown';
import type { Paper } from '../app/types';
import { buildDigest } from './digest';
import type { FirstPassScore } from './firstpass';
import { dealRoundRobin, deterministicShuffle } from './rank';

let ai: FakeOpenAi;
useOpenAiServer((server) => {
  ai = server;
});

function candidates(n: number): FirstPassScore[] {
  return Array.from({ length: n }, (_, i) => ({
    paper: { id: `2510.${String(10_000 + i)}`, version: 1 } as Paper,
    firstPass: 1 - i / n,
    combined: 1 - i / n,
    followed: false,
  })) as unknown as FirstPassScore[];
}

function digestOf(w: Awaited<ReturnType<typeof makeWorld>>) {
  return buildDigest(w.ctx, w.services, w.ctx.config.digests[0]!, { date: '2025-10-30' });
}

describe('calibrated ranking', () => {
  test('candidates are dealt to batches round-robin by first-pass rank, each batch shuffled deterministically', () => {
    const list = candidates(45);
    const batches = dealRoundRobin(list, 20);
    expect(batches.map((b) => b.length)).toEqual([15, 15, 15]);
    batches.forEach((batch, k) => {
      const ranks = batch.map((c) => list.indexOf(c));
      expect(ranks.every((r) => r % 3 === k)).toBe(true);
      // Shuffled: not in first-pass order, and the same order every time.
      expect(ranks).not.toEqual([...ranks].sort((a, b) => a - b));
    });
    expect(dealRoundRobin(list, 20)).toEqual(batches);
    expect(deterministicShuffle([1, 2, 3, 4, 5, 6], String)).toEqual(deterministicShuffle([1, 2, 3, 4, 5, 6], String));
    // The best candidates land in different batches.
    expect(new Set([0, 1, 2].map((i) => batches.findIndex((b) => b.includes(list[i]!)))).size).toBe(3);
  });

  test('the ranking prompt holds the anchored rubric and the batches mix strong and weak candidates', async () => {
    const w = await makeWorld({ ai });
    ai.prefer(SEED_SELECTED, 9);
    await digestOf(w);
    const ranking = ai.requests.filter((r) => r.schemaName === 'paper_ranking');
    const system = ranking[0]?.body.messages[0]?.content ?? '';
    expect(system).toContain('Score each paper on its own against these anchors');
    expect(system).toMatch(
      /relevance \(to the interests\):\n10 its main topic is one of the interests; 8 .*; 0 unrelated\./,
    );
    expect(system).toMatch(/novelty:\n10 .*; 0 nothing new\./);
    // Two batches of 20: the shortlist's first and second candidates are in different ones.
    const record = await w.store.get<{ candidates: Array<{ id: string; firstPass: number }> }>(
      'ranking',
      'nlp:2025-10-30',
    );
    const order = [...(record?.candidates ?? [])].sort((a, b) => b.firstPass - a.firstPass).map((c) => c.id);
    const batchOf = (id: string) => ranking.findIndex((r) => r.ids.includes(id));
    expect(batchOf(order[0]!)).not.toBe(batchOf(order[1]!));
  });

  test('the final listwise pass orders the top 2×maxPapers in one call and decides the pick; it is cached', async () => {
    const w = await makeWorld({ ai, digest: { maxPapers: 2 } });
    ai.prefer(SEED_SELECTED, 9);
    // The listwise answer puts two of the preferred papers last and another two first.
    const listwise = (ids: string[]) => ({
      id: 'chatcmpl-x',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: JSON.stringify({ order: ids.map((id) => ({ id })) }) },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 900, completion_tokens: 40, total_tokens: 940 },
    });
    const first = await digestOf(w);
    const pool = ai.requests.find((r) => r.schemaName === 'paper_listwise');
    expect(pool?.ids).toHaveLength(4);
    expect(pool?.body.messages[0]?.content).toContain('comparing them with each other');
    expect(first.selected).toHaveLength(2);

    // A changed pool order (another model's judgement) changes the pick: the pass decides, not the batch scores.
    const w2 = await makeWorld({ ai, digest: { maxPapers: 2 }, llm: { model: 'other-model' } });
    const reversed = [...(pool?.ids ?? [])].reverse();
    ai.replay(listwise(reversed), 1, 'paper_listwise');
    const second = await digestOf(w2);
    expect(second.selected.map((p) => p.id)).toEqual(reversed.slice(0, 2));

    // Cached like every answer: a rebuild without the stored digest makes no call at all.
    await w2.store.delete('digests', 'nlp:2025-10-30');
    const calls = ai.requests.length;
    const again = await digestOf(w2);
    expect(ai.requests.length).toBe(calls);
    expect(again.selected.map((p) => p.id)).toEqual(reversed.slice(0, 2));
  });

  test('an unusable listwise answer keeps the batch order and says so', async () => {
    const w = await makeWorld({ ai, digest: { maxPapers: 2 } });
    ai.prefer(SEED_SELECTED, 1);
    ai.prefer(SEED_SELECTED.slice(0, 2), 9);
    ai.fail('invalid-json', { schema: 'paper_listwise', times: 2 });
    const d = await digestOf(w);
    expect(d.selected.map((p) => p.id).sort()).toEqual(SEED_SELECTED.slice(0, 2).sort());
    expect(d.notices.join(' ')).toContain('picked by their batch scores, without the final comparison');
  });

  test('no listwise call when no more than maxPapers pass the threshold', async () => {
    const w = await makeWorld({ ai, llm: { threshold: 0.85 } });
    ai.prefer(SEED_SELECTED, 1);
    ai.prefer(SEED_SELECTED.slice(0, 3), 9);
    const d = await digestOf(w);
    expect(d.selected).toHaveLength(3);
    expect(ai.requests.filter((r) => r.schemaName === 'paper_listwise')).toHaveLength(0);
  });
});

describe('the language of the digest', () => {
  test('language: zh writes a Chinese digest with the seed sections; titles, authors and ids stay', async () => {
    const w = await makeWorld({ ai, digest: { language: 'zh' } });
    ai.prefer(SEED_SELECTED, 9);
    const d = await digestOf(w);
    for (const r of ai.requests) {
      // The listwise order and the screening's ratings have no prose to write.
      if (r.schemaName === 'paper_listwise' || r.schemaName === 'paper_screening') continue;
      expect(r.body.messages[0]?.content).toContain('Chinese (中文)');
    }
    expect(d.selected).toHaveLength(5);
    const chinese = /[\u4e00-\u9fff]/;
    for (const p of d.selected) {
      expect(p.summary).toMatch(/\*\*Key Contributions:\*\*\n.*[\u4e00-\u9fff]/);
      expect(p.critique).toMatch(/### Strengths\n\n[\s\S]*[\u4e00-\u9fff]/);
      expect(p.keywords.some((k) => chinese.test(k))).toBe(true);
      const original = w.day.papers.find((x) => x.id === p.id)!;
      expect(p.title).toBe(original.title);
      expect(p.authors).toEqual(original.authors);
    }
    expect(d.intro).toMatch(chinese);
    const md = renderMarkdown(d);
    for (const section of [
      '## TL;DR',
      'Total papers: 58 , Selected papers: 5',
      '## Abstract',
      '## Summary',
      '## Critique',
    ])
      expect(md).toContain(section);
    expect(md).toMatch(/Key Themes & Insights[\s\S]*[\u4e00-\u9fff]/);

    // The language is part of every cache key: the same day in English is asked again, not served the Chinese text.
    const calls = ai.requests.length;
    const en = await makeWorld({ ai, store: w.store });
    const english = await digestOf(en);
    expect(ai.requests.length).toBeGreaterThan(calls);
    expect(english.selected[0]?.summary).not.toMatch(chinese);
  });
});
