/**
 * The curated days of `../shared/curated/` (README there): each real cs.CL day's listing as papers, and the picks of
 * the human-run digest that the listing holds. Read at bench time, never copied into the repository.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Paper } from '../src/app/types';

export const CURATED = path.resolve(__dirname, '../../shared/curated');

export interface CuratedDay {
  date: string;
  papers: Paper[];
  /** The picks the listing holds (`picksInListing`): the ones a ranking can find. */
  picks: string[];
}

interface ListingLine {
  id: string;
  title: string;
  authors: string[];
  abstract: string;
  comments?: string;
  categories: string[];
  announce: 'new' | 'cross';
}

export function curatedDays(dir = CURATED): CuratedDay[] {
  if (!existsSync(dir)) return [];
  const dates = readdirSync(dir)
    .map((f) => /^(\d{4}-\d{2}-\d{2})\.picks\.json$/.exec(f)?.[1])
    .filter((d): d is string => !!d)
    .sort();
  return dates.map((date) => {
    const picks = JSON.parse(readFileSync(path.join(dir, `${date}.picks.json`), 'utf8')) as {
      picksInListing: string[];
    };
    const papers = readFileSync(path.join(dir, `${date}.listing.jsonl`), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as ListingLine)
      .map(
        (r): Paper => ({
          id: r.id,
          version: 1,
          title: r.title,
          abstract: r.abstract,
          authors: r.authors,
          categories: r.categories,
          ...(r.categories[0] ? { primaryCategory: r.categories[0] } : {}),
          ...(r.comments ? { comments: r.comments } : {}),
          announceType: r.announce,
        }),
      );
    return { date, papers, picks: picks.picksInListing };
  });
}

/**
 * The baseline: a plain TF-IDF cosine of each paper (title and abstract: lower-cased words of 3+ letters) with the
 * interests text, over the day's papers; best first.
 */
export function tfidfOrder(papers: Paper[], interests: string): string[] {
  const words = (s: string) => s.toLowerCase().match(/[a-z][a-z0-9-]{2,}/g) ?? [];
  const docs = papers.map((p) => words(`${p.title} ${p.abstract}`));
  const df = new Map<string, number>();
  for (const d of docs) for (const w of new Set(d)) df.set(w, (df.get(w) ?? 0) + 1);
  const vec = (ws: string[]) => {
    const v = new Map<string, number>();
    for (const w of ws) v.set(w, (v.get(w) ?? 0) + Math.log((docs.length + 1) / ((df.get(w) ?? 0) + 1)));
    const norm = Math.sqrt([...v.values()].reduce((a, x) => a + x * x, 0)) || 1;
    return new Map([...v].map(([w, x]) => [w, x / norm]));
  };
  const q = vec(words(interests));
  const score = (d: string[]) => [...vec(d)].reduce((a, [w, x]) => a + x * (q.get(w) ?? 0), 0);
  return papers
    .map((p, i) => ({ id: p.id, s: score(docs[i] ?? []), i }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .map((x) => x.id);
}

/** Share of `picks` among the first `k` of `order`. */
export function recallAt(order: string[], picks: string[], k: number): number {
  if (!picks.length) return 0;
  const top = new Set(order.slice(0, k));
  return picks.filter((id) => top.has(id)).length / picks.length;
}
