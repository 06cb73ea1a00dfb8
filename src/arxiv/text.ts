/**
 * Clean-up of the text arXiv's feeds carry: HTML entities (the RSS feed escapes some twice), the
 * "arXiv:2510.26707v1 Announce Type: new Abstract:" prefix of RSS descriptions, the API's line wrapping, and LaTeX
 * accent macros in names and titles (`Sta\'nczak` → `Stańczak`). Math (`$O(n^2)$`) is left as written: it is
 * readable as is and an LLM understands it.
 */
import { decodeHTMLStrict } from 'entities';

/**
 * Decodes HTML entities (every named one of the HTML standard, numeric ones, with entities' well-kept tables); an
 * unknown name is kept as written. Two passes undo a double escape (`&amp;lt;`) without looping on hostile input.
 * Numeric references to nothing valid (NUL, a lone surrogate) become U+FFFD, as HTML parsers do. Soft hyphens
 * (`&shy;`, invisible) are dropped so a word stays one word for search and ranking.
 */
export function decodeEntities(text: string): string {
  let out = text;
  for (let pass = 0; pass < 2; pass++) {
    const next = decodeHTMLStrict(out);
    if (next === out) break;
    out = next;
  }
  return out.replace(/\u00AD/g, '');
}

/** Combining marks of LaTeX's accent commands. */
const ACCENTS: Record<string, string> = {
  "'": '\u0301',
  '`': '\u0300',
  '^': '\u0302',
  '"': '\u0308',
  '~': '\u0303',
  '=': '\u0304',
  '.': '\u0307',
  u: '\u0306',
  v: '\u030C',
  H: '\u030B',
  c: '\u0327',
  k: '\u0328',
  r: '\u030A',
};

const LETTER_MACROS: Record<string, string> = {
  ss: 'ß',
  o: 'ø',
  O: 'Ø',
  ae: 'æ',
  AE: 'Æ',
  oe: 'œ',
  OE: 'Œ',
  aa: 'å',
  AA: 'Å',
  l: 'ł',
  L: 'Ł',
  i: 'ı',
  j: 'ȷ',
};

/**
 * Turns LaTeX text-mode accents and escapes into Unicode outside math: `\'{e}`, `{\'e}`, `\'e`, `\"o`, `\c{c}`,
 * `{\ss}`, `\&`, `\%`. Math between `$…$` is kept verbatim.
 */
export function latexToUnicode(text: string): string {
  return text
    .split(/(\$[^$]*\$)/)
    .map((part, i) => (i % 2 === 1 ? part : textModeLatex(part)))
    .join('');
}

function textModeLatex(s: string): string {
  if (!s.includes('\\')) return s;
  let out = s
    // {\'e} and \'{e} and \'e; \c{c}, \v{s} (letter commands need braces or a space)
    .replace(/\{\\(['`^"~=.])\s*\{?([A-Za-z]|\\[ij])\}?\}/g, (_, a: string, l: string) => accent(a, l))
    .replace(/\\(['`^"~=.])\s*\{([A-Za-z]|\\[ij])\}/g, (_, a: string, l: string) => accent(a, l))
    .replace(/\\(['`^"~=.])([A-Za-z])/g, (_, a: string, l: string) => accent(a, l))
    .replace(/\{\\([uvHckr])\s*\{?([A-Za-z])\}?\}/g, (_, a: string, l: string) => accent(a, l))
    .replace(/\\([uvHckr])\s*\{([A-Za-z])\}/g, (_, a: string, l: string) => accent(a, l))
    .replace(/\\([uvHckr]) ([A-Za-z])/g, (_, a: string, l: string) => accent(a, l))
    .replace(/\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)\{\}/g, (_, m: string) => LETTER_MACROS[m] ?? m)
    .replace(/\{\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)\}/g, (_, m: string) => LETTER_MACROS[m] ?? m)
    .replace(/\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L)(?![A-Za-z])\s?/g, (_, m: string) => LETTER_MACROS[m] ?? m)
    .replace(/\\([&%#_$])/g, '$1')
    .replace(/\\textendash\b\s?/g, '–')
    .replace(/\\textemdash\b\s?/g, '—');
  // Braces left around single accented letters: {ń} → ń.
  out = out.replace(/\{(\p{L}\p{M}*)\}/gu, '$1');
  return out.normalize('NFC');
}

function accent(mark: string, letter: string): string {
  const base = letter === '\\i' ? 'i' : letter === '\\j' ? 'j' : letter;
  const combining = ACCENTS[mark];
  return combining ? `${base}${combining}`.normalize('NFC') : `${mark}${base}`;
}

/** Collapses runs of whitespace (including the API's line wrapping and non-breaking spaces) to single spaces. */
export function collapseWhitespace(text: string): string {
  return text.replace(/[\s\u00a0]+/g, ' ').trim();
}

/** A title, an author name or an abstract as shown to people and models: one line, entities decoded, accents. */
export function cleanText(text: string | undefined): string {
  if (!text) return '';
  return collapseWhitespace(latexToUnicode(decodeEntities(text)));
}

const RSS_PREFIX = /^\s*arXiv:\S+\s+Announce\s+Type:\s*[\w-]+\s*(?:Abstract:\s*)?/i;

/** The abstract of an RSS description, without the "arXiv:2510.26707v1 Announce Type: new Abstract:" prefix. */
export function cleanRssDescription(description: string | undefined): string {
  if (!description) return '';
  return cleanText(decodeEntities(description).replace(RSS_PREFIX, ''));
}

/** Splits RSS's `dc:creator` ("A, B, C" or "A, B and C") into names. */
export function splitAuthors(creators: string | undefined): string[] {
  if (!creators) return [];
  return cleanText(creators)
    .split(/\s*,\s*(?:and\s+)?|\s+and\s+/)
    .map((s) => s.trim())
    .filter(Boolean);
}
