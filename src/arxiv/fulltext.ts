/**
 * A paper's full text for the summaries: arXiv's HTML (LaTeXML) first, then the PDF (pdf-parse), then the abstract.
 * The HTML gives the cleanest text (section headings, math as its LaTeX source); the PDF is there for papers without
 * HTML (older ones, failed conversions); the abstract keeps the pipeline going when both are missing. Extracted text
 * is cached per version so nothing is fetched twice.
 */
import { Worker } from 'node:worker_threads';
import { type HTMLElement, type Node, TextNode, parse } from 'node-html-parser';
import { ArxivDigestError, ErrorCode } from '../app/errors';
import type { HttpClient } from '../http/client';
import type { Logger } from '../app/log';
import type { Store } from '../store';
import { truncate } from '../app/text';
import type { Paper } from '../app/types';
import { collapseWhitespace } from './text';

export interface FullText {
  source: 'html' | 'pdf' | 'abstract';
  text: string;
  /**
   * The abstract stands in only because arXiv's HTML/PDF could not be read just now (an error, not a 404): what is
   * built on this text should not be kept as if it were the paper's.
   */
  provisional?: boolean;
}

/** Cached texts live two weeks: long enough for a digest's votes and deep-dives, short enough to pick up fixes. */
export const FULLTEXT_TTL_MS = 14 * 86_400_000;
/** Abstract fallbacks after definitive 404s are cached briefly: arXiv may publish the HTML later. */
const ABSTRACT_TTL_MS = 86_400_000;
/** Cap on what is cached per paper; callers cut further to their budget. */
const MAX_CACHED_CHARS = 400_000;
/** Less text than this from an HTML page means a stub or an error page, not the paper. */
const MIN_USEFUL_CHARS = 200;

// Site chrome, references and LaTeXML's annotation noise.
const DROP_SELECTORS = [
  'script',
  'style',
  'noscript',
  'nav',
  'header',
  'footer',
  'button',
  'img',
  'svg',
  'annotation',
  'annotation-xml',
  '.ltx_page_header',
  '.ltx_page_footer',
  '.ltx_page_navbar',
  '.ltx_bibliography',
  // The prompts carry the abstract from the metadata already: sent twice it would only cost tokens.
  '.ltx_abstract',
  '.ltx_authors',
  '.ltx_dates',
  '.ltx_note_outer',
  '.ltx_note_mark',
  '.ltx_tabular',
  '.ltx_ERROR',
  '.ltx_role_affiliation',
  '.package-alerts',
];

const BLOCKS = new Set([
  'p',
  'div',
  'section',
  'article',
  'li',
  'ul',
  'ol',
  'figure',
  'figcaption',
  'table',
  'tr',
  'blockquote',
  'br',
  'dl',
  'dt',
  'dd',
  'pre',
]);

/** The readable text of an arXiv (LaTeXML) HTML paper: headings as lines ("## 1 Introduction"), paragraphs apart. */
export function htmlToText(html: string): string {
  const root = parse(html, { comment: false, blockTextElements: { script: true, style: true, noscript: true } });
  const article = root.querySelector('article') ?? root.querySelector('.ltx_document') ?? root.querySelector('body');
  const scope = article ?? root;
  for (const selector of DROP_SELECTORS) for (const el of scope.querySelectorAll(selector)) el.remove();
  // Math: its LaTeX source (alttext) reads far better than MathML's flattened presentation.
  for (const math of scope.querySelectorAll('math')) {
    const tex = math.getAttribute('alttext')?.trim();
    const raw = tex ? ` $${tex}$ `.replace(/&/g, '&amp;').replace(/</g, '&lt;') : ' ';
    math.replaceWith(new TextNode(raw, math.parentNode));
  }
  const out: string[] = [];
  let buffer = '';
  const flush = () => {
    const t = collapseWhitespace(buffer);
    if (t) out.push(t);
    buffer = '';
  };
  const walk = (node: Node) => {
    if (node instanceof TextNode) {
      buffer += node.text;
      return;
    }
    const el = node as HTMLElement;
    const tag = el.rawTagName?.toLowerCase() ?? '';
    const heading = /^h([1-6])$/.exec(tag);
    if (heading) {
      flush();
      const t = collapseWhitespace(el.text);
      if (t) out.push(`${'#'.repeat(Math.min(3, Number(heading[1])))} ${t}`);
      return;
    }
    const block = BLOCKS.has(tag);
    if (block) flush();
    if (tag === 'li') buffer += '- ';
    for (const c of el.childNodes) walk(c);
    if (block) flush();
  };
  walk(scope);
  flush();
  return out.join('\n\n');
}

/**
 * pdf-parse runs in a worker thread: PDF parsing is CPU-heavy and a hostile or broken PDF can hang it, so it gets a
 * time limit and its own heap, and pdf.js's module loading stays out of the caller's module system (jest included).
 */
const PDF_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PDFParse } = require(workerData.modulePath);
(async () => {
  const parser = new PDFParse({ data: workerData.data });
  try {
    const result = await parser.getText();
    parentPort.postMessage({ ok: true, text: result.text });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String((err && err.message) || err) });
  } finally {
    await parser.destroy().catch(() => undefined);
  }
})();
`;

/** The text of a PDF: pages joined, line-break hyphenation undone, lines merged into paragraphs, references cut. */
export async function pdfToText(data: Uint8Array, timeoutMs = 60_000): Promise<string> {
  const worker = new Worker(PDF_WORKER_SOURCE, {
    eval: true,
    workerData: { data, modulePath: require.resolve('pdf-parse') },
    resourceLimits: { maxOldGenerationSizeMb: 512 },
  });
  try {
    const answer = await new Promise<{ ok: boolean; text?: string; error?: string }>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new ArxivDigestError(ErrorCode.PdfUnreadable, `PDF parsing took longer than ${timeoutMs} ms`)),
        timeoutMs,
      );
      worker.once('message', (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      worker.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      worker.once('exit', (code) => {
        clearTimeout(timer);
        reject(new ArxivDigestError(ErrorCode.PdfUnreadable, `PDF worker exited with code ${code}`));
      });
    });
    if (!answer.ok)
      throw new ArxivDigestError(ErrorCode.PdfUnreadable, `unreadable PDF: ${answer.error ?? 'unknown error'}`);
    return tidyPdfText(answer.text ?? '');
  } finally {
    await worker.terminate();
  }
}

export function tidyPdfText(text: string): string {
  let t = text
    .replace(/\r\n?/g, '\n')
    .replace(/^\s*--\s*\d+\s+of\s+\d+\s*--\s*$/gm, '') // pdf-parse's page markers
    .replace(/(\p{Ll})-\n(\p{Ll})/gu, '$1$2') // "rein-\nforcement" → "reinforcement"
    .replace(/[ \t]+/g, ' ');
  // The reference list is long and useless for a summary: cut it when it starts past the first third.
  const refs = /^\s*(?:\d+\.?\s*)?(?:References|Bibliography)\s*$/im.exec(t);
  if (refs && refs.index > t.length / 3) t = t.slice(0, refs.index);
  return t
    .split(/\n\s*\n/)
    .map((para) => collapseWhitespace(para))
    .filter(Boolean)
    .join('\n\n');
}

export function abstractText(paper: Paper): string {
  return `# ${paper.title}\n\n${paper.abstract}`;
}

export interface FullTextDeps {
  /** The client for arxiv.org's web pages; its bodies are binary-safe (see `binarySafeFetch`). */
  web: HttpClient;
  store: Store;
  log: Logger;
  webUrl: string;
}

/** Bytes of a body read through `binarySafeFetch`. */
function bytesOf(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/**
 * A fetch whose bodies survive HttpClient's `response.text()`: each byte becomes one latin1 character, so the PDF's
 * bytes (and the HTML's UTF-8) can be recovered exactly with `Buffer.from(text, 'latin1')`.
 */
export function binarySafeFetch(inner?: typeof fetch): typeof fetch {
  return async (input, init) => {
    const res = await (inner ?? globalThis.fetch)(input, init);
    const bytes = Buffer.from(await res.arrayBuffer());
    const headers = new Headers(res.headers);
    headers.delete('content-length');
    headers.delete('content-encoding');
    // Statuses that cannot carry a body (204, 304, …) must be rebuilt without one.
    const body = [101, 204, 205, 304].includes(res.status) ? null : bytes.toString('latin1');
    return new Response(body, { status: res.status, statusText: res.statusText, headers });
  };
}

function cacheKey(paper: Pick<Paper, 'id' | 'version'>): string {
  return `fulltext:${paper.id}v${paper.version}`;
}

type Attempt = { text: string } | { missing: true } | { failed: unknown };

async function tryHtml(deps: FullTextDeps, paper: Paper): Promise<Attempt> {
  const url = `${deps.webUrl}/html/${paper.id}v${paper.version}`;
  try {
    const res = await deps.web.request(url, { accept: [404] });
    if (res.status === 404) return { missing: true };
    const text = htmlToText(bytesOf(res.text).toString('utf8'));
    return text.length >= MIN_USEFUL_CHARS ? { text } : { missing: true };
  } catch (err) {
    return { failed: err };
  }
}

async function tryPdf(deps: FullTextDeps, paper: Paper): Promise<Attempt> {
  const url = `${deps.webUrl}/pdf/${paper.id}v${paper.version}`;
  try {
    const res = await deps.web.request(url, { accept: [404] });
    if (res.status === 404) return { missing: true };
    const text = await pdfToText(new Uint8Array(bytesOf(res.text)));
    return text.length >= MIN_USEFUL_CHARS / 2 ? { text } : { missing: true };
  } catch (err) {
    return { failed: err };
  }
}

/** The paper's text cut to `maxChars` at a paragraph, line or word boundary: from the cache, HTML, PDF or abstract. */
export async function fetchFullText(deps: FullTextDeps, paper: Paper, maxChars: number): Promise<FullText> {
  const key = cacheKey(paper);
  const cut = (ft: FullText): FullText => ({ source: ft.source, text: truncate(ft.text, maxChars) });
  const cached = await deps.store.get<FullText>('papers', key);
  if (cached?.text) return cut(cached);

  let transient = false;
  for (const [source, attempt] of [
    ['html', tryHtml],
    ['pdf', tryPdf],
  ] as const) {
    const result = await attempt(deps, paper);
    if ('text' in result) {
      const full: FullText = { source, text: result.text.slice(0, MAX_CACHED_CHARS) };
      await deps.store.set('papers', key, full, FULLTEXT_TTL_MS);
      return cut(full);
    }
    if ('failed' in result) {
      transient = true;
      const why = result.failed instanceof Error ? result.failed.message : String(result.failed);
      deps.log.warn({ paper: `${paper.id}v${paper.version}`, source, err: why }, 'full text unavailable, falling back');
    }
  }
  const fallback: FullText = { source: 'abstract', text: abstractText(paper) };
  // After 404s only (no HTML, no PDF) the answer is stable for a while; after errors, try again next time.
  if (!transient) await deps.store.set('papers', key, fallback, ABSTRACT_TTL_MS);
  return transient ? { ...cut(fallback), provisional: true } : cut(fallback);
}
