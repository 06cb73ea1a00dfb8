/**
 * Learning from votes, measured on a held-out day. A team that votes for agent papers (LLM agents, agentic
 * systems, multi-agent) reads digests built from the seeds' real papers: 2025-09-30's 70 papers split into five
 * training days, each day ranked by text similarity to the digest's interests plus the learned boost, the top 5
 * shown, the agent papers among them voted for (reactions) and one unshown agent paper /voted. Then a new day the
 * profile never saw is ranked without and with the boost: the agent papers should rise.
 *   held-out day A: the real next announcement day in the seeds (2025-10-30, 11 papers, 4 about agents);
 *   held-out days B: each training day in turn, learned from the other four (5-fold).
 */
import type { DigestConfig } from '../src/config/schema';
import { createProfileBoost, learnFromDay } from '../src/profile/profile';
import { type Doc, dot, terms, vectorize } from '../src/profile/terms';
import { openStore } from '../src/store';
import seeds from '../test/fixtures/seed-papers.json';

const INTERESTS = 'Reinforcement learning and preference optimization for LLMs; alignment; reasoning; agents.';
const SHOWN = 5;
const TRAIN_DAYS = 5;

type Paper = Doc & { version: number };

const isAgent = (p: Doc) => /\bagent/i.test(`${p.title} ${p.abstract}`);

/** A deterministic shuffle (mulberry32), so the bench prints the same numbers every run. */
function shuffled<T>(items: T[], seed: number): T[] {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** The first pass stand-in: tf-idf cosine with the interests, normalised to [0, 1] over the day. */
function firstPass(day: Paper[]): Map<string, number> {
  const df = new Map<string, number>();
  for (const p of day) for (const t of new Set(terms(p))) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = (t: string) => Math.log((day.length + 1) / ((df.get(t) ?? 0) + 1)) + 1;
  const q = Object.fromEntries(vectorize({ title: INTERESTS, abstract: '' }, idf));
  const raw = day.map((p) => [p.id, dot(q, vectorize(p, idf))] as const);
  const max = Math.max(...raw.map(([, s]) => s), 1e-9);
  return new Map(raw.map(([id, s]) => [id, s / max]));
}

async function rank(day: Paper[], boost?: (papers: Paper[]) => Promise<Map<string, number>>): Promise<Paper[]> {
  const base = firstPass(day);
  const extra = boost ? await boost(day) : new Map<string, number>();
  const score = (p: Paper) => (base.get(p.id) ?? 0) + (extra.get(p.id) ?? 0);
  return [...day].sort((a, b) => score(b) - score(a) || a.id.localeCompare(b.id));
}

function agentStats(ranked: Paper[]) {
  const ranks = ranked.map((p, i) => (isAgent(p) ? i + 1 : 0)).filter((r) => r > 0);
  return {
    meanRank: ranks.reduce((s, r) => s + r, 0) / Math.max(1, ranks.length),
    inTop5: ranked.slice(0, SHOWN).filter(isAgent).length,
  };
}

/** Trains a fresh profile on `days` (the simulated team votes), returns the boost to rank with. */
async function train(days: Paper[][]) {
  const store = await openStore('memory://');
  const digest = { name: 'bench' } as DigestConfig;
  const boost = createProfileBoost(store);
  const withBoost = (papers: Paper[]) =>
    boost(
      digest,
      papers.map((p) => ({ ...p, authors: [], categories: [] })),
    );
  let votes = 0;
  for (const [i, day] of days.entries()) {
    const ranked = await rank(day, withBoost);
    const shown = ranked.slice(0, SHOWN);
    const voted = shown.filter(isAgent);
    const unshownAgent = ranked.slice(SHOWN).find(isAgent);
    if (unshownAgent) voted.push(unshownAgent); // someone found it on arXiv and /voted for it
    votes += voted.length;
    await learnFromDay(store, digest.name, {
      date: `2025-09-${String(10 + i).padStart(2, '0')}`,
      candidates: day,
      shown,
      voted,
    });
  }
  return { store, withBoost, votes };
}

export async function run(): Promise<Record<string, number | string>> {
  const strip = (p: Paper): Paper => ({ id: p.id, version: p.version, title: p.title, abstract: p.abstract });
  const pool = shuffled((seeds['2025-09-30'].listed as Paper[]).map(strip), 20250930);
  const size = Math.ceil(pool.length / TRAIN_DAYS);
  const days = Array.from({ length: TRAIN_DAYS }, (_, i) => pool.slice(i * size, (i + 1) * size));
  const heldOut = (seeds['2025-10-30'].listed as Paper[]).map(strip);

  // A: the next real day.
  const trained = await train(days);
  const before = agentStats(await rank(heldOut));
  const after = agentStats(await rank(heldOut, trained.withBoost));
  const boosts = await trained.withBoost(heldOut);
  const meanBoost = (ps: Paper[]) => ps.reduce((s, p) => s + (boosts.get(p.id) ?? 0), 0) / Math.max(1, ps.length);
  const agentBoost = meanBoost(heldOut.filter(isAgent));
  const otherBoost = meanBoost(heldOut.filter((p) => !isAgent(p)));
  await trained.store.close();

  // B: each training day held out in turn.
  let foldBefore = 0;
  let foldAfter = 0;
  let foldsImproved = 0;
  for (let k = 0; k < TRAIN_DAYS; k++) {
    const test = days[k] as Paper[];
    const fold = await train(days.filter((_, i) => i !== k));
    const b = agentStats(await rank(test)).meanRank;
    const a = agentStats(await rank(test, fold.withBoost)).meanRank;
    foldBefore += b / TRAIN_DAYS;
    foldAfter += a / TRAIN_DAYS;
    if (a < b) foldsImproved++;
    await fold.store.close();
  }

  const r2 = (x: number) => Math.round(x * 100) / 100;
  return {
    method: 'Rocchio term profile (tf-idf, decay 0.9, +1 voted, -0.25 shown-but-ignored), boost added to first pass',
    trainingDays: TRAIN_DAYS,
    trainingVotes: trained.votes,
    heldOutDay: '2025-10-30',
    heldOutPapers: heldOut.length,
    heldOutAgentPapers: heldOut.filter(isAgent).length,
    agentMeanRankBefore: r2(before.meanRank),
    agentMeanRankAfter: r2(after.meanRank),
    agentInTop5Before: before.inTop5,
    agentInTop5After: after.inTop5,
    agentMeanBoost: Math.round(agentBoost * 1000) / 1000,
    otherMeanBoost: Math.round(otherBoost * 1000) / 1000,
    foldAgentMeanRankBefore: r2(foldBefore),
    foldAgentMeanRankAfter: r2(foldAfter),
    foldsImproved: `${foldsImproved}/${TRAIN_DAYS}`,
  };
}

if (require.main === module) {
  run().then((r) => console.log(JSON.stringify(r, null, 2)));
}
