import { type FakeOpenAi, useOpenAiServer } from '../../test/fakes/openai-server';
import { makeWorld } from '../../test/fakes/llm-world';
import type { Paper } from '../app/types';
import { buildDigest, type RankingRecord } from './digest';
import { type FirstPassScore, firstPass } from './firstpass';
import { gistOf, rankingPool, screenLine, withinAllowance } from './screen';

let ai: FakeOpenAi;
useOpenAiServer((server) => {
  ai = server;
});

const RANKING = new Set(['paper_screening', 'paper_ranking', 'paper_listwise']);

function scored(n: number): FirstPassScore[] {
  return Array.from({ length: n }, (_, i) => ({
    paper: {
      id: `2510.${String(10000 + i)}`,
      version: 1,
      title: `Paper ${i} on reasoning`,
      abstract: 'Large language models are everywhere. We propose a method that does one thing well. It works.',
      authors: ['A. Author'],
      categories: ['cs.CL'],
    } satisfies Paper,
    firstPass: 1 - i / n,
    followed: false,
    combined: 1 - i / n,
  }));
}

describe('the screening line', () => {
  test('the gist is the sentence that says what the paper does, cut at a word', () => {
    expect(
      gistOf('Large language models are everywhere. We propose a method that does one thing well. It works.'),
    ).toBe('We propose a method that does one thing well.');
    expect(gistOf('Nothing here says so. At all.')).toBe('Nothing here says so.');
    const long = gistOf(`We introduce ${'a very long method name '.repeat(20)}.`);
    expect(long.length).toBeLessThanOrEqual(111);
    expect(long.endsWith('…')).toBe(true);
    const [first] = scored(1);
    expect(screenLine(first as FirstPassScore)).toBe(
      '[2510.10000] Paper 0 on reasoning — We propose a method that does one thing well.',
    );
  });

  test('past the allowance, the first candidates in first-pass order are screened', () => {
    const all = scored(100);
    const covered = withinAllowance(all, { allowance: 1000, batchSize: 10 });
    expect(covered.length).toBeGreaterThan(10);
    expect(covered.length).toBeLessThan(100);
    expect(covered.map((x) => x.c.paper.id)).toEqual(all.slice(0, covered.length).map((s) => s.paper.id));
    expect(withinAllowance(all, { allowance: 1_000_000, batchSize: 10 })).toHaveLength(100);
  });

  test('the full ranking reads the first pass top half and the screening best', () => {
    const all = scored(50);
    const screened = new Map(all.map((s, i) => [s.paper.id, i === 49 ? 1 : i === 48 ? 0.9 : 0.1]));
    const pool = rankingPool(all, 10, screened).map((s) => s.paper.id);
    expect(pool).toHaveLength(10);
    expect(pool.slice(0, 5)).toEqual(all.slice(0, 5).map((s) => s.paper.id));
    expect(pool).toContain('2510.10049');
    expect(pool).toContain('2510.10048');
    // Without screening scores: the first pass's best.
    expect(rankingPool(all, 10, new Map()).map((s) => s.paper.id)).toEqual(all.slice(0, 10).map((s) => s.paper.id));
  });
});

describe('the screening pass in a digest', () => {
  test('every paper of the day reaches the model; a paper the first pass ranks low, rated high, is selected', async () => {
    const w = await makeWorld({ ai });
    const cfg = w.ctx.config.digests[0]!;
    const last = firstPass(w.day.papers, cfg).at(-1)!.paper.id;
    ai.prefer([last], 10);
    const d = await buildDigest(w.ctx, w.services, cfg, { date: '2025-10-30' });

    const shown = new Set(ai.requests.filter((r) => RANKING.has(r.schemaName ?? '')).flatMap((r) => r.ids));
    expect(shown.size).toBe(w.day.papers.length);
    const screening = ai.requests.filter((r) => r.schemaName === 'paper_screening');
    expect(screening).toHaveLength(1);
    // The first pass's top half of the shortlist goes to the full ranking unscreened.
    expect(screening[0]?.ids).toHaveLength(w.day.papers.length - 20);
    expect(screening[0]?.promptTokens).toBeLessThan(60 * screening[0]!.ids.length);
    expect(d.selected.map((p) => p.id)).toContain(last);
    const record = await w.store.get<RankingRecord>('ranking', 'nlp:2025-10-30');
    expect(record?.candidates.find((c) => c.id === last)?.screen).toBe(1);

    // A re-run of the day: no call, even once the stored digest is gone (every answer is cached).
    await w.store.delete('digests', 'nlp:2025-10-30');
    const before = ai.requests.length;
    const again = await buildDigest(w.ctx, w.services, cfg, { date: '2025-10-30' });
    expect(ai.requests.length).toBe(before);
    expect(again.selected.map((p) => p.id)).toEqual(d.selected.map((p) => p.id));
  });

  test('an invented id is ignored, a missing one left to the first pass; screening off is the old shortlist', async () => {
    const w = await makeWorld({ ai });
    const cfg = w.ctx.config.digests[0]!;
    ai.fail('invented-id', { schema: 'paper_screening' });
    const d = await buildDigest(w.ctx, w.services, cfg, { date: '2025-10-30' });
    expect(d.notices).toEqual([]);
    const ranked = ai.requests.filter((r) => r.schemaName === 'paper_ranking').flatMap((r) => r.ids);
    expect(ranked).not.toContain('2599.99999');
    expect(ranked).toHaveLength(40);

    ai.reset();
    const off = await makeWorld({ ai, llm: { screenTokens: 0 } });
    await buildDigest(off.ctx, off.services, off.ctx.config.digests[0]!, { date: '2025-10-30' });
    expect(ai.requests.filter((r) => r.schemaName === 'paper_screening')).toHaveLength(0);
    const top = firstPass(off.day.papers, cfg)
      .slice(0, 40)
      .map((s) => s.paper.id)
      .sort();
    expect(
      ai.requests
        .filter((r) => r.schemaName === 'paper_ranking')
        .flatMap((r) => r.ids)
        .sort(),
    ).toEqual(top);
  });

  test('an unusable screening answer (twice) leaves its papers to the first pass and says so', async () => {
    const w = await makeWorld({ ai });
    const cfg = w.ctx.config.digests[0]!;
    ai.fail('invalid-json', { schema: 'paper_screening', times: 2 });
    const d = await buildDigest(w.ctx, w.services, cfg, { date: '2025-10-30' });
    expect(d.notices.join(' ')).toMatch(/38 titles were not screened/);
    expect(d.selected).toHaveLength(5);
  });
});
