/**
 * A paper's full text for the summaries: arXiv's HTML (LaTeXML) first, then the PDF (pdf-parse), then the abstract.
 * The HTML gives the cleanest text: section headings as lines (`## 4 Experiments`, `## Appendix A …`), math as its
 * LaTeX source, and tables as their caption followed by `cell | cell | cell` rows, so the numbers a review cites reach
 * the model. The PDF is there for papers without HTML (older ones, failed conversions), its pages kept apart so the
 * cut can keep the last ones; the abstract keeps the pipeline going when both are missing. The whole text is cached
 * per version (nothing is fetched twice) and cut to each caller's budget by `fitToBudget` (sections.ts).
 */
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { type HTMLElement, type Node, TextNode, parse } from 'node-html-parser';
import { ArxivDigestError, ErrorCode } from '../app/errors';
import type { HttpClient } from '../http/client';
import type { Logger } from '../app/log';
import type { Store } from '../store';
import type { Paper } from '../app/types';
import { fitToBudget, PAGE_BREAK } from './sections';
import { collapseWhitespace } from './text';
import { keys } from '../store/keys';
import { recordKind } from '../store/records';

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
const FULL_TEXT_SCHEMA = z.looseObject({
  source: z.enum(['html', 'pdf', 'abstract']),
  text: z.string(),
  provisional: z.boolean().optional(),
});
/** A paper's cached text ('papers', keys.fullText), declared once: the HTML or PDF text kept FULLTEXT_TTL_MS... */
const FULL_TEXT = recordKind<FullText>('papers', FULL_TEXT_SCHEMA, { ttlMs: FULLTEXT_TTL_MS });
/** ...the abstract after definitive 404s, ABSTRACT_TTL_MS. */
const ABSTRACT_FALLBACK = recordKind<FullText>('papers', FULL_TEXT_SCHEMA, { ttlMs: ABSTRACT_TTL_MS });
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
  // The prompts carry the abstract from the metadata already: sent twice it would only cost tokens.
  '.ltx_abstract',
  '.ltx_authors',
  '.ltx_dates',
  '.ltx_note_outer',
  '.ltx_note_mark',
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

/** Where the references were: they are dropped (long, and no use to a review), and the cut is said. */
export const REFERENCES_OMITTED = '[… references omitted …]';

function hasClass(el: HTMLElement, name: string): boolean {
  return (el.getAttribute('class') ?? '').split(/\s+/).includes(name);
}

/** A LaTeXML tabular as `cell | cell` lines (empty rows left out); `table` or `span` rows alike. */
function tableRows(table: HTMLElement): string[] {
  const spanned = table.rawTagName?.toLowerCase() !== 'table';
  const rows = table.querySelectorAll(spanned ? '.ltx_tr' : 'tr');
  const out: string[] = [];
  for (const row of rows) {
    const cells = row.querySelectorAll(spanned ? '.ltx_td' : 'td, th').map((c) => collapseWhitespace(c.text));
    if (cells.some(Boolean)) out.push(cells.join(' | '));
  }
  return out;
}

/** A table's block: its caption(s), then its rows. */
function tableBlock(figure: HTMLElement): string {
  const captions = figure
    .querySelectorAll('figcaption')
    .map((c) => collapseWhitespace(c.text))
    .filter(Boolean);
  const rows = figure.querySelectorAll('.ltx_tabular').flatMap((t) => tableRows(t));
  return [...captions, ...rows].join('\n');
}

/**
 * The readable text of an arXiv (LaTeXML) HTML paper: `# Title`, headings as lines (`## 1 Introduction`,
 * `### 4.1 Setup`, appendices as `## Appendix A …`), paragraphs apart, tables as caption and `cell | cell` rows.
 */
export function htmlToText(html: string): string {
  const root = parse(html, { comment: false, blockTextElements: { script: true, style: true, noscript: true } });
  const article = root.querySelector('article') ?? root.querySelector('.ltx_document') ?? root.querySelector('body');
  const scope = article ?? root;
  for (const selector of DROP_SELECTORS) for (const el of scope.querySelectorAll(selector)) el.remove();
  for (const bib of scope.querySelectorAll('.ltx_bibliography')) {
    bib.replaceWith(new TextNode(`\n${REFERENCES_OMITTED}\n`, bib.parentNode));
  }
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
      if (node.rawText.includes(REFERENCES_OMITTED)) {
        flush();
        out.push(REFERENCES_OMITTED);
        return;
      }
      buffer += node.text;
      return;
    }
    const el = node as HTMLElement;
    const tag = el.rawTagName?.toLowerCase() ?? '';
    const heading = /^h([1-6])$/.exec(tag);
    if (heading) {
      flush();
      let t = collapseWhitespace(el.text);
      const level = Math.min(3, Number(heading[1]));
      // An appendix says so in its heading, whatever LaTeXML's tag holds ("A", "Appendix A").
      if (level === 2 && hasClass(el, 'ltx_title_appendix') && !/^appendi(x|ces)\b/i.test(t)) t = `Appendix ${t}`;
      if (t) out.push(`${'#'.repeat(level)} ${t}`);
      return;
    }
    if (tag === 'figure' && hasClass(el, 'ltx_table')) {
      flush();
      const block = tableBlock(el);
      if (block) out.push(block);
      return;
    }
    if (hasClass(el, 'ltx_tabular')) {
      flush();
      const rows = tableRows(el);
      if (rows.length) out.push(rows.join('\n'));
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

/** pdf-parse's page separator ("-- 3 of 12 --"). */
const PDF_PAGE_MARKER = /^\s*--\s*\d+\s+of\s+\d+\s*--\s*$/m;

/**
 * A PDF's text: line-break hyphenation undone, lines merged into paragraphs, references cut, pages kept apart by
 * PAGE_BREAK (so the cut to a budget can keep the last pages, where the conclusion is).
 */
export function tidyPdfText(text: string): string {
  let t = text
    .replace(/\r\n?/g, '\n')
    .replace(/\f/g, '\n')
    .replace(/(\p{Ll})-\n(\p{Ll})/gu, '$1$2') // "rein-\nforcement" → "reinforcement"
    .replace(/[ \t]+/g, ' ');
  // The reference list is long and useless for a summary: cut it when it starts past the first third.
  const refs = /^\s*(?:\d+\.?\s*)?(?:References|Bibliography)\s*$/im.exec(t);
  let cutRefs = false;
  if (refs && refs.index > t.length / 3) {
    t = t.slice(0, refs.index);
    cutRefs = true;
  }
  const pages = t
    .split(new RegExp(PDF_PAGE_MARKER.source, 'gm'))
    .map((page) =>
      page
        .split(/\n\s*\n/)
        .map((para) => collapseWhitespace(para))
        .filter(Boolean)
        .join('\n\n'),
    )
    .filter(Boolean);
  if (cutRefs) pages.push(REFERENCES_OMITTED);
  return pages.join(`\n\n${PAGE_BREAK}\n\n`);
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

/** The stored text of `paper` cut to `maxChars`, or undefined when none is stored: makes no request. */
export async function storedFullText(
  deps: Pick<FullTextDeps, 'store'>,
  paper: Pick<Paper, 'id' | 'version'>,
  maxChars: number,
): Promise<FullText | undefined> {
  const cached = await FULL_TEXT.get(deps.store, keys.fullText(paper.id, paper.version));
  return cached?.text ? { source: cached.source, text: fitToBudget(cached.text, maxChars) } : undefined;
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

/**
 * The paper's text cut to `maxChars` by what matters (sections.ts: conclusion and tables first, related work and
 * appendices last, every cut marked): from the cache, HTML, PDF or abstract.
 */
export async function fetchFullText(deps: FullTextDeps, paper: Paper, maxChars: number): Promise<FullText> {
  const key = keys.fullText(paper.id, paper.version);
  const cut = (ft: FullText): FullText => ({ source: ft.source, text: fitToBudget(ft.text, maxChars) });
  const cached = await storedFullText(deps, paper, maxChars);
  if (cached) return cached;

  let transient = false;
  for (const [source, attempt] of [
    ['html', tryHtml],
    ['pdf', tryPdf],
  ] as const) {
    const result = await attempt(deps, paper);
    if ('text' in result) {
      // Kept whole (a PDF's page breaks included, for later cuts), unless past the cap.
      const text = result.text.length > MAX_CACHED_CHARS ? fitToBudget(result.text, MAX_CACHED_CHARS) : result.text;
      const full: FullText = { source, text };
      await FULL_TEXT.set(deps.store, key, full);
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
  if (!transient) await ABSTRACT_FALLBACK.set(deps.store, key, fallback);
  return transient ? { ...cut(fallback), provisional: true } : cut(fallback);
}
