/**
 * What a digest looks like in chat, whatever the platform: the sizes a member reads at a glance and the
 * platform-neutral pieces every renderer lays out. A digest in chat is one parent message (the day's opening in a
 * few sentences, the TL;DR's themes with their papers linked, the counts, how to vote and ask) and, per paper, a
 * short card (title, authors, keywords, ids, a two- or three-sentence TL;DR, the vote hint) followed in the thread
 * by the long text (abstract, summary, critique). The Markdown archive keeps the seed's full shape.
 */
import type { DayOverview, Digest, Paper, SelectedPaper } from '../app/types';
import type { DiffSegment, FollowMention } from './types';

export const CHAT_LAYOUT = {
  /** Characters a member sees in the parent message (Slack: one screen). */
  parentVisible: 3000,
  /** Characters a member sees in a paper's card. */
  cardVisible: 1500,
  /** The day's opening in chat: sentences and characters (the prompt asks for 2 or 3 sentences). */
  openingSentences: 3,
  openingChars: 600,
  /** A paper's TL;DR on its card (the review schema asks for 2 or 3 sentences, at most 350 characters). */
  tldrSentences: 3,
  tldrChars: 450,
  /** Authors named on a card before "… and N others". */
  authorsShown: 5,
  /**
   * Messages one paper may take in a thread: its card and the long text after it (Slack 2, Discord 3 at the seed
   * digest's length; the model's fields are bounded in src/llm/bounds.ts). Parts past it are not sent.
   */
  paperMessages: 4,
} as const;

/** The rendered parts of one logical message within what the layout allows it (a paper: `paperMessages`). */
export function boundedParts<T>(kind: string, rendered: T[]): T[] {
  return kind === 'paper' ? rendered.slice(0, CHAT_LAYOUT.paperMessages) : rendered;
}

/** Words that end in a period without ending a sentence. */
const ABBREVIATIONS =
  /(?:\b(?:e\.g|i\.e|et al|etc|vs|cf|Fig|Figs|Eq|Eqs|Sec|Tab|No|approx|resp|Dr|Mr|Ms|Prof|St|Jr|Inc|Ltd)|\b[A-Z])\.$/;

/** The sentences of a text (whitespace collapsed), split after . ! ? (and a closing quote or bracket) before a capital. */
export function sentences(text: string): string[] {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (!flat) return [];
  const out: string[] = [];
  let start = 0;
  const end = /[.!?…]["'”’)\]*_]*\s+(?=["'“‘([*_]*[A-Z0-9])/g;
  for (let m = end.exec(flat); m; m = end.exec(flat)) {
    const candidate = flat.slice(start, m.index + m[0].trimEnd().length);
    if (ABBREVIATIONS.test(candidate.replace(/["'”’)\]*_]+$/, ''))) continue;
    out.push(candidate.trim());
    start = m.index + m[0].length;
  }
  const rest = flat.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}

/** Cuts at a word boundary to at most `max` characters, ending with "…". */
function cutWords(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = text.slice(0, Math.max(0, max - 1));
  const space = head.lastIndexOf(' ');
  return `${(space > max * 0.5 ? head.slice(0, space) : head).replace(/[\s,;:–—-]+$/, '')}…`;
}

/**
 * The leading sentences of `text` within `maxSentences` and `maxChars`, whitespace collapsed. When anything is left
 * out the text ends with "…": after the last whole sentence, or inside the first when even it is too long.
 */
export function clipSentences(text: string, limits: { maxSentences?: number; maxChars: number }): string {
  const all = sentences(text);
  const maxSentences = limits.maxSentences ?? Number.POSITIVE_INFINITY;
  const kept: string[] = [];
  let length = 0;
  for (const s of all) {
    const next = length + (kept.length ? 1 : 0) + s.length;
    // Room for the " …" that marks a cut.
    const room = kept.length + 1 < all.length ? limits.maxChars - 2 : limits.maxChars;
    if (kept.length >= maxSentences || next > room) break;
    kept.push(s);
    length = next;
  }
  if (kept.length === all.length) return kept.join(' ');
  if (kept.length === 0) return cutWords(all[0] ?? '', limits.maxChars);
  return `${kept.join(' ')} …`;
}

/** "A, B, C, D, E, … and 12 others": every author when there are at most `shown` + 1. */
export function shortAuthors(authors: string[], shown: number = CHAT_LAYOUT.authorsShown): string {
  const names = authors.map((a) => a.replace(/\s+/g, ' ').trim()).filter(Boolean);
  if (names.length <= shown + 1) return names.join(', ');
  const others = names.length - shown;
  return `${names.slice(0, shown).join(', ')}, … and ${others} others`;
}

/**
 * The summary's opening prose: its first paragraph that is neither a heading, a label, a list nor a chat preamble,
 * with a leading bold label ("**Key Contributions:**") taken off.
 */
function leadProse(summary: string): string {
  for (const raw of summary.split(/\n\s*\n|\n(?=\*\*[^*\n]+:\*\*\s*$)/m)) {
    const para = raw
      .trim()
      .replace(/^\*\*[^*\n]+:?\*\*:?\s*\n?/, '')
      .replace(/^#{1,6}\s+.*\n?/, '')
      .trim();
    if (para.length < 80 || /^([-*•]|\d+\.)\s/.test(para)) continue;
    if (/^(of course|certainly|sure|here is|here's|based on the provided)/i.test(para)) continue;
    return para.replace(/\*\*|__/g, '');
  }
  return '';
}

/** A paper's TL;DR for its card: the model's, else the summary's or the abstract's first sentences; bounded. */
export function cardTldr(paper: Pick<SelectedPaper, 'tldr' | 'summary' | 'abstract' | 'critique'>): string {
  const limits = { maxSentences: CHAT_LAYOUT.tldrSentences, maxChars: CHAT_LAYOUT.tldrChars };
  if (paper.tldr?.trim()) return clipSentences(paper.tldr, limits);
  // Without an LLM the summary is the abstract's first sentences; with one it opens with the contributions.
  const source = leadProse(paper.summary) || paper.abstract;
  return clipSentences(source, { ...limits, maxSentences: 2 });
}

/** The day's opening as chat shows it: its first sentences. */
export function chatOpening(intro: string): string {
  return clipSentences(intro, { maxSentences: CHAT_LAYOUT.openingSentences, maxChars: CHAT_LAYOUT.openingChars });
}

/** The TL;DR sentence of a Markdown TL;DR body ("**TL;DR: …**"), when it has one. */
function tldrSentence(markdown: string): string {
  const m = /^\s*\*\*\s*TL;?DR:?\s*([\s\S]+?)\*\*\s*$/im.exec(markdown.split('\n\n')[0] ?? '');
  return m?.[1]?.trim() ?? '';
}

/**
 * The day's TL;DR as parts to lay out: the LLM's themes when the digest has them, else (no LLM, or a digest built
 * before themes were kept) one theme listing every selected paper by its title.
 */
export function dayOverview(digest: Pick<Digest, 'overview' | 'tldr' | 'selected'>): DayOverview {
  const selectedIds = new Set(digest.selected.map((p) => p.id));
  if (digest.overview) {
    const themes = digest.overview.themes
      .map((t) => ({ ...t, papers: t.papers.filter((p) => selectedIds.has(p.id)) }))
      .filter((t) => t.papers.length > 0);
    if (themes.length > 0) return { ...digest.overview, themes };
  }
  return {
    tldr: tldrSentence(digest.tldr),
    themes: digest.selected.length
      ? [
          {
            title: 'Selected papers',
            papers: digest.selected.map((p) => ({
              id: p.id,
              shortName: p.title.replace(/\s+/g, ' ').trim(),
              insight: '',
            })),
          },
        ]
      : [],
    commonInsights: '',
  };
}

/** The selected paper a theme entry names, for its versioned link and number. */
export function themePaper(
  digest: Pick<Digest, 'selected'>,
  id: string,
): { paper: SelectedPaper; index: number } | undefined {
  const index = digest.selected.findIndex((p) => p.id === id);
  const paper = digest.selected[index];
  return paper ? { paper, index } : undefined;
}

/** The exploration line of a paper's card (plain text: renderers escape it as they escape titles). */
export function becauseLine(because: Array<Pick<Paper, 'id' | 'title'>>): string {
  const titles = because.map((p) => `“${p.title.replace(/\s+/g, ' ').trim().slice(0, 90)}”`);
  return titles.length
    ? `Exploring: because you voted for ${titles.join(' and ')}`
    : 'Exploring: like papers you voted for';
}

/** Followers named on a card, at most; the rest are counted ("and 3 more follow it"). */
export const CARD_FOLLOWERS_SHOWN = 10;
/** Characters of a card's follow line (mentions shown as names of about 20), so the card stays within its size. */
export const CARD_FOLLOW_CHARS = 400;
/** Characters of one follower's reason. */
const REASON_CHARS = 120;

/**
 * Why a member is mentioned on a card, after their mention (plain text: renderers escape it as they escape titles):
 * "you follow Yann LeCun", "you follow the topic “diffusion models”", "you follow Yann LeCun and the topic “RL”".
 */
export function followReason(f: Pick<FollowMention, 'authors' | 'topics'>): string {
  const clip = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 80);
  const what = [...f.authors.slice(0, 3).map(clip), ...f.topics.slice(0, 2).map((t) => `the topic “${clip(t)}”`)];
  const text = `you follow ${what.length > 1 ? `${what.slice(0, -1).join(', ')} and ${what[what.length - 1]}` : (what[0] ?? 'this')}`;
  return text.length > REASON_CHARS ? `${text.slice(0, REASON_CHARS - 1).trimEnd()}…` : text;
}

/**
 * The followers a card names and mentions (within CARD_FOLLOWERS_SHOWN and CARD_FOLLOW_CHARS, in order), and how many
 * more follow it. `mentionable` says which ids the platform can mention; the others are left out.
 */
export function cardFollowers(
  followers: FollowMention[],
  mentionable: (userId: string) => boolean,
): { shown: Array<{ follower: FollowMention; reason: string }>; more: number } {
  const valid = followers.filter((f) => mentionable(f.userId));
  const shown: Array<{ follower: FollowMention; reason: string }> = [];
  let used = 0;
  for (const follower of valid) {
    const reason = followReason(follower);
    const size = 20 + reason.length;
    if (shown.length >= CARD_FOLLOWERS_SHOWN || (shown.length > 0 && used + size > CARD_FOLLOW_CHARS)) break;
    shown.push({ follower, reason });
    used += size;
  }
  return { shown, more: valid.length - shown.length };
}

/** The heading of the "Also from people you follow" message. */
export const ALSO_FOLLOWED_HEADING = 'Also from people you follow';

/** How one platform's Markdown marks a word diff: its escaping and its removed/added markers. */
export interface DiffMarks {
  /** Outside text made safe and literal in the platform's Markdown. */
  escape: (text: string) => string;
  /** A changed run's escaped text made safe inside the markers (e.g. the markers' own characters replaced). */
  inside?: (text: string) => string;
  removed: string;
  added: string;
}

/**
 * The abstract's word diff in a platform's Markdown: removed words struck through, added words emphasized, " … " for
 * what was left out. Two changes side by side ("~3~*5*") would not render: a space goes between them.
 */
export function markedDiff(segments: DiffSegment[], marks: DiffMarks): string {
  return segments
    .map((s, i) => {
      const prev = segments[i - 1];
      const pad =
        prev &&
        prev.change !== 'same' &&
        prev.change !== 'gap' &&
        s.change !== 'same' &&
        !/\s$/.test(prev.text) &&
        !/^\s/.test(s.text)
          ? ' '
          : '';
      if (s.change === 'gap') return ' … ';
      const text = marks.escape(s.text);
      if (s.change === 'same') return text;
      const m = /^(\s*)([\s\S]*?)(\s*)$/.exec(text);
      const core = (marks.inside ?? ((t: string) => t))(m?.[2] ?? '');
      if (!core) return text;
      const mark = s.change === 'removed' ? marks.removed : marks.added;
      return `${pad}${m?.[1] ?? ''}${mark}${core}${mark}${m?.[3] ?? ''}`;
    })
    .join('')
    .replace(/ {2,}/g, ' ')
    .trim();
}
