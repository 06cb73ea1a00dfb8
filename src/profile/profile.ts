/**
 * Learning from votes. Each digest keeps a vote profile (store namespace 'profiles', key `digest:<name>`): the
 * papers its team voted for (👍, /vote; /critique and /ask requests as a weaker signal) and the papers it was shown
 * and ignored, as vectors relative to their day's pool of candidates, in one or two spaces: tf-idf terms always,
 * and the embeddings of `llm.embeddingModel` when one is configured. After each closed vote, per space:
 *   pos ← DECAY·pos + Σ strength·(x − μ_day)      (voted; strength 1, WEAK for a /critique or /ask request)
 *   neg ← DECAY·neg + Σ (x − μ_day)               (shown, not voted)
 * and the direction is P = pos/|pos weights| − BETA·neg/|neg weights|. A paper's affinity on a new day is its
 * z-score among the day's candidates of ⟨x − μ_day, P⟩, and its boost is
 *   boost = λ · tanh(z / 2),   λ = LAMBDA_MAX · (1 − exp(−(E/E0)²)) · clamp((A − A_FLOOR) / A_SPAN, 0, 1)
 * (with words and embeddings, each space's z weighs by its own λ and λ is the larger one), where E (evidence) adds log2(1 + distinct voters) for each day with votes, decayed like the vectors, and A
 * (agreement) is how well the profile, before learning a day, predicted that day's votes: the mean z of the papers
 * voted for above the papers the voters passed over (the other cards for a 👍, the rest of the listing for a
 * /vote), averaged over the days (weighted by their evidence). A theme the team votes for day after day earns
 * both (λ near 1: enough to lift a paper interests rate low into the top 5); one stray vote, or votes that follow no
 * pattern, earn neither.
 */
import { z } from 'zod';
import type { DigestConfig } from '../config/schema';
import type { LearnedRanking, PaperVectors, RankingBoost } from '../pipeline/services';
import type { Store } from '../store';
import type { Paper } from '../app/types';
import { type Doc, type Vector, terms, vectorize } from './terms';
import { keys } from '../store/keys';
import { recordKind } from '../store/records';

export const DECAY = 0.9;
export const BETA = 0.25;
/** Strength of a /critique or /ask request as evidence, against a vote's 1. */
export const WEAK = 0.5;
/** Strength of a Not for us click on the negative side, against an ignored card's 1. */
export const REJECT = 2;
export const LAMBDA_MAX = 1;
/** Evidence at which λ's evidence factor reaches 1 − 1/e (about three days of votes by one member). */
export const E0 = 3;
/** Agreement (mean z of the voted papers under the profile before their day) below which votes teach nothing. */
export const A_FLOOR = 0.25;
export const A_SPAN = 0.5;
const MAX_TERMS = 3000;
const MAX_DATES = 120;
const MAX_EXAMPLES = 60;
const EXAMPLE_TERMS = 24;
/**
 * Terms whose document frequency is kept. Every candidate of every day adds its terms (and bigrams): unpruned, the
 * record grows by thousands of keys a day and is read at every ranking. The rarest go first; their idf is near the
 * maximum either way, and a term that comes back starts again at 1. Terms with a weight are always kept.
 */
export const MAX_DF_TERMS = 20_000;
export const TERMS_SPACE = 'terms';
const PROFILE_VERSION = 2;

export interface Side {
  /** Σ strength · (x − μ_day), decayed. */
  sum: Record<string, number>;
  /** Σ strength, decayed. */
  weight: number;
}

export interface Space {
  pos: Side;
  neg: Side;
  /** Σ e_d · A_d and Σ e_d (decayed) over the days the profile could predict. */
  agreementSum: number;
  agreementWeight: number;
}

export interface Example {
  id: string;
  title: string;
  date: string;
  /** The paper's strongest terms, to say which voted-for paper a suggestion resembles. */
  terms: string[];
}

export interface Profile {
  digest: string;
  version: number;
  /** Document frequency of each term among the candidates seen, and how many candidates were seen. */
  df: Record<string, number>;
  docs: number;
  /** 'terms', and `embed:<model>` for each embeddings model that has learned. */
  spaces: Record<string, Space>;
  /** E: Σ over days with votes of log2(1 + distinct voters) (weak signals count WEAK), decayed. */
  evidence: number;
  /** Papers voted for, in all. */
  positives: number;
  /** The latest papers voted for (for "because you voted for …"). */
  examples: Example[];
  /** Announcement days already learned from (a re-tally learns nothing twice). */
  learned: string[];
}

export interface VotedDoc extends Doc {
  /** 1 for a vote (default); WEAK for a /critique or /ask request. */
  strength?: number;
}

export interface DayEvidence {
  date: string;
  /** Every candidate the ranker saw that day (the pool; term statistics). */
  candidates: Doc[];
  /** Papers shown in the digest. */
  shown: Doc[];
  /** Papers voted for (from the digest or by /vote), and papers asked about (/critique, /ask) with strength WEAK. */
  voted: VotedDoc[];
  /** Papers a member turned away (a card's Not for us): learned on the negative side at REJECT strength. */
  rejected?: Doc[];
  /** Distinct members who voted that day (default: 1 when anything was voted for). */
  voters?: number;
  /** Embeddings of the day's papers, when a model is configured. */
  vectors?: PaperVectors;
}

const emptySide = (): Side => ({ sum: {}, weight: 0 });
const emptySpace = (): Space => ({ pos: emptySide(), neg: emptySide(), agreementSum: 0, agreementWeight: 0 });

export function emptyProfile(digest: string): Profile {
  return {
    digest,
    version: PROFILE_VERSION,
    df: {},
    docs: 0,
    spaces: {},
    evidence: 0,
    positives: 0,
    examples: [],
    learned: [],
  };
}

/** A profile of the first format (one Rocchio term vector): its terms kept, its evidence to be earned again. */
/** A profile written before version 2: its term statistics, and its one term weight vector (`weights`). */
interface LegacyProfile {
  digest: string;
  version?: number;
  df?: Record<string, number>;
  docs?: number;
  learned?: string[];
  weights?: Record<string, number>;
}

const COUNTS = z.record(z.string(), z.number());
const SIDE = z.looseObject({ sum: COUNTS, weight: z.number() });
/** The vote profile of a digest ('profiles', keys.profile), declared once: this version's shape, or an older one. */
const PROFILES = recordKind<Profile | LegacyProfile>(
  'profiles',
  z.union([
    z.looseObject({
      digest: z.string(),
      version: z.number(),
      df: COUNTS,
      docs: z.number(),
      spaces: z.record(
        z.string(),
        z.looseObject({ pos: SIDE, neg: SIDE, agreementSum: z.number(), agreementWeight: z.number() }),
      ),
      evidence: z.number(),
      positives: z.number(),
      examples: z.array(
        z.looseObject({ id: z.string(), title: z.string(), date: z.string(), terms: z.array(z.string()) }),
      ),
      learned: z.array(z.string()),
    }),
    z.looseObject({
      digest: z.string(),
      version: z.number().optional(),
      df: COUNTS.optional(),
      docs: z.number().optional(),
      learned: z.array(z.string()).optional(),
      weights: COUNTS.optional(),
    }),
  ]),
);

function isCurrent(stored: Profile | LegacyProfile): stored is Profile {
  return stored.version === PROFILE_VERSION && 'spaces' in stored && !!stored.spaces;
}

function migrate(stored: Profile | LegacyProfile): Profile {
  if (isCurrent(stored)) return stored;
  const profile = emptyProfile(stored.digest);
  const legacy = stored as LegacyProfile;
  profile.df = legacy.df ?? {};
  profile.docs = legacy.docs ?? 0;
  profile.learned = legacy.learned ?? [];
  if (legacy.weights && Object.keys(legacy.weights).length) {
    profile.spaces[TERMS_SPACE] = { ...emptySpace(), pos: { sum: legacy.weights, weight: 1 } };
  }
  return profile;
}

export async function loadProfile(store: Store, digest: string): Promise<Profile | undefined> {
  const stored = await PROFILES.get(store, keys.profile(digest));
  return stored ? migrate(stored) : undefined;
}

/**
 * A term's count in a record of counts: its own key only, so a term such as "constructor" (a word of abstracts and
 * a stem) is not read from the object's prototype as a function.
 */
function countOf(counts: Record<string, number>, term: string): number {
  return Object.hasOwn(counts, term) ? (counts[term] ?? 0) : 0;
}

function idfOf(profile: Pick<Profile, 'docs' | 'df'>): (term: string) => number {
  const n = profile.docs;
  return (t) => Math.log((n + 1) / (countOf(profile.df, t) + 1)) + 1;
}

function denseVector(v: number[]): Vector {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  const out: Vector = new Map();
  v.forEach((x, i) => {
    if (x) out.set(String(i), x / norm);
  });
  return out;
}

function meanOf(vectors: Vector[]): Vector {
  const out: Vector = new Map();
  if (!vectors.length) return out;
  for (const v of vectors) for (const [k, x] of v) out.set(k, (out.get(k) ?? 0) + x / vectors.length);
  return out;
}

function addCentered(side: Side, v: Vector, mean: Vector, strength: number): void {
  for (const [k, x] of v) side.sum[k] = countOf(side.sum, k) + strength * x;
  for (const [k, m] of mean) side.sum[k] = countOf(side.sum, k) - strength * m;
  side.weight += strength;
}

function decaySide(side: Side): Side {
  const sum: Record<string, number> = {};
  for (const [k, x] of Object.entries(side.sum)) sum[k] = x * DECAY;
  return { sum, weight: side.weight * DECAY };
}

function prune(sum: Record<string, number>): Record<string, number> {
  const entries = Object.entries(sum).filter(([, w]) => Math.abs(w) > 1e-6);
  if (entries.length <= MAX_TERMS) return Object.fromEntries(entries);
  entries.sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
  return Object.fromEntries(entries.slice(0, MAX_TERMS));
}

/** The profile's direction in a space: the mean voted-for paper minus BETA times the mean ignored one. */
function direction(space: Space): Record<string, number> | undefined {
  if (space.pos.weight <= 0) return undefined;
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries(space.pos.sum)) out[k] = x / space.pos.weight;
  if (space.neg.weight > 0)
    for (const [k, x] of Object.entries(space.neg.sum)) out[k] = countOf(out, k) - (BETA * x) / space.neg.weight;
  return out;
}

function dotRec(weights: Record<string, number>, v: Vector): number {
  let s = 0;
  for (const [k, x] of v) s += countOf(weights, k) * x;
  return s;
}

/** z-scores of each paper's projection on `dir` among `vectors` (all of one day). */
function zScores(dir: Record<string, number>, vectors: Vector[]): number[] {
  const s = vectors.map((v) => dotRec(dir, v));
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  const sd = Math.sqrt(s.reduce((a, x) => a + (x - mean) ** 2, 0) / Math.max(1, s.length));
  return s.map((x) => (sd > 1e-12 ? (x - mean) / sd : 0));
}

const embedSpace = (model: string) => `embed:${model}`;

/** The vectors of one day's papers in each space the day can be seen in. */
function spacesOf(
  profile: Pick<Profile, 'docs' | 'df'>,
  docs: Doc[],
  vectors: PaperVectors | undefined,
  known?: (t: string) => boolean,
): Array<{ name: string; of: Map<string, Vector> }> {
  const idf = idfOf(profile);
  const out = [{ name: TERMS_SPACE, of: new Map(docs.map((d) => [d.id, vectorize(d, idf, known)])) }];
  if (vectors) {
    const of = new Map<string, Vector>();
    for (const d of docs) {
      const v = vectors.of.get(d.id);
      if (v) of.set(d.id, denseVector(v));
    }
    if (of.size >= Math.min(docs.length, 3)) out.push({ name: embedSpace(vectors.model), of });
  }
  return out;
}

/** One day's evidence applied to a profile (pure; the caller stores the result). */
export function learn(profile: Profile, day: DayEvidence): Profile {
  if (profile.learned.includes(day.date)) return profile;
  const next: Profile = { ...profile, df: { ...profile.df }, spaces: { ...profile.spaces } };
  const seen = new Map<string, Doc>();
  for (const d of [...day.candidates, ...day.shown, ...day.voted, ...(day.rejected ?? [])]) seen.set(d.id, d);
  for (const d of seen.values()) {
    for (const t of new Set(terms(d))) next.df[t] = countOf(next.df, t) + 1;
  }
  next.docs += seen.size;

  const strengthOf = new Map<string, number>();
  for (const d of day.voted) strengthOf.set(d.id, Math.max(strengthOf.get(d.id) ?? 0, d.strength ?? 1));
  const votes = [...strengthOf.values()].filter((s) => s >= 1).length;
  const voters = votes ? Math.max(1, day.voters ?? 1) : 0;
  // e_d: a day with votes counts log2(1 + its distinct voters); a day with only requests counts WEAK.
  const e = votes ? Math.log2(1 + voters) : strengthOf.size ? WEAK : 0;
  const ignored = day.shown.filter((d) => !strengthOf.has(d.id));
  const pool = [...seen.values()];

  for (const { name, of } of spacesOf(next, pool, day.vectors)) {
    const before = next.spaces[name] ?? emptySpace();
    const space: Space = { ...before, pos: decaySide(before.pos), neg: decaySide(before.neg) };
    space.agreementSum = before.agreementSum * DECAY;
    space.agreementWeight = before.agreementWeight * DECAY;
    const ids = [...of.keys()];
    const vectors = ids.map((id) => of.get(id) as Vector);
    const mean = meanOf(vectors);
    // Agreement: how far the profile, as it was, placed the papers voted for today above the ones the voters passed
    // over: a card voted for against the other cards shown, a paper /voted from the listing against the listing.
    // Votes that follow no pattern (or merely follow the ranking that chose the cards) score about 0.
    const dir = direction(before);
    if (dir && e > 0 && vectors.length >= 3) {
      const z = zScores(dir, vectors);
      const shownIds = new Set(day.shown.map((d) => d.id));
      const meanZ = (keep: (id: string) => boolean) => {
        const xs = ids.flatMap((id, i) => (keep(id) ? [z[i] ?? 0] : []));
        return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
      };
      const shownMean = meanZ((id) => shownIds.has(id));
      const restMean = meanZ((id) => !shownIds.has(id));
      const votedZ = ids.flatMap((id, i) =>
        strengthOf.has(id) ? [(z[i] ?? 0) - (shownIds.has(id) ? shownMean : restMean)] : [],
      );
      if (votedZ.length) {
        space.agreementSum += e * (votedZ.reduce((a, b) => a + b, 0) / votedZ.length);
        space.agreementWeight += e;
      }
    }
    for (const [id, strength] of strengthOf) {
      const v = of.get(id);
      if (v) addCentered(space.pos, v, mean, strength);
    }
    const rejectedIds = new Set((day.rejected ?? []).filter((d) => !strengthOf.has(d.id)).map((d) => d.id));
    for (const d of [...ignored.filter((x) => !rejectedIds.has(x.id)), ...(day.rejected ?? [])]) {
      const v = of.get(d.id);
      if (v && !strengthOf.has(d.id)) addCentered(space.neg, v, mean, rejectedIds.has(d.id) ? REJECT : 1);
    }
    space.pos.sum = prune(space.pos.sum);
    space.neg.sum = prune(space.neg.sum);
    next.spaces[name] = space;
  }
  next.evidence = profile.evidence * DECAY + e;
  next.positives = profile.positives + votes;
  const newExamples = day.voted
    .filter((d) => (d.strength ?? 1) >= 1)
    .map((d) => ({ id: d.id, title: d.title, date: day.date, terms: topTerms(d) }));
  next.examples = [...profile.examples.filter((x) => !strengthOf.has(x.id)), ...newExamples].slice(-MAX_EXAMPLES);
  next.df = pruneDf(next.df, next.spaces[TERMS_SPACE]);
  next.learned = [...profile.learned, day.date].slice(-MAX_DATES);
  return next;
}

function topTerms(d: Doc): string[] {
  const counts = new Map<string, number>();
  for (const t of terms(d)) if (!t.includes('_')) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, EXAMPLE_TERMS)
    .map(([t]) => t);
}

/** The document frequencies of the weighted terms and of the most frequent others, MAX_DF_TERMS in all. */
function pruneDf(df: Record<string, number>, space: Space | undefined): Record<string, number> {
  const all = Object.keys(df);
  if (all.length <= MAX_DF_TERMS) return df;
  const weighted = (t: string) => !!space && (t in space.pos.sum || t in space.neg.sum);
  const kept: Record<string, number> = {};
  const others: string[] = [];
  for (const t of all) {
    if (weighted(t)) kept[t] = df[t] ?? 0;
    else others.push(t);
  }
  others.sort((a, b) => (df[b] ?? 0) - (df[a] ?? 0) || (a < b ? -1 : 1));
  for (const t of others.slice(0, Math.max(0, MAX_DF_TERMS - Object.keys(kept).length))) kept[t] = df[t] ?? 0;
  return kept;
}

export async function learnFromDay(store: Store, digest: string, day: DayEvidence): Promise<Profile> {
  const current = (await loadProfile(store, digest)) ?? emptyProfile(digest);
  const next = learn(current, day);
  if (next !== current) await PROFILES.set(store, keys.profile(digest), next);
  return next;
}

/** λ of a space: how much the profile may move the ranking (0 … LAMBDA_MAX). */
export function weightOf(profile: Profile, spaceName: string): number {
  const space = profile.spaces[spaceName];
  if (!space || space.agreementWeight <= 0) return 0;
  const agreement = space.agreementSum / space.agreementWeight;
  const fromEvidence = 1 - Math.exp(-((profile.evidence / E0) ** 2));
  const fromAgreement = Math.min(1, Math.max(0, (agreement - A_FLOOR) / A_SPAN));
  return LAMBDA_MAX * fromEvidence * fromAgreement;
}

/** The agreement of a space (mean z of the voted papers before their day), or undefined before it can be told. */
export function agreementOf(profile: Profile, spaceName: string): number | undefined {
  const space = profile.spaces[spaceName];
  return space && space.agreementWeight > 0 ? space.agreementSum / space.agreementWeight : undefined;
}

/** A reading list's papers (the digest's `library:`), as the profile reads them. */
export type LibraryDocs = Array<Pick<Paper, 'id' | 'title' | 'abstract'>>;

/** Evidence of a reading list of `n` papers: like a day of votes by n − 1 members that agree (log2(1 + n)). */
export function libraryEvidence(n: number): number {
  return n > 0 ? Math.log2(1 + n) : 0;
}

/**
 * The reading list as a space of its own: its papers' mean tf-idf vector relative to the day's (the same centring
 * as a day's votes), each paper's z-score along it among the day's candidates, and λ as for votes that agree
 * (agreement 1, evidence `libraryEvidence`): a list of 15 papers has λ ≈ 0.83 from the first day on.
 */
function libraryScores(papers: LibraryDocs, library: LibraryDocs): { name: string; z: number[]; weight: number } {
  const df: Record<string, number> = {};
  for (const d of [...papers, ...library]) for (const t of new Set(terms(d))) df[t] = countOf(df, t) + 1;
  const idf = idfOf({ docs: papers.length + library.length, df });
  const day = papers.map((p) => vectorize(p, idf));
  const dir: Record<string, number> = {};
  for (const v of library.map((d) => vectorize(d, idf)))
    for (const [k, x] of v) dir[k] = countOf(dir, k) + x / library.length;
  for (const [k, m] of meanOf(day)) dir[k] = countOf(dir, k) - m;
  const evidence = libraryEvidence(library.length);
  return { name: LIBRARY_SPACE, z: zScores(dir, day), weight: LAMBDA_MAX * (1 - Math.exp(-((evidence / E0) ** 2))) };
}

export const LIBRARY_SPACE = 'library';

/**
 * What the profile (and the reading list, when the digest has one) says of a day's papers (pass all of the day's
 * candidates at once): each paper's affinity (its z-score among them), its boost λ·tanh(z/2), and λ. With several
 * spaces (words, embeddings, the reading list), each space's z counts in proportion to its own λ (the
 * representation whose predictions agreed more with the votes weighs more), and λ is the largest. Undefined before
 * any vote and without a reading list. The exploration slot ("because you voted for …") follows the votes only.
 */
export function scoreDay(
  profile: Profile | undefined,
  papers: Array<Pick<Paper, 'id' | 'title' | 'abstract'>>,
  vectors?: PaperVectors,
  library: LibraryDocs = [],
): (LearnedRanking & { spaces: Record<string, number> }) | undefined {
  if (papers.length === 0) return undefined;
  const voted = profile?.positives ? voteScores(profile, papers, vectors) : [];
  const scored = library.length ? [...voted, libraryScores(papers, library)] : voted;
  if (!scored.length) return undefined;
  const weight = Math.max(...scored.map((s) => s.weight));
  const total = scored.reduce((a, s) => a + s.weight, 0);
  // Before any space has earned a weight, the affinity (for the exploration slot) is the richest space's.
  const share = (s: (typeof scored)[number]) =>
    total > 0 ? s.weight / total : s === scored[scored.length - 1] ? 1 : 0;
  const affinity = new Map(
    papers.map((p, i) => [p.id, scored.reduce((a, s) => a + share(s) * (s.z[i] ?? 0), 0)] as const),
  );
  const boost = new Map([...affinity].map(([id, z]) => [id, weight > 0 ? weight * Math.tanh(z / 2) : 0] as const));
  const spaces = Object.fromEntries(scored.map((s) => [s.name, s.weight]));
  if (!voted.length) return { boost, weight, spaces };
  return {
    boost,
    affinity,
    weight,
    spaces,
    because: (paper) => (profile ? becauseOf(profile, paper) : []),
  };
}

/** Each vote space's z-scores of the day's papers and λ. */
function voteScores(
  profile: Profile,
  papers: Array<Pick<Paper, 'id' | 'title' | 'abstract'>>,
  vectors: PaperVectors | undefined,
): Array<{ name: string; z: number[]; weight: number }> {
  const known = (t: string) => countOf(profile.df, t) > 0;
  return spacesOf(profile, papers, vectors, known).flatMap(({ name, of }) => {
    const space = profile.spaces[name];
    const dir = space && direction(space);
    if (!dir) return [];
    const z = zScores(
      dir,
      papers.map((p) => of.get(p.id) ?? new Map()),
    );
    return [{ name, z, weight: weightOf(profile, name) }];
  });
}

/** The voted-for papers `paper` resembles most (by shared terms), at most two; the latest one when none shares any. */
export function becauseOf(
  profile: Profile,
  paper: Pick<Paper, 'title' | 'abstract'>,
): Array<{ id: string; title: string }> {
  if (!profile.examples.length) return [];
  const mine = new Set(topTerms({ id: '', title: paper.title, abstract: paper.abstract }));
  const scored = profile.examples
    .map((x, i) => ({ x, i, shared: x.terms.filter((t) => mine.has(t)).length }))
    .sort((a, b) => b.shared - a.shared || b.i - a.i);
  const best = scored.filter((s) => s.shared > 0).slice(0, 2);
  const picked = best.length ? best : scored.slice(0, 1);
  return picked.map(({ x }) => ({ id: x.id, title: x.title }));
}

/**
 * The reading-list papers `paper` resembles most (by shared terms, as `becauseOf` for votes), at most two; none
 * when it shares no term with any of them.
 */
export function libraryLike(library: LibraryDocs, paper: Pick<Paper, 'title' | 'abstract'>): LibraryDocs {
  const mine = new Set(topTerms({ id: '', title: paper.title, abstract: paper.abstract }));
  return library
    .map((d, i) => ({ d, i, shared: topTerms(d).filter((t) => mine.has(t)).length }))
    .filter((s) => s.shared > 0 && s.d.title)
    .sort((a, b) => b.shared - a.shared || a.i - b.i)
    .slice(0, 2)
    .map(({ d }) => d);
}

/** The boost of each paper under a profile (empty before any vote). Pass all of the day's candidates at once. */
export function boostFor(
  profile: Profile,
  papers: Array<Pick<Paper, 'id' | 'title' | 'abstract'>>,
  vectors?: PaperVectors,
): Map<string, number> {
  return scoreDay(profile, papers, vectors)?.boost ?? new Map();
}

/**
 * The RankingBoost the pipeline uses: the digest's vote profile, and its reading list (`library`: the papers of
 * the digest's `library:` files) as its first positive evidence.
 */
export function createProfileBoost(
  store: Store,
  library?: (digest: DigestConfig) => Promise<LibraryDocs>,
): RankingBoost {
  return async (digest: DigestConfig, papers: Paper[], vectors?: PaperVectors) => {
    const profile = await loadProfile(store, digest.name);
    const read = library ? await library(digest) : [];
    return scoreDay(profile, papers, vectors, read) || new Map();
  };
}
