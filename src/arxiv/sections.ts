/**
 * A paper's text cut to a budget by what matters for a review, not by position. The text is the one `fulltext.ts`
 * extracts and caches: `# Title`, then `## 4 Experiments` sections (`## Appendix A …` for appendices) with `###`
 * subsections, paragraphs apart, tables as a caption line followed by `cell | cell | cell` rows; a PDF's text has its
 * pages apart (a form feed between them) instead of sections.
 *
 * Within the budget the cut keeps, in this order: the title, the conclusion/limitations and every table of the main
 * sections; then the opening paragraphs of introduction, method and experiments/results (dealt one paragraph per
 * section in turn, so each keeps its head); then the other main sections; related work and appendices last (the
 * references were dropped at extraction). Every cut is marked in place (`[… section 6 "Analysis" omitted …]`), so
 * the model knows the text is incomplete and where. A PDF keeps its first and last pages (where the conclusion lives)
 * and marks the pages left out.
 */
import { truncate } from '../app/text';

export type SectionKind =
  | 'front'
  | 'introduction'
  | 'related'
  | 'method'
  | 'results'
  | 'conclusion'
  | 'appendix'
  | 'other';

export interface Section {
  /** The heading as written after `## ` ("4 Experiments"); none for the front matter. */
  heading?: string;
  kind: SectionKind;
  /** Paragraphs, tables and subsection headings (a `###` heading travels with the block after it). */
  blocks: string[];
}

/** Separates a PDF's pages in the cached text. */
export const PAGE_BREAK = '\f';

const KINDS: Array<[SectionKind, RegExp]> = [
  ['conclusion', /conclu|limitation|summary|closing|future work|broader impact|final remark/i],
  ['related', /related work|prior work|background|literature|previous work/i],
  ['introduction', /introduc|overview|motivation/i],
  ['results', /experiment|result|evaluat|benchmark|empirical|ablation|finding|performance|comparison/i],
  [
    'method',
    /method|approach|model|framework|architecture|algorithm|design|formulation|preliminar|setup|problem|proposed|training|data/i,
  ],
];

/** What kind of section a heading names ("5 Conclusion and Limitations" → conclusion). */
export function classify(heading: string): SectionKind {
  if (/^\s*appendi(x|ces)\b/i.test(heading)) return 'appendix';
  for (const [kind, re] of KINDS) if (re.test(heading)) return kind;
  return 'other';
}

/** The text's sections: the front matter (title and what precedes the first `##`), then one per `##` heading. */
export function splitSections(text: string): Section[] {
  const sections: Section[] = [{ kind: 'front', blocks: [] }];
  let inAppendix = false;
  let pendingHeading: string | undefined;
  for (const raw of text.split(/\n{2,}/)) {
    const block = raw.trim();
    if (!block) continue;
    const h2 = /^## (.+)$/.exec(block);
    if (h2 && !block.includes('\n')) {
      const heading = (h2[1] ?? '').trim();
      let kind = classify(heading);
      // Everything after the first appendix is appendix, whatever its title says ("B Additional results").
      if (kind === 'appendix') inAppendix = true;
      else if (inAppendix) kind = 'appendix';
      if (pendingHeading) sections[sections.length - 1]?.blocks.push(pendingHeading);
      pendingHeading = undefined;
      sections.push({ heading, kind, blocks: [] });
      continue;
    }
    if (/^#{3,6} /.test(block) && !block.includes('\n')) {
      pendingHeading = pendingHeading ? `${pendingHeading}\n\n${block}` : block;
      continue;
    }
    const current = sections[sections.length - 1] as Section;
    current.blocks.push(pendingHeading ? `${pendingHeading}\n\n${block}` : block);
    pendingHeading = undefined;
  }
  if (pendingHeading) sections[sections.length - 1]?.blocks.push(pendingHeading);
  return sections;
}

/** A block of `cell | cell` rows (a table), as opposed to prose. */
export function isTable(block: string): boolean {
  return block.split('\n').filter((line) => line.includes(' | ')).length >= 2;
}

/** `4 Experiments` → `section 4 "Experiments"`; `Appendix A Proofs` → `appendix A "Proofs"`. */
function nameOf(section: Section): string {
  const heading = section.heading ?? '';
  const appendix = /^appendi(?:x|ces)\s+([A-Z](?:\.\d+)*)\s*(.*)$/i.exec(heading);
  if (appendix) return `appendix ${appendix[1]}${appendix[2] ? ` "${appendix[2]}"` : ''}`;
  const numbered = /^((?:\d+|[A-Z])(?:\.\d+)*)\.?\s+(.+)$/.exec(heading);
  if (numbered) return `${section.kind === 'appendix' ? 'appendix' : 'section'} ${numbered[1]} "${numbered[2]}"`;
  return `${section.kind === 'appendix' ? 'appendix' : 'section'} "${heading}"`;
}

/** Priority tiers: lower is kept first. */
function tierOf(section: Section, block: string): number {
  switch (section.kind) {
    case 'front':
    case 'conclusion':
      return 0;
    case 'introduction':
    case 'method':
    case 'results':
      return isTable(block) ? 0 : 1;
    case 'other':
      return isTable(block) ? 0 : 2;
    default:
      return 3;
  }
}

/** Which blocks of which sections fit in `budget` characters, by tier; within a tier, one block per section in turn. */
function choose(sections: Section[], budget: number): Set<string>[] {
  const kept = sections.map(() => new Set<string>());
  let used = 0;
  for (let tier = 0; tier <= 3; tier++) {
    // Per section, the blocks of this tier in reading order; a section stops at its first block that does not fit,
    // so what is kept of it is its head, not scattered paragraphs.
    const queues = sections.map((s) => s.blocks.map((b, i) => ({ b, i })).filter(({ b }) => tierOf(s, b) === tier));
    const stopped = new Set<number>();
    for (let round = 0; queues.some((q, s) => !stopped.has(s) && q.length > round); round++) {
      queues.forEach((q, s) => {
        const item = q[round];
        if (!item || stopped.has(s)) return;
        // Tables are kept whole or not at all, and a table that does not fit does not stop the prose around it.
        const cost = item.b.length + 2;
        if (used + cost <= budget) {
          used += cost;
          kept[s]?.add(`${item.i}`);
        } else if (!isTable(item.b)) stopped.add(s);
      });
    }
  }
  return kept;
}

function render(sections: Section[], kept: Set<string>[]): string {
  const out: string[] = [];
  sections.forEach((section, s) => {
    const keep = kept[s] ?? new Set<string>();
    if (section.kind !== 'front' && keep.size === 0) {
      if (section.blocks.length > 0 || section.heading) out.push(`[… ${nameOf(section)} omitted …]`);
      return;
    }
    if (section.heading) out.push(`## ${section.heading}`);
    let skipped = 0;
    const flushSkipped = () => {
      if (skipped === 0) return;
      const what = skipped === 1 ? '1 paragraph' : `${skipped} paragraphs`;
      out.push(section.heading ? `[… ${what} of ${nameOf(section)} omitted …]` : `[… ${what} omitted …]`);
      skipped = 0;
    };
    section.blocks.forEach((block, i) => {
      if (keep.has(`${i}`)) {
        flushSkipped();
        out.push(block);
      } else skipped += 1;
    });
    flushSkipped();
  });
  return out.join('\n\n');
}

/** A PDF's text: the first pages, then the last ones (the conclusion), the pages between marked as omitted. */
function fitPages(pages: string[], maxChars: number): string {
  const all = pages.map((p) => p.trim()).filter(Boolean);
  const joined = all.join('\n\n');
  if (joined.length <= maxChars) return joined;
  const marker = (from: number, to: number) =>
    from === to ? `[… page ${from} omitted …]` : `[… pages ${from}–${to} omitted …]`;
  const room = maxChars - 40;
  let head = 0;
  let used = 0;
  // The head takes up to 55% of the budget, the tail the rest, then the head whatever the tail left.
  while (head < all.length && used + (all[head]?.length ?? 0) + 2 <= room * 0.55)
    used += (all[head++]?.length ?? 0) + 2;
  let tail = all.length;
  while (tail > head && used + (all[tail - 1]?.length ?? 0) + 2 <= room) used += (all[--tail]?.length ?? 0) + 2;
  while (head < tail && used + (all[head]?.length ?? 0) + 2 <= room) used += (all[head++]?.length ?? 0) + 2;
  const parts = all.slice(0, head);
  if (head < tail) {
    // Part of the next page fits: cut it at a paragraph, marked.
    const partial = room - used - 60;
    if (partial > 400) parts.push(truncate(all[head] ?? '', partial, `\n\n[… the rest of page ${head + 1} omitted …]`));
    const from = partial > 400 ? head + 2 : head + 1;
    if (from <= tail) parts.push(marker(from, tail));
  }
  parts.push(...all.slice(tail));
  return parts.join('\n\n');
}

/**
 * `text` within `maxChars`: whole when it fits; else cut by section priority (HTML) or pages (PDF), every cut
 * marked where it was made.
 */
export function fitToBudget(text: string, maxChars: number): string {
  if (text.includes(PAGE_BREAK)) return fitPages(text.split(PAGE_BREAK), maxChars);
  if (text.length <= maxChars) return text;
  const sections = splitSections(text);
  if (sections.length < 2) return truncate(text, maxChars, '\n\n[… the rest of the text omitted …]');
  // Markers take room too: shrink the budget by what the first rendering overshot, until it fits.
  let budget = maxChars;
  for (let i = 0; i < 6; i++) {
    const out = render(sections, choose(sections, budget));
    if (out.length <= maxChars) return out;
    budget -= out.length - maxChars + 16;
  }
  return truncate(render(sections, choose(sections, budget)), maxChars);
}
