/** Small text tools of the pipeline: tokens for ranking, an abstract's leading sentences, compact abstracts, terms. */
import { sentences as splitSentences } from '../chat/layout';

/**
 * English stop words: the list wink-nlp-utils removes by default (its `tokens.removeWords`), less the entries with an
 * apostrophe, which `plain` never leaves in a token. Kept here rather than required from the package's internal
 * files; `text.test.ts` checks the tokens against wink-nlp-utils' public API.
 */
const STOP_WORDS = new Set(
  [
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers ',
    'herself it its itself they them their theirs themselves what which who whom this that these those am is are ',
    'was were be been being have has had having do does did doing would should could ought a an the and but if ',
    'or because as until while of at by for with about against between into through during before after above ',
    'below to from up down in out on off over under again further then once here there when where why how all ',
    'any both each few more most other some such only own same so than too very',
  ]
    .join('')
    .split(' '),
);

/** Splits on non-word characters (ASCII `\W`, as wink-nlp-utils' `string.tokenize0`), "cannot" as "can not". */
function tokenize(text: string): string[] {
  return text
    .replace(/\b(can)(not)\b/gi, '$1 $2')
    .split(/\W+/)
    .filter((t) => t !== '');
}

const removeStopWords = (tokens: string[]): string[] => tokens.filter((t) => !STOP_WORDS.has(t));

let porter2: ((word: string) => string) | undefined;
/** The Porter2 stemmer (wink-porter2-stemmer, its public export), loaded on first use: `start` may never rank. */
function stemWord(word: string): string {
  porter2 ??= require('wink-porter2-stemmer') as (word: string) => string;
  return porter2(word);
}

/** Drops inline LaTeX and punctuation that tokenizers turn into noise. */
function plain(text: string): string {
  return text
    .replace(/\$[^$]*\$/g, ' ')
    .replace(/[^\p{L}\p{N}\s-]/gu, ' ')
    .toLowerCase();
}

/** Lower-cased, stop words out, Porter stems: the BM25 index's and the query's tokens. */
export function rankTokens(text: string): string[] {
  return removeStopWords(tokenize(plain(text)))
    .map(stemWord)
    .filter((t) => t.length > 1);
}

/**
 * `rankTokens` with a memory of the stems it computed: a day's abstracts repeat their words (5,000 abstracts are
 * ~750,000 tokens over ~40,000 distinct words), and Porter stemming is the first pass's main cost, so each word is
 * stemmed once. The memory lives as long as the returned function (one first pass), never longer.
 */
export function rankTokenizer(): (text: string) => string[] {
  const stems = new Map<string, string>();
  return (text) => {
    const out: string[] = [];
    for (const word of removeStopWords(tokenize(plain(text)))) {
      let stem = stems.get(word);
      if (stem === undefined) {
        stem = stemWord(word);
        stems.set(word, stem);
      }
      if (stem.length > 1) out.push(stem);
    }
    return out;
  };
}

/**
 * The phrases of a text as stems, as RAKE finds keyphrases: the text cut at punctuation and at stop words, each
 * piece a phrase ("Reinforcement learning and preference optimization for LLMs" → reinforc learn | prefer optim |
 * llms).
 */
export function phrases(text: string): string[][] {
  const out: string[][] = [];
  for (const piece of text.split(/[.,;:!?()[\]{}"\n/]+/)) {
    let current: string[] = [];
    const flush = () => {
      if (current.length) out.push(current.map(stemWord).filter((t) => t.length > 1));
      current = [];
    };
    for (const w of tokenize(plain(piece))) {
      if (STOP_WORDS.has(w)) flush();
      else current.push(w);
    }
    flush();
  }
  return out.filter((p) => p.length > 0);
}

/** Lower-cased words without stop words, unstemmed: readable terms for keywords. */
export function words(text: string): string[] {
  return removeStopWords(tokenize(plain(text))).filter((t) => t.length > 2 && !/^\d+$/.test(t));
}

/**
 * The sentences of a text: the same rule-based splitter as the chat layout (after . ! ? before a capital or a
 * digit, common abbreviations and initials kept whole), not wink-nlp-utils' language model (~60 MB of memory).
 */
export function sentences(text: string): string[] {
  return splitSentences(text);
}

/** The abstract's first 2–3 sentences: the no-LLM summary (three when the first two are short). */
export function leadingSentences(abstract: string, maxChars = 450): string {
  const all = sentences(abstract);
  const out: string[] = [];
  for (const s of all) {
    if (out.length >= 3) break;
    if (out.length >= 2 && out.join(' ').length + s.length > maxChars) break;
    out.push(s);
  }
  return out.join(' ');
}

/**
 * An abstract cut to about `maxChars` at a sentence end (else a word), for the ranking prompt: the opening of an
 * abstract says what a paper is about, which is all the ranker needs, at a third of the tokens.
 */
export function compactAbstract(abstract: string, maxChars = 600): string {
  const clean = abstract.replace(/\s+/g, ' ').trim();
  if (clean.length <= maxChars) return clean;
  let out = '';
  for (const s of sentences(clean)) {
    if (out.length + s.length + 1 > maxChars) break;
    out = out ? `${out} ${s}` : s;
  }
  if (out.length >= maxChars * 0.6) return out;
  const head = clean.slice(0, maxChars);
  const cut = head.lastIndexOf(' ');
  return `${(cut > maxChars * 0.6 ? head.slice(0, cut) : head).trimEnd()}…`;
}

/**
 * The paper's most distinctive terms (tf × idf over the day's papers; bigrams of adjacent words count double, as
 * they read like keywords): the no-LLM keywords after any configured keyword the paper mentions.
 */
export function topTerms(
  doc: { title: string; abstract: string },
  docFreq: Map<string, number>,
  totalDocs: number,
  n = 5,
): string[] {
  const tf = new Map<string, number>();
  for (const t of termsOf(doc)) tf.set(t, (tf.get(t) ?? 0) + 1);
  const scored = [...tf.entries()].map(([term, count]) => {
    const idf = Math.log((totalDocs + 1) / ((docFreq.get(term) ?? 0) + 1)) + 1;
    return { term, score: count * idf * (term.includes(' ') ? 2 : 1) };
  });
  scored.sort((a, b) => b.score - a.score || a.term.localeCompare(b.term));
  const picked: string[] = [];
  for (const { term } of scored) {
    if (picked.length >= n) break;
    // A term sharing a word with one already picked ("bf16", "bf16 training") adds little.
    const parts = term.split(' ');
    if (picked.some((p) => p.split(' ').some((w) => parts.includes(w)))) continue;
    picked.push(term);
  }
  return picked.map((t) => displayForm(t, `${doc.title} ${doc.abstract}`));
}

/** A lower-cased term as the paper writes it when that carries meaning: "RMs", "BF16", "GRPO". */
function displayForm(term: string, text: string): string {
  const escaped = term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+');
  const m = new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'iu').exec(text);
  const found = m?.[0];
  return found && (found.match(/\p{Lu}/gu)?.length ?? 0) >= 2 ? found.replace(/\s+/g, ' ') : term;
}

/** Words and adjacent-word bigrams of title (twice) and abstract. */
export function termsOf(doc: { title: string; abstract: string }): string[] {
  const bigrams = (ws: string[]) => ws.slice(1).map((w, i) => `${ws[i]} ${w}`);
  const title = words(doc.title);
  const abstract = words(doc.abstract);
  return [...title, ...title, ...bigrams(title), ...abstract, ...bigrams(abstract)];
}

export function documentFrequencies(docs: Array<{ title: string; abstract: string }>): Map<string, number> {
  const df = new Map<string, number>();
  for (const doc of docs) for (const t of new Set(termsOf(doc))) df.set(t, (df.get(t) ?? 0) + 1);
  return df;
}

/**
 * "Yingbo Zhou" follows "Yingbo Zhou", "yingbo zhou", "Y. Zhou" and "Zhou, Yingbo"; not "Yang Zhou" (accents,
 * initials, hyphens and "Last, First" in src/follows/names.ts, shared with the members' follows).
 */
export { sameAuthor as authorMatches } from '../follows/names';
