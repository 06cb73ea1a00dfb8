/**
 * Is this author the person a member (or the config's `authors:`) follows? arXiv writes one person many ways:
 * "Yann LeCun", "Y. LeCun", "yann lecun", "LeCun, Yann", "Jean-Pierre Dupont" and "J.-P. Dupont", "Zoë Müller" and
 * "Zoe Muller", "Martínez-Gil" and "Martinez Gil". Two names match when their surnames are the same and their given
 * names agree where both have them: a full name must equal a full name, an initial must match the first letter.
 * So "Y. Zhou" follows "Yingbo Zhou", but "Yang Zhou" is not "Yingbo Zhou" and "J. A. Smith" is not "J. B. Smith".
 */

/** Letters NFD leaves whole: each as its usual ASCII spelling. */
const FOLD: Record<string, string> = {
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ı: 'i',
};

/** Name suffixes that are not given names or surnames ("John Smith, Jr."). */
const SUFFIXES = new Set(['jr', 'sr', 'ii', 'iii', 'iv']);

/** Lower case, accents and special letters folded, apostrophes out (O'Brien = OBrien). */
function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[øłđðþßæœı]/g, (c) => FOLD[c] ?? c)
    .replace(/['’`]/g, '');
}

export interface ParsedName {
  /** Given names in order, each a folded word or a single letter (an initial). */
  given: string[];
  /** Per given name: whether it is hyphen-joined to the one before ("Chen-Yu", "J.-P."): one name, not a middle name. */
  joined: boolean[];
  /** The surname, folded, hyphens and spaces of a compound surname removed ("martinezgil"). */
  surname: string;
}

/** Particles that belong to the surname when they come right before it ("van der Maaten", "de la Torre"). */
const PARTICLES = new Set([
  'van',
  'von',
  'der',
  'den',
  'de',
  'del',
  'della',
  'di',
  'da',
  'la',
  'le',
  'du',
  'dos',
  'al',
  'el',
  'bin',
  'ter',
]);

/**
 * A name read into given names and surname. "Last, First" is turned around; "Jr." and the like are dropped; an
 * all-capitals short word among mixed-case words is initials ("JP Dupont" = "J. P. Dupont").
 */
export function parseName(raw: string): ParsedName | undefined {
  let text = raw.replace(/\s+/g, ' ').trim();
  const commas = text.split(',').map((s) => s.trim());
  // "Smith, John" and "Smith, John, Jr." (but not "John Smith, Jr.").
  const parts = commas.filter((s) => s && !SUFFIXES.has(fold(s).replace(/\./g, '')));
  if (parts.length === 2) text = `${parts[1]} ${parts[0]}`;
  else if (parts.length === 1) text = parts[0] ?? '';
  const tokens = text.split(' ').filter((t) => /\p{L}/u.test(t));
  const mixedCase = /\p{Ll}/u.test(text);
  const words: string[] = [];
  const joined: boolean[] = [];
  let surnameWords = 1;
  tokens.forEach((token, i) => {
    const last = i === tokens.length - 1;
    const letters = token.replace(/[.\-‐]/g, '');
    // Initials written together: "J.-P.", "J.P.", or (before the surname, in a mixed-case name) "JP".
    const dotted = /^(\p{Lu}\.?[-‐]?){2,3}$/u.test(token) && token.includes('.');
    const capitals = mixedCase && !last && /^\p{Lu}{2}$/u.test(token);
    if (dotted || capitals) {
      [...letters].forEach((l, k) => {
        words.push(fold(l));
        joined.push(k > 0);
      });
      return;
    }
    const pieces = token
      .split(/[-‐]/)
      .map((piece) => fold(piece).replace(/[^\p{L}\p{N}]/gu, ''))
      .filter((w) => w && !SUFFIXES.has(w));
    pieces.forEach((w, k) => {
      words.push(w);
      joined.push(k > 0);
    });
    // A hyphenated surname ("Martinez-Gil") spans its pieces.
    if (last) surnameWords = Math.max(1, pieces.length);
  });
  if (words.length === 0) return undefined;
  // Particles right before the surname belong to it, as long as a given name is left.
  while (surnameWords < words.length - 1 && PARTICLES.has(words[words.length - surnameWords - 1] ?? ''))
    surnameWords += 1;
  const surnameParts = words.slice(words.length - surnameWords);
  const surname = (surnameParts.length > 1 ? surnameParts.filter((w) => !PARTICLES.has(w)) : surnameParts).join('');
  const given = words.length - surnameWords;
  return { given: words.slice(0, given), joined: joined.slice(0, given), surname };
}

/** Whether two given names can be the same person's: equal words, or an initial and a word it starts. */
function sameGiven(a: string, b: string): boolean {
  if (a.length === 1 || b.length === 1) return a[0] === b[0];
  return a === b;
}

/** The name with its last given name taken into the surname ("Jorge Martinez Gil" → "martinezgil"). */
function joinLast(p: ParsedName): ParsedName | undefined {
  const last = p.given[p.given.length - 1];
  if (!last || last.length < 2 || p.given.length < 2) return undefined;
  return { given: p.given.slice(0, -1), joined: p.joined.slice(0, -1), surname: `${last}${p.surname}` };
}

/** Whether `author` (as arXiv lists it) is the person `followed` names. */
export function sameAuthor(followed: string, author: string): boolean {
  const a = parseName(followed);
  const b = parseName(author);
  return !!a && !!b && sameParsed(a, b);
}

/** sameAuthor on names already parsed. */
function sameParsed(first: ParsedName, second: ParsedName): boolean {
  let a = first;
  let b = second;
  if (!a.surname) return false;
  // "Martinez Gil" written without its hyphen: the last given name joins the surname.
  if (a.surname !== b.surname) {
    const joinedA = joinLast(a);
    const joinedB = joinLast(b);
    if (joinedA?.surname === b.surname) a = joinedA;
    else if (joinedB?.surname === a.surname) b = joinedB;
    else return false;
  }
  // A surname alone (either side) names nobody in particular.
  if (a.given.length === 0 || b.given.length === 0) return false;
  // Given names agree where both have one ("J. A. Smith" is not "J. B. Smith"); a middle name one side leaves out
  // is fine, but not the second half of a hyphenated name ("Chen-Yu Wei" is not "Chen Wei").
  for (let i = 0; i < Math.max(a.given.length, b.given.length); i++) {
    const x = a.given[i];
    const y = b.given[i];
    if (x !== undefined && y !== undefined) {
      if (!sameGiven(x, y)) return false;
    } else if ((x !== undefined && a.joined[i]) || (y !== undefined && b.joined[i])) return false;
  }
  return true;
}

/**
 * Many followed names against a day's authors: each followed name parsed once and filed under its surname (and its
 * joined form, "martinezgil"), each author parsed once; an author is compared only with the followed names of its
 * surname. Answers the followed names (as given) that `author` is.
 */
export function authorMatcher(followed: readonly string[]): (author: string) => string[] {
  const bySurname = new Map<string, Array<{ name: string; parsed: ParsedName }>>();
  const file = (key: string | undefined, entry: { name: string; parsed: ParsedName }) => {
    if (!key) return;
    const list = bySurname.get(key) ?? [];
    if (!list.includes(entry)) list.push(entry);
    bySurname.set(key, list);
  };
  for (const name of followed) {
    const parsed = parseName(name);
    if (!parsed?.surname || parsed.given.length === 0) continue;
    const entry = { name, parsed };
    file(parsed.surname, entry);
    file(joinLast(parsed)?.surname, entry);
  }
  const seen = new Map<string, string[]>();
  return (author) => {
    const known = seen.get(author);
    if (known) return known;
    const parsed = parseName(author);
    const out: string[] = [];
    if (parsed && bySurname.size > 0) {
      const candidates = new Set([
        ...(bySurname.get(parsed.surname) ?? []),
        ...(bySurname.get(joinLast(parsed)?.surname ?? '') ?? []),
      ]);
      for (const c of candidates) if (!out.includes(c.name) && sameParsed(c.parsed, parsed)) out.push(c.name);
    }
    seen.set(author, out);
    return out;
  };
}

/** A followed name as it is compared for equality (unfollow, duplicates): folded, given names and surname. */
export function nameKey(name: string): string {
  const p = parseName(name);
  return p ? [...p.given, p.surname].join(' ') : fold(name).trim();
}
