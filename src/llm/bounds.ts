/**
 * How long each field the model writes may be, enforced on every validated answer (and every cached one) by the
 * LLM client: a model that overruns its completion cap, or a hostile endpoint, cannot post a 20 KB or 1 MB field
 * (they made threads of 77 Slack and 157 Discord messages). A field past its bound is cut cleanly: after its last
 * whole sentence within the bound (" …"), else at a word ("…"), its Markdown kept as written.
 *
 * The bounds sit above what the prompts and schemas ask (a real model writing at the seed digest's length is never
 * cut), and a review's six sections together fit the chat's usual messages per paper (Slack 2, Discord 3).
 */

export interface FieldBound {
  maxChars: number;
  maxSentences: number;
}

const SECTION: FieldBound = { maxChars: 2000, maxSentences: 16 };

/** By the field's name in the answer's JSON (review, deep-dive, day, ranking, question, version note). */
export const FIELD_BOUNDS: Readonly<Record<string, FieldBound>> = {
  contributions: SECTION,
  methods: SECTION,
  results: SECTION,
  strengths: SECTION,
  weaknesses: SECTION,
  overall: SECTION,
  overview: SECTION,
  questions: SECTION,
  answer: { maxChars: 2000, maxSentences: 10 },
  tldr: { maxChars: 800, maxSentences: 5 },
  opening: { maxChars: 1200, maxSentences: 6 },
  commonInsights: { maxChars: 600, maxSentences: 4 },
  insight: { maxChars: 300, maxSentences: 2 },
  reason: { maxChars: 400, maxSentences: 3 },
  changes: { maxChars: 800, maxSentences: 5 },
  title: { maxChars: 120, maxSentences: 1 },
  shortName: { maxChars: 60, maxSentences: 1 },
  section: { maxChars: 150, maxSentences: 1 },
  id: { maxChars: 64, maxSentences: 1 },
};

/** Any other field, and the strings of a list (keywords) by their list's name when it has none of its own. */
export const DEFAULT_FIELD_BOUND: FieldBound = SECTION;
export const LIST_ITEM_BOUND: FieldBound = { maxChars: 80, maxSentences: 1 };

/** A period that does not end a sentence: an abbreviation or an initial. */
const ABBREVIATION = /(?:\b(?:e\.g|i\.e|et al|etc|vs|cf|Fig|Figs|Eq|Eqs|Sec|Tab|No|approx|resp|Dr|Prof)|\b[A-Z])\.$/;

/** Where the sentences of `text` end (index after the end mark and its closing quotes), up to `limit` characters. */
function sentenceEnds(text: string, limit: number): number[] {
  const ends: number[] = [];
  const re = /[.!?…]["'”’)\]*_]*(?=\s|$)/g;
  const head = text.slice(0, limit + 1);
  for (let m = re.exec(head); m; m = re.exec(head)) {
    const end = m.index + m[0].length;
    if (end > limit) break;
    if (m[0].startsWith('.') && ABBREVIATION.test(head.slice(Math.max(0, m.index - 8), m.index + 1))) continue;
    ends.push(end);
  }
  return ends;
}

/** `text` within `bound`: unchanged when it fits, else cut after a sentence (" …") or at a word ("…"). */
export function boundText(text: string, bound: FieldBound): string {
  const ends = sentenceEnds(text, bound.maxChars);
  const complete = text.length <= bound.maxChars;
  if (complete && ends.length <= bound.maxSentences) return text;
  const room = bound.maxChars - 2;
  const kept = ends.filter((e) => e <= room).slice(0, bound.maxSentences);
  const last = kept[kept.length - 1];
  // A cut after a sentence when one ends well into the bound (or the sentences, not the characters, ran out).
  if (last !== undefined && (last >= bound.maxChars * 0.4 || kept.length === bound.maxSentences))
    return `${text.slice(0, last).trimEnd()} …`;
  const head = text.slice(0, bound.maxChars - 1);
  const space = head.search(/\s\S*$/);
  const cut = space > bound.maxChars * 0.5 ? head.slice(0, space) : head;
  return `${cut.replace(/[\s,;:–—-]+$/, '')}…`;
}

/** Every string of a validated answer within its field's bound (a new value; the answer itself is not changed). */
export function boundAnswer<T>(value: T, field?: string, inList = false): T {
  if (typeof value === 'string') {
    const own = field !== undefined && Object.hasOwn(FIELD_BOUNDS, field) ? FIELD_BOUNDS[field] : undefined;
    const bound = own ?? (inList ? LIST_ITEM_BOUND : DEFAULT_FIELD_BOUND);
    return boundText(value, bound) as T;
  }
  if (Array.isArray(value)) return value.map((v) => boundAnswer(v, field, true)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = boundAnswer(v, k);
    return out as T;
  }
  return value;
}
