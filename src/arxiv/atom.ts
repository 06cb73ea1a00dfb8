/**
 * The export API's Atom feed: one `entry` per paper, with the versioned id in `<id>` (http://arxiv.org/abs/2510.26707v1,
 * http://arxiv.org/abs/hep-th/9901001v1), `arxiv:comment`, `arxiv:journal_ref`, `arxiv:primary_category`, categories,
 * authors, and the opensearch counts used for paging. Malformed ids come back as entries whose id is
 * http://arxiv.org/api/errors#… and whose title is "Error"; unknown ids simply yield no entry.
 * Read as a stream (FeedReader): a 2,000-entry answer is parsed as it arrives, one entry held at a time.
 */
import type { SaxesTagPlain } from 'saxes';
import type { Paper } from '../app/types';
import { tryParseArxivId } from './ids';
import { cleanText } from './text';
import { FeedReader, feedMalformed } from './xml';

export interface AtomFeed {
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  papers: Paper[];
  /** The API's error messages ("incorrect id format for 1234.5678"). */
  errors: string[];
}

/** The text of an entry's fields as read (undefined: absent; the first one when repeated). */
interface RawEntry {
  id?: string;
  title?: string;
  summary?: string;
  comment?: string;
  journalRef?: string;
  published?: string;
  updated?: string;
  primary?: string;
  terms: string[];
  authors: string[];
}

function numberOf(text: string | undefined): number {
  const n = Number(text);
  return Number.isFinite(n) ? n : 0;
}

function entryToPaper(entry: RawEntry): Paper | undefined {
  const path = /\/abs\/(.+)$/.exec(entry.id ?? '')?.[1];
  const ref = path ? tryParseArxivId(path) : undefined;
  if (!ref) return undefined;
  const primary = entry.primary;
  const categories = [...new Set(primary ? [primary, ...entry.terms] : entry.terms)];
  const paper: Paper = {
    id: ref.id,
    version: ref.version ?? 1,
    title: cleanText(entry.title),
    authors: entry.authors.map((a) => cleanText(a)).filter(Boolean),
    abstract: cleanText(entry.summary),
    categories,
  };
  if (primary) paper.primaryCategory = primary;
  const comments = cleanText(entry.comment);
  if (comments) paper.comments = comments;
  const journalRef = cleanText(entry.journalRef);
  if (journalRef) paper.journalRef = journalRef;
  if (entry.published) paper.published = entry.published;
  if (entry.updated) paper.updated = entry.updated;
  return paper;
}

const ENTRY_FIELDS: Record<string, keyof Omit<RawEntry, 'terms' | 'authors'>> = {
  id: 'id',
  title: 'title',
  summary: 'summary',
  'arxiv:comment': 'comment',
  'arxiv:journal_ref': 'journalRef',
  published: 'published',
  updated: 'updated',
};
const COUNTS = new Set(['opensearch:totalResults', 'opensearch:startIndex', 'opensearch:itemsPerPage']);

/** An export API answer read chunk by chunk (`write`, then `end`); errors are FeedMalformed naming the URL. */
export class AtomParser extends FeedReader {
  private sawFeed = false;
  private entry: RawEntry | undefined;
  private readonly counts = new Map<string, string>();
  private readonly papers: Paper[] = [];
  private readonly errors: string[] = [];

  constructor(url: string) {
    super(`arXiv API answer from ${url}`);
  }

  end(): AtomFeed {
    this.closeXml();
    if (!this.sawFeed) throw feedMalformed(this.what, 'no <feed> element');
    return {
      totalResults: numberOf(this.counts.get('opensearch:totalResults')),
      startIndex: numberOf(this.counts.get('opensearch:startIndex')),
      itemsPerPage: numberOf(this.counts.get('opensearch:itemsPerPage')),
      papers: this.papers,
      errors: this.errors,
    };
  }

  protected open(tag: SaxesTagPlain, depth: number): void {
    if (depth === 0) {
      this.sawFeed = tag.name === 'feed';
      return;
    }
    if (this.path[0] !== 'feed') return;
    const name = tag.name;
    if (depth === 1) {
      if (name === 'entry') this.entry = { terms: [], authors: [] };
      else if (COUNTS.has(name)) this.collect();
      return;
    }
    const entry = this.entry;
    if (!entry) return;
    if (depth === 2) {
      if (name in ENTRY_FIELDS) this.collect();
      else if (name === 'arxiv:primary_category') entry.primary ??= tag.attributes.term || undefined;
      else if (name === 'category' && tag.attributes.term) entry.terms.push(tag.attributes.term);
    } else if (depth === 3 && name === 'name' && this.path[2] === 'author') {
      this.collect();
    }
  }

  protected close(name: string, depth: number, text: string | undefined): void {
    if (this.path[0] !== 'feed') return;
    if (depth === 1) {
      if (name === 'entry' && this.entry) {
        const entry = this.entry;
        this.entry = undefined;
        this.finishEntry(entry);
      } else if (text !== undefined && !this.counts.has(name)) {
        this.counts.set(name, text);
      }
      return;
    }
    const entry = this.entry;
    if (!entry || text === undefined) return;
    const field = depth === 2 ? ENTRY_FIELDS[name] : undefined;
    if (field) entry[field] ??= text;
    else if (depth === 3 && name === 'name') entry.authors.push(text);
  }

  private finishEntry(entry: RawEntry): void {
    const id = entry.id ?? '';
    if (/\/api\/errors/.test(id) || entry.title === 'Error') {
      this.errors.push(cleanText(entry.summary) || id);
      return;
    }
    const paper = entryToPaper(entry);
    if (paper) this.papers.push(paper);
  }
}

/** Parses a whole API answer; throws ArxivDigestError(FeedMalformed) naming `url` when it is not an Atom feed. */
export function parseAtom(xml: string, url: string): AtomFeed {
  const parser = new AtomParser(url);
  parser.write(xml);
  return parser.end();
}
