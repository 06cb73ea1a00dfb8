/**
 * The cheap first ranking pass: BM25F of title and abstract against the digest's
 * `interests`, with configured keywords weighted up, plus the learned boost from votes when there is one. It orders
 * a whole day (hundreds of papers) in milliseconds and decides which few the LLM ranker sees; without an LLM it is
 * the ranking. With embeddings (`llm.embeddingModel`), half of the text score is the cosine of the paper's embedding
 * with that of `interests` and `keywords`, so a paper that says the same thing in other words is found too.
 */
import type { DigestConfig } from '../config/schema';
import type { Paper } from '../app/types';
import { cosine } from '../llm/embeddings';
import type { PaperVectors } from './services';
import { authorMatcher } from '../follows/names';
import { phrases, rankTokenizer } from './text';

export interface FirstPassScore {
  paper: Paper;
  /** Text similarity (plus keyword hits), normalized to [0, 1] over the day. */
  firstPass: number;
  /** Learned boost from votes, when there is one. */
  boost?: number;
  /** A followed author is on the paper: always shortlisted. */
  followed: boolean;
  /** firstPass + boost: the order of the shortlist. */
  combined: number;
}

/** A keyword hit is worth this much of the day's best BM25 score, up to three hits. */
const KEYWORD_BONUS = 0.15;
const MAX_KEYWORD_HITS = 3;
/** Keywords are repeated in the query: BM25 adds a query term's weight once per occurrence. */
const KEYWORD_QUERY_WEIGHT = 3;

/** BM25 parameters: term-frequency saturation, length normalization, and the IDF's smoothing (`+ k`). */
const K1 = 1.2;
const B = 0.75;
const IDF_K = 1;
/** BM25F field weights: the title says most densely what a paper is about; the abstract has most of the words. */
const TITLE_WEIGHT = 2;
const ABSTRACT_WEIGHT = 1;

/**
 * A BM25F index of the day's papers (title and abstract), searched by any number of queries; papers sharing no
 * query term are absent from an answer. The scoring of wink-bm25-text-search (its defaults and its 4-digit rounding
 * of a term's weight, so the day's order is the one it gave), but each paper is tokenized once (each word stemmed
 * once) and a query counts only its own terms, instead of an inverted index of every word of every abstract, which
 * was most of the first pass's time on a 5,000-paper day (3.5–4.3 s, now ~0.5 s).
 */
interface IndexedDoc {
  id: string;
  title: string[];
  abstract: string[];
  length: number;
}

type Search = ((query: string) => Map<string, number>) & { docs: IndexedDoc[] };

function bm25Index(papers: Paper[]): Search {
  const rankTokens = rankTokenizer();
  const docs: IndexedDoc[] = papers.map((p) => {
    const title = rankTokens(p.title);
    const abstract = rankTokens(p.abstract);
    return { id: p.id, title, abstract, length: title.length * TITLE_WEIGHT + abstract.length * ABSTRACT_WEIGHT };
  });
  if (papers.length < 3) {
    // BM25's statistics need a few documents; a tiny day is ranked by shared terms.
    const search = (query: string) => {
      const q = new Set(rankTokens(query));
      return new Map(docs.map((d) => [d.id, [...d.title, ...d.abstract].filter((t) => q.has(t)).length]));
    };
    return Object.assign(search, { docs });
  }
  const n = docs.length;
  const average = docs.reduce((k, d) => k + d.length, 0) / n;
  const search = (query: string) => {
    const queryTokens = rankTokens(query);
    const terms = new Set(queryTokens);
    const scores = new Map<string, number>();
    // Per paper, the weighted frequency of each query term it holds; per term, how many papers hold it.
    const freqs = docs.map((d) => {
      const freq = new Map<string, number>();
      for (const t of d.title) if (terms.has(t)) freq.set(t, (freq.get(t) ?? 0) + TITLE_WEIGHT);
      for (const t of d.abstract) if (terms.has(t)) freq.set(t, (freq.get(t) ?? 0) + ABSTRACT_WEIGHT);
      return freq;
    });
    const df = new Map<string, number>();
    for (const freq of freqs) for (const t of freq.keys()) df.set(t, (df.get(t) ?? 0) + 1);
    const idf = new Map([...df].map(([t, k]) => [t, Math.log((n - k + 0.5) / (k + 0.5) + IDF_K)]));
    docs.forEach((doc, i) => {
      const freq = freqs[i];
      if (!freq || freq.size === 0) return;
      const norm = 1 - B + B * (doc.length / average);
      const weightOf = (t: string): number => {
        const f = freq.get(t);
        if (f === undefined) return 0;
        return Math.sign(f) * Number((Math.abs((f * (K1 + 1)) / (K1 * norm + f)) * (idf.get(t) ?? 0)).toFixed(4));
      };
      // A query term said twice counts twice (keywords are repeated in the query on purpose).
      let score = 0;
      for (const t of queryTokens) score += weightOf(t);
      scores.set(doc.id, score);
    });
    return scores;
  };
  return Object.assign(search, { docs });
}

/**
 * A paper's title holding every stem of one of the interests' phrases: worth this much of the day's best match
 * (once: a title naming several interests is not worth more, so the day's top stays close enough for the votes'
 * boost to reorder it).
 */
const PHRASE_TITLE_BONUS = 0.3;
/** Pseudo-relevance feedback: the day's best matches whose centroid every paper is compared with… */
const FEEDBACK_DOCS = 5;
/** …and the share of the text score that this similarity takes. */
const FEEDBACK_SHARE = 0.3;

/** How many of `phrases` a title holds whole (every stem of the phrase among the title's). */
function titlePhraseHits(title: string[], phrases: string[][]): number {
  const has = new Set(title);
  return phrases.filter((ph) => ph.every((t) => has.has(t))).length;
}

/** A paper's terms with their weight: sublinear term frequency (the title counting TITLE_WEIGHT) × BM25's idf. */
function termWeights(doc: IndexedDoc, idf: (t: string) => number): Map<string, number> {
  const tf = new Map<string, number>();
  for (const t of doc.title) tf.set(t, (tf.get(t) ?? 0) + TITLE_WEIGHT);
  for (const t of doc.abstract) tf.set(t, (tf.get(t) ?? 0) + ABSTRACT_WEIGHT);
  const v = new Map<string, number>();
  let norm = 0;
  for (const [t, f] of tf) {
    const w = (1 + Math.log(f)) * idf(t);
    v.set(t, w);
    norm += w * w;
  }
  norm = Math.sqrt(norm) || 1;
  for (const [t, w] of v) v.set(t, w / norm);
  return v;
}

/**
 * Pseudo-relevance feedback (Rocchio): the centroid of the day's FEEDBACK_DOCS best matches, and each paper's
 * cosine with it (divided by the day's best) taking FEEDBACK_SHARE of its score, so a paper that reads like the
 * day's best matches in words the interests do not use is found too.
 */
function withFeedback(docs: IndexedDoc[], scores: number[]): number[] {
  if (docs.length < 2 * FEEDBACK_DOCS) return scores;
  const df = new Map<string, number>();
  for (const d of docs) for (const t of new Set([...d.title, ...d.abstract])) df.set(t, (df.get(t) ?? 0) + 1);
  const n = docs.length;
  const idfs = new Map([...df].map(([t, k]) => [t, Math.log((n - k + 0.5) / (k + 0.5) + IDF_K)]));
  const idf = (t: string) => idfs.get(t) ?? 0;
  const top = scores
    .map((x, i) => ({ x, i }))
    .filter(({ x }) => x > 0)
    .sort((a, b) => b.x - a.x || a.i - b.i)
    .slice(0, FEEDBACK_DOCS);
  if (!top.length) return scores;
  const centroid = new Map<string, number>();
  for (const { i } of top) {
    const doc = docs[i];
    if (doc) for (const [t, w] of termWeights(doc, idf)) centroid.set(t, (centroid.get(t) ?? 0) + w / top.length);
  }
  const sims = docs.map((d) => {
    let s = 0;
    for (const [t, w] of termWeights(d, idf)) s += w * (centroid.get(t) ?? 0);
    return s;
  });
  const best = Math.max(0, ...sims);
  return scores.map((x, i) => (1 - FEEDBACK_SHARE) * x + FEEDBACK_SHARE * (best > 0 ? (sims[i] ?? 0) / best : 0));
}

/**
 * The day's lexical score of each paper (in the listing's order): BM25F against the interests and keywords,
 * divided by the day's best; plus PHRASE_TITLE_BONUS when the title holds a phrase of the interests (or a keyword);
 * then pseudo-relevance feedback from the day's best matches.
 */
function lexicalScores(papers: Paper[], digest: Pick<DigestConfig, 'interests' | 'keywords'>): number[] {
  const keywordQuery = digest.keywords.map((k) => ` ${k}`.repeat(KEYWORD_QUERY_WEIGHT)).join('');
  const index = bm25Index(papers);
  const bm = index(`${digest.interests}${keywordQuery}`);
  const best = Math.max(0, ...bm.values());
  const wanted = [...phrases(digest.interests), ...digest.keywords.flatMap((k) => phrases(k))];
  const scores = index.docs.map((doc) => {
    const lexical = best > 0 ? (bm.get(doc.id) ?? 0) / best : 0;
    return lexical + PHRASE_TITLE_BONUS * Math.min(1, titlePhraseHits(doc.title, wanted));
  });
  return withFeedback(index.docs, scores);
}

export function bm25Scores(papers: Paper[], query: string): Map<string, number> {
  return bm25Index(papers)(query);
}

/**
 * The first pass's text score of each paper for any query (a followed topic): BM25 over the day's papers, divided
 * by the day's best for that query (1 = the best match of the day, 0 = no shared term). One index for many queries.
 */
export function textRelevance(papers: Paper[]): (query: string) => Map<string, number> {
  const search = bm25Index(papers);
  return (query) => {
    const raw = search(query);
    const best = Math.max(0, ...raw.values());
    return new Map(papers.map((p) => [p.id, best > 0 ? (raw.get(p.id) ?? 0) / best : 0]));
  };
}

function keywordHits(paper: Paper, keywords: string[]): number {
  if (keywords.length === 0) return 0;
  const text = `${paper.title} ${paper.abstract}`.toLowerCase();
  return keywords.filter((k) => k.trim() && text.includes(k.trim().toLowerCase())).length;
}

/** Share of the text score that comes from embeddings, when the day has them. */
const EMBEDDING_SHARE = 0.5;

/** The text the digest's interests are embedded from (interests and keywords). */
export function interestsText(digest: Pick<DigestConfig, 'interests' | 'keywords'>): string {
  const interests = digest.interests.trim();
  return digest.keywords.length ? `${interests} Keywords: ${digest.keywords.join(', ')}.` : interests;
}

/** Each paper's cosine with the interests, divided by the day's best (0 for a paper without a vector). */
function embeddingScores(papers: Paper[], vectors: PaperVectors | undefined): Map<string, number> | undefined {
  const query = vectors?.interests;
  if (!vectors || !query) return undefined;
  const raw = new Map(papers.map((p) => [p.id, Math.max(0, cosine(vectors.of.get(p.id) ?? [], query))]));
  const best = Math.max(0, ...raw.values());
  if (best <= 0) return undefined;
  return new Map([...raw].map(([id, c]) => [id, c / best]));
}

/** Scores the day's papers and orders them best first (by first pass plus boost; the listing's order breaks ties). */
export function firstPass(
  papers: Paper[],
  digest: DigestConfig,
  boosts?: Map<string, number>,
  vectors?: PaperVectors,
): FirstPassScore[] {
  const lexicalOf = lexicalScores(papers, digest);
  const top0 = Math.max(0, ...lexicalOf);
  const embedded = embeddingScores(papers, vectors);
  const raw = papers.map((paper, i) => {
    const lexical = top0 > 0 ? (lexicalOf[i] ?? 0) / top0 : 0;
    const text = embedded ? (1 - EMBEDDING_SHARE) * lexical + EMBEDDING_SHARE * (embedded.get(paper.id) ?? 0) : lexical;
    const hits = Math.min(MAX_KEYWORD_HITS, keywordHits(paper, digest.keywords));
    return text + hits * KEYWORD_BONUS;
  });
  const top = Math.max(0, ...raw);
  // Hundreds of followed names (the team's and the members') against a day's thousands of authors: each parsed once.
  const followedBy = authorMatcher(digest.authors);
  const scored = papers.map((paper, i) => {
    const firstPassScore = top > 0 ? (raw[i] ?? 0) / top : 0;
    const boost = boosts?.get(paper.id);
    const followed = paper.authors.some((a) => followedBy(a).length > 0);
    const result: FirstPassScore = {
      paper,
      firstPass: firstPassScore,
      followed,
      combined: firstPassScore + (boost ?? 0),
    };
    if (boost !== undefined) result.boost = boost;
    return result;
  });
  // Stable order for equal scores: the listing's order.
  return scored
    .map((s, i) => ({ s, i }))
    .sort((a, b) => b.s.combined - a.s.combined || a.i - b.i)
    .map(({ s }) => s);
}

/** The papers the LLM ranker sees: the best `size` by combined score, plus every paper of a followed author. */
export function shortlist(ranked: FirstPassScore[], size: number): FirstPassScore[] {
  const top = ranked.slice(0, size);
  const extra = ranked.slice(size).filter((s) => s.followed);
  return [...top, ...extra];
}
