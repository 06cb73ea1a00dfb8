/**
 * Builds test/fixtures/seed-papers.json from the seed documents in ../shared/seeds: real titles, authors, abstracts
 * and arXiv ids, grouped by the announcement day they came from. Categories and comments are not in the list seeds;
 * they are assigned deterministically (cs.CL primary with cs.AI/cs.LG cross-lists) so listings look like arXiv's.
 * Run: node bin/run-ts.js scripts/build-seed-fixture.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Paper } from '../src/app/types';

/** A paper as test/fixtures/seed-papers.json keeps it. */
type FixturePaper = Pick<Paper, 'id' | 'version' | 'title' | 'authors' | 'abstract' | 'categories' | 'comments'>;

const seeds = path.resolve(__dirname, '../../shared/seeds');
const read = (f: string) => readFileSync(path.join(seeds, f), 'utf8');
const clean = (s: string) => s.replace(/\s+/g, ' ').trim();

function categoriesFor(i: number): string[] {
  const sets = [['cs.CL'], ['cs.CL', 'cs.AI'], ['cs.CL', 'cs.LG'], ['cs.LG', 'cs.CL'], ['cs.AI', 'cs.CL', 'cs.LG']];
  return sets[i % sets.length] ?? ['cs.CL'];
}

function parseList(text: string): FixturePaper[] {
  const out: FixturePaper[] = [];
  for (const block of text.split(/\n---\n/)) {
    const title = /^# (.+)$/m.exec(block)?.[1];
    const authors = /\*\*Authors\*\*:\s*(.+)$/m.exec(block)?.[1];
    const id = /arxiv\.org\/pdf\/([^)\s]+)\)/.exec(block)?.[1];
    const abstract = /\*\*Abstract\*\*:\s*([\s\S]+)$/m.exec(block)?.[1];
    if (!title || !authors || !id || !abstract) continue;
    out.push({
      id: id.replace(/v\d+$/, ''),
      version: 1,
      title: clean(title),
      authors: authors.split(',').map(clean).filter(Boolean),
      abstract: clean(abstract),
      categories: categoriesFor(out.length),
    });
  }
  return out;
}

function parseDigest(text: string): FixturePaper[] {
  const out: FixturePaper[] = [];
  for (const block of text.split(/\n---\n/)) {
    const title = /^# (.+)$/m.exec(block)?.[1];
    const authors = /^Authors: (.+)$/m.exec(block)?.[1];
    const comments = /^Comments: (.+)$/m.exec(block)?.[1];
    const link = /^Paper link: \[[^\]]*\]\(http:\/\/arxiv\.org\/abs\/([^)]+)\)/m.exec(block)?.[1];
    const abstract = /## Abstract\s+([\s\S]+?)\n## Summary/.exec(block)?.[1];
    if (!title || !authors || !link || !abstract) continue;
    const m = /^(.+?)v(\d+)$/.exec(link);
    const p: FixturePaper = {
      id: m?.[1] ?? link,
      version: Number(m?.[2] ?? 1),
      title: clean(title),
      authors: authors.split(',').map(clean),
      abstract: clean(abstract),
      categories: ['cs.CL', ...(out.length % 2 ? ['cs.AI'] : ['cs.LG'])],
    };
    if (comments && comments !== 'None') p.comments = clean(comments);
    out.push(p);
  }
  return out;
}

const digest = parseDigest(read('001_fa4bd264b25f4d8a.txt'));
const day = parseList(read('000_bbb238c9ede64768.txt'));
const september = parseList(read('002_5784d448d1d661df.txt'));
const fixture = {
  note: 'Built from ../shared/seeds by scripts/build-seed-fixture.ts; categories of the list seeds are assigned.',
  '2025-10-30': { digestSelected: digest, listed: day },
  '2025-09-30': { listed: september },
};
writeFileSync(path.resolve(__dirname, '../test/fixtures/seed-papers.json'), `${JSON.stringify(fixture, null, 2)}\n`);
console.log(`seed fixture: ${digest.length} digest papers, ${day.length} + ${september.length} listed papers`);
