/** Learning from votes: the profile, its boost, and the benchmark's held-out day. */
import { run } from '../../bench/learning.bench';
import type { DigestConfig } from '../../src/config/schema';
import {
  MAX_DF_TERMS,
  boostFor,
  createProfileBoost,
  emptyProfile,
  learn,
  learnFromDay,
} from '../../src/profile/profile';
import { openStore } from '../../src/store';
import { SEED_SEP30 } from '../fakes/bot-fixture';

const agent = (p: { title: string; abstract: string }) => /\bagent/i.test(`${p.title} ${p.abstract}`);

describe('the learned profile', () => {
  test('ranking on a held-out day moves toward the voted-for kind of paper', async () => {
    const r = await run();
    expect(r.heldOutAgentPapers).toBe(4);
    expect(Number(r.agentMeanRankAfter)).toBeLessThan(Number(r.agentMeanRankBefore));
    expect(Number(r.agentMeanBoost)).toBeGreaterThan(0);
    expect(Number(r.otherMeanBoost)).toBeLessThan(0);
    expect(Number(r.foldAgentMeanRankAfter)).toBeLessThan(Number(r.foldAgentMeanRankBefore));
  });

  test('no votes, no boost; a day is learned once; boosts stay within bounds', async () => {
    const day = SEED_SEP30.slice(0, 20);
    expect(boostFor(emptyProfile('nlp'), day).size).toBe(0);
    const evidence = { date: '2025-09-30', candidates: day, shown: day.slice(0, 5), voted: day.filter(agent) };
    const once = learn(emptyProfile('nlp'), evidence);
    expect(learn(once, evidence)).toBe(once);
    const boosts = boostFor(once, SEED_SEP30.slice(20));
    expect(boosts.size).toBe(50);
    for (const b of boosts.values()) expect(Math.abs(b)).toBeLessThanOrEqual(0.35);
  });

  test('papers shown day after day without a vote are pushed away', async () => {
    const store = await openStore('memory://');
    const ignoredKind = SEED_SEP30.filter((p) => /preference/i.test(p.title));
    const rest = SEED_SEP30.filter((p) => !/preference/i.test(p.title));
    // Each day the team votes for one unrelated paper and ignores the preference-optimization papers shown.
    for (let i = 0; i < 4; i++) {
      const candidates = [...ignoredKind, ...rest.slice(i * 10, i * 10 + 10)];
      await learnFromDay(store, 'nlp', {
        date: `2025-09-2${i}`,
        candidates,
        shown: ignoredKind,
        voted: [rest[i * 10] as (typeof rest)[number]],
      });
    }
    const boost = createProfileBoost(store);
    const heldOut = [...ignoredKind, ...rest.slice(40)];
    const boosts = await boost({ name: 'nlp' } as DigestConfig, heldOut);
    const mean = (ps: typeof heldOut) => ps.reduce((s, p) => s + (boosts.get(p.id) ?? 0), 0) / ps.length;
    expect(mean(ignoredKind)).toBeLessThan(mean(rest.slice(40)));
    await store.close();
  });
});

describe('the profile over months', () => {
  test('its term statistics stay bounded, and every weighted term keeps its statistics', () => {
    // A year of days, each with its own words (new topics, names, datasets): the vocabulary never stops growing.
    let profile = emptyProfile('nlp');
    let seed = 7;
    const word = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return `w${seed.toString(36)}`;
    };
    for (let d = 0; d < 40; d++) {
      const docs = Array.from({ length: 30 }, (_, i) => ({
        id: `2510.${String(d * 100 + i).padStart(5, '0')}`,
        title: Array.from({ length: 8 }, word).join(' '),
        abstract: Array.from({ length: 60 }, word).join(' '),
      }));
      const date = `2025-${String(1 + Math.floor(d / 28)).padStart(2, '0')}-${String(1 + (d % 28)).padStart(2, '0')}`;
      profile = learn(profile, { date, candidates: docs, shown: docs.slice(0, 5), voted: docs.slice(0, 1) });
    }
    expect(Object.keys(profile.df).length).toBeLessThanOrEqual(MAX_DF_TERMS);
    for (const t of Object.keys(profile.weights)) expect(profile.df[t]).toBeGreaterThan(0);
    expect(profile.docs).toBe(40 * 30);
  });
});
