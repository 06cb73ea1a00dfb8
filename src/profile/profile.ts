/**
 * Learning from votes: each digest (and so each channel it posts to) keeps a Rocchio-style term-weight vector over
 * the title and abstract of papers. After each closed vote:
 *   w ← DECAY·w + ALPHA·(mean(voted) − mean(pool)) − BETA·(mean(shown but not voted) − mean(pool))
 * with tf-idf vectors whose document frequencies come from every candidate the ranker saw, and `pool` the day's
 * candidates. Voted-for papers pull
 * the profile toward their terms; papers shown day after day without a vote push it away a little each time; old
 * evidence fades. The boost of a new paper is how far its cosine with the profile stands above or below the day's
 * average, squashed to [-STRENGTH, STRENGTH] and scaled by confidence (how many votes have been seen); the pipeline
 * adds it to the first-pass score.
 */
import type { DigestConfig } from '../config/schema';
import type { RankingBoost } from '../pipeline/services';
import type { Store } from '../store';
import type { Paper } from '../app/types';
import { type Doc, type Vector, dot, terms, vectorize } from './terms';
import { keys } from '../store/keys';

export const DECAY = 0.9;
export const ALPHA = 1;
export const BETA = 0.25;
export const STRENGTH = 0.35;
const MAX_TERMS = 3000;
const MAX_DATES = 120;
/**
 * Terms whose document frequency is kept. Every candidate of every day adds its terms (and bigrams): unpruned, the
 * record grows by thousands of keys a day and is read at every ranking. The rarest go first; their idf is near the
 * maximum either way, and a term that comes back starts again at 1. Terms with a weight are always kept.
 */
export const MAX_DF_TERMS = 20_000;

export interface Profile {
  digest: string;
  /** Rocchio term weights (positive: wanted; negative: ignored). */
  weights: Record<string, number>;
  /** Document frequency of each term among the candidates seen, and how many candidates were seen. */
  df: Record<string, number>;
  docs: number;
  /** Voted-for papers learned from, in all (for the boost's confidence). */
  positives: number;
  /** Typical cosine of a voted-for paper with the profile: the boost's unit. */
  scale: number;
  /** Announcement days already learned from (a re-tally learns nothing twice). */
  learned: string[];
}

export interface DayEvidence {
  date: string;
  /** Every candidate the ranker saw that day (for document frequencies). */
  candidates: Doc[];
  /** Papers shown in the digest. */
  shown: Doc[];
  /** Papers voted for (from the digest or by /vote). */
  voted: Doc[];
}

export function emptyProfile(digest: string): Profile {
  return { digest, weights: {}, df: {}, docs: 0, positives: 0, scale: 0, learned: [] };
}

export async function loadProfile(store: Store, digest: string): Promise<Profile | undefined> {
  return store.get<Profile>('profiles', keys.profile(digest));
}

function idfOf(profile: Profile): (term: string) => number {
  const n = profile.docs;
  return (t) => Math.log((n + 1) / ((profile.df[t] ?? 0) + 1)) + 1;
}

function addMean(weights: Record<string, number>, vectors: Vector[], factor: number): void {
  if (!vectors.length) return;
  const f = factor / vectors.length;
  for (const v of vectors) for (const [t, w] of v) weights[t] = (weights[t] ?? 0) + f * w;
}

function norm(weights: Record<string, number>): number {
  let s = 0;
  for (const w of Object.values(weights)) s += w * w;
  return Math.sqrt(s);
}

/** One day's evidence applied to a profile (pure; the caller stores the result). */
export function learn(profile: Profile, day: DayEvidence): Profile {
  if (profile.learned.includes(day.date)) return profile;
  const next: Profile = { ...profile, weights: { ...profile.weights }, df: { ...profile.df } };
  const seen = new Map<string, Doc>();
  for (const d of [...day.candidates, ...day.shown, ...day.voted]) seen.set(d.id, d);
  for (const d of seen.values()) {
    for (const t of new Set(terms(d))) next.df[t] = (next.df[t] ?? 0) + 1;
  }
  next.docs += seen.size;
  const idf = idfOf(next);
  const votedIds = new Set(day.voted.map((d) => d.id));
  const positives = day.voted.map((d) => vectorize(d, idf));
  const negatives = day.shown.filter((d) => !votedIds.has(d.id)).map((d) => vectorize(d, idf));
  // Each side is taken relative to the day's pool (its mean candidate), so the terms every paper of the field
  // shares cancel out and what remains is what sets the voted (or ignored) papers apart.
  const pool = [...seen.values()].map((d) => vectorize(d, idf));
  for (const t of Object.keys(next.weights)) next.weights[t] = (next.weights[t] ?? 0) * DECAY;
  if (positives.length) {
    addMean(next.weights, positives, ALPHA);
    addMean(next.weights, pool, -ALPHA);
  }
  if (negatives.length) {
    addMean(next.weights, negatives, -BETA);
    addMean(next.weights, pool, BETA);
  }
  // Keep the strongest terms only, so the record stays small after months.
  const entries = Object.entries(next.weights).filter(([, w]) => Math.abs(w) > 1e-4);
  entries.sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
  next.weights = Object.fromEntries(entries.slice(0, MAX_TERMS));
  next.df = pruneDf(next.df, next.weights);
  next.positives += positives.length;
  if (positives.length) {
    const n = norm(next.weights) || 1;
    const typical = positives.reduce((s, v) => s + dot(next.weights, v) / n, 0) / positives.length;
    next.scale = next.scale ? 0.5 * next.scale + 0.5 * typical : typical;
  }
  next.learned = [...profile.learned, day.date].slice(-MAX_DATES);
  return next;
}

/** The document frequencies of the weighted terms and of the most frequent others, MAX_DF_TERMS in all. */
function pruneDf(df: Record<string, number>, weights: Record<string, number>): Record<string, number> {
  const terms = Object.keys(df);
  if (terms.length <= MAX_DF_TERMS) return df;
  const kept: Record<string, number> = {};
  const others: string[] = [];
  for (const t of terms) {
    if (t in weights) kept[t] = df[t] ?? 0;
    else others.push(t);
  }
  others.sort((a, b) => (df[b] ?? 0) - (df[a] ?? 0) || (a < b ? -1 : 1));
  for (const t of others.slice(0, Math.max(0, MAX_DF_TERMS - Object.keys(kept).length))) kept[t] = df[t] ?? 0;
  return kept;
}

export async function learnFromDay(store: Store, digest: string, day: DayEvidence): Promise<Profile> {
  const current = (await loadProfile(store, digest)) ?? emptyProfile(digest);
  const next = learn(current, day);
  if (next !== current) await store.set('profiles', keys.profile(digest), next);
  return next;
}

/**
 * The boost of each paper under a profile, in [-STRENGTH, STRENGTH]; empty before any vote. Relative to the day:
 * every paper of one field shares most terms with the profile, so what ranks is how much more (or less) a paper
 * matches than the day's average, in units of the day's spread (floored, so a day of look-alike papers is not
 * reordered on noise). Pass all of the day's candidates at once.
 */
export function boostFor(
  profile: Profile,
  papers: Array<Pick<Paper, 'id' | 'title' | 'abstract'>>,
): Map<string, number> {
  const out = new Map<string, number>();
  const n = norm(profile.weights);
  if (!profile.positives || !n || profile.scale <= 0 || papers.length === 0) return out;
  const idf = idfOf(profile);
  const confidence = 1 - Math.exp(-profile.positives / 4);
  const known = (t: string) => (profile.df[t] ?? 0) > 0;
  const cos = papers.map((p) => dot(profile.weights, vectorize(p, idf, known)) / n);
  const mean = cos.reduce((a, b) => a + b, 0) / cos.length;
  const spread = Math.sqrt(cos.reduce((a, c) => a + (c - mean) ** 2, 0) / cos.length);
  const unit = Math.max(spread, 0.05 * profile.scale);
  papers.forEach((p, i) => {
    out.set(p.id, STRENGTH * confidence * Math.tanh(((cos[i] ?? mean) - mean) / unit));
  });
  return out;
}

/** The RankingBoost the pipeline adds to its first-pass score: the digest's learned profile. */
export function createProfileBoost(store: Store): RankingBoost {
  return async (digest: DigestConfig, papers: Paper[]) => {
    const profile = await loadProfile(store, digest.name);
    return profile ? boostFor(profile, papers) : new Map();
  };
}
