/**
 * The export API's Atom feed: one `entry` per paper, with the versioned id in `<id>` (http://arxiv.org/abs/2510.26707v1,
 * http://arxiv.org/abs/hep-th/9901001v1), `arxiv:comment`, `arxiv:journal_ref`, `arxiv:primary_category`, categories,
 * authors, and the opensearch counts used for paging. Malformed ids come back as entries whose id is
 * http://arxiv.org/api/errors#… and whose title is "Error"; unknown ids simply yield no entry.
 */
import type { Paper } from '../app/types';
import { tryParseArxivId } from './ids';
import { cleanText } from './text';
import { asArray, attr, child, feedMalformed, parseFeedXml, textOf } from './xml';

export interface AtomFeed {
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  papers: Paper[];
  /** The API's error messages ("incorrect id format for 1234.5678"). */
  errors: string[];
}

function numberOf(node: unknown): number {
  const n = Number(textOf(node));
  return Number.isFinite(n) ? n : 0;
}

function entryToPaper(entry: unknown): Paper | undefined {
  const rawId = textOf(child(entry, 'id')) ?? '';
  const path = /\/abs\/(.+)$/.exec(rawId)?.[1];
  const ref = path ? tryParseArxivId(path) : undefined;
  if (!ref) return undefined;
  const primary = attr(child(entry, 'arxiv:primary_category'), 'term');
  const terms = asArray(child(entry, 'category'))
    .map((c) => attr(c, 'term'))
    .filter((t): t is string => !!t);
  const categories = [...new Set(primary ? [primary, ...terms] : terms)];
  const paper: Paper = {
    id: ref.id,
    version: ref.version ?? 1,
    title: cleanText(textOf(child(entry, 'title'))),
    authors: asArray(child(entry, 'author'))
      .map((a) => cleanText(textOf(child(a, 'name'))))
      .filter(Boolean),
    abstract: cleanText(textOf(child(entry, 'summary'))),
    categories,
  };
  if (primary) paper.primaryCategory = primary;
  const comments = cleanText(textOf(child(entry, 'arxiv:comment')));
  if (comments) paper.comments = comments;
  const journalRef = cleanText(textOf(child(entry, 'arxiv:journal_ref')));
  if (journalRef) paper.journalRef = journalRef;
  const published = textOf(child(entry, 'published'))?.trim();
  if (published) paper.published = published;
  const updated = textOf(child(entry, 'updated'))?.trim();
  if (updated) paper.updated = updated;
  return paper;
}

/** Parses an API answer; throws ArxivDigestError(FeedMalformed) naming `url` when it is not an Atom feed. */
export function parseAtom(xml: string, url: string): AtomFeed {
  const what = `arXiv API answer from ${url}`;
  const feed = child(parseFeedXml(xml, what), 'feed');
  if (!feed || typeof feed !== 'object') throw feedMalformed(what, 'no <feed> element');
  const papers: Paper[] = [];
  const errors: string[] = [];
  for (const entry of asArray(child(feed, 'entry'))) {
    const id = textOf(child(entry, 'id')) ?? '';
    if (/\/api\/errors/.test(id) || textOf(child(entry, 'title'))?.trim() === 'Error') {
      errors.push(cleanText(textOf(child(entry, 'summary'))) || id);
      continue;
    }
    const paper = entryToPaper(entry);
    if (paper) papers.push(paper);
  }
  return {
    totalResults: numberOf(child(feed, 'opensearch:totalResults')),
    startIndex: numberOf(child(feed, 'opensearch:startIndex')),
    itemsPerPage: numberOf(child(feed, 'opensearch:itemsPerPage')),
    papers,
    errors,
  };
}
