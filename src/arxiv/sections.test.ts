import { classify, fitToBudget, PAGE_BREAK, splitSections } from './sections';

const para = (tag: string, n = 400) => `${tag} ${'word '.repeat(Math.ceil(n / 5))}`.slice(0, n).trim();

function paper(): string {
  return [
    '# A Paper',
    '## 1 Introduction',
    para('intro-1'),
    para('intro-2'),
    '## 2 Related Work',
    ...Array.from({ length: 6 }, (_, i) => para(`related-${i}`)),
    '## 3 Method',
    '### 3.1 Objective',
    para('method-1'),
    para('method-2'),
    para('method-3'),
    '## 4 Experiments',
    para('exp-1'),
    'Table 1: Main results.\nModel | Acc\nOurs | 91.3\nBase | 88.0',
    para('exp-2'),
    para('exp-3'),
    '## 5 Conclusion',
    para('conclusion-1', 200),
    '## 6 Analysis',
    para('analysis-1'),
    '## Appendix A Proofs',
    para('appendix-1'),
    '## B More Results',
    'Table 3: Extra.\nx | y\n1 | 2',
  ].join('\n\n');
}

describe('sections', () => {
  test('headings are classified by what they name; everything after an appendix is appendix', () => {
    expect(classify('1 Introduction')).toBe('introduction');
    expect(classify('2 Related Work')).toBe('related');
    expect(classify('2 Background and Preliminaries')).toBe('related');
    expect(classify('3 Proposed Approach')).toBe('method');
    expect(classify('4 Experimental Results')).toBe('results');
    expect(classify('5 Conclusion and Limitations')).toBe('conclusion');
    expect(classify('7 Limitations')).toBe('conclusion');
    expect(classify('6 Analysis')).toBe('other');
    expect(classify('Appendix A Proofs')).toBe('appendix');
    const kinds = splitSections(paper()).map((s) => s.kind);
    expect(kinds).toEqual([
      'front',
      'introduction',
      'related',
      'method',
      'results',
      'conclusion',
      'other',
      'appendix',
      'appendix',
    ]);
  });

  test('a text within the budget is returned whole', () => {
    expect(fitToBudget(paper(), 100_000)).toBe(paper());
  });

  test('over the budget: conclusion and tables first, related work and appendices dropped first, cuts marked', () => {
    const full = paper();
    const out = fitToBudget(full, 3000);
    expect(out.length).toBeLessThanOrEqual(3000);
    expect(out).toContain('Table 1: Main results.\nModel | Acc\nOurs | 91.3\nBase | 88.0');
    expect(out).toContain('conclusion-1');
    expect(out).toContain('intro-1');
    expect(out).toContain('method-1');
    expect(out).toContain('exp-1');
    expect(out).toContain('[… section 2 "Related Work" omitted …]');
    expect(out).toContain('[… appendix A "Proofs" omitted …]');
    expect(out).not.toContain('related-0');
    // Each main section keeps its head: dealt one paragraph per section in turn.
    expect(out.indexOf('## 3 Method')).toBeLessThan(out.indexOf('### 3.1 Objective'));
    expect(out).toMatch(/\[… \d paragraphs? of section \d "(Method|Experiments)" omitted …\]/);
  });

  test('a tiny budget still keeps the title, the conclusion and the tables', () => {
    const out = fitToBudget(paper(), 1200);
    expect(out.length).toBeLessThanOrEqual(1200);
    expect(out.startsWith('# A Paper')).toBe(true);
    expect(out).toContain('conclusion-1');
    expect(out).toContain('Ours | 91.3');
    expect(out).toContain('[… section 3 "Method" omitted …]');
    expect(out).toContain('[… 1 paragraph of section 1 "Introduction" omitted …]');
  });

  test('a PDF keeps its first and last pages and marks the pages between', () => {
    const pages = Array.from({ length: 12 }, (_, i) => para(`page-${i + 1}`, 1000));
    const text = pages.join(`\n\n${PAGE_BREAK}\n\n`);
    const out = fitToBudget(text, 5000);
    expect(out.length).toBeLessThanOrEqual(5000);
    expect(out).toContain('page-1 ');
    expect(out).toContain('page-12 ');
    expect(out).toContain('page-11 ');
    expect(out).toMatch(/\[… pages \d+–\d+ omitted …\]/);
    expect(out).not.toContain(PAGE_BREAK);
    // Within the budget, the pages are simply joined.
    expect(fitToBudget(pages.slice(0, 2).join(`\n\n${PAGE_BREAK}\n\n`), 5000)).toBe(pages.slice(0, 2).join('\n\n'));
  });

  test('a text without sections is cut at the end and says so', () => {
    const out = fitToBudget(para('plain', 5000), 1000);
    expect(out.length).toBeLessThanOrEqual(1000);
    expect(out).toMatch(/\[… the rest of the text omitted …\]$/);
  });
});
