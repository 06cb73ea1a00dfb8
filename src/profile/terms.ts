/** Text → stemmed terms for the learned profile: title and abstract, stop words out, Porter stems, plus bigrams. */
import { rankTokens } from '../pipeline/text';

export interface Doc {
  id: string;
  title: string;
  abstract: string;
}

const cache = new Map<string, string[]>();
const CACHE_SIZE = 5000;

/** Terms of a paper: the title counts twice (it says what the paper is about most densely). Memoised. */
export function terms(doc: Pick<Doc, 'title' | 'abstract'>): string[] {
  const key = `${doc.title}\n${doc.abstract}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const out = computeTerms(doc);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, out);
  return out;
}

function computeTerms(doc: Pick<Doc, 'title' | 'abstract'>): string[] {
  // The first pass's tokens (LaTeX and punctuation out, lower case, stop words out, Porter stems).
  const title = rankTokens(doc.title);
  const abstract = rankTokens(doc.abstract);
  const bigrams = (ts: string[]) => ts.slice(1).map((t, i) => `${ts[i]}_${t}`);
  return [...title, ...title, ...bigrams(title), ...abstract, ...bigrams(abstract)];
}

export type Vector = Map<string, number>;

/**
 * Sublinear tf × idf, L2-normalised. With `known`, terms outside it are left out before normalising: a term the
 * profile never saw carries no evidence either way, and should not dilute the ones it did.
 */
export function vectorize(
  doc: Pick<Doc, 'title' | 'abstract'>,
  idf: (term: string) => number,
  known?: (term: string) => boolean,
): Vector {
  const counts = new Map<string, number>();
  for (const t of terms(doc)) if (!known || known(t)) counts.set(t, (counts.get(t) ?? 0) + 1);
  const v: Vector = new Map();
  let norm = 0;
  for (const [t, c] of counts) {
    const w = (1 + Math.log(c)) * idf(t);
    v.set(t, w);
    norm += w * w;
  }
  norm = Math.sqrt(norm) || 1;
  for (const [t, w] of v) v.set(t, w / norm);
  return v;
}

export function dot(weights: Record<string, number>, v: Vector): number {
  let s = 0;
  for (const [t, w] of v) s += (Object.hasOwn(weights, t) ? (weights[t] ?? 0) : 0) * w;
  return s;
}
