/**
 * The day's opening paragraph and TL;DR, written by the LLM from the selected papers' key contributions and results
 * (so it can speak of what the papers found, and is told to claim nothing beyond them), rendered
 * into the seed's shape: a bold one-line TL;DR, "Key Themes & Insights" as numbered themes with
 * `*Short name* (https://arxiv.org/abs/ID)` bullets, and "Common Insights". Ids in the answer are checked: a theme
 * entry about a paper that was not selected is dropped.
 */
import { z } from 'zod';
import type { DayOverview, SelectedPaper } from '../app/types';
import { matchIds } from './ids';
import { clean } from './review';

/**
 * How long the day's parts may be: the chat's parent message shows them whole on one screen (src/chat/layout.ts).
 * Asked for in the schema's descriptions (which reach the model) and in the prompt; not enforced by validation (an
 * overrun would pay for a second answer): the chat renderers cut an overrun at a sentence with "…".
 */
export const DAY_LIMITS = { openingChars: 500, tldrChars: 200, insightChars: 140, commonChars: 300 } as const;

export const daySchema = z.object({
  opening: z
    .string()
    .min(1)
    .describe(`2 or 3 sentences, at most ${DAY_LIMITS.openingChars} characters: the day's research landscape`),
  tldr: z.string().min(1).describe(`one sentence, at most ${DAY_LIMITS.tldrChars} characters`),
  themes: z
    .array(
      z.object({
        title: z.string().min(1).describe('2 to 6 words'),
        papers: z.array(
          z.object({
            id: z.string(),
            shortName: z.string().describe('2 to 4 words'),
            insight: z.string().describe(`one line, at most ${DAY_LIMITS.insightChars} characters`),
          }),
        ),
      }),
    )
    .min(1),
  commonInsights: z.string().min(1).describe(`2 sentences, at most ${DAY_LIMITS.commonChars} characters`),
});
export type DayAnswer = z.infer<typeof daySchema>;

export const DAY_MAX_TOKENS = 1500;
/** Characters of each paper's key contributions and of its results that the day prompt sees. */
const SUMMARY_CHARS = 900;
const RESULTS_CHARS = 600;

/** Papers are linked to arxiv.org, not to ARXIV_WEB_URL: links are for people. */
export function paperLink(id: string): string {
  return `https://arxiv.org/abs/${id}`;
}

function cut(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

function contributionsOf(p: SelectedPaper): string {
  const m = /\*\*Key Contributions:\*\*\s*\n([\s\S]*?)(?:\n\n\*\*Methods:\*\*|$)/.exec(p.summary);
  return cut(m?.[1] ?? p.summary, SUMMARY_CHARS);
}

function resultsOf(p: SelectedPaper): string | undefined {
  const m = /\*\*Results:\*\*\s*\n([\s\S]*)$/.exec(p.summary);
  return m?.[1]?.trim() ? cut(m[1], RESULTS_CHARS) : undefined;
}

/** Each paper as "[ID] Title", its key contributions and, when its review has them, its results. */
export function formatDayPapers(selected: SelectedPaper[]): string {
  return selected
    .map((p) => {
      const results = resultsOf(p);
      return `[${p.id}] ${p.title.replace(/\s+/g, ' ').trim()}\nContributions: ${contributionsOf(p)}${results ? `\nResults: ${results}` : ''}`;
    })
    .join('\n\n');
}

/** The TL;DR body (no "## TL;DR" heading, no counts: the renderer adds those). */
export function renderTldr(answer: DayAnswer, selected: SelectedPaper[]): string {
  const asked = selected.map((p) => p.id);
  const tldr = clean(answer.tldr)
    .replace(/^\**\s*TL;?DR:?\s*/i, '')
    .replace(/\*+$/, '')
    .trim();
  const themes: string[] = [];
  for (const theme of answer.themes) {
    const { found } = matchIds(asked, theme.papers);
    if (found.size === 0) continue;
    const bullets = [...found.entries()].map(
      ([id, p]) =>
        `   - *${clean(p.shortName).replace(/\*/g, '') || id}* (${paperLink(id)}) ${clean(p.insight).replace(/\n+/g, ' ')}`,
    );
    themes.push(
      `${themes.length + 1}. **${clean(theme.title).replace(/\*/g, '').replace(/:$/, '')}:**\n${bullets.join('\n')}`,
    );
  }
  const parts = [`**TL;DR: ${tldr}**`];
  if (themes.length) parts.push(`**Key Themes & Insights:**\n\n${themes.join('\n\n')}`);
  parts.push(`**Common Insights:** ${clean(answer.commonInsights).replace(/\n+/g, ' ')}`);
  return parts.join('\n\n');
}

/** The TL;DR's parts for chat layouts: the same cleaned text and checked ids as the Markdown TL;DR. */
export function dayOverview(answer: DayAnswer, selected: SelectedPaper[]): DayOverview {
  const asked = selected.map((p) => p.id);
  const flat = (s: string) => clean(s).replace(/\s+/g, ' ').trim();
  const themes: DayOverview['themes'] = [];
  for (const theme of answer.themes) {
    const { found } = matchIds(asked, theme.papers);
    if (found.size === 0) continue;
    themes.push({
      title: flat(theme.title).replace(/\*/g, '').replace(/:$/, ''),
      papers: [...found.entries()].map(([id, p]) => ({
        id,
        shortName: flat(p.shortName).replace(/\*/g, '') || id,
        insight: flat(p.insight),
      })),
    });
  }
  return {
    tldr: flat(answer.tldr)
      .replace(/^\**\s*TL;?DR:?\s*/i, '')
      .replace(/\*+$/, '')
      .trim(),
    themes,
    commonInsights: flat(answer.commonInsights),
  };
}

/** The TL;DR without an LLM: the selected papers with their links. */
export function plainTldr(selected: SelectedPaper[]): string {
  if (selected.length === 0) return '';
  const lines = selected.map((p, i) => `${i + 1}. *${p.title.replace(/\s+/g, ' ').trim()}* (${paperLink(p.id)})`);
  return `**Selected papers:**\n\n${lines.join('\n')}`;
}

/** The opening paragraph without an LLM: what was read and how the papers were picked. */
export function plainIntro(opts: {
  date: string;
  categories: string[];
  total: number;
  selected: number;
  how: 'text similarity' | 'the ranking';
}): string {
  const papers = (n: number) => `${n} paper${n === 1 ? '' : 's'}`;
  const picked =
    opts.selected === 0
      ? 'none of them matched the digest’s interests closely enough to be selected.'
      : `${opts.selected === 1 ? 'this one is' : `these ${opts.selected} are`} the closest to the digest’s interests by ${opts.how}.`;
  return `arXiv announced ${papers(opts.total)} in ${opts.categories.join(', ')} on ${opts.date}; ${picked}`;
}
