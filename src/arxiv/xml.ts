/**
 * The one XML reader for arXiv's feeds (RSS and Atom): a streaming parse (saxes, strict XML) that keeps only the
 * element being read, so a 10 MB feed never becomes a tree in memory, and can be fed the body chunk by chunk as it
 * arrives. Feeds are untrusted input: entities a DOCTYPE declares are not expanded (a "billion laughs" feed fails
 * instead of eating memory); the XML ones (&amp; &lt; …) and character references are. Values stay strings.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { ArxivDigestError, ErrorCode } from '../app/errors';

/** A feed that is not what it should be: FeedMalformed naming it (`what`: "arXiv feed URL", "arXiv API answer from URL"). */
export function feedMalformed(what: string, why: string, cause?: unknown): ArxivDigestError {
  return new ArxivDigestError(ErrorCode.FeedMalformed, `${what} is malformed: ${why}`, { cause });
}

/**
 * A feed read as a stream: `write` each piece of the text (split anywhere: inside a tag, an entity, a CDATA section),
 * then `close`. Subclasses see each element open and close with its depth (0 = the root) and collect the text of the
 * fields they want (`collect()` on open, the trimmed text on close). Errors are FeedMalformed naming `what`, thrown by
 * the `write` or `close` that meets them; after one, every call throws it again.
 */
export abstract class FeedReader {
  private readonly sax = new SaxesParser({ position: true });
  /** Element names from the root down to the one being read. */
  protected readonly path: string[] = [];
  private text: string | undefined;
  /** The depth of the element whose text is collected. */
  private textDepth = -1;
  private declaresEntities = false;
  private failure: ArxivDigestError | undefined;

  constructor(protected readonly what: string) {
    this.sax.on('doctype', (doctype) => {
      if (/<!ENTITY/i.test(doctype)) this.declaresEntities = true;
    });
    this.sax.on('error', (err) => {
      const first = err.message.split('\n')[0];
      // An entity no one declared is kept as written (as arXiv's own text would be), unless the document declares
      // entities of its own: those are not expanded, so such a feed is refused.
      if (/undefined entity/.test(err.message)) {
        if (!this.declaresEntities) return;
        throw feedMalformed(this.what, `its DOCTYPE declares entities, which are not expanded (${first})`, err);
      }
      throw feedMalformed(this.what, `unreadable XML (${first})`, err);
    });
    this.sax.on('opentag', (tag) => {
      this.path.push(tag.name);
      this.open(tag as SaxesTagPlain, this.path.length - 1);
    });
    this.sax.on('closetag', (tag) => {
      const depth = this.path.length - 1;
      let text: string | undefined;
      if (depth === this.textDepth) {
        text = this.text?.trim();
        this.text = undefined;
        this.textDepth = -1;
      }
      this.close(tag.name, depth, text);
      this.path.pop();
    });
    this.sax.on('text', (t) => {
      if (this.text !== undefined) this.text += t;
    });
    this.sax.on('cdata', (t) => {
      if (this.text !== undefined) this.text += t;
    });
  }

  /** Reads the next piece of the feed. */
  write(chunk: string): void {
    this.guard(() => this.sax.write(chunk));
  }

  /** Ends the feed: throws FeedMalformed when it was cut off (an element left open, no root). */
  protected closeXml(): void {
    this.guard(() => this.sax.close());
  }

  /** Collects the text of the element just opened, to be given to `close`. */
  protected collect(): void {
    this.text = '';
    this.textDepth = this.path.length - 1;
  }

  /** An element opened at `depth`, its attributes on `tag`. */
  protected abstract open(tag: SaxesTagPlain, depth: number): void;
  /** An element closed; `text` is its trimmed text when `collect()` was called on its open, else undefined. */
  protected abstract close(name: string, depth: number, text: string | undefined): void;

  private guard(step: () => void): void {
    if (this.failure) throw this.failure;
    try {
      step();
    } catch (err) {
      this.failure =
        err instanceof ArxivDigestError ? err : feedMalformed(this.what, `unreadable XML (${String(err)})`, err);
      throw this.failure;
    }
  }
}
