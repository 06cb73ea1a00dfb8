/**
 * What changed in an abstract between two versions, as a short word diff: jsdiff's `diffWords` (a well-kept
 * implementation of Myers' diff over word tokens) on the two abstracts with their white space folded (the listing
 * and the export API wrap lines differently), then cut to the changes with a few words of context around each and
 * "…" between them, within a character budget, so a rewritten abstract still reads as one short reply.
 */
import { diffWords } from 'diff';
import type { DiffSegment } from '../chat/types';

export interface DiffOptions {
  /** Unchanged words kept before and after each change. */
  contextWords?: number;
  /** Characters of text (kept, removed and added together) past which the rest is left out behind a gap. */
  maxChars?: number;
}

const DEFAULTS = { contextWords: 6, maxChars: 700 } as const;

function fold(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Whether the two abstracts say the same words (white space aside). */
export function sameText(a: string, b: string): boolean {
  return fold(a) === fold(b);
}

/** The first `n` words of `text` (with the white space between them), and whether words were left out. */
function headWords(text: string, n: number): { text: string; cut: boolean } {
  const words = text.split(/(\s+)/);
  let kept = 0;
  let i = 0;
  for (; i < words.length && kept < n; i++) if (words[i]?.trim()) kept++;
  const cut = words.slice(i).some((w) => w.trim());
  return { text: words.slice(0, i).join(''), cut };
}

function tailWords(text: string, n: number): { text: string; cut: boolean } {
  const words = text.split(/(\s+)/);
  let kept = 0;
  let i = words.length;
  for (; i > 0 && kept < n; i--) if (words[i - 1]?.trim()) kept++;
  const cut = words.slice(0, i).some((w) => w.trim());
  return { text: words.slice(i).join(''), cut };
}

/**
 * The word diff of `before` → `after`, shortened: every change, `contextWords` unchanged words on each side of it,
 * a gap where more was left out, and a final gap when the budget ran out. Empty when the words are the same.
 */
export function abstractDiff(before: string, after: string, options: DiffOptions = {}): DiffSegment[] {
  const contextWords = options.contextWords ?? DEFAULTS.contextWords;
  const maxChars = options.maxChars ?? DEFAULTS.maxChars;
  const a = fold(before);
  const b = fold(after);
  if (a === b) return [];
  const changes = diffWords(a, b);
  const out: DiffSegment[] = [];
  let used = 0;
  const push = (segment: DiffSegment): boolean => {
    if (segment.change === 'gap') {
      if (out[out.length - 1]?.change !== 'gap') out.push(segment);
      return true;
    }
    if (!segment.text) return true;
    if (used + segment.text.length > maxChars) {
      const room = maxChars - used;
      // A long change is cut at a word, so the reply still shows how it starts.
      if (segment.change !== 'same' && room > 40) {
        const cut = segment.text.slice(0, room).replace(/\s+\S*$/, '');
        out.push({ change: segment.change, text: `${cut}` }, { change: 'gap', text: '' });
      } else push({ change: 'gap', text: '' });
      used = maxChars;
      return false;
    }
    out.push(segment);
    used += segment.text.length;
    return true;
  };
  for (const [i, c] of changes.entries()) {
    const change: DiffSegment['change'] = c.added ? 'added' : c.removed ? 'removed' : 'same';
    if (change !== 'same') {
      if (!push({ change, text: c.value })) break;
      continue;
    }
    const first = i === 0;
    const last = i === changes.length - 1;
    if (first) {
      const tail = tailWords(c.value, contextWords);
      if (tail.cut) push({ change: 'gap', text: '' });
      if (!push({ change, text: tail.text })) break;
      continue;
    }
    if (last) {
      const head = headWords(c.value, contextWords);
      if (!push({ change, text: head.text })) break;
      if (head.cut) push({ change: 'gap', text: '' });
      continue;
    }
    const words = c.value.split(/\s+/).filter(Boolean).length;
    if (words <= 2 * contextWords) {
      if (!push({ change, text: c.value })) break;
      continue;
    }
    const head = headWords(c.value, contextWords);
    const tail = tailWords(c.value, contextWords);
    if (!push({ change, text: head.text })) break;
    push({ change: 'gap', text: '' });
    if (!push({ change, text: tail.text })) break;
  }
  return out;
}

/** The diff as plain text for a prompt or a log: `[-removed-]` and `{+added+}` (git's word-diff notation). */
export function diffAsText(segments: DiffSegment[]): string {
  return segments
    .map((s) =>
      s.change === 'removed'
        ? `[-${s.text.trim()}-]${/\s$/.test(s.text) ? ' ' : ''}`
        : s.change === 'added'
          ? `{+${s.text.trim()}+}${/\s$/.test(s.text) ? ' ' : ''}`
          : s.change === 'gap'
            ? ' … '
            : s.text,
    )
    .join('')
    .replace(/ {2,}/g, ' ')
    .trim();
}
