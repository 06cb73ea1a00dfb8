/**
 * rss.arxiv.org's feed (RSS 2.0 with the `arxiv:` and `dc:` namespaces): one item per announced paper, carrying the
 * versioned id in `guid` (oai:arXiv.org:2510.26707v1), the announce type, categories, authors in `dc:creator` and the
 * abstract behind an "arXiv:… Announce Type: … Abstract:" prefix. The channel's pubDate dates the announcement.
 * No comment and no primary category: those come from the export API.
 */
import type { ArxivDigestError } from '../app/errors';
import type { AnnounceType } from '../app/types';
import { tryParseArxivId } from './ids';
import { cleanRssDescription, cleanText, splitAuthors } from './text';
import { dayIn } from './window';
import { asArray, child, feedMalformed, parseFeedXml, textOf } from './xml';

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

function malformed(feedUrl: string, why: string): ArxivDigestError {
  return feedMalformed(`arXiv feed ${feedUrl}`, why);
}

/** The id and version of an item: from its guid, else its link, else the description's prefix. */
function itemId(item: unknown): { id: string; version: number } | undefined {
  const guid = textOf(child(item, 'guid'))?.replace(/^oai:arXiv\.org:/i, '');
  const description = textOf(child(item, 'description'));
  const fromDescription = description ? /arXiv:(\S+)/i.exec(description)?.[1] : undefined;
  for (const candidate of [guid, fromDescription, textOf(child(item, 'link'))]) {
    if (!candidate) continue;
    const parsed = tryParseArxivId(candidate);
    if (parsed) return { id: parsed.id, version: parsed.version ?? 1 };
  }
  return undefined;
}

function announceTypeOf(item: unknown): AnnounceType {
  const raw = textOf(child(item, 'arxiv:announce_type'))?.trim().toLowerCase();
  if (raw && ANNOUNCE_TYPES.has(raw as AnnounceType)) return raw as AnnounceType;
  const fromDescription = /Announce Type:\s*([\w-]+)/i.exec(textOf(child(item, 'description')) ?? '')?.[1];
  const t = fromDescription?.toLowerCase();
  return t && ANNOUNCE_TYPES.has(t as AnnounceType) ? (t as AnnounceType) : 'new';
}

function dateOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const t = Date.parse(value);
  return Number.isFinite(t) ? dayIn(t) : undefined;
}

/** Parses a feed; throws ArxivDigestError(FeedMalformed) naming `feedUrl` when it is not an RSS feed. */
export function parseRss(xml: string, feedUrl: string): RssFeed {
  const channel = child(child(parseFeedXml(xml, `arXiv feed ${feedUrl}`), 'rss'), 'channel');
  if (!channel || typeof channel !== 'object') throw malformed(feedUrl, 'no <rss><channel> element');
  const items: RssItem[] = [];
  let skipped = 0;
  for (const item of asArray(child(channel, 'item'))) {
    const ref = itemId(item);
    if (!ref) {
      skipped++;
      continue;
    }
    items.push({
      ...ref,
      title: cleanText(textOf(child(item, 'title'))),
      abstract: cleanRssDescription(textOf(child(item, 'description'))),
      // One dc:creator with every name is arXiv's form; one element per author (Dublin Core's own) reads too.
      authors: asArray(child(item, 'dc:creator')).flatMap((c) => splitAuthors(textOf(c))),
      categories: asArray(child(item, 'category'))
        .map((c) => textOf(c)?.trim())
        .filter((c): c is string => !!c),
      announceType: announceTypeOf(item),
    });
  }
  const firstItem = asArray(child(channel, 'item'))[0];
  const date =
    dateOf(textOf(child(channel, 'pubDate'))) ??
    dateOf(textOf(child(channel, 'lastBuildDate'))) ??
    dateOf(textOf(child(firstItem, 'pubDate')));
  return { date, items, skipped };
}
