/**
 * The digest as Markdown in the seed's shape (shared/seeds/001_fa4bd264b25f4d8a.txt: Jekyll front matter, opening
 * paragraph, TL;DR with the day's counts, then per paper Authors/Keywords/Comments/Paper link/Abstract/Summary/
 * Critique separated by `---`), and as the contract's JSON. These are also the archive files of `--out`.
 */
import type { Config } from '../config/schema';
import { disarmMentions } from '../app/text';
import { roundUsd } from '../llm/pricing';
import { absUrl, type Digest, type Paper, type SelectedPaper } from '../app/types';

export interface RenderOptions {
  config?: Config;
}

/** `cs.CL` + `cs.AI` → `cs_CL_cs_AI`, as in the seed's permalink. */
function categorySlug(categories: string[]): string {
  return categories.map((c) => c.replace(/[^A-Za-z0-9]+/g, '_')).join('_');
}

export function digestSlug(digest: Pick<Digest, 'categories' | 'date' | 'name'>, config?: Config): string {
  const shared = config
    ? config.digests.filter((d) => categorySlug(d.categories) === categorySlug(digest.categories)).length > 1
    : false;
  return `arxiv_${categorySlug(digest.categories)}${shared ? `_${digest.name}` : ''}_${digest.date}_report`;
}

export function archiveFileName(digest: Digest, config?: Config): string {
  return `${digestSlug(digest, config)}.md`;
}

function yamlString(s: string): string {
  return JSON.stringify(s);
}

function frontMatter(digest: Digest, config?: Config): string {
  const prefix = config?.site.permalinkPrefix ?? '/digests/';
  const location = config?.site.location ?? 'Online';
  return [
    '---',
    `title: ${yamlString(`ArXiv Daily Digest on ${digest.date}`)}`,
    'collection: digests',
    `permalink: ${prefix.replace(/\/?$/, '/')}${digestSlug(digest, config)}`,
    `date: ${digest.date}`,
    `location: ${yamlString(location)}`,
    '---',
  ].join('\n');
}

/** A TL;DR body for digests whose pipeline wrote none (no LLM): the selected titles with links. */
function fallbackTldr(selected: SelectedPaper[]): string {
  if (selected.length === 0) return '';
  const lines = selected.map((p, i) => `${i + 1}. *${p.title}* (https://arxiv.org/abs/${p.id})`);
  return `**Selected papers:**\n\n${lines.join('\n')}`;
}

function paperSection(p: SelectedPaper): string {
  const link = absUrl(p);
  const critique = p.critique.trim() ? p.critique.trim() : '_No critique: this digest was built without an LLM._';
  return [
    `# ${p.title}`,
    `Authors: ${p.authors.join(', ')}`,
    `Keywords: ${p.keywords.length ? p.keywords.join(', ') : 'None'}`,
    `Comments: ${p.comments?.trim() ? p.comments.trim() : 'None'}`,
    `Paper link: [${link}](${link})`,
    '## Abstract',
    p.abstract.trim(),
    '## Summary',
    p.summary.trim(),
    '## Critique',
    critique,
  ].join('\n\n');
}

export function renderMarkdown(digest: Digest, opts: RenderOptions = {}): string {
  const head = frontMatter(digest, opts.config);
  if (digest.empty) {
    const body = `No papers were announced on arXiv in ${digest.categories.join(', ')} for ${digest.date} (a weekend or holiday): there is no digest today.`;
    return `${head}\n\n${body}\n`;
  }
  const notices = digest.notices.map((n) => `> ${n}`).join('\n>\n');
  const tldr = digest.tldr.trim() || fallbackTldr(digest.selected);
  const top = [
    head,
    digest.intro.trim(),
    ...(notices ? [notices] : []),
    '## TL;DR',
    `Total papers: ${digest.totalPapers} , Selected papers: ${digest.selected.length}`,
    ...(tldr ? [tldr] : []),
  ]
    .filter((s) => s.length > 0)
    .join('\n\n');
  const papers = digest.selected.map(paperSection);
  return `${disarmMentions([top, ...papers].join('\n\n---\n\n'))}\n`;
}

export interface DigestJson {
  name: string;
  date: string;
  categories: string[];
  totalPapers: number;
  selected: Array<{
    id: string;
    version: number;
    title: string;
    authors: string[];
    categories: string[];
    comments: string | null;
    abstract: string;
    url: string;
    score: number;
    keywords: string[];
    /** Extension of the contract: the paper's two- or three-sentence TL;DR (its chat card's), null without one. */
    tldr: string | null;
    summary: string;
    critique: string;
  }>;
  intro: string;
  tldr: string;
  usage: Digest['usage'] & { estimatedCostUsd: number };
  /** Extensions of the contract: how the digest was built, and whether the day was empty. */
  notices: string[];
  empty: boolean;
}

export function digestToJson(digest: Digest): DigestJson {
  return {
    name: digest.name,
    date: digest.date,
    categories: digest.categories,
    totalPapers: digest.totalPapers,
    selected: digest.selected.map((p) => ({
      id: p.id,
      version: p.version,
      // The paper's own text is as untrusted as the model's: JSON is piped into other bots too.
      title: disarmMentions(p.title),
      authors: p.authors.map(disarmMentions),
      categories: p.categories,
      comments: p.comments?.trim() ? disarmMentions(p.comments) : null,
      abstract: disarmMentions(p.abstract),
      url: absUrl(p),
      score: Math.round(p.score * 1000) / 1000,
      keywords: p.keywords,
      tldr: p.tldr?.trim() ? disarmMentions(p.tldr) : null,
      summary: disarmMentions(p.summary),
      critique: disarmMentions(p.critique),
    })),
    intro: disarmMentions(digest.intro),
    tldr: disarmMentions(digest.tldr),
    // Extension of the contract: the estimated cost in USD of the calls this digest made (llm.pricing).
    usage: { ...digest.usage, estimatedCostUsd: roundUsd(digest.usage.estimatedCostUsd ?? 0) },
    notices: digest.notices.map(disarmMentions),
    empty: !!digest.empty,
  };
}

/** One JSON object on one line, per the contract. */
export function renderJson(digest: Digest): string {
  return JSON.stringify(digestToJson(digest));
}

export function critiqueToMarkdown(paper: Paper, critique: string): string {
  const link = absUrl(paper);
  return `${disarmMentions([`# ${paper.title}`, `Authors: ${paper.authors.join(', ')}`, `Paper link: [${link}](${link})`, '## Critique', critique.trim()].join('\n\n'))}\n`;
}
