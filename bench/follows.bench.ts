/**
 * Where should a followed topic's match start? On real arXiv days (../shared/arxiv/arxiv-real.jsonl, each crawled
 * listing file one day), every paper is scored for each of a set of topics by the digest's first pass
 * (src/follows/topics.ts), and counted on-topic when its title or abstract has the topic's words as a phrase (stems
 * in a row: a silver label, strict on purpose). Printed: precision, recall and F1 of "score ≥ threshold" per
 * threshold, with and without the coverage rule, and the matches per topic and day at the chosen threshold; then
 * followed authors at scale (authorFigures).
 * Skips with a notice when ../shared/arxiv is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Paper } from '../src/app/types';
import { textRelevance } from '../src/pipeline/firstpass';
import { rankTokens } from '../src/pipeline/text';
import { TOPIC_THRESHOLD, topicMatcher, topicTokens } from '../src/follows/topics';
import { authorMatcher, sameAuthor } from '../src/follows/names';

/** Share of the topic's words a paper has, for the middle rule compared. */
const PART_COVERAGE = 0.6;

const DATA = path.resolve(__dirname, '../../shared/arxiv/arxiv-real.jsonl');

/** Topics a member might follow, spread over the crawled categories (cs.CL, cs.CV, cs.AI, cs.LG, cs.GR, …). */
export const TOPICS = [
  'diffusion models',
  'speech recognition',
  'retrieval augmented generation',
  'reinforcement learning from human feedback',
  'graph neural networks',
  'machine translation',
  'code generation',
  'autonomous driving',
  'medical image segmentation',
  'federated learning',
  'hallucination',
  'mixture of experts',
  'knowledge graphs',
  'gaussian splatting',
  'point cloud',
  'sign language',
  'chain of thought',
  'vision language models',
  'preference optimization',
  'question answering',
  'text to image generation',
  'large language model agents',
  'object detection',
  'time series forecasting',
];

interface Row {
  id: string;
  title: string;
  abstract: string;
  authors?: string[];
  source?: string;
}

function days(): Map<string, Paper[]> {
  const byDay = new Map<string, Paper[]>();
  for (const line of readFileSync(DATA, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as Row;
    const day = r.source ?? 'unknown';
    const list = byDay.get(day) ?? [];
    list.push({
      id: r.id,
      version: 1,
      title: r.title,
      abstract: r.abstract ?? '',
      authors: r.authors ?? [],
      categories: [],
    });
    byDay.set(day, list);
  }
  return byDay;
}

function hasPhrase(words: string[], phrase: string[]): boolean {
  outer: for (let i = 0; i + phrase.length <= words.length; i++) {
    for (let k = 0; k < phrase.length; k++) if (words[i + k] !== phrase[k]) continue outer;
    return true;
  }
  return false;
}

/**
 * Followed authors at scale: 1,000 real names followed (as a big team would), matched against every author of the
 * largest day, as the first pass and the cards do; the pairwise way (every name against every author) for 100 names.
 */
function authorFigures(all: Map<string, Paper[]>): Record<string, number | string> {
  const largest = [...all.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  const names = [...new Set([...all.values()].flat().flatMap((p) => p.authors))];
  const followed = names.filter((_, i) => i % Math.max(1, Math.floor(names.length / 1000)) === 0).slice(0, 1000);
  const authors = largest.flatMap((p) => p.authors);
  let t0 = performance.now();
  const match = authorMatcher(followed);
  let hits = 0;
  for (const a of authors) if (match(a).length) hits += 1;
  const indexed = performance.now() - t0;
  t0 = performance.now();
  const few = followed.slice(0, 100);
  for (const a of authors) for (const f of few) sameAuthor(f, a);
  const pairwise = performance.now() - t0;
  return {
    [`authors: ${followed.length} followed × ${authors.length} authors of a ${largest.length}-paper day, ms`]:
      Math.round(indexed),
    'authors: matches on that day': hits,
    [`authors: pairwise, 100 followed × ${authors.length} authors, ms`]: Math.round(pairwise),
  };
}

export async function run(): Promise<Record<string, number | string>> {
  if (!existsSync(DATA)) {
    process.stderr.write(`bench follows: ${DATA} is absent; skipped\n`);
    return { skipped: 'no ../shared/arxiv' };
  }
  const thresholds = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
  const count = () => thresholds.map(() => ({ tp: 0, fp: 0, fn: 0 }));
  const tallies = { score: count(), coverage: count(), all: count() };
  // BENCH_DAYS=n: the first n days only (a quick look).
  const limit = Number(process.env.BENCH_DAYS ?? 0);
  const all = new Map([...days()].slice(0, limit > 0 ? limit : undefined));
  let papers = 0;
  let matchesAtChosen = 0;
  let dayTopics = 0;
  // What a digest pays at post time: the day's index once, then each followed topic.
  let indexMs = 0;
  let matchMs = 0;
  for (const list of all.values()) {
    papers += list.length;
    const words = new Map(list.map((p) => [p.id, rankTokens(`${p.title} ${p.abstract}`)]));
    const relevance = textRelevance(list);
    let t0 = performance.now();
    const matcher = topicMatcher(list);
    indexMs += performance.now() - t0;
    for (const topic of TOPICS) {
      t0 = performance.now();
      matchesAtChosen += matcher(topic).size;
      matchMs += performance.now() - t0;
      const phrase = rankTokens(topic);
      const tokens = topicTokens(topic);
      const scores = relevance(topic);
      dayTopics += 1;
      for (const paper of list) {
        const score = scores.get(paper.id) ?? 0;
        const w = words.get(paper.id) ?? [];
        const set = new Set(w);
        const label = hasPhrase(w, phrase);
        const covered = tokens.filter((t) => set.has(t)).length / tokens.length;
        thresholds.forEach((t, i) => {
          for (const rule of ['score', 'coverage', 'all'] as const) {
            const need = rule === 'score' ? 0 : rule === 'coverage' ? PART_COVERAGE : 1;
            const hit = score > 0 && score >= t && covered >= need;
            const c = tallies[rule][i];
            if (!c) continue;
            if (hit && label) c.tp += 1;
            else if (hit) c.fp += 1;
            else if (label) c.fn += 1;
          }
        });
      }
    }
  }
  const figures: Record<string, number | string> = { days: all.size, papers, topics: TOPICS.length };
  const names = { score: 'score alone', coverage: `score+${PART_COVERAGE} of the words`, all: 'score+every word' };
  for (const rule of ['score', 'coverage', 'all'] as const) {
    thresholds.forEach((t, i) => {
      const c = tallies[rule][i];
      if (!c) return;
      const precision = c.tp / Math.max(1, c.tp + c.fp);
      const recall = c.tp / Math.max(1, c.tp + c.fn);
      const f1 = (2 * precision * recall) / Math.max(1e-9, precision + recall);
      figures[`${names[rule]} ≥ ${t.toFixed(1)}`] =
        `precision ${precision.toFixed(2)} recall ${recall.toFixed(2)} F1 ${f1.toFixed(2)}`;
    });
  }
  figures['index ms per day (topicMatcher)'] = Math.round((indexMs / all.size) * 100) / 100;
  figures['match ms per topic and day'] = Math.round((matchMs / dayTopics) * 100) / 100;
  figures[`matches per topic and day at ${TOPIC_THRESHOLD} (topicMatcher)`] =
    Math.round((matchesAtChosen / dayTopics) * 100) / 100;
  Object.assign(figures, authorFigures(all));
  return figures;
}
