/**
 * What a member asked, read out of what they typed: which paper (an arXiv id or URL anywhere in it, or its number
 * in the digest as `#2` / `paper 2`), and the question itself. The question is the member's words, kept as typed
 * (trimmed, at most MAX_QUESTION_CHARS) for the prompt; its normalized form (case, white space and punctuation
 * folded) is what identifies the answer in the cache, so "What dataset?" and "  what DATASET " share one answer.
 */
import { type ArxivId, tryParseArxivId } from '../arxiv/ids';

/** Longer questions are cut: a question, not a document (the prompt's cost is the paper, not this). */
export const MAX_QUESTION_CHARS = 500;

/** Which paper a question names: by arXiv id, or by its number in the digest's thread. */
export type PaperRef = { kind: 'id'; ref: ArxivId } | { kind: 'index'; index: number };

export interface ParsedQuestion {
  paper?: PaperRef;
  /** The question without the paper reference, trimmed and cut to MAX_QUESTION_CHARS; may be empty. */
  question: string;
}

/**
 * `2510.26707`, `2510.26707v2`, `hep-th/9901001`, an arXiv URL, in plain text (a platform's link markup, such as
 * Slack's `<url|label>`, is its adapter's to unwrap before the text gets here).
 */
const ID_TOKEN =
  /(?:https?:\/\/(?:www\.|export\.)?arxiv\.org\/(?:abs|pdf|html)\/)?(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?\/\d{7})(?:v\d+)?(?:\.pdf)?/i;
/** `#2`, `paper 2`, `paper #2`, `no. 2` at the start of the text (a number elsewhere is part of the question). */
const INDEX_AT_START = /^\s*(?:#\s*(\d{1,3})|(?:paper|no\.?|number)\s*#?\s*(\d{1,3}))\b[\s:,.-]*/i;

/** Reads the paper reference and the question out of what the member typed. */
export function parseQuestion(text: string): ParsedQuestion {
  let rest = text.replace(/\s+/g, ' ').trim();
  let paper: PaperRef | undefined;
  const index = INDEX_AT_START.exec(rest);
  if (index) {
    const n = Number(index[1] ?? index[2]);
    if (n >= 1) {
      paper = { kind: 'index', index: n };
      rest = rest.slice(index[0].length);
    }
  }
  if (!paper) {
    const id = ID_TOKEN.exec(rest);
    const ref = id ? tryParseArxivId(id[0]) : undefined;
    if (id && ref) {
      paper = { kind: 'id', ref };
      rest = `${rest.slice(0, id.index)} ${rest.slice(id.index + id[0].length)}`
        .replace(/^\s*(?:about|on|re|for)?\s*[:,.-]?\s*/i, '')
        .trim();
    }
  }
  return { ...(paper ? { paper } : {}), question: cutQuestion(rest.trim()) };
}

/** At most MAX_QUESTION_CHARS, cut at a word. */
function cutQuestion(q: string): string {
  if (q.length <= MAX_QUESTION_CHARS) return q;
  const head = q.slice(0, MAX_QUESTION_CHARS);
  const cut = head.lastIndexOf(' ');
  return (cut > MAX_QUESTION_CHARS * 0.6 ? head.slice(0, cut) : head).trimEnd();
}

/**
 * The question's identity in the cache: Unicode-normalized (NFKC), lower-cased, every run of punctuation, symbols
 * and white space one space, trimmed. "What dataset?" = "  what   DATASET " = "What, dataset!".
 */
export function normalizeQuestion(question: string): string {
  return question
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
