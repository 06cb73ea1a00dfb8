import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Digest, emptyUsage } from '../app/types';
import { parseConfig } from '../config/load';
import { renderMarkdown } from './markdown';
import { writeArchive } from './write';

const digest: Digest = {
  name: 'nlp',
  date: '2025-10-30',
  categories: ['cs.CL'],
  totalPapers: 1,
  selected: [],
  intro: 'A quiet day.',
  tldr: '- nothing',
  usage: emptyUsage(),
  notices: [],
};

describe('writeArchive (the one writer of archive files)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'archive-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes into a directory under the archive file name, creating the directory', () => {
    const file = writeArchive(digest, { dir: path.join(dir, 'new', 'digests') });
    expect(file).toBe(path.join(dir, 'new', 'digests', 'arxiv_cs_CL_2025-10-30_report.md'));
    expect(readFileSync(file, 'utf8')).toBe(renderMarkdown(digest));
  });

  it('writes exactly the file asked for, and the same content either way', () => {
    const config = parseConfig({ digests: [{ name: 'nlp', categories: ['cs.CL'], interests: 'x' }] }, 'c');
    const file = writeArchive(digest, { file: path.join(dir, 'sub', 'today.md') }, config);
    const other = writeArchive(digest, { dir }, config);
    expect(readdirSync(path.join(dir, 'sub'))).toEqual(['today.md']);
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(other, 'utf8'));
    expect(readFileSync(file, 'utf8')).toBe(renderMarkdown(digest, { config }));
  });
});
