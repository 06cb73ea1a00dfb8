/** The vote profile: what it learns from a day, how much it may move the ranking, and what it says of a new day. */
import type { DigestConfig } from '../config/schema';
import { openStore } from '../store';
import {
  MAX_DF_TERMS,
  agreementOf,
  becauseOf,
  boostFor,
  createProfileBoost,
  emptyProfile,
  learn,
  learnFromDay,
  type Profile,
  scoreDay,
  weightOf,
} from './profile';
import type { Doc } from './terms';

/** A deterministic day: `theme` papers about images and video, the rest about language models, with noise words. */
function makeDay(d: number, size = 60, themeShare = 0.2): { date: string; papers: Doc[]; theme: Set<string> } {
  let seed = 17 + d * 7919;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const pickWords = (list: string[], n: number) =>
    Array.from({ length: n }, () => list[Math.floor(rand() * list.length)]).join(' ');
  const vision = [
    'image',
    'video',
    'visual',
    'pixel',
    'segmentation',
    'camera',
    'scene',
    'diffusion',
    'render',
    'frames',
  ];
  const language = [
    'language',
    'token',
    'reasoning',
    'dialogue',
    'translation',
    'prompt',
    'alignment',
    'reward',
    'agent',
    'corpus',
  ];
  const common = [
    'model',
    'method',
    'results',
    'benchmark',
    'performance',
    'propose',
    'training',
    'data',
    'approach',
    'evaluation',
  ];
  const papers: Doc[] = [];
  const theme = new Set<string>();
  for (let i = 0; i < size; i++) {
    const isTheme = i < size * themeShare;
    const own = isTheme ? vision : language;
    const id = `25${String(10 + d).padStart(2, '0')}.${String(10000 + i)}`;
    if (isTheme) theme.add(id);
    papers.push({ id, title: pickWords(own, 4), abstract: `${pickWords(own, 20)} ${pickWords(common, 25)}` });
  }
  return { date: `2025-10-${String(1 + d).padStart(2, '0')}`, papers, theme };
}

/** A team that votes each day for `votes` of the theme's papers (shown: the first five papers of the day). */
function trainOn(days: number[], choose: (day: ReturnType<typeof makeDay>) => Doc[], voters = 2): Profile {
  let profile = emptyProfile('nlp');
  for (const d of days) {
    const day = makeDay(d);
    const shown = day.papers.slice(20, 25);
    profile = learn(profile, { date: day.date, candidates: day.papers, shown, voted: choose(day), voters });
  }
  return profile;
}

const themeVotes = (day: ReturnType<typeof makeDay>) => day.papers.filter((p) => day.theme.has(p.id)).slice(0, 3);

describe('the vote profile', () => {
  test('no votes, no boost; a day is learned once', () => {
    const day = makeDay(0);
    expect(boostFor(emptyProfile('nlp'), day.papers).size).toBe(0);
    const evidence = { date: day.date, candidates: day.papers, shown: day.papers.slice(0, 5), voted: themeVotes(day) };
    const once = learn(emptyProfile('nlp'), evidence);
    expect(learn(once, evidence)).toBe(once);
  });

  test('one stray vote moves nothing: λ is 0 until the votes have agreed with the profile', () => {
    const profile = trainOn([0], (day) => day.papers.slice(30, 31), 1);
    expect(weightOf(profile, 'terms')).toBe(0);
    for (const b of boostFor(profile, makeDay(9).papers).values()) expect(b).toBe(0);
  });

  test('a theme voted for on five days earns a large weight and lifts its papers on a held-out day', () => {
    const profile = trainOn([0, 1, 2, 3, 4], themeVotes);
    expect(agreementOf(profile, 'terms')).toBeGreaterThan(1);
    expect(weightOf(profile, 'terms')).toBeGreaterThan(0.7);
    const held = makeDay(9);
    const boosts = boostFor(profile, held.papers);
    const mean = (ids: string[]) => ids.reduce((a, id) => a + (boosts.get(id) ?? 0), 0) / ids.length;
    const themeIds = held.papers.filter((p) => held.theme.has(p.id)).map((p) => p.id);
    const others = held.papers.filter((p) => !held.theme.has(p.id)).map((p) => p.id);
    expect(mean(themeIds)).toBeGreaterThan(0.5);
    expect(mean(others)).toBeLessThan(0);
    for (const b of boosts.values()) expect(Math.abs(b)).toBeLessThanOrEqual(1);
  });

  test('the weight grows with the evidence: days with votes and distinct voters', () => {
    const two = trainOn([0, 1], themeVotes, 1);
    const five = trainOn([0, 1, 2, 3, 4], themeVotes, 1);
    const fiveTeam = trainOn([0, 1, 2, 3, 4], themeVotes, 4);
    expect(weightOf(two, 'terms')).toBeLessThan(weightOf(five, 'terms'));
    expect(weightOf(five, 'terms')).toBeLessThan(weightOf(fiveTeam, 'terms'));
    expect(fiveTeam.evidence).toBeGreaterThan(five.evidence);
  });

  test('votes for random papers earn no weight', () => {
    let k = 0;
    const profile = trainOn([0, 1, 2, 3, 4], (day) => {
      k += 1;
      return [day.papers[(k * 7) % 60] as Doc, day.papers[(k * 13 + 3) % 60] as Doc];
    });
    expect(weightOf(profile, 'terms')).toBeLessThan(0.1);
  });

  test('a /critique or /ask request teaches at half strength and adds no vote', () => {
    const day = makeDay(0);
    const asked = learn(emptyProfile('nlp'), {
      date: day.date,
      candidates: day.papers,
      shown: [],
      voted: [{ ...(day.papers[0] as Doc), strength: 0.5 }],
    });
    expect(asked.positives).toBe(0);
    expect(asked.spaces.terms?.pos.weight).toBe(0.5);
    expect(asked.evidence).toBe(0.5);
    expect(asked.examples).toEqual([]);
  });

  test('says which voted-for papers a suggestion resembles', () => {
    const profile = trainOn([0, 1, 2], themeVotes);
    const held = makeDay(9);
    const paper = held.papers.find((p) => held.theme.has(p.id)) as Doc;
    const because = becauseOf(profile, paper);
    expect(because.length).toBeGreaterThan(0);
    for (const b of because) expect(profile.examples.some((x) => x.id === b.id && x.title === b.title)).toBe(true);
  });

  test('learns in the embeddings space too when the day has vectors, and weighs the spaces by their λ', () => {
    let profile = emptyProfile('nlp');
    const vec = (p: Doc, theme: boolean) => [theme ? 1 : 0.1, theme ? 0.1 : 1, (p.id.charCodeAt(8) % 7) / 10];
    for (const d of [0, 1, 2, 3, 4]) {
      const day = makeDay(d);
      const of = new Map(day.papers.map((p) => [p.id, vec(p, day.theme.has(p.id))]));
      profile = learn(profile, {
        date: day.date,
        candidates: day.papers,
        shown: day.papers.slice(20, 25),
        voted: themeVotes(day),
        voters: 2,
        vectors: { model: 'm', of },
      });
    }
    expect(Object.keys(profile.spaces).sort()).toEqual(['embed:m', 'terms']);
    expect(weightOf(profile, 'embed:m')).toBeGreaterThan(0.5);
    const held = makeDay(9);
    const scored = scoreDay(profile, held.papers, {
      model: 'm',
      of: new Map(held.papers.map((p) => [p.id, vec(p, held.theme.has(p.id))])),
    });
    expect(Object.keys(scored?.spaces ?? {}).sort()).toEqual(['embed:m', 'terms']);
    const themePaper = held.papers.find((p) => held.theme.has(p.id)) as Doc;
    expect(scored?.affinity?.get(themePaper.id)).toBeGreaterThan(1);
  });

  test('papers shown day after day without a vote are pushed away', async () => {
    const store = await openStore('memory://');
    for (let d = 0; d < 4; d++) {
      const day = makeDay(d);
      // The team votes for one language paper a day and ignores the vision papers it is shown.
      await learnFromDay(store, 'nlp', {
        date: day.date,
        candidates: day.papers,
        shown: day.papers.slice(0, 5),
        voted: [day.papers[40 + d] as Doc],
      });
    }
    const held = makeDay(9);
    const boost = createProfileBoost(store);
    const got = await boost(
      { name: 'nlp' } as DigestConfig,
      held.papers.map((p) => ({ ...p, version: 1, authors: [], categories: [] })),
    );
    const scored = got instanceof Map ? undefined : got;
    const mean = (ids: string[]) => ids.reduce((a, id) => a + (scored?.affinity?.get(id) ?? 0), 0) / ids.length;
    const themeIds = held.papers.filter((p) => held.theme.has(p.id)).map((p) => p.id);
    const others = held.papers.filter((p) => !held.theme.has(p.id)).map((p) => p.id);
    expect(mean(themeIds)).toBeLessThan(mean(others));
    await store.close();
  });

  test('a profile of the first format is read: its terms kept, its weight earned again', async () => {
    const store = await openStore('memory://');
    await store.set('profiles', 'digest:nlp', {
      digest: 'nlp',
      weights: { imag: 0.5 },
      df: { imag: 3 },
      docs: 10,
      positives: 4,
      scale: 0.2,
      learned: ['2025-09-01'],
    });
    const boost = createProfileBoost(store);
    const got = await boost({ name: 'nlp' } as DigestConfig, []);
    expect(got instanceof Map ? got.size : got.boost.size).toBe(0);
    const day = makeDay(0);
    const next = await learnFromDay(store, 'nlp', {
      date: day.date,
      candidates: day.papers,
      shown: [],
      voted: themeVotes(day),
    });
    expect(next.learned).toEqual(['2025-09-01', day.date]);
    expect(next.spaces.terms?.pos.weight).toBeGreaterThan(0);
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
    for (const t of Object.keys(profile.spaces.terms?.pos.sum ?? {})) expect(profile.df[t]).toBeGreaterThan(0);
    expect(profile.docs).toBe(40 * 30);
  });
});
