/**
 * rss.arxiv.org's feed (RSS 2.0 with the `arxiv:` and `dc:` namespaces): one item per announced paper, carrying the
 * versioned id in `guid` (oai:arXiv.org:2510.26707v1), the announce type, categories, authors in `dc:creator` and the
 * abstract behind an "arXiv:… Announce Type: … Abstract:" prefix. The channel's pubDate dates the announcement.
 * No comment and no primary category: those come from the export API.
 *
 * Read as a stream (saxes, a SAX parser): chunks of the body go in as they arrive, each item comes out as soon as its
 * closing tag is read, and no parse tree of the whole 10 MB feed of a 5,000-paper day is ever held.
 */
import type { AnnounceType } from '../app/types';
import { tryParseArxivId } from './ids';
import { cleanRssDescription, cleanText, splitAuthors } from './text';
import { dayIn } from './window';
import type { SaxesTagPlain } from 'saxes';
import { FeedReader, feedMalformed } from './xml';

export interface RssItem {
  id: string;
  version: number;
  title: string;
  abstract: string;
  authors: string[];
  categories: string[];
  announceType: AnnounceType;
}

export interface RssFeed {
  /** The announcement day (America/New_York) of the channel's pubDate; undefined when the feed carries no date. */
  date: string | undefined;
  items: RssItem[];
  /** Items that could not be read (no id), skipped. */
  skipped: number;
}

const ANNOUNCE_TYPES = new Set<AnnounceType>(['new', 'cross', 'replace', 'replace-cross']);

/** The text of an item's fields as read (undefined: the element is absent; the first one when repeated). */
interface RawItem {
  guid?: string;
  description?: string;
  link?: string;
  title?: string;
  announceType?: string;
  pubDate?: string;
  creators: string[];
  categories: string[];
}

/** The id and version of an item: from its guid, else its link, else the description's prefix. */
function itemId(item: RawItem): { id: string; version: number } | undefined {
  const guid = item.guid?.replace(/^oai:arXiv\.org:/i, '');
  const fromDescription = item.description ? /arXiv:(\S+)/i.exec(item.description)?.[1] : undefined;
  for (const candidate of [guid, fromDescription, item.link]) {
    if (!candidate) continue;
    const parsed = tryParseArxivId(candidate);
    if (parsed) return { id: parsed.id, version: parsed.version ?? 1 };
  }
  return undefined;
}

function announceTypeOf(item: RawItem): AnnounceType {
  const raw = item.announceType?.trim().toLowerCase();
  if (raw && ANNOUNCE_TYPES.has(raw as AnnounceType)) return raw as AnnounceType;
  const fromDescription = /Announce Type:\s*([\w-]+)/i.exec(item.description ?? '')?.[1];
  const t = fromDescription?.toLowerCase();
  return t && ANNOUNCE_TYPES.has(t as AnnounceType) ? (t as AnnounceType) : 'new';
}

function dateOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const t = Date.parse(value);
  return Number.isFinite(t) ? dayIn(t) : undefined;
}

/** An item's child elements that are read, by their name in the feed, and where each goes. */
const ITEM_FIELDS = new Set([
  'guid',
  'description',
  'link',
  'title',
  'arxiv:announce_type',
  'pubDate',
  'dc:creator',
  'category',
]);
const CHANNEL_FIELDS = new Set(['pubDate', 'lastBuildDate']);

/**
 * A feed read chunk by chunk: `write` each piece of the body as it arrives (split anywhere, even inside a tag, an
 * entity or a multi-byte character's string), `end` once it is all in. `onItem` sees each readable item the moment
 * its closing tag is read. Errors are FeedMalformed naming the feed, thrown from the `write` or `end` that meets them.
 */
export class RssParser extends FeedReader {
  private item: RawItem | undefined;
  private sawChannel = false;
  private channelDates: { pubDate?: string; lastBuildDate?: string } = {};
  private firstItemDate: string | undefined;
  private itemsSeen = 0;
  private readonly items: RssItem[] = [];
  private skipped = 0;

  constructor(
    feedUrl: string,
    private readonly onItem?: (item: RssItem) => void,
  ) {
    super(`arXiv feed ${feedUrl}`);
  }

  /** The announcement day as far as the feed is read (the channel's dates come before its items in arXiv's feed). */
  get date(): string | undefined {
    return dateOf(this.channelDates.pubDate) ?? dateOf(this.channelDates.lastBuildDate) ?? dateOf(this.firstItemDate);
  }

  /** The whole feed, once every piece is written; throws FeedMalformed when it is cut or not an RSS feed. */
  end(): RssFeed {
    this.closeXml();
    if (!this.sawChannel) throw feedMalformed(this.what, 'no <rss><channel> element');
    return { date: this.date, items: this.items, skipped: this.skipped };
  }

  private inChannel(): boolean {
    return this.path[0] === 'rss' && this.path[1] === 'channel';
  }

  protected open(tag: SaxesTagPlain, depth: number): void {
    if (depth === 0 || !this.inChannel()) return;
    const name = tag.name;
    if (depth === 1) {
      this.sawChannel = true;
    } else if (depth === 2) {
      if (name === 'item') this.item = { creators: [], categories: [] };
      else if (CHANNEL_FIELDS.has(name)) this.collect();
    } else if (depth === 3 && this.item && ITEM_FIELDS.has(name)) {
      this.collect();
    }
  }

  protected close(name: string, depth: number, text: string | undefined): void {
    if (depth < 2 || !this.inChannel()) return;
    if (depth === 3 && this.item && text !== undefined) {
      const item = this.item;
      if (name === 'dc:creator') item.creators.push(text);
      else if (name === 'category') item.categories.push(text);
      else if (name === 'guid') item.guid ??= text;
      else if (name === 'description') item.description ??= text;
      else if (name === 'link') item.link ??= text;
      else if (name === 'title') item.title ??= text;
      else if (name === 'arxiv:announce_type') item.announceType ??= text;
      else if (name === 'pubDate') item.pubDate ??= text;
    } else if (depth === 2 && name === 'item' && this.item) {
      const raw = this.item;
      this.item = undefined;
      if (this.itemsSeen++ === 0) this.firstItemDate = raw.pubDate;
      this.finishItem(raw);
    } else if (depth === 2 && text !== undefined) {
      if (name === 'pubDate') this.channelDates.pubDate ??= text;
      else if (name === 'lastBuildDate') this.channelDates.lastBuildDate ??= text;
    }
  }

  private finishItem(raw: RawItem): void {
    const ref = itemId(raw);
    if (!ref) {
      this.skipped++;
      return;
    }
    const item: RssItem = {
      ...ref,
      title: cleanText(raw.title),
      abstract: cleanRssDescription(raw.description),
      // One dc:creator with every name is arXiv's form; one element per author (Dublin Core's own) reads too.
      authors: raw.creators.flatMap((c) => splitAuthors(c)),
      categories: raw.categories.filter((c) => !!c),
      announceType: announceTypeOf(raw),
    };
    this.items.push(item);
    this.onItem?.(item);
  }
}

/** Parses a whole feed; throws ArxivDigestError(FeedMalformed) naming `feedUrl` when it is not an RSS feed. */
export function parseRss(xml: string, feedUrl: string): RssFeed {
  const parser = new RssParser(feedUrl);
  parser.write(xml);
  return parser.end();
}
