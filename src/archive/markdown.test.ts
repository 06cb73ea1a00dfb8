import { parseConfig } from '../config/load';
import type { Digest } from '../app/types';
import { parseSeedDigest, SEED_DIGEST_TEXT } from '../../test/fakes/seed-digest';
import { archiveFileName, digestToJson, renderJson, renderMarkdown } from './markdown';

const SEED = SEED_DIGEST_TEXT;
const digestFromSeed = parseSeedDigest;

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
        'tldr',
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
    expect(obj.usage).toEqual({
      llmCalls: 0,
      promptTokens: 0,
      completionTokens: 0,
      cachedCalls: 0,
      estimatedCostUsd: 0,
    });
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
