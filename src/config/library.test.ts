import { chmodSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UserInputError } from '../app/errors';
import { ZOTERO_BIB } from '../../test/fakes/zotero';
import { arxivIn, readLibraryFile } from './library';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'library-'));
});

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(UserInputError);
    expect((err as UserInputError).exitCode).toBe(2);
    return (err as Error).message;
  }
  throw new Error('expected a UserInputError');
}

describe('a library file', () => {
  test('a Zotero BibTeX export: titles and abstracts in Unicode, arXiv ids from url, doi or eprint; a bad entry counted', () => {
    const lib = readLibraryFile(write('zotero.bib', ZOTERO_BIB));
    expect(lib.format).toBe('bibtex');
    expect(lib.skipped).toBe(1);
    expect(lib.entries).toEqual([
      {
        title: 'Tulu 3: Pushing Frontiers in Open Language Model Post-Training',
        abstract: expect.stringContaining('We introduce TÜLU 3'),
        arxiv: '2411.15124',
        doi: '10.48550/arXiv.2411.15124',
      },
      {
        title: 'Direct Preference Optimization: Your Language Model is Secretly a Reward Model',
        arxiv: '2305.18290',
      },
      { title: 'ReAct: Synergizing Reasoning and Acting in Language Models' },
    ]);
    expect(lib.hash).toMatch(/^[0-9a-f]{16}$/);
  });

  test('a BibTeX file with an entry cut short keeps the others and counts it', () => {
    const lib = readLibraryFile(write('cut.bib', `${ZOTERO_BIB}\n@misc{broken, title = {never closed\n`));
    expect(lib.entries).toHaveLength(3);
    expect(lib.skipped).toBe(2);
  });

  test('a CSL-JSON export (Zotero "CSL JSON"): title, abstract, the arXiv id from DOI, URL or number', () => {
    const items = [
      {
        id: 'a',
        type: 'article',
        title: 'Tulu 3',
        abstract: 'We introduce Tulu 3.',
        DOI: '10.48550/arXiv.2411.15124',
      },
      { id: 'b', type: 'article', title: 'ReAct', URL: 'https://arxiv.org/abs/2210.03629v3' },
      { id: 'c', type: 'report', title: 'A report', number: 'arXiv:2305.18290' },
      { id: 'd', type: 'book', author: [{ family: 'Nobody' }] },
    ];
    const lib = readLibraryFile(write('export.json', JSON.stringify(items)));
    expect(lib.format).toBe('csl-json');
    expect(lib.skipped).toBe(1);
    expect(lib.entries.map((e) => e.arxiv)).toEqual(['2411.15124', '2210.03629v3', '2305.18290']);
    expect(lib.entries[0]?.abstract).toBe('We introduce Tulu 3.');
  });

  test('a list of ids and URLs, one a line: comments and blank lines ignored, a stray line counted', () => {
    const lib = readLibraryFile(
      write(
        'reading.txt',
        '# our reading list\n2411.15124\nhttps://arxiv.org/abs/2305.18290v2\n\narXiv:hep-th/9901001\nnot an id\n',
      ),
    );
    expect(lib.format).toBe('ids');
    expect(lib.entries.map((e) => e.arxiv)).toEqual(['2411.15124', '2305.18290v2', 'hep-th/9901001']);
    expect(lib.skipped).toBe(1);
  });

  test('re-read when the file changes, not before', () => {
    const file = write('ids.txt', '2411.15124\n');
    const first = readLibraryFile(file);
    expect(readLibraryFile(file)).toBe(first);
    writeFileSync(file, '2411.15124\n2305.18290\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const second = readLibraryFile(file);
    expect(second.entries).toHaveLength(2);
    expect(second.hash).not.toBe(first.hash);
  });

  test('every bad input is one line naming the path and what is expected', () => {
    const expected = /expected a BibTeX export \(\.bib\), a CSL-JSON export \(\.json\) or a text file of arXiv ids/;
    expect(errorOf(() => readLibraryFile(path.join(dir, 'nope.bib'), 'nope.bib'))).toMatch(
      /^library file "nope\.bib" does not exist \(expected a BibTeX/,
    );
    const sub = path.join(dir, 'folder');
    mkdirSync(sub);
    expect(errorOf(() => readLibraryFile(sub, 'folder'))).toMatch(/^library file "folder" is a directory/);
    expect(errorOf(() => readLibraryFile(write('export.ris', 'TY  - JOUR\n'), 'export.ris'))).toMatch(
      /^library file "export\.ris" is a \.ris file, a format not read here \(expected/,
    );
    expect(errorOf(() => readLibraryFile(write('empty.txt', ''), 'empty.txt'))).toMatch(
      /^library file "empty\.txt" has no usable entry \(it is empty; expected/,
    );
    expect(errorOf(() => readLibraryFile(write('words.txt', 'hello\nworld\n'), 'words.txt'))).toMatch(
      /^library file "words\.txt" has no usable entry \(2 without a title or an arXiv id; expected/,
    );
    expect(errorOf(() => readLibraryFile(write('bad.json', '[{"title": '), 'bad.json'))).toMatch(
      /^library file "bad\.json" is not valid JSON \(.*; expected a CSL-JSON export\)$/,
    );
    expect(errorOf(() => readLibraryFile(write('img.png', '\u0000PNG'), 'img.png'))).toMatch(/is not a text file/);
    expect(errorOf(() => readLibraryFile(write('e.bib', '@misc{x, year={1}}\n'), 'e.bib'))).toMatch(expected);
    if (process.getuid?.() !== 0) {
      const locked = write('locked.bib', ZOTERO_BIB);
      chmodSync(locked, 0);
      expect(errorOf(() => readLibraryFile(locked, 'locked.bib'))).toMatch(
        /^library file "locked\.bib" cannot be read \(EACCES; expected/,
      );
    }
  });

  test('arXiv ids inside the strings exports put them in', () => {
    expect(arxivIn('arXiv:2411.15124 [cs]')).toBe('2411.15124');
    expect(arxivIn('https://doi.org/10.48550/arXiv.2411.15124')).toBe('2411.15124');
    expect(arxivIn('http://arxiv.org/pdf/2305.18290v2')).toBe('2305.18290v2');
    expect(arxivIn('10.1145/3442188.3445922')).toBeUndefined();
    expect(arxivIn('arXiv preprint arXiv:2210.03629')).toBe('2210.03629');
  });
});
