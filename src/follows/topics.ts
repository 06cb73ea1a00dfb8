/**
 * Does a digest paper match a member's followed topic? By the digest's own first pass (src/pipeline/firstpass.ts
 * `textRelevance`): BM25 of title and abstract against the topic, over the day's papers, divided by the day's best
 * match. A paper matches when it has every word of the topic (stemmed, stop words out) and its score reaches
 * TOPIC_THRESHOLD.
 */
import type { Paper } from '../app/types';
import { textRelevance } from '../pipeline/firstpass';
import { rankTokens } from '../pipeline/text';

/**
 * The first-pass score (1 = the day's best match for the topic) a paper needs, besides every word of the topic.
 * Measured by `npm run bench -- follows` (bench/follows.bench.ts) on 67 real arXiv days of ../shared/arxiv (16,336
 * papers) with 24 topics, a paper counted on-topic when its title or abstract has the topic as a phrase: 0.4 is the
 * highest threshold that keeps recall at 1.00, with precision 0.57 (F1 0.72) against that strict label (a paper with
 * every word but not in a row counts as a miss) and 7.5 matches per topic and day of ~244 papers; 0.5 loses 4 % of
 * the recall, 0.7 a third. The score alone, without the every-word rule, has precision 0.23 at 0.4: a day's best
 * match scores 1 even when nothing that day is on the topic.
 */
export const TOPIC_THRESHOLD = 0.4;

/** The words of a topic as the first pass reads them. */
export function topicTokens(topic: string): string[] {
  return [...new Set(rankTokens(topic))];
}

/**
 * A matcher over one day's papers (one index for every topic): the ids of the papers that match a topic, with
 * their scores.
 */
export function topicMatcher(listed: Paper[], threshold = TOPIC_THRESHOLD): (topic: string) => Map<string, number> {
  // Each paper once (a listing is; a crawled file may repeat a cross-list), as the index needs.
  const papers = [...new Map(listed.map((p) => [p.id, p])).values()];
  const relevance = textRelevance(papers);
  const words = new Map<string, Set<string>>();
  const wordsOf = (p: Paper) => {
    let w = words.get(p.id);
    if (!w) {
      w = new Set(rankTokens(`${p.title} ${p.abstract}`));
      words.set(p.id, w);
    }
    return w;
  };
  return (topic) => {
    const tokens = topicTokens(topic);
    const out = new Map<string, number>();
    if (tokens.length === 0) return out;
    const scores = relevance(topic);
    for (const p of papers) {
      const score = scores.get(p.id) ?? 0;
      if (score > 0 && score >= threshold && tokens.every((t) => wordsOf(p).has(t))) out.set(p.id, score);
    }
    return out;
  };
}
