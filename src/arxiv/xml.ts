/**
 * The one XML parser configuration for arXiv's feeds (RSS and Atom). Feeds are untrusted input: DOCTYPE entity
 * expansion is capped (a "billion laughs" feed fails instead of eating memory), values stay strings
 * (`parseTagValue: false`, so an id such as 2510.10000 is not turned into a number), and the elements that repeat are
 * always arrays, even when a feed has one of them.
 */
import { XMLParser, type X2jOptions } from 'fast-xml-parser';
import { ArxivDigestError, ErrorCode } from '../app/errors';

const ALWAYS_ARRAYS = new Set(['item', 'category', 'entry', 'author', 'link']);

const OPTIONS: Partial<X2jOptions> = {
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  htmlEntities: false,
  isArray: (name) => ALWAYS_ARRAYS.has(name),
  processEntities: {
    enabled: true,
    maxEntitySize: 1_000,
    maxEntityCount: 20,
    maxExpansionDepth: 3,
    maxTotalExpansions: 1_000,
    maxExpandedLength: 100_000,
    // The limits apply to entities a document declares itself; &amp; and friends are always fine.
    ...({ appliesTo: 'external' } as object),
  },
};

/** Parses `xml` into plain objects; throws the parser's error on text that is not well-formed XML. */
export function parseXml(xml: string): Record<string, unknown> {
  return new XMLParser(OPTIONS).parse(xml, true) as Record<string, unknown>;
}

/** A feed that is not what it should be: FeedMalformed naming it (`what`: "arXiv feed URL", "arXiv API answer from URL"). */
export function feedMalformed(what: string, why: string, cause?: unknown): ArxivDigestError {
  return new ArxivDigestError(ErrorCode.FeedMalformed, `${what} is malformed: ${why}`, { cause });
}

/** Parses a feed's XML; text that is not well-formed XML is feedMalformed with the parser's first line. */
export function parseFeedXml(xml: string, what: string): Record<string, unknown> {
  try {
    return parseXml(xml);
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw feedMalformed(what, `unreadable XML (${why})`, err);
  }
}

/** The text of a parsed node: a string, or `#text` of an element that also has attributes. */
export function textOf(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (node && typeof node === 'object' && '#text' in node) return textOf((node as Record<string, unknown>)['#text']);
  return undefined;
}

export function asArray(node: unknown): unknown[] {
  if (node === undefined || node === null || node === '') return [];
  return Array.isArray(node) ? node : [node];
}

export function attr(node: unknown, name: string): string | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const v = (node as Record<string, unknown>)[`@_${name}`];
  return typeof v === 'string' ? v : undefined;
}

export function child(node: unknown, name: string): unknown {
  if (!node || typeof node !== 'object') return undefined;
  return (node as Record<string, unknown>)[name];
}
