import { buildAtom, seedPapers } from '../../test/fakes/arxiv-server';
import { ErrorCode } from '../app/errors';
import { AtomParser, parseAtom } from './atom';

const URL = 'https://export.arxiv.org/api/query?id_list=2510.26707';

describe('parseAtom (export API)', () => {
  test('reads comment, journal ref, primary category, exact version, dates, authors; undoes line wrapping', () => {
    const [seed] = seedPapers().filter((p) => p.id === '2510.26143');
    if (!seed) throw new Error('fixture lacks 2510.26143');
    const xml = buildAtom([
      {
        ...seed,
        version: 2,
        categories: ['cs.LG', 'cs.CL'],
        primaryCategory: 'cs.CL',
        journalRef: 'Proc. ACL 2026',
        published: '2025-10-29T17:03:12Z',
        updated: '2025-11-02T09:00:00Z',
      },
    ]);
    expect(xml).toContain('\n  '); // wrapped like the real API
    const feed = parseAtom(xml, URL);
    expect(feed.totalResults).toBe(1);
    expect(feed.errors).toEqual([]);
    expect(feed.papers).toEqual([
      {
        id: '2510.26143',
        version: 2,
        title: 'Reasoning Curriculum: Bootstrapping Broad LLM Reasoning from Math',
        authors: ['Bo Pang', 'Deqian Kong', 'Silvio Savarese', 'Caiming Xiong', 'Yingbo Zhou'],
        abstract: seed.abstract,
        categories: ['cs.CL', 'cs.LG'],
        primaryCategory: 'cs.CL',
        comments: '9 pages',
        journalRef: 'Proc. ACL 2026',
        published: '2025-10-29T17:03:12Z',
        updated: '2025-11-02T09:00:00Z',
      },
    ]);
  });

  test('old-style ids come back from entry ids such as http://arxiv.org/abs/hep-th/9901001v1', () => {
    const feed = parseAtom(
      buildAtom([
        {
          id: 'hep-th/9901001',
          version: 1,
          title: 'Old-style Paper',
          authors: ['A. Physicist'],
          abstract: 'Strings.',
          categories: ['hep-th'],
        },
      ]),
      URL,
    );
    expect(feed.papers[0]).toMatchObject({ id: 'hep-th/9901001', version: 1, primaryCategory: 'hep-th' });
  });

  test('error entries (id http://arxiv.org/api/errors#…, title "Error") are errors, not papers', () => {
    const feed = parseAtom(buildAtom([], { errors: ['incorrect id format for 2510.2670'] }), URL);
    expect(feed.papers).toEqual([]);
    expect(feed.errors).toEqual(['incorrect id format for 2510.2670']);
  });

  test('an empty feed (unknown id) has no papers; a non-feed is FeedMalformed naming the URL', () => {
    expect(parseAtom(buildAtom([], { totalResults: 0 }), URL).papers).toEqual([]);
    expect(() => parseAtom('<html>Rate exceeded.</html>', URL)).toThrow(
      expect.objectContaining({ code: ErrorCode.FeedMalformed }),
    );
    expect(() => parseAtom('Rate exceeded.', URL)).toThrow(URL);
  });
});

describe('AtomParser (an API answer read as a stream)', () => {
  const papers = seedPapers().map((p, i) => ({
    ...p,
    version: 1 + (i % 3),
    comments: i % 2 ? `${i} pages, <b>5 figures</b> & more` : undefined,
    journalRef: i % 4 ? undefined : 'Łódź J. Math. 12 (2026)',
  }));
  const xml = buildAtom(papers, { errors: ['incorrect id format for 2510.2670'] });

  test('split into pieces of any size, or one character at a time, it reads the same as the whole answer', () => {
    const whole = parseAtom(xml, URL);
    expect(whole.papers).toHaveLength(papers.length);
    expect(whole.errors).toEqual(['incorrect id format for 2510.2670']);
    for (const step of [1, 2, 3, 7, 64, 1000, 4096]) {
      const parser = new AtomParser(URL);
      for (let at = 0; at < xml.length; at += step) parser.write(xml.slice(at, at + step));
      expect(parser.end()).toEqual(whole);
    }
  });

  test('an answer cut off midway is FeedMalformed naming the URL', () => {
    const parser = new AtomParser(URL);
    parser.write(xml.slice(0, Math.floor(xml.length / 3)));
    expect(() => parser.end()).toThrow(expect.objectContaining({ code: ErrorCode.FeedMalformed }));
    expect(() => parser.end()).toThrow(URL);
  });
});
