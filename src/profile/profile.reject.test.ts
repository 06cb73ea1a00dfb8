/** A card's Not for us (src/interactions/cards.ts) reaches the profile as a rejected paper: a stronger negative. */
import { REJECT, TERMS_SPACE, emptyProfile, learn } from './profile';
import type { Doc } from './terms';

const doc = (id: string, words: string): Doc => ({ id, title: words, abstract: `${words} ${words}` });

describe('learning a rejected paper', () => {
  const shown = [
    doc('a', 'language models reasoning curriculum'),
    doc('b', 'protein folding molecular dynamics'),
    doc('c', 'speech recognition acoustic models'),
  ];
  const candidates = [...shown, doc('d', 'graph neural networks'), doc('e', 'image segmentation')];
  const base = { date: '2025-10-30', candidates, shown, voted: [shown[0] as Doc], voters: 1 };

  test('weighs a Not for us paper REJECT times an ignored card on the negative side, and adds no vote', () => {
    const plain = learn(emptyProfile('nlp'), base);
    const rejected = learn(emptyProfile('nlp'), { ...base, rejected: [shown[1] as Doc] });
    const neg = (p: typeof plain) => p.spaces[TERMS_SPACE]?.neg.weight ?? 0;
    expect(neg(rejected) - neg(plain)).toBeCloseTo(REJECT - 1);
    const term = (p: typeof plain) => p.spaces[TERMS_SPACE]?.neg.sum.protein ?? 0;
    expect(Math.abs(term(rejected))).toBeGreaterThan(Math.abs(term(plain)));
    expect(rejected.positives).toBe(plain.positives);
  });

  test('a paper voted for is never learnt as rejected', () => {
    const both = learn(emptyProfile('nlp'), { ...base, rejected: [shown[0] as Doc] });
    const plain = learn(emptyProfile('nlp'), base);
    expect(both.spaces[TERMS_SPACE]?.neg.weight).toBeCloseTo(plain.spaces[TERMS_SPACE]?.neg.weight ?? 0);
  });
});
