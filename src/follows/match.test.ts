/** Follows on a digest: the cards' followers (authors and topics) and the followed authors' papers left out. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Paper } from '../app/types';
import { seedDay } from '../../test/fakes/arxiv-server';
import { followMarks, followedAuthors } from './match';
import { topicMatcher } from './topics';

const day = seedDay().papers as Paper[];
const byId = (id: string) => day.find((p) => p.id === id)!;

test('a card names its followers (author or topic); a followed author left out is listed once', () => {
  const selected = ['2510.26707', '2510.26143'].map(byId);
  const marks = followMarks(
    {
      members: {
        U0MEMBER01: { authors: ['Stanczak, Karolina'], topics: [] },
        U0MEMBER02: { authors: ['Feijie Wu', 'Yingbo Zhou'], topics: ['value alignment'] },
        U0MEMBER03: { authors: ['Yang Zhou'], topics: [] },
      },
    },
    selected,
    day,
  );
  expect(marks.cards).toEqual({
    '2510.26707': [
      { userId: 'U0MEMBER01', authors: ['Karolina Stańczak'], topics: [] },
      { userId: 'U0MEMBER02', authors: [], topics: ['value alignment'] },
    ],
    '2510.26143': [{ userId: 'U0MEMBER02', authors: ['Yingbo Zhou'], topics: [] }],
  });
  expect(marks.also).toEqual([
    {
      paper: { id: '2510.26020', version: byId('2510.26020').version, title: byId('2510.26020').title },
      authors: ['Feijie Wu'],
      followers: ['U0MEMBER02'],
    },
  ]);
  expect(
    followedAuthors([
      { members: { a: { authors: ['Y. LeCun'], topics: [] }, b: { authors: ['y. lecun', 'Siva Reddy'], topics: [] } } },
    ]),
  ).toEqual(['Y. LeCun', 'Siva Reddy']);
});

test('no follower, no marks', () => {
  expect(followMarks({ members: {} }, day.slice(0, 3), day)).toEqual({ cards: {}, also: [] });
});

const REAL_DAY = path.resolve(__dirname, '../../../shared/arxiv/days/crawl-2025-10-31.jsonl');
const maybe = existsSync(REAL_DAY) ? test : test.skip;
if (!existsSync(REAL_DAY)) console.warn(`match.test: ${REAL_DAY} is absent; the real day's topic check is skipped`);

maybe(
  "on a real day (arXiv's 2025-10-30 announcement): a topic matches the papers on it, not the day's best at random",
  () => {
    const papers: Paper[] = readFileSync(REAL_DAY, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map(
        (l) => JSON.parse(l) as { id: string; title: string; summary: string; authors: string[]; categories: string[] },
      )
      .map((r) => ({
        id: r.id,
        version: 1,
        title: r.title,
        abstract: r.summary,
        authors: r.authors,
        categories: r.categories,
      }));
    const match = topicMatcher(papers);
    const chess = [...match('chess').keys()];
    expect(chess).toContain('2510.25775'); // "Towards Piece-by-Piece Explanations for Chess Positions with SHAP"
    for (const id of chess) expect(papers.find((p) => p.id === id)!.abstract.toLowerCase()).toContain('chess');
    // A topic nothing that day is about matches nothing, though the best-scoring paper is 1 by construction.
    expect(match('protein folding cryo-EM').size).toBe(0);
    const rl = [...match('reinforcement learning').keys()];
    expect(rl.length).toBeGreaterThan(0);
    expect(rl.length).toBeLessThan(papers.length / 4);
  },
);
