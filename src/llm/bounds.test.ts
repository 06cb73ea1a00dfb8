import { boundAnswer, boundText } from './bounds';

describe('field bounds', () => {
  const bound = { maxChars: 100, maxSentences: 3 };

  it('leaves a field within its bound as it is, Markdown and lines included', () => {
    const text = '**Bold.** A list:\n\n1. One.\n2. Two.';
    expect(boundText(text, { maxChars: 100, maxSentences: 10 })).toBe(text);
  });

  it('cuts after the last whole sentence within the characters', () => {
    const text = `${'The method works well. '.repeat(10)}`;
    const out = boundText(text, bound);
    expect(out.length).toBeLessThanOrEqual(100);
    expect(out).toBe('The method works well. The method works well. The method works well. …');
  });

  it('cuts after the last allowed sentence', () => {
    expect(boundText('One. Two. Three. Four. Five.', bound)).toBe('One. Two. Three. …');
  });

  it('does not end a sentence at an abbreviation', () => {
    expect(boundText('We use e.g. BERT here. Then more. And more. Even more.', bound)).toBe(
      'We use e.g. BERT here. Then more. And more. …',
    );
  });

  it('cuts inside one long sentence at a word, with an ellipsis', () => {
    const out = boundText(`A ${'very '.repeat(100)}long sentence.`, bound);
    expect(out.length).toBeLessThanOrEqual(100);
    expect(out).toMatch(/^A (very )+very…$/);
  });

  it('bounds a 1 MB field, and every field by its name', () => {
    const huge = 'Spam spam spam. '.repeat(65_536);
    const out = boundAnswer({
      id: '2510.26707',
      tldr: huge,
      summary: { contributions: huge, methods: 'Short.' },
      keywords: ['ok', huge],
      constructor: huge,
    });
    expect(out.tldr.length).toBeLessThanOrEqual(800);
    expect(out.tldr.endsWith(' …')).toBe(true);
    expect(out.summary.contributions.length).toBeLessThanOrEqual(2000);
    expect(out.summary.methods).toBe('Short.');
    expect(out.keywords[0]).toBe('ok');
    expect(out.keywords[1]?.length).toBeLessThanOrEqual(80);
    expect(out.constructor.length).toBeLessThanOrEqual(2000);
    expect(out.id).toBe('2510.26707');
  });
});
