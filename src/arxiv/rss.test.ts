import { buildRss, seedDay, type DayPaper } from '../../test/fakes/arxiv-server';
import { ArxivDigestError, ErrorCode } from '../app/errors';
import { type RssFeed, type RssItem, RssParser, parseRss } from './rss';

const FEED = 'https://rss.arxiv.org/rss/cs.CL';

describe('parseRss (rss.arxiv.org)', () => {
  const day = seedDay();

  test("reads the seed day's real papers: ids, versions, announce types, authors, categories, the date", () => {
    const feed = parseRss(buildRss({ categories: ['cs.CL'], date: day.date, papers: day.papers }), FEED);
    expect(feed.date).toBe('2025-10-30');
    expect(feed.items).toHaveLength(58);
    const valueDrifts = feed.items.find((i) => i.id === '2510.26707');
    expect(valueDrifts).toMatchObject({
      version: 1,
      title: 'Value Drifts: Tracing Value Alignment During LLM Post-Training',
      announceType: 'new',
    });
    expect(valueDrifts?.abstract.startsWith('As LLMs')).toBe(true);
    expect(valueDrifts?.abstract).not.toMatch(/Announce Type|^arXiv:/);
    expect(valueDrifts?.authors[0]).toBe('Mehar Bhatia');
    const cross = feed.items.filter((i) => i.announceType === 'cross');
    expect(cross.length).toBeGreaterThan(0);
    for (const c of cross) expect(c.categories[0]).not.toBe('cs.CL');
  });

  test('keeps ids as strings (2510.10000 is not the number 2510.1) and reads a single item as a list', () => {
    const paper: DayPaper = {
      id: '2510.10000',
      version: 2,
      title: 'A &amp; B: entities &lt;decoded&gt;',
      authors: ['Ada Lovelace'],
      abstract: 'Short.',
      categories: ['cs.CL'],
      announceType: 'replace',
    };
    const feed = parseRss(buildRss({ categories: ['cs.CL'], date: '2025-10-30', papers: [paper] }), FEED);
    expect(feed.items).toEqual([
      {
        id: '2510.10000',
        version: 2,
        title: 'A & B: entities <decoded>',
        abstract: 'Short.',
        authors: ['Ada Lovelace'],
        categories: ['cs.CL'],
        announceType: 'replace',
      },
    ]);
  });

  test('a hand-written item: CDATA description, accents in LaTeX, one dc:creator per author', () => {
    const xml = `<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">
  <channel>
    <title>cs.CL updates on arXiv.org</title>
    <pubDate>Thu, 30 Oct 2025 00:00:00 -0400</pubDate>
    <item>
      <title>Don&apos;t Drift: $O(n^2)$ Values &amp; Sta\\'nczak's Test</title>
      <link>https://arxiv.org/abs/2510.26707</link>
      <description><![CDATA[arXiv:2510.26707v1 Announce Type: new 
Abstract: We show R&amp;D &lt; 5 for $p<0.05$.]]></description>
      <guid isPermaLink="false">oai:arXiv.org:2510.26707v1</guid>
      <category>cs.CL</category>
      <arxiv:announce_type>new</arxiv:announce_type>
      <dc:creator>Karolina Sta\\'nczak</dc:creator>
      <dc:creator>Jos\\'e Garc\\'ia, Ann Lee</dc:creator>
    </item>
  </channel>
</rss>`;
    const [item] = parseRss(xml, FEED).items;
    expect(item).toMatchObject({
      id: '2510.26707',
      title: "Don't Drift: $O(n^2)$ Values & Stańczak's Test",
      abstract: 'We show R&D < 5 for $p<0.05$.',
      authors: ['Karolina Stańczak', 'José García', 'Ann Lee'],
    });
  });

  test('a weekend feed is a channel without items: no items, the date kept', () => {
    const feed = parseRss(buildRss({ categories: ['cs.CL'], date: '2025-11-01', papers: [] }), FEED);
    expect(feed).toEqual({ date: '2025-11-01', items: [], skipped: 0 });
    expect(parseRss(buildRss({ categories: ['cs.CL'], papers: [] }), FEED).date).toBeUndefined();
  });

  test('a malformed feed is a FeedMalformed error that names the feed', () => {
    for (const body of ['<html><body>Service Unavailable</body></html>', 'not xml at all <<<', '<rss><channel>']) {
      let err: unknown;
      try {
        parseRss(body, FEED);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ArxivDigestError);
      expect((err as ArxivDigestError).code).toBe(ErrorCode.FeedMalformed);
      expect((err as Error).message).toContain(FEED);
    }
  });

  test('entity expansion from a hostile DOCTYPE is capped', () => {
    const refs = Array.from({ length: 500 }, () => '&big;').join('');
    const bomb = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY big "${'x'.repeat(900)}">]><rss><channel><title>${refs}</title></channel></rss>`;
    expect(() => parseRss(bomb, FEED)).toThrow(/malformed/);
    const huge = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY big "${'y'.repeat(5000)}">]><rss><channel><title>&big;</title></channel></rss>`;
    expect(() => parseRss(huge, FEED)).toThrow(FEED);
  });
});

describe('RssParser (the feed read as a stream)', () => {
  const day = seedDay();
  const whole = buildRss({ categories: ['cs.CL'], date: day.date, papers: day.papers });
  /** One item with every awkward thing to split inside: multi-byte letters, an astral character, entities, CDATA. */
  const awkward = `<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">
  <channel>
    <pubDate>Thu, 30 Oct 2025 00:00:00 -0400</pubDate>
    <item>
      <title>Ł&#243;d&#x17A; &amp; 𝔽-Values: &lt;ε&gt; Sta\\'nczak</title>
      <description><![CDATA[arXiv:2510.26707v2 Announce Type: replace 
Abstract: Über R&amp;D < 5 for $p<0.05$ 🙂.]]></description>
      <guid isPermaLink="false">oai:arXiv.org:2510.26707v2</guid>
      <category>cs.CL</category>
      <category>cs.AI</category>
      <arxiv:announce_type>replace</arxiv:announce_type>
      <dc:creator>Zoë Ñúñez, Karolina Sta\\'nczak</dc:creator>
    </item>
  </channel>
</rss>`;

  function streamed(xml: string, cuts: number[], onItem?: (item: RssItem) => void): RssFeed {
    const parser = new RssParser(FEED, onItem);
    let at = 0;
    for (const cut of [...cuts, xml.length]) {
      parser.write(xml.slice(at, cut));
      at = cut;
    }
    return parser.end();
  }

  test('an item split in two at every offset reads the same as the whole feed', () => {
    const expected = parseRss(awkward, FEED);
    expect(expected.items[0]).toMatchObject({
      title: 'Łódź & 𝔽-Values: <ε> Stańczak',
      abstract: 'Über R&D < 5 for $p<0.05$ 🙂.',
      authors: ['Zoë Ñúñez', 'Karolina Stańczak'],
      categories: ['cs.CL', 'cs.AI'],
      announceType: 'replace',
      version: 2,
    });
    for (let cut = 1; cut < awkward.length; cut++) expect(streamed(awkward, [cut])).toEqual(expected);
  });

  test('the seed day one character at a time, and in uneven chunks, reads the same as the whole feed', () => {
    const expected = parseRss(whole, FEED);
    expect(
      streamed(
        whole,
        Array.from({ length: whole.length - 1 }, (_, i) => i + 1),
      ),
    ).toEqual(expected);
    const uneven: number[] = [];
    for (let at = 0, step = 1; at < whole.length; step = (step * 7 + 3) % 997) {
      at += step + 1;
      uneven.push(at);
    }
    expect(
      streamed(
        whole,
        uneven.filter((c) => c < whole.length),
      ),
    ).toEqual(expected);
  });

  test('each item comes out as soon as its closing tag is read, before the feed ends', () => {
    const seen: string[] = [];
    const parser = new RssParser(FEED, (item) => seen.push(item.id));
    const firstEnd = whole.indexOf('</item>') + '</item>'.length;
    parser.write(whole.slice(0, firstEnd - 1));
    expect(seen).toEqual([]);
    parser.write(whole.slice(firstEnd - 1, firstEnd));
    expect(seen).toHaveLength(1);
    parser.write(whole.slice(firstEnd));
    const feed = parser.end();
    expect(seen).toEqual(feed.items.map((i) => i.id));
  });

  test('a feed cut off midway, or broken in a later chunk, is FeedMalformed naming the feed', () => {
    const cut = new RssParser(FEED);
    cut.write(whole.slice(0, Math.floor(whole.length / 2)));
    expect(() => cut.end()).toThrow(new RegExp(`arXiv feed ${FEED} is malformed: unreadable XML`));
    const broken = new RssParser(FEED);
    broken.write(whole.slice(0, 2000));
    expect(() => broken.write('</channel><<<')).toThrow(ArxivDigestError);
    expect(() => broken.end()).toThrow(FEED);
  });
});
