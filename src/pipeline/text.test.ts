import seed from '../../test/fixtures/seed-papers.json';
import { rankTokenizer, rankTokens, words } from './text';

/** wink-nlp-utils through its public API (a dev dependency: the pipeline no longer loads it). */
interface WinkUtils {
  string: { tokenize0(s: string): string[] };
  tokens: { removeWords(t: string[]): string[]; stem(t: string[]): string[] };
}
const wink: WinkUtils = require('wink-nlp-utils');

/** What `rankTokens` computed with wink-nlp-utils before: the same cleaning, then its tokenize, stop words, stem. */
function winkRankTokens(text: string): string[] {
  const plain = text
    .replace(/\$[^$]*\$/g, ' ')
    .replace(/[^\p{L}\p{N}\s-]/gu, ' ')
    .toLowerCase();
  return wink.tokens.stem(wink.tokens.removeWords(wink.string.tokenize0(plain))).filter((t) => t.length > 1);
}

const day = seed['2025-10-30'];
const texts = [...day.listed, ...day.digestSelected].flatMap((p) => [p.title, p.abstract]);

describe('rank tokens', () => {
  test('are the tokens wink-nlp-utils gives for every seed title and abstract', () => {
    expect(texts.length).toBeGreaterThan(5);
    for (const text of texts) expect(rankTokens(text)).toEqual(winkRankTokens(text));
  });

  test('the memoizing tokenizer gives the same tokens', () => {
    const tokenize = rankTokenizer();
    for (const text of [...texts, ...texts]) expect(tokenize(text)).toEqual(rankTokens(text));
  });

  test('drop stop words and LaTeX, split "cannot", stem, and keep non-ASCII letters as separators', () => {
    const text = 'We cannot train the $\\alpha$-models quickly: résumé';
    expect(rankTokens(text)).toEqual(['can', 'not', 'train', 'model', 'quick', 'sum']);
    expect(rankTokens(text)).toEqual(winkRankTokens(text));
    expect(rankTokens('')).toEqual([]);
  });

  test('words are unstemmed, without stop words, short words or numbers', () => {
    expect(words('The 2025 models of language are learning it')).toEqual(['models', 'language', 'learning']);
  });
});
