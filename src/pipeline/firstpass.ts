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
import { rankTokenizer } from './text';

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
function bm25Index(papers: Paper[]): (query: string) => Map<string, number> {
  const rankTokens = rankTokenizer();
  if (papers.length < 3) {
    // BM25's statistics need a few documents; a tiny day is ranked by shared terms.
    const docs = papers.map((p) => ({ id: p.id, tokens: rankTokens(`${p.title} ${p.abstract}`) }));
    return (query) => {
      const q = new Set(rankTokens(query));
      return new Map(docs.map((d) => [d.id, d.tokens.filter((t) => q.has(t)).length]));
    };
  }
  const docs = papers.map((p) => {
    const title = rankTokens(p.title);
    const abstract = rankTokens(p.abstract);
    return { id: p.id, title, abstract, length: title.length * TITLE_WEIGHT + abstract.length * ABSTRACT_WEIGHT };
  });
  const n = docs.length;
  const average = docs.reduce((k, d) => k + d.length, 0) / n;
  return (query) => {
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
  const keywordQuery = digest.keywords.map((k) => ` ${k}`.repeat(KEYWORD_QUERY_WEIGHT)).join('');
  const bm = bm25Scores(papers, `${digest.interests}${keywordQuery}`);
  const best = Math.max(0, ...bm.values());
  const embedded = embeddingScores(papers, vectors);
  const raw = papers.map((paper) => {
    const lexical = best > 0 ? (bm.get(paper.id) ?? 0) / best : 0;
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
