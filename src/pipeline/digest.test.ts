import { keys } from '../store/keys';
import { openStore } from '../store';
import { ErrorCode } from '../app/errors';
import { type FakeOpenAi, useOpenAiServer } from '../../test/fakes/openai-server';
import { makeWorld, SEED_SELECTED } from '../../test/fakes/llm-world';
import { buildDigest, NO_LLM_NOTICE, type RankingRecord } from './digest';
import { firstPass } from './firstpass';
import { leadingSentences } from './text';

let ai: FakeOpenAi;
useOpenAiServer((server) => {
  ai = server;
});

const LIVE_MENTION = /@(channel|here|everyone)\b|<!(channel|here|everyone)|<@[UW][A-Z0-9]/;

function digestOf(w: Awaited<ReturnType<typeof makeWorld>>, date = '2025-10-30') {
  const cfg = w.ctx.config.digests[0]!;
  return buildDigest(w.ctx, w.services, cfg, { date });
}

describe('buildDigest with an LLM', () => {
  test('selects the papers the server scored highest and fills every section', async () => {
    const w = await makeWorld({ ai });
    ai.prefer(SEED_SELECTED, 9);
    const d = await digestOf(w);

    expect(d.totalPapers).toBe(58);
    expect(d.selected.map((p) => p.id).sort()).toEqual([...SEED_SELECTED].sort());
    for (const p of d.selected) {
      expect(p.score).toBeGreaterThan(0.5);
      expect(p.keywords.length).toBeGreaterThan(0);
      expect(p.summary).toMatch(/\*\*Key Contributions:\*\*\n\S[\s\S]*\*\*Methods:\*\*\n\S[\s\S]*\*\*Results:\*\*\n\S/);
      expect(p.critique).toMatch(/### Strengths\n\n\S[\s\S]*### Weaknesses\n\n\S[\s\S]*### Overall\n\n\S/);
      expect(p.textSource).toBe('html');
    }
    expect(d.intro.length).toBeGreaterThan(20);
    expect(d.tldr).toMatch(/^\*\*TL;DR: .+\*\*/);
    expect(d.tldr).toContain('**Key Themes & Insights:**');
    expect(d.tldr).toMatch(/1\. \*\*.+:\*\*\n {3}- \*.+\* \(https:\/\/arxiv\.org\/abs\/2510\.\d{5}\)/);
    expect(d.tldr).toContain('**Common Insights:**');
    expect(d.tldr).not.toMatch(/## TL;DR|Total papers/);
    expect(d.notices).toEqual([]);

    // Calls: ranking batches of at most batchSize over the shortlist, one review per paper, one for the day.
    const ranking = ai.requests.filter((r) => r.schemaName === 'paper_ranking');
    expect(ranking).toHaveLength(2);
    for (const r of ranking) expect(r.ids.length).toBeLessThanOrEqual(20);
    expect(new Set(ranking.flatMap((r) => r.ids)).size).toBe(40);
    const ranked = ranking.reduce((n, r) => n + r.ids.length, 0);
    const rankPromptTokens = ranking.reduce((n, r) => n + r.promptTokens, 0);
    expect(rankPromptTokens / ranked).toBeLessThan(400);
    expect(ai.requests.filter((r) => r.schemaName === 'paper_review')).toHaveLength(5);
    expect(ai.requests.filter((r) => r.schemaName === 'day_overview')).toHaveLength(1);
    expect(d.usage.llmCalls).toBe(ai.requests.length);
    expect(d.usage.promptTokens).toBe(ai.requests.reduce((n, r) => n + r.promptTokens, 0));
    expect(d.usage.cachedCalls).toBe(0);

    // Every request asked for a strict json_schema answer.
    for (const r of ai.requests) {
      expect(r.body.response_format?.type).toBe('json_schema');
      expect(r.body.response_format?.json_schema?.strict).toBe(true);
      expect(r.body.max_tokens).toBeGreaterThan(0);
    }

    // The digest as built is in the store (the tally reads which papers were shown from it).
    expect(await w.store.get('digests', 'nlp:2025-10-30')).toEqual(d);
    const record = await w.store.get<RankingRecord>('ranking', 'nlp:2025-10-30');
    expect(record?.candidates).toHaveLength(58);
    expect(
      record?.candidates
        .filter((c) => c.selected)
        .map((c) => c.id)
        .sort(),
    ).toEqual([...SEED_SELECTED].sort());
    expect(record?.candidates.filter((c) => c.llmScore !== undefined)).toHaveLength(40);
    for (const c of record?.candidates ?? []) expect(c.firstPass).toBeGreaterThanOrEqual(0);
    // Ids and scores only: the tally reads the texts from the day's stored papers.
    expect(record?.candidates.some((c) => c.title !== undefined || c.abstract !== undefined)).toBe(false);
    const texts = await w.store.getMany<{ title: string }>(
      'papers',
      (record?.candidates ?? []).map((c) => keys.paper(c.id)),
    );
    expect(texts.every((p) => !!p?.title)).toBe(true);
  });

  test('a re-run of the same day costs nothing, with or without the stored digest', async () => {
    const w = await makeWorld({ ai });
    ai.prefer(SEED_SELECTED, 9);
    const first = await digestOf(w);
    const calls = ai.requests.length;

    const again = await digestOf(w);
    expect(ai.requests.length).toBe(calls);
    expect(again.usage).toEqual({ llmCalls: 0, promptTokens: 0, completionTokens: 0, cachedCalls: calls });
    expect(again.selected).toEqual(first.selected);

    // Without the stored digest, every answer still comes from the per-answer cache, and no full text is fetched.
    await w.store.delete('digests', 'nlp:2025-10-30');
    const fetched = w.arxiv.calls.fullText.length;
    const rebuilt = await digestOf(w);
    expect(ai.requests.length).toBe(calls);
    expect(rebuilt.usage.llmCalls).toBe(0);
    expect(rebuilt.usage.cachedCalls).toBe(calls);
    expect(rebuilt.selected).toEqual(first.selected);
    expect(rebuilt.tldr).toBe(first.tldr);
    expect(w.arxiv.calls.fullText.length).toBe(fetched);
  });

  test('an answer that is invalid twice falls back to the abstract, and says so', async () => {
    const w = await makeWorld({ ai });
    ai.prefer(SEED_SELECTED, 9);
    ai.fail('invalid-json', { schema: 'paper_review', id: '2510.26788', times: 2 });
    const d = await digestOf(w);

    const bad = d.selected.find((p) => p.id === '2510.26788')!;
    expect(bad.summary).toBe(leadingSentences(bad.abstract));
    expect(bad.critique).toBe('');
    expect(bad.textSource).toBe('abstract');
    expect(bad.keywords.length).toBeGreaterThan(0);
    for (const p of d.selected.filter((x) => x.id !== '2510.26788')) expect(p.critique).toContain('### Strengths');
    expect(d.notices.join(' ')).toMatch(/unusable twice.*2510\.26788/);
    expect(ai.requests.filter((r) => r.ids.includes('2510.26788') && r.schemaName === 'paper_review')).toHaveLength(2);
    // Stored as shown, but not replayed: a re-run retries the paper that failed and nothing else.
    expect((await w.store.get<{ selected: unknown[] }>('digests', 'nlp:2025-10-30'))?.selected).toHaveLength(5);
    ai.reset();
    const again = await digestOf(w);
    expect(ai.requests.map((r) => r.schemaName).sort()).toEqual(['day_overview', 'paper_review']);
    expect(again.selected.find((p) => p.id === '2510.26788')?.critique).toContain('### Strengths');
    expect(again.notices).toEqual([]);
  });

  test('a truncated answer (finish_reason "length") is retried once', async () => {
    const w = await makeWorld({ ai });
    ai.prefer(SEED_SELECTED, 9);
    ai.fail('length', { schema: 'paper_review', id: '2510.26143' });
    const d = await digestOf(w);
    expect(d.selected.find((p) => p.id === '2510.26143')?.critique).toContain('### Weaknesses');
    expect(ai.requests.filter((r) => r.ids.includes('2510.26143') && r.schemaName === 'paper_review')).toHaveLength(2);
    expect(d.usage.llmCalls).toBe(ai.requests.length);
  });

  test('a missing id keeps its first-pass score and an invented id is ignored', async () => {
    const w = await makeWorld({ ai });
    ai.prefer(SEED_SELECTED, 9);
    ai.fail('missing-id', { schema: 'paper_ranking' });
    ai.fail('invented-id', { schema: 'paper_ranking' });
    const d = await digestOf(w);
    const record = await w.store.get<RankingRecord>('ranking', 'nlp:2025-10-30');
    const shortlisted = new Set(ai.requests.filter((r) => r.schemaName === 'paper_ranking').flatMap((r) => r.ids));
    const unscored = record!.candidates.filter((c) => shortlisted.has(c.id) && c.llmScore === undefined);
    expect(unscored).toHaveLength(1);
    expect(JSON.stringify(record)).not.toContain('2599.99999');
    expect(d.selected.map((p) => p.id)).not.toContain('2599.99999');
    expect(d.selected).toHaveLength(5);
  });

  test('a 429 with Retry-After, then a 500, then success', async () => {
    const w = await makeWorld({ ai });
    ai.prefer(SEED_SELECTED, 9);
    ai.fail('rate-limit', { schema: 'day_overview', retryAfter: '7' });
    ai.fail('server-error', { schema: 'day_overview' });
    const d = await digestOf(w);
    expect(d.tldr).toContain('**Key Themes & Insights:**');
    expect(w.slept).toContain(7000);
    expect(ai.requests.filter((r) => r.schemaName === 'day_overview').map((r) => r.outcome)).toEqual([
      'rate-limit',
      'server-error',
      'ok',
    ]);
  });

  test('a request that never answers times out and is retried', async () => {
    const w = await makeWorld({ ai, client: { timeoutMs: 300 } });
    ai.prefer(SEED_SELECTED, 9);
    ai.fail('timeout', { schema: 'day_overview' });
    const d = await digestOf(w);
    expect(d.tldr).toContain('**Common Insights:**');
    expect(ai.requests.filter((r) => r.schemaName === 'day_overview').map((r) => r.outcome)).toEqual(['timeout', 'ok']);
  });

  test('an LLM that stays unreachable fails the digest (exit 1) after the retries', async () => {
    const w = await makeWorld({ ai, llm: { retries: 2 } });
    ai.fail('server-error', { times: 100 });
    await expect(digestOf(w)).rejects.toMatchObject({ code: ErrorCode.LlmError, exitCode: 1 });
    // Each ranking batch tried three times (the first answer and two retries), then gave up.
    expect(ai.requests.filter((r) => r.outcome === 'server-error').length).toBeGreaterThanOrEqual(3);
    expect(ai.requests.every((r) => r.outcome === 'server-error')).toBe(true);
  });

  test('with the token budget spent, the digest goes out with abstracts and says why', async () => {
    const w = await makeWorld({ ai, llm: { dailyTokenBudget: 0 } });
    const d = await digestOf(w);
    expect(ai.requests).toHaveLength(0);
    expect(d.selected).toHaveLength(5);
    for (const p of d.selected) {
      expect(p.summary).toBe(leadingSentences(p.abstract));
      expect(p.critique).toBe('');
    }
    expect(d.notices).toHaveLength(1);
    expect(d.notices[0]).toMatch(/daily LLM token budget \(llm\.dailyTokenBudget: 0 tokens\) was reached/);
    expect(d.usage.llmCalls).toBe(0);
  });

  test('a budget that covers the ranking but not the reviews', async () => {
    // Full texts of ~10k tokens: a review needs more than the budget has left after the ranking.
    const w = await makeWorld({ ai, llm: { dailyTokenBudget: 14_000 }, bodyChars: 40_000 });
    ai.prefer(SEED_SELECTED, 9);
    const d = await digestOf(w);
    expect(ai.requests.filter((r) => r.schemaName === 'paper_ranking')).toHaveLength(2);
    expect(ai.requests.filter((r) => r.schemaName === 'paper_review')).toHaveLength(0);
    expect(d.selected.map((p) => p.id).sort()).toEqual([...SEED_SELECTED].sort());
    for (const p of d.selected) expect(p.critique).toBe('');
    expect(d.notices.join(' ')).toMatch(/budget .* was reached: .*abstract's first sentences/);
    const spent = await w.store.get<{ tokens: number }>('budget', '2025-10-30');
    expect(spent?.tokens).toBe(d.usage.promptTokens + d.usage.completionTokens);
    expect(spent!.tokens).toBeLessThanOrEqual(14_000);
  });

  test('mentions in model output are disarmed and chat preambles stripped', async () => {
    const w = await makeWorld({ ai });
    ai.prefer(SEED_SELECTED, 9);
    ai.fail('mention', { schema: 'paper_review', times: 5 });
    ai.fail('mention', { schema: 'day_overview' });
    const d = await digestOf(w);
    const text = [d.intro, d.tldr, ...d.selected.flatMap((p) => [p.summary, p.critique, ...p.keywords])].join('\n');
    expect(text).toContain('channel'); // the words are there…
    expect(text).not.toMatch(LIVE_MENTION); // …but cannot ping.

    const w2 = await makeWorld({ ai });
    ai.fail('preamble', { schema: 'paper_review', times: 5 });
    ai.fail('preamble', { schema: 'day_overview' });
    const d2 = await digestOf(w2);
    expect(d2.selected).toHaveLength(5);
    for (const p of d2.selected) {
      expect(p.summary).not.toMatch(/Of course|Here is/);
      expect(p.critique).not.toMatch(/Of course|Here is/);
    }
    expect(d2.intro).not.toMatch(/^Of course/);
  });

  test('followed authors are always shortlisted', async () => {
    const probe = await makeWorld();
    const target = probe.day.papers[probe.day.papers.length - 1]!;
    const w = await makeWorld({ ai, llm: { shortlist: 3 }, digest: { authors: [target.authors[0]!] } });
    await digestOf(w);
    const asked = ai.requests.filter((r) => r.schemaName === 'paper_ranking').flatMap((r) => r.ids);
    expect(asked).toContain(target.id);
    expect(asked.length).toBeGreaterThanOrEqual(4);
  });

  test('the learned boost is added to the first pass and kept in the ranking record', async () => {
    const probe = await makeWorld();
    const target = probe.day.papers[probe.day.papers.length - 1]!;
    const w = await makeWorld({ ai, llm: { shortlist: 5 } });
    w.services.boost = async () => new Map([[target.id, 2]]);
    await digestOf(w);
    const asked = ai.requests.filter((r) => r.schemaName === 'paper_ranking').flatMap((r) => r.ids);
    expect(asked).toContain(target.id);
    const record = await w.store.get<RankingRecord>('ranking', 'nlp:2025-10-30');
    expect(record?.candidates.find((c) => c.id === target.id)).toMatchObject({ boost: 2 });
  });

  test('the learned boost also tips the final selection between near-equal LLM scores', async () => {
    const probe = await makeWorld();
    const [a, b] = probe.day.papers;
    const w = await makeWorld({ ai, digest: { maxPapers: 1 }, llm: { shortlist: 100 } });
    w.services.boost = async () => new Map([[b!.id, 0.35]]);
    ai.prefer([a!.id], 8);
    ai.prefer([b!.id], 7);
    const d = await digestOf(w);
    expect(d.selected.map((p) => p.id)).toEqual([b!.id]);
  });

  test('a shifted shortlist asks the LLM only about papers never scored (each score is cached on its own)', async () => {
    const store = await openStore('memory://');
    const first = await makeWorld({ ai, store, llm: { shortlist: 10, batchSize: 5 } });
    await digestOf(first);
    const scored = new Set(ai.requests.filter((r) => r.schemaName === 'paper_ranking').flatMap((r) => r.ids));
    expect(scored.size).toBe(10);
    ai.reset();
    // A larger shortlist in other batches the same day (the digest is built again: its ranking settings changed).
    const second = await makeWorld({ ai, store, llm: { shortlist: 13, batchSize: 4 } });
    const d = await digestOf(second);
    const asked = ai.requests.filter((r) => r.schemaName === 'paper_ranking').flatMap((r) => r.ids);
    expect(asked).toHaveLength(3);
    for (const id of asked) expect(scored.has(id)).toBe(false);
    expect(d.usage.cachedCalls).toBeGreaterThan(0);
    await store.close();
  });

  test('the exploration slot goes to what the votes rate high and interests low, marked with its reason', async () => {
    const probe = await makeWorld();
    const ranked = firstPass(probe.day.papers, probe.ctx.config.digests[0]!);
    const low = ranked[ranked.length - 3]!.paper;
    const voted = { id: '2510.11111', title: 'A paper the team voted for' };
    const learned = {
      boost: new Map([[low.id, 0.2]]),
      affinity: new Map([[low.id, 2.5]]),
      weight: 0.3,
      because: () => [voted],
    };
    const w = await makeWorld({ ai });
    w.services.boost = async () => learned;
    const d = await digestOf(w);
    expect(d.selected).toHaveLength(5);
    expect(d.selected[4]).toMatchObject({ id: low.id, explore: { because: [voted] } });
    expect(d.selected.filter((p) => p.explore)).toHaveLength(1);
    const record = await w.store.get<RankingRecord>('ranking', 'nlp:2025-10-30');
    expect(record?.candidates.find((c) => c.id === low.id)).toMatchObject({ affinity: 2.5, explore: true });

    // Turned off, or before the votes show a pattern (λ = 0): no exploration.
    const off = await makeWorld({ digest: { votes: { explore: 0 } } });
    off.services.boost = async () => learned;
    expect((await digestOf(off)).selected.some((p) => p.id === low.id)).toBe(false);
    const early = await makeWorld();
    early.services.boost = async () => ({ ...learned, weight: 0 });
    expect((await digestOf(early)).selected.some((p) => p.explore)).toBe(false);
  });

  test('with an embeddings model the day is embedded once, counted in usage, and the first pass uses it', async () => {
    const store = await openStore('memory://');
    const w = await makeWorld({ ai, store, llm: { embeddingModel: 'text-embedding-3-small' } });
    const d = await digestOf(w);
    expect(ai.embeddingRequests.reduce((n, r) => n + r.inputs, 0)).toBe(d.totalPapers + 1);
    expect(d.usage.embeddingCalls).toBe(ai.embeddingRequests.length);
    expect(d.usage.embeddingTokens).toBeGreaterThan(d.totalPapers * 50);
    // Built again with other settings: no paper is embedded twice.
    ai.reset();
    const again = await makeWorld({
      ai,
      store,
      llm: { embeddingModel: 'text-embedding-3-small' },
      digest: { maxPapers: 4 },
    });
    const d2 = await digestOf(again);
    expect(ai.embeddingRequests).toHaveLength(0);
    expect(d2.usage.embeddingCalls).toBeUndefined();
    await store.close();
  });

  test('a failing learned boost does not stop the digest', async () => {
    const w = await makeWorld();
    w.services.boost = async () => {
      throw new Error('profile store unavailable');
    };
    expect((await digestOf(w)).selected).toHaveLength(5);
  });

  test('progress is shown for the ranking batches and the per-paper writing', async () => {
    const w = await makeWorld({ ai });
    const seen: string[] = [];
    w.ctx.progress = {
      note() {},
      task(label, total) {
        let n = 0;
        return {
          tick: (k = 1) => {
            n += k;
          },
          done: () => seen.push(`${label} ${n}/${total}`),
        };
      },
    };
    await digestOf(w);
    expect(seen).toEqual(['Screening titles 1/1', 'Ranking abstracts 2/2', 'Writing summaries 5/5']);
  });

  test('an empty day (weekend) is an empty digest with no calls', async () => {
    const w = await makeWorld({ ai, days: [{ date: '2025-11-01', categories: ['cs.CL'], papers: [] }] });
    const d = await digestOf(w, '2025-11-01');
    expect(d).toMatchObject({ empty: true, totalPapers: 0, selected: [], date: '2025-11-01' });
    expect(ai.requests).toHaveLength(0);
  });
});

describe('buildDigest without an LLM', () => {
  test('ranks by text similarity, summarizes with the first sentences and says so', async () => {
    const w = await makeWorld();
    expect(w.services.llm).toBeUndefined();
    const d = await digestOf(w);
    expect(d.notices).toEqual([NO_LLM_NOTICE]);
    expect(d.totalPapers).toBe(58);
    expect(d.selected).toHaveLength(5);
    expect(d.usage).toEqual({ llmCalls: 0, promptTokens: 0, completionTokens: 0, cachedCalls: 0 });
    expect(d.intro).toMatch(/58 papers in cs\.CL on 2025-10-30/);
    for (const p of d.selected) {
      expect(p.critique).toBe('');
      expect(p.summary).toBe(leadingSentences(p.abstract));
      expect(p.summary.length).toBeLessThan(p.abstract.length);
      expect(p.keywords.length).toBeGreaterThan(0);
      expect(p.score).toBeGreaterThan(0);
      expect(p.score).toBeLessThanOrEqual(1);
    }
    // The best text match for "RL and preference optimization; alignment; reasoning; agents" is on topic.
    const first = d.selected[0]!;
    expect(`${first.title} ${first.abstract}`).toMatch(/reinforcement|alignment|reasoning|agent|preference/i);
    expect(d.tldr).toMatch(/^\*\*Selected papers:\*\*\n\n1\. \*.+\* \(https:\/\/arxiv\.org\/abs\//);
    expect(ai.requests).toHaveLength(0);
    expect(await w.store.get<RankingRecord>('ranking', 'nlp:2025-10-30')).toMatchObject({ name: 'nlp' });
  });

  test('configured keywords lead the keywords and raise matching papers', async () => {
    const w = await makeWorld({ digest: { keywords: ['FP16'] } });
    const d = await digestOf(w);
    const fp16 = d.selected.find((p) => p.id === '2510.26788');
    expect(fp16).toBeDefined();
    expect(fp16?.keywords[0]).toBe('FP16');
  });
});
