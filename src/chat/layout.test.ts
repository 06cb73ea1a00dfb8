import { emptyUsage, type SelectedPaper } from '../app/types';
import { boundedParts, cardTldr, chatOpening, clipSentences, dayOverview, sentences, shortAuthors } from './layout';

const paper = (over: Partial<SelectedPaper> = {}): SelectedPaper => ({
  id: '2510.26143',
  version: 1,
  title: 'Reasoning Curriculum',
  authors: ['Bo Pang'],
  abstract: 'We propose a curriculum. It has two stages. Both are needed.',
  categories: ['cs.CL'],
  score: 0.9,
  keywords: [],
  summary: '',
  critique: '',
  ...over,
});

describe('sentences', () => {
  it('splits at sentence ends, not at abbreviations, initials or decimals', () => {
    expect(
      sentences('Models (e.g. Qwen3-4B) gain 3.5 points, as in Pang et al. 2025. J. Smith agrees! Does it hold? Yes.'),
    ).toEqual([
      'Models (e.g. Qwen3-4B) gain 3.5 points, as in Pang et al. 2025.',
      'J. Smith agrees!',
      'Does it hold?',
      'Yes.',
    ]);
  });

  it('keeps a closing quote or bracket with its sentence', () => {
    expect(sentences('It is called "AsyncThink." It works.')).toEqual(['It is called "AsyncThink."', 'It works.']);
  });
});

describe('clipSentences', () => {
  it('returns text that fits unchanged (whitespace collapsed)', () => {
    expect(clipSentences('One.\n Two.', { maxChars: 100, maxSentences: 3 })).toBe('One. Two.');
  });

  it('cuts after the last whole sentence that fits, marked with "…"', () => {
    expect(clipSentences('One is here. Two is here. Three is here.', { maxChars: 100, maxSentences: 2 })).toBe(
      'One is here. Two is here. …',
    );
    expect(clipSentences('One is here. Two is here. Three is here.', { maxChars: 28 })).toBe(
      'One is here. Two is here. …',
    );
  });

  it('cuts inside a first sentence longer than the limit, at a word', () => {
    const out = clipSentences(`${'word '.repeat(100)}end.`, { maxChars: 50 });
    expect(out.length).toBeLessThanOrEqual(50);
    expect(out).toMatch(/word…$/);
  });

  it('cuts the seed-length opening to three sentences', () => {
    const opening = Array.from({ length: 6 }, (_, i) => `Sentence number ${i + 1} of the opening.`).join(' ');
    expect(chatOpening(opening)).toBe(
      'Sentence number 1 of the opening. Sentence number 2 of the opening. Sentence number 3 of the opening. …',
    );
  });
});

describe('shortAuthors', () => {
  it('names a handful and counts the others', () => {
    const names = Array.from({ length: 17 }, (_, i) => `Author ${i + 1}`);
    expect(shortAuthors(names)).toBe('Author 1, Author 2, Author 3, Author 4, Author 5, … and 12 others');
    expect(shortAuthors(names.slice(0, 6))).toBe(names.slice(0, 6).join(', '));
  });
});

describe('cardTldr', () => {
  it("uses the model's TL;DR, bounded", () => {
    expect(cardTldr(paper({ tldr: 'Alpha is one. B is two. C is three. D is four.' }))).toBe(
      'Alpha is one. B is two. C is three. …',
    );
  });

  it('falls back to the first sentences of the summary, past labels, headings and chat preambles', () => {
    const summary =
      'Of course. Here is a summary of the paper.\n\n### Key Contribution\nThis paper introduces a two-stage curriculum that first trains on math and then on mixed domains. It beats 7B baselines. It needs no reward model.';
    expect(cardTldr(paper({ summary }))).toBe(
      'This paper introduces a two-stage curriculum that first trains on math and then on mixed domains. It beats 7B baselines. …',
    );
  });

  it('falls back to the abstract when the summary has no prose', () => {
    expect(cardTldr(paper({ summary: '- a list\n- only' }))).toBe('We propose a curriculum. It has two stages. …');
  });
});

describe('dayOverview', () => {
  const selected = [paper(), paper({ id: '2510.26707', title: 'Value Drifts' })];
  const base = { selected, tldr: '**TL;DR: Papers improve reasoning.**\n\n**Selected papers:**', usage: emptyUsage() };

  it("keeps the model's themes, without entries for papers not selected", () => {
    const overview = {
      tldr: 'Papers improve reasoning.',
      themes: [
        { title: 'A', papers: [{ id: '2510.26143', shortName: 'RC', insight: 'math first' }] },
        { title: 'Gone', papers: [{ id: '9999.99999', shortName: 'X', insight: '' }] },
      ],
      commonInsights: 'Shared.',
    };
    expect(dayOverview({ ...base, overview }).themes.map((t) => t.title)).toEqual(['A']);
  });

  it('without themes lists every selected paper and keeps the TL;DR sentence', () => {
    const out = dayOverview(base);
    expect(out.tldr).toBe('Papers improve reasoning.');
    expect(out.themes[0]?.papers.map((p) => p.shortName)).toEqual(['Reasoning Curriculum', 'Value Drifts']);
  });
});

describe('messages per paper', () => {
  it('a paper takes at most CHAT_LAYOUT.paperMessages parts; other messages all of theirs', () => {
    const parts = Array.from({ length: 40 }, (_, i) => i);
    expect(boundedParts('paper', parts)).toEqual([0, 1, 2, 3]);
    expect(boundedParts('tally', parts)).toHaveLength(40);
  });
});
