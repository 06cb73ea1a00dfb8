/**
 * The seed digest (test/fixtures/seed-digest-2025-10-30.md, the product's target output) read back into our Digest
 * type: real prose at the length a model writes it. `parseSeedDigest` keeps the text exactly (the Markdown archive
 * must reproduce it); `seedChatDigest` is the digest as the pipeline would hold it (model preambles stripped as
 * `clean` does, the TL;DR's themes kept as an overview), for the chat renderers' tests and the preview pictures.
 * `seedProse` gives the LLM stand-in (openai-server `prose: 'seed'`) the seed's text for each field.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { stripPreamble } from '../../src/app/text';
import { type DayOverview, type Digest, emptyUsage, type SelectedPaper } from '../../src/app/types';

export const SEED_DIGEST_TEXT = readFileSync(path.resolve(__dirname, '../fixtures/seed-digest-2025-10-30.md'), 'utf8');

/** Reads the seed digest back into our Digest type, so rendering it must give the seed again. */
export function parseSeedDigest(text: string = SEED_DIGEST_TEXT): Digest {
  const afterFront = text.indexOf('\n---\n', 4) + 5;
  const rest = text.slice(text.indexOf('## TL;DR'));
  const intro = text.slice(afterFront, text.indexOf('## TL;DR')).trim();
  const tldrBlock = rest.slice(0, rest.indexOf('\n---\n\n# '));
  const tldr = tldrBlock
    .replace('## TL;DR', '')
    .replace(/Total papers: \d+ , Selected papers: \d+/, '')
    .trim();
  const papers = rest
    .slice(tldrBlock.length)
    .split(/\n---\n\n(?=# )/)
    .map((s) => s.trim())
    .filter((s) => s.startsWith('# '));
  const selected: SelectedPaper[] = papers.map((block) => {
    const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(block)?.[1] ?? '';
    const link = /\(http:\/\/arxiv\.org\/abs\/(.+?)v(\d+)\)/.exec(block);
    const section = (name: string, next?: string) => {
      const start = block.indexOf(`## ${name}\n`) + name.length + 4;
      const end = next ? block.indexOf(`\n## ${next}\n`) : block.length;
      return block.slice(start, end).trim();
    };
    return {
      id: link?.[1] ?? '',
      version: Number(link?.[2] ?? 1),
      title: /^# (.*)$/m.exec(block)?.[1] ?? '',
      authors: field('Authors').split(', '),
      keywords: field('Keywords').split(', '),
      comments: field('Comments') === 'None' ? undefined : field('Comments'),
      abstract: section('Abstract', 'Summary'),
      summary: section('Summary', 'Critique'),
      critique: section('Critique'),
      categories: ['cs.CL'],
      score: 0.9,
    } as SelectedPaper;
  });
  return {
    name: 'nlp',
    date: '2025-10-30',
    categories: ['cs.CL'],
    totalPapers: 58,
    selected,
    intro,
    tldr,
    usage: emptyUsage(),
    notices: [],
  };
}

/** The seed TL;DR's parts: its sentence, its numbered themes with `*Name* (link) insight` bullets, its insights. */
export function seedOverview(tldr: string): DayOverview {
  const sentence = /\*\*TL;DR:\s*([\s\S]+?)\*\*/.exec(tldr)?.[1]?.trim() ?? '';
  const themes: DayOverview['themes'] = [];
  for (const line of tldr.split('\n')) {
    const theme = /^\d+\.\s+\*\*(.+?):?\*\*/.exec(line);
    if (theme?.[1]) themes.push({ title: theme[1].replace(/:$/, ''), papers: [] });
    const entry = /^\s+-\s+\*(.+?)\*\s+\(https?:\/\/arxiv\.org\/abs\/([^)\s]+)\)\s*(.*)$/.exec(line);
    if (entry?.[1] && entry[2])
      themes.at(-1)?.papers.push({ id: entry[2], shortName: entry[1], insight: entry[3] ?? '' });
  }
  const common = /\*\*Common Insights:\*\*\s*([\s\S]+)$/.exec(tldr)?.[1]?.trim() ?? '';
  return { tldr: sentence, themes, commonInsights: common };
}

/** The seed day as the pipeline would hold it with a model that writes at the seed's length. */
export function seedChatDigest(): Digest {
  const d = parseSeedDigest();
  return {
    ...d,
    overview: seedOverview(d.tldr),
    selected: d.selected.map((p) => ({
      ...p,
      summary: stripPreamble(p.summary),
      critique: stripPreamble(p.critique),
    })),
  };
}

/** Paragraph groups of a text, split into `n` runs of about equal length. */
function thirds(text: string, n = 3): string[] {
  const paras = text.split(/\n\s*\n/).filter((p) => p.trim());
  const total = paras.reduce((k, p) => k + p.length, 0);
  const out: string[][] = [[]];
  let used = 0;
  for (const p of paras) {
    const current = out[out.length - 1] as string[];
    if (current.length && used >= (total / n) * out.length && out.length < n) out.push([p]);
    else current.push(p);
    used += p.length;
  }
  while (out.length < n) out.push([paras.at(-1) ?? 'None.']);
  return out.map((g) => g.join('\n\n'));
}

export interface SeedProse {
  review: {
    contributions: string;
    methods: string;
    results: string;
    strengths: string;
    weaknesses: string;
    overall: string;
    /** Deliberately at the length of the seed's summaries' first paragraph: longer than the schema asks. */
    tldr: string;
  };
  day: { opening: string; tldr: string; commonInsights: string; themes: DayOverview['themes'] };
}

/** The seed's prose for a paper's review fields (its own when it is a seed paper, else the first paper's). */
export function seedProse(id: string): SeedProse {
  const d = parseSeedDigest();
  const paper = d.selected.find((p) => p.id === id) ?? (d.selected[0] as SelectedPaper);
  const [contributions = '', methods = '', results = ''] = thirds(stripPreamble(paper.summary));
  const [strengths = '', weaknesses = '', overall = ''] = thirds(stripPreamble(paper.critique));
  const overview = seedOverview(d.tldr);
  // The summary's opening prose at full length (several sentences): what a model that ignores the limit writes.
  const prose = contributions
    .replace(/^\s*#{1,6} .*$/gm, '')
    .replace(/\*\*/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const cut = prose.slice(0, 900);
  const firstParagraph = cut.length < prose.length ? cut.slice(0, cut.lastIndexOf('. ') + 1) : prose;
  return {
    review: { contributions, methods, results, strengths, weaknesses, overall, tldr: firstParagraph },
    day: { opening: d.intro, tldr: overview.tldr, commonInsights: overview.commonInsights, themes: overview.themes },
  };
}
