import { abstractDiff, diffAsText, sameText } from './diff';

describe('the abstract word diff', () => {
  it('marks removed and added words with a few words of context, and says nothing for the same words', () => {
    const d = abstractDiff(
      'We propose a method that improves accuracy by 3% on two tasks. It is simple.',
      'We propose a fast method that improves accuracy by 5% on six benchmarks.\n  It is simple.',
    );
    expect(diffAsText(d)).toBe(
      'We propose a {+fast+} method that improves accuracy by [-3-]{+5+}% on [-two tasks-]{+six benchmarks+}. It is simple.',
    );
    expect(abstractDiff('Same   words\nhere.', 'Same words here.')).toEqual([]);
    expect(sameText('a  b', 'a b')).toBe(true);
  });

  it('leaves long unchanged stretches out behind a gap', () => {
    const filler = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    const d = abstractDiff(`Start. ${filler} old ending.`, `Start. ${filler} new ending.`);
    const text = diffAsText(d);
    expect(text.startsWith('…')).toBe(true);
    expect(text).toContain('word59 [-old-]{+new+} ending.');
    expect(text).not.toContain('word10 ');
  });

  it('stays within its budget for a rewritten abstract, ending with a gap', () => {
    const a = Array.from({ length: 400 }, (_, i) => `alpha${i}`).join(' ');
    const b = Array.from({ length: 400 }, (_, i) => `beta${i}`).join(' ');
    const d = abstractDiff(a, b, { maxChars: 300 });
    const chars = d.reduce((n, s) => n + s.text.length, 0);
    expect(chars).toBeLessThanOrEqual(300);
    expect(d[d.length - 1]?.change).toBe('gap');
  });
});
