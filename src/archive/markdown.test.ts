import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../config/load';
import { type Digest, emptyUsage, type SelectedPaper } from '../app/types';
import { archiveFileName, digestToJson, renderJson, renderMarkdown } from './markdown';

const SEED = readFileSync(path.resolve(__dirname, '../../test/fixtures/seed-digest-2025-10-30.md'), 'utf8');

/** Reads the seed digest back into our Digest type, so rendering it must give the seed again. */
function digestFromSeed(text: string): Digest {
  const afterFront = text.indexOf('\n---\n', 4) + 5;
  const rest = text.slice(text.indexOf('## TL;DR'));
  const intro = text.slice(afterFront, text.indexOf('## TL;DR')).trim();
  const tldrBlock = rest.slice(0, rest.indexOf('\n---\n\n# '));
  const tldr = tldrBlock
    .replace('## TL;DR', '')
    .replace(/Total papers: \d+ , Selected papers: \d+/, '')
    .trim();
  const papers = rest
    .slice(tldrBlock.length)
    .split(/\n---\n\n(?=# )/)
    .map((s) => s.trim())
    .filter((s) => s.startsWith('# '));
  const selected: SelectedPaper[] = papers.map((block) => {
    const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(block)?.[1] ?? '';
    const link = /\(http:\/\/arxiv\.org\/abs\/(.+?)v(\d+)\)/.exec(block);
    const section = (name: string, next?: string) => {
      const start = block.indexOf(`## ${name}\n`) + name.length + 4;
      const end = next ? block.indexOf(`\n## ${next}\n`) : block.length;
      return block.slice(start, end).trim();
    };
    return {
      id: link?.[1] ?? '',
      version: Number(link?.[2] ?? 1),
      title: /^# (.*)$/m.exec(block)?.[1] ?? '',
      authors: field('Authors').split(', '),
      keywords: field('Keywords').split(', '),
      comments: field('Comments') === 'None' ? undefined : field('Comments'),
      abstract: section('Abstract', 'Summary'),
      summary: section('Summary', 'Critique'),
      critique: section('Critique'),
      categories: ['cs.CL'],
      score: 0.9,
    } as SelectedPaper;
  });
  return {
    name: 'nlp',
    date: '2025-10-30',
    categories: ['cs.CL'],
    totalPapers: 58,
    selected,
    intro,
    tldr,
    usage: emptyUsage(),
    notices: [],
  };
}

const norm = (s: string) =>
  s
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

describe('Markdown digest', () => {
  const digest = digestFromSeed(SEED);

  it('reproduces the seed digest section by section', () => {
    expect(digest.selected).toHaveLength(5);
    const out = renderMarkdown(digest);
    const headings = (s: string) =>
      s
        .split('\n')
        .filter((l) =>
          /^(#{1,3} |Authors:|Keywords:|Comments:|Paper link:|Total papers:|---$|title:|collection:|permalink:|date:)/.test(
            l,
          ),
        );
    expect(headings(out)).toEqual(headings(SEED));
    expect(norm(out)).toBe(norm(SEED));
  });

  it('has the contract front matter, counts and per-paper fields', () => {
    const out = renderMarkdown(digest);
    expect(
      out.startsWith(
        '---\ntitle: "ArXiv Daily Digest on 2025-10-30"\ncollection: digests\npermalink: /digests/arxiv_cs_CL_2025-10-30_report\ndate: 2025-10-30\n',
      ),
    ).toBe(true);
    expect(out).toContain('## TL;DR\n\nTotal papers: 58 , Selected papers: 5\n');
    expect(out).toContain('Comments: 9 pages');
    expect(out).toContain('Paper link: [http://arxiv.org/abs/2510.26707v1](http://arxiv.org/abs/2510.26707v1)');
    expect(archiveFileName(digest)).toBe('arxiv_cs_CL_2025-10-30_report.md');
  });

  it('says how a digest without an LLM was built and never lets text ping anyone', () => {
    const plain: Digest = {
      ...digest,
      intro: 'Hello <!channel> @everyone',
      tldr: '',
      notices: ['Built without an LLM (OPENAI_API_KEY is not set).'],
      selected: digest.selected
        .slice(0, 1)
        .map((p) => ({ ...p, critique: '', summary: 'cc <@U024BE7LH> and <@123456789012345678>' })),
    };
    const out = renderMarkdown(plain);
    expect(out).toContain('> Built without an LLM');
    expect(out).toContain('_No critique: this digest was built without an LLM._');
    expect(out).toContain('1. *Reasoning Curriculum');
    expect(out).not.toMatch(/<!channel>|@everyone|<@U024|<@1234/);
  });

  it('renders an empty day as a short note', () => {
    const out = renderMarkdown({ ...digest, empty: true, selected: [], totalPapers: 0, date: '2025-11-01' });
    expect(out).toMatch(/No papers were announced on arXiv in cs\.CL for 2025-11-01/);
  });

  it('names shared-category archives by digest', () => {
    const config = parseConfig(
      {
        digests: [
          { name: 'a', categories: ['cs.CL'], interests: 'x' },
          { name: 'b', categories: ['cs.CL'], interests: 'y' },
        ],
      },
      'c',
    );
    expect(archiveFileName({ ...digest, name: 'b' }, config)).toBe('arxiv_cs_CL_b_2025-10-30_report.md');
  });
});

describe('JSON digest', () => {
  it('has the contract fields on one line', () => {
    const digest = digestFromSeed(SEED);
    const line = renderJson(digest);
    expect(line).not.toContain('\n');
    const obj = JSON.parse(line);
    expect(Object.keys(obj)).toEqual(
      expect.arrayContaining(['name', 'date', 'categories', 'totalPapers', 'selected', 'intro', 'tldr', 'usage']),
    );
    expect(Object.keys(obj.selected[0]).sort()).toEqual(
      [
        'abstract',
        'authors',
        'categories',
        'comments',
        'critique',
        'id',
        'keywords',
        'score',
        'summary',
        'title',
        'url',
        'version',
      ].sort(),
    );
    expect(obj.selected[0]).toMatchObject({
      id: '2510.26143',
      version: 1,
      url: 'http://arxiv.org/abs/2510.26143v1',
      comments: '9 pages',
    });
    expect(obj.selected[1].comments).toBeNull();
    expect(obj.usage).toEqual({ llmCalls: 0, promptTokens: 0, completionTokens: 0, cachedCalls: 0 });
    expect(digestToJson(digest).totalPapers).toBe(58);
  });

  it("never lets a paper's own text ping anyone in JSON either", () => {
    const hostile: Digest = {
      ...digestFromSeed(SEED),
      selected: digestFromSeed(SEED)
        .selected.slice(0, 1)
        .map((p) => ({ ...p, title: 'Ping @here', abstract: 'cc <!channel> @everyone', comments: '<@U024BE7LH>' })),
    };
    const json = renderJson(hostile);
    expect(json).not.toMatch(/@here|<!channel>|@everyone|<@U024/);
  });
});
