/**
 * A local stand-in for arXiv that speaks its real formats, for tests and the benchmark:
 * - `GET /rss/CAT1+CAT2`: rss.arxiv.org's RSS 2.0 feed of the latest day set for those categories;
 * - `GET /api/query` (or POST, parameters in a form body): the export API's Atom (id_list lookups with error entries for malformed ids, and
 *   search_query `cat:… AND submittedDate:[… TO …]` with start/max_results paging and opensearch counts);
 * - `GET /html/IDvN`: LaTeXML-style HTML (only for papers from 2312 on, as on arXiv); `GET /pdf/IDvN`: a small real PDF.
 * Pure builders (`buildRss`, `buildAtom`, `syntheticDay`, `seedDay`) are exported for tests that need the payloads.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { AnnounceType, Paper } from '../../src/app/types';

/** A paper as a listing announces it. */
export interface DayPaper extends Paper {
  announceType: AnnounceType;
}

/** A paper as test/fixtures/seed-papers.json keeps it. */
type FixturePaper = Pick<Paper, 'id' | 'version' | 'title' | 'authors' | 'abstract' | 'categories' | 'comments'>;

interface Fixture {
  '2025-10-30': { digestSelected: FixturePaper[]; listed: FixturePaper[] };
  '2025-09-30': { listed: FixturePaper[] };
}

let fixtureCache: Fixture | undefined;
function fixture(): Fixture {
  fixtureCache ??= JSON.parse(readFileSync(path.resolve(__dirname, '../fixtures/seed-papers.json'), 'utf8')) as Fixture;
  return fixtureCache;
}

/** Every distinct paper of the seeds, first occurrence wins (the digest's papers carry their comments). */
export function seedPapers(): Paper[] {
  const f = fixture();
  const seen = new Map<string, Paper>();
  for (const p of [...f['2025-10-30'].digestSelected, ...f['2025-10-30'].listed, ...f['2025-09-30'].listed]) {
    if (!seen.has(p.id)) seen.set(p.id, { ...p, primaryCategory: p.categories[0] });
  }
  return [...seen.values()];
}

/** Announce type of a paper in a listing of `categories`: new when its primary category is listed. */
function typeFor(p: Paper, categories: string[]): AnnounceType {
  const primary = p.primaryCategory ?? p.categories[0] ?? '';
  return categories.includes(primary) ? 'new' : 'cross';
}

/**
 * The cs.CL listing of 2025-10-30 from the seeds: the 13 real papers of that day, padded to the seed digest's
 * "Total papers: 58" with September papers marked as that day's. All are new or cross-lists (cs.CL is in every
 * paper's categories), so a digest of it counts 58.
 */
export function seedDay(): { date: string; categories: string[]; papers: DayPaper[] } {
  const f = fixture();
  const categories = ['cs.CL'];
  const day = new Map<string, Paper>();
  for (const p of [...f['2025-10-30'].digestSelected, ...f['2025-10-30'].listed]) if (!day.has(p.id)) day.set(p.id, p);
  for (const p of f['2025-09-30'].listed) {
    if (day.size >= 58) break;
    if (!day.has(p.id)) day.set(p.id, p);
  }
  const papers = [...day.values()].map((p) => ({
    ...p,
    primaryCategory: p.categories[0],
    announceType: typeFor(p, categories),
  }));
  return { date: '2025-10-30', categories, papers };
}

/** mulberry32: a small seeded PRNG so synthetic days are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0 || 1;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYNTHETIC_CATEGORY_SETS = [
  ['cs.CL'],
  ['cs.CL', 'cs.AI'],
  ['cs.CL', 'cs.LG'],
  ['cs.CL', 'cs.AI', 'cs.LG'],
  ['cs.LG', 'cs.CL'],
  ['cs.AI', 'cs.CL'],
  ['cs.CV', 'cs.CL'],
  ['cs.IR', 'cs.CL'],
];

function sentences(text: string): string[] {
  return text.split(/(?<=[.!?])\s+(?=[A-Z])/).filter(Boolean);
}

/**
 * A realistic n-paper announcement day for `categories` (default cs.CL): distinct new-style ids, titles, authors and
 * abstracts recombined from the seed papers, a mix of new submissions and cross-lists. `n` counts the papers a
 * digest sees (new + cross); `replacements` (default 10% of n) more are added as replace/replace-cross of older ids,
 * which a listing drops unless configured. Deterministic for a given (n, seed). Stable signature: the benchmark uses it.
 */
export function syntheticDay(
  n: number,
  seed = 1,
  options: { replacements?: number; categories?: string[] } = {},
): DayPaper[] {
  const categories = options.categories ?? ['cs.CL'];
  const replacements = options.replacements ?? Math.round(n * 0.1);
  const rand = prng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const pool = seedPapers();
  const usedIds = new Set<string>();
  const freshId = (prefix: string, min: number, span: number) => {
    for (;;) {
      const id = `${prefix}.${String(min + Math.floor(rand() * span)).padStart(5, '0')}`;
      if (!usedIds.has(id)) {
        usedIds.add(id);
        return id;
      }
    }
  };
  const make = (i: number, replacement: boolean): DayPaper => {
    const a = pool[i % pool.length] as Paper;
    const b = pick(pool);
    const c = pick(pool);
    const [headA, tailA] = a.title.includes(':') ? a.title.split(/:\s*/, 2) : [a.title, undefined];
    const tailB = b.title.includes(':') ? b.title.split(/:\s*/, 2)[1] : b.title;
    const title = i < pool.length ? a.title : tailA !== undefined ? `${headA}: ${tailB}` : `${headA} for ${tailB}`;
    const sa = sentences(a.abstract);
    const sc = sentences(c.abstract);
    const abstract = [...sa.slice(0, Math.max(1, sa.length - 2)), ...sc.slice(-2)].join(' ');
    const authors = [...a.authors.slice(0, 1 + Math.floor(rand() * Math.min(6, a.authors.length))), pick(b.authors)];
    const cats = [...(pick(SYNTHETIC_CATEGORY_SETS) as string[])];
    const id = replacement ? freshId(pick(['2508', '2509']), 1000, 29000) : freshId('2510', 20000, 9000);
    const version = replacement ? 2 + Math.floor(rand() * 2) : 1;
    const paper: Paper = {
      id,
      version,
      title,
      authors: [...new Set(authors)],
      abstract,
      categories: cats,
      primaryCategory: cats[0],
    };
    if (rand() < 0.6) paper.comments = `${8 + Math.floor(rand() * 30)} pages, ${1 + Math.floor(rand() * 9)} figures`;
    const base = typeFor(paper, categories);
    const announceType: AnnounceType = replacement ? (base === 'new' ? 'replace' : 'replace-cross') : base;
    return { ...paper, announceType };
  };
  const papers: DayPaper[] = [];
  for (let i = 0; i < n; i++) papers.push(make(i, false));
  for (let i = 0; i < replacements; i++) papers.push(make(n + i, true));
  // Listings are ordered new, cross, replacements (as arXiv's are).
  const order: Record<AnnounceType, number> = { new: 0, cross: 1, replace: 2, 'replace-cross': 3 };
  return papers.sort((x, y) => order[x.announceType] - order[y.announceType]);
}

// ---------------------------------------------------------------------------------------------------------------
// Payload builders

export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Thu, 30 Oct 2025 00:00:00 -0400": midnight in New York of an announcement day, as the feed dates it. */
export function rssDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  // US daylight time: second Sunday of March to first Sunday of November.
  const nthSunday = (month: number, nth: number) => {
    const first = new Date(Date.UTC(y, month, 1)).getUTCDay();
    return 1 + ((7 - first) % 7) + 7 * (nth - 1);
  };
  const t = Date.UTC(y, m - 1, d);
  const dst = t >= Date.UTC(y, 2, nthSunday(2, 2)) && t < Date.UTC(y, 10, nthSunday(10, 1));
  return `${WEEKDAYS[day.getUTCDay()]}, ${String(d).padStart(2, '0')} ${MONTHS[m - 1]} ${y} 00:00:00 ${dst ? '-0400' : '-0500'}`;
}

export interface BuildRssInput {
  categories: string[];
  /** Announcement day YYYY-MM-DD; without it the channel carries no pubDate. */
  date?: string;
  papers: DayPaper[];
}

/** rss.arxiv.org's feed for `categories` listing `papers` (an empty channel when there are none). */
export function buildRss({ categories, date, papers }: BuildRssInput): string {
  const name = categories.join('+');
  const pub = date ? rssDate(date) : undefined;
  const items = papers.map((p) => {
    const cats = p.categories.map((c) => `      <category>${xmlEscape(c)}</category>`).join('\n');
    return `    <item>
      <title>${xmlEscape(p.title)}</title>
      <link>https://arxiv.org/abs/${p.id}</link>
      <description>${xmlEscape(`arXiv:${p.id}v${p.version} Announce Type: ${p.announceType} \nAbstract: ${p.abstract}`)}</description>
      <guid isPermaLink="false">oai:arXiv.org:${p.id}v${p.version}</guid>
${cats}
${pub ? `      <pubDate>${pub}</pubDate>\n` : ''}      <arxiv:announce_type>${p.announceType}</arxiv:announce_type>
      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>
      <dc:creator>${xmlEscape(p.authors.join(', '))}</dc:creator>
    </item>`;
  });
  return `<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">
  <channel>
    <title>${xmlEscape(name)} updates on arXiv.org</title>
    <link>http://rss.arxiv.org/rss/${xmlEscape(name)}</link>
    <description>${xmlEscape(name)} updates on the arXiv.org e-print archive.</description>
    <atom:link href="https://rss.arxiv.org/rss/${xmlEscape(name)}" rel="self" type="application/rss+xml"/>
    <docs>http://www.rssboard.org/rss-specification</docs>
    <language>en-us</language>
${pub ? `    <lastBuildDate>${pub}</lastBuildDate>\n` : ''}    <managingEditor>rss-help@arxiv.org</managingEditor>
${pub ? `    <pubDate>${pub}</pubDate>\n` : ''}    <skipDays>
      <day>Saturday</day>
      <day>Sunday</day>
    </skipDays>
${items.join('\n')}
  </channel>
</rss>
`;
}

export interface BuildAtomOptions {
  /** The query shown in the feed's title. */
  query?: string;
  totalResults?: number;
  startIndex?: number;
  itemsPerPage?: number;
  /** Error entries, as the API returns for malformed ids: e.g. "incorrect id format for 1234.5678". */
  errors?: string[];
}

function wrap(text: string): string {
  // The API wraps long titles and abstracts over indented lines; the client must undo that.
  return text.replace(/(.{1,78})(\s+|$)/g, '$1\n  ').trimEnd();
}

/** The export API's Atom feed for `papers`. */
export function buildAtom(papers: Paper[], opts: BuildAtomOptions = {}): string {
  const total = opts.totalResults ?? papers.length + (opts.errors?.length ?? 0);
  const entries = papers.map((p) => {
    const published = p.published ?? '2025-10-29T17:59:59Z';
    const updated = p.updated ?? published;
    const primary = p.primaryCategory ?? p.categories[0] ?? 'cs.CL';
    const cats = [primary, ...p.categories.filter((c) => c !== primary)];
    return `  <entry>
    <id>http://arxiv.org/abs/${p.id}v${p.version}</id>
    <updated>${updated}</updated>
    <published>${published}</published>
    <title>${xmlEscape(wrap(p.title))}</title>
    <summary>  ${xmlEscape(wrap(p.abstract))}
</summary>
${p.authors.map((a) => `    <author>\n      <name>${xmlEscape(a)}</name>\n    </author>`).join('\n')}
${p.comments ? `    <arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">${xmlEscape(p.comments)}</arxiv:comment>\n` : ''}${p.journalRef ? `    <arxiv:journal_ref xmlns:arxiv="http://arxiv.org/schemas/atom">${xmlEscape(p.journalRef)}</arxiv:journal_ref>\n` : ''}    <link href="http://arxiv.org/abs/${p.id}v${p.version}" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/${p.id}v${p.version}" rel="related" type="application/pdf"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="${xmlEscape(primary)}" scheme="http://arxiv.org/schemas/atom"/>
${cats.map((c) => `    <category term="${xmlEscape(c)}" scheme="http://arxiv.org/schemas/atom"/>`).join('\n')}
  </entry>`;
  });
  const errors = (opts.errors ?? []).map((msg) => {
    const anchor = msg.replace(/\s+/g, '_');
    return `  <entry>
    <id>http://arxiv.org/api/errors#${xmlEscape(anchor)}</id>
    <title>Error</title>
    <summary>${xmlEscape(msg)}</summary>
    <updated>2025-10-30T00:00:00-04:00</updated>
    <link href="http://arxiv.org/api/errors#${xmlEscape(anchor)}" rel="alternate" type="text/html"/>
    <author>
      <name>arXiv api core</name>
    </author>
  </entry>`;
  });
  const query = opts.query ?? '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query?${xmlEscape(encodeURIComponent(query))}" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: ${xmlEscape(query)}</title>
  <id>http://arxiv.org/api/fake</id>
  <updated>2025-10-30T00:00:00-04:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">${total}</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">${opts.startIndex ?? 0}</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">${opts.itemsPerPage ?? papers.length}</opensearch:itemsPerPage>
${[...errors, ...entries].join('\n')}
</feed>
`;
}

function htmlEscape(s: string): string {
  return xmlEscape(s);
}

/** arXiv's LaTeXML HTML of a paper: site chrome, title, authors, abstract, sections with math, a bibliography. */
export function buildHtml(p: Paper): string {
  const sents = sentences(p.abstract);
  const half = Math.max(1, Math.ceil(sents.length / 2));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<title>${htmlEscape(p.title)}</title>
<link rel="stylesheet" href="https://arxiv.org/static/browse/0.3.4/css/ar5iv.0.7.9.min.css"/>
<script>window.MathJax = {};</script>
</head>
<body>
<header class="mob_header"><nav class="ltx_page_navbar"><a href="https://arxiv.org/">Back to arXiv</a> Report issue</nav></header>
<div class="ltx_page_main">
<div class="ltx_page_content">
<article class="ltx_document ltx_authors_1line">
<h1 class="ltx_title ltx_title_document">${htmlEscape(p.title)}</h1>
<div class="ltx_authors"><span class="ltx_creator ltx_role_author"><span class="ltx_personname">${htmlEscape(p.authors.join(', '))}</span></span></div>
<div class="ltx_abstract">
<h6 class="ltx_title ltx_title_abstract">Abstract</h6>
<p class="ltx_p" id="id1.id1">${htmlEscape(p.abstract)}</p>
</div>
<section class="ltx_section" id="S1">
<h2 class="ltx_title ltx_title_section"><span class="ltx_tag ltx_tag_section">1 </span>Introduction</h2>
<div class="ltx_para" id="S1.p1">
<p class="ltx_p" id="S1.p1.1">${htmlEscape(sents.slice(0, half).join(' '))} We minimise the loss <math id="S1.p1.1.m1" class="ltx_Math" alttext="\\mathcal{L}(\\theta)=\\sum_{i}\\ell_{i}" display="inline"><semantics><mrow><mi class="ltx_font_mathcaligraphic">ℒ</mi><mo>(</mo><mi>θ</mi><mo>)</mo></mrow><annotation encoding="application/x-tex">\\mathcal{L}(\\theta)=\\sum_{i}\\ell_{i}</annotation></semantics></math> over the data<span class="ltx_note ltx_role_footnote"><sup class="ltx_note_mark">1</sup><span class="ltx_note_outer"><span class="ltx_note_content"><sup class="ltx_note_mark">1</sup>Code is available online.</span></span></span>.</p>
</div>
</section>
<section class="ltx_section" id="S2">
<h2 class="ltx_title ltx_title_section"><span class="ltx_tag ltx_tag_section">2 </span>Results</h2>
<div class="ltx_para" id="S2.p1">
<p class="ltx_p" id="S2.p1.1">${htmlEscape(sents.slice(half).join(' ') || 'The method works.')}</p>
</div>
<figure class="ltx_table" id="S2.T1"><table class="ltx_tabular"><tr><td>Model</td><td>Acc</td></tr></table><figcaption class="ltx_caption"><span class="ltx_tag ltx_tag_table">Table 1: </span>Main results.</figcaption></figure>
</section>
<section class="ltx_bibliography" id="bib">
<h2 class="ltx_title ltx_title_bibliography">References</h2>
<ul class="ltx_biblist"><li class="ltx_bibitem" id="bib.bib1">A. Author. An Unrelated Reference Title. 2020.</li></ul>
</section>
</article>
</div>
<footer class="ltx_page_footer"><div class="ltx_page_logo">Generated by LaTeXML</div></footer>
</div>
</body>
</html>
`;
}

/** A small valid PDF (one page, Helvetica text lines) built by hand with a correct xref table. */
export function buildPdf(lines: string[]): Buffer {
  return buildPdfPages([lines]);
}

/** A real PDF of several pages (Helvetica, one text line per entry), as pdf-parse reads arXiv's. */
export function buildPdfPages(pages: string[][]): Buffer {
  const ascii = (s: string) =>
    s
      .normalize('NFKD')
      .replace(/[^\x20-\x7e]/g, '')
      .replace(/([\\()])/g, '\\$1');
  const n = pages.length;
  // Objects: 1 catalog, 2 pages, 3 font, then a page and its content stream per page.
  const pageIds = pages.map((_, i) => 4 + 2 * i);
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${n} >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
  ];
  for (const [i, lines] of pages.entries()) {
    const content = [
      'BT',
      '/F1 11 Tf',
      '14 TL',
      '72 760 Td',
      ...lines.map((l, k) => `${k ? 'T* ' : ''}(${ascii(l)}) Tj`),
      'ET',
    ].join('\n');
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${pageIds[i]! + 1} 0 R >>`,
      `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    );
  }
  let body = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** The lines of a paper's PDF: title, authors, abstract wrapped, a section. */
export function pdfLines(p: Paper): string[] {
  const wrapLines = (t: string) => t.match(/.{1,85}(\s|$)/g)?.map((s) => s.trim()) ?? [];
  return [p.title, p.authors.join(', '), '', 'Abstract', ...wrapLines(p.abstract), '', '1 Introduction', 'See above.'];
}

// ---------------------------------------------------------------------------------------------------------------
// The server

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** `options.now()` when the request arrived (a test's fake clock), else Date.now(). */
  at: number;
}

export interface ArxivServerOptions {
  /** List a paper once per requested category it belongs to (as concatenated per-category feeds would). */
  duplicateAcrossCategories?: boolean;
  /** Stamps each recorded request (pass a test's fake clock to check the client's spacing). */
  now?: () => number;
}

export interface ArxivServer {
  url: string;
  rssUrl: string;
  apiUrl: string;
  webUrl: string;
  requests: RecordedRequest[];
  /**
   * Sets the listing of `date` for a category set ('*': any requested categories, filtered by the papers' own).
   * The papers also join the export API's catalogue; those without `published` are dated inside the submission
   * window that the date's announcement covers (so a `--date` query through the API finds them). Replacements keep
   * an older `published`. An empty `papers` is a day without announcements.
   */
  setDay(categories: string[] | '*', date: string, papers: DayPaper[]): void;
  /** Adds papers to the export API's catalogue only. */
  addPapers(papers: Paper[]): void;
  /** The next `times` requests whose path starts with `pathPrefix` answer `status` (with `headers`). */
  failNext(pathPrefix: string, status: number, times?: number, headers?: Record<string, string>): void;
  /** Requests whose path starts with `pathPrefix` answer `body` (200) until cleared with `serveRaw(prefix, undefined)`. */
  serveRaw(pathPrefix: string, body: string | Buffer | undefined, contentType?: string): void;
  /**
   * The export API's known flakiness, for the next `times` API requests: 'empty-body' answers 200 with nothing,
   * 'empty-page' answers a well-formed feed that has the right totalResults but no entries.
   */
  flakyApi(kind: 'empty-body' | 'empty-page', times?: number): void;
  close(): Promise<void>;
}

/** 14:00 New York time on the weekday before `date` (approximately: UTC-4/-5 by the US DST rule). */
function windowFor(date: string): { start: number; end: number } {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const prevWeekday = (t: number) => {
    let u = t - 86_400_000;
    while ([0, 6].includes(new Date(u).getUTCDay())) u -= 86_400_000;
    return u;
  };
  const at14 = (t: number) => {
    const iso = new Date(t).toISOString().slice(0, 10);
    const offset = rssDate(iso).endsWith('-0400') ? 4 : 5;
    return t + (14 + offset) * 3_600_000;
  };
  const day = Date.UTC(y, m - 1, d);
  const endDay = prevWeekday(day);
  return { start: at14(prevWeekday(endDay)), end: at14(endDay) };
}

function gmtStamp(t: number): string {
  return new Date(t).toISOString().replace(/[-T:]/g, '').slice(0, 12);
}

function stampToMs(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s);
  if (!m) return Number.NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
}

export async function startArxivServer(options: ArxivServerOptions = {}): Promise<ArxivServer> {
  const days: Array<{ categories: string[] | '*'; date: string; papers: DayPaper[] }> = [];
  const catalogue = new Map<string, Paper>();
  const failures: Array<{ prefix: string; status: number; times: number; headers: Record<string, string> }> = [];
  const raw = new Map<string, { body: string | Buffer; type: string }>();
  const requests: RecordedRequest[] = [];
  const flaky: Array<'empty-body' | 'empty-page'> = [];

  const addPapers = (papers: Paper[]) => {
    for (const p of papers) {
      const { announceType: _t, ...paper } = p as DayPaper;
      const cur = catalogue.get(p.id);
      if (!cur || cur.version <= p.version) catalogue.set(p.id, paper);
    }
  };

  const rss = (catPath: string): string => {
    const cats = decodeURIComponent(catPath).split('+').filter(Boolean);
    const key = [...cats].sort().join('+');
    const matching = days
      .filter((d) => d.categories === '*' || [...d.categories].sort().join('+') === key)
      .sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
    const day = matching[0];
    if (!day) return buildRss({ categories: cats, papers: [] });
    const items: DayPaper[] = [];
    for (const p of day.papers) {
      if (day.categories !== '*') {
        items.push(p);
        continue;
      }
      const hits = p.categories.filter((c) => cats.includes(c));
      if (hits.length === 0) continue;
      // The announce type is relative to the feed: "new" where the paper's primary category is listed.
      const primary = p.primaryCategory ?? p.categories[0];
      const replaced = p.announceType === 'replace' || p.announceType === 'replace-cross';
      const typed = (isNew: boolean): DayPaper => ({
        ...p,
        announceType: replaced ? (isNew ? 'replace' : 'replace-cross') : isNew ? 'new' : 'cross',
      });
      // Concatenated per-category feeds list a paper under each of its categories, typed per category.
      if (options.duplicateAcrossCategories) for (const c of hits) items.push(typed(c === primary));
      else items.push(typed(cats.includes(primary ?? '')));
    }
    return buildRss({ categories: cats, date: day.date, papers: items });
  };

  const api = (q: URLSearchParams): string => {
    const start = Number(q.get('start') ?? 0);
    const max = Number(q.get('max_results') ?? 10);
    const idList = q.get('id_list');
    if (idList) {
      const found: Paper[] = [];
      const errors: string[] = [];
      for (const raw of idList.split(',')) {
        const m = /^(.+?)(?:v(\d+))?$/.exec(raw.trim());
        const id = m?.[1] ?? raw;
        if (!/^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?\/\d{7})$/.test(id)) {
          errors.push(`incorrect id format for ${raw}`);
          continue;
        }
        const p = catalogue.get(id);
        if (p) found.push(m?.[2] ? { ...p, version: Number(m[2]) } : p);
      }
      return buildAtom(found.slice(start, start + max), {
        query: `id_list=${idList}`,
        totalResults: found.length,
        startIndex: start,
        itemsPerPage: max,
        errors,
      });
    }
    const search = q.get('search_query') ?? '';
    const cats = [...search.matchAll(/cat:([\w.-]+)/g)].map((m) => m[1] as string);
    const range = /submittedDate:\[(\d{12}) TO (\d{12})\]/.exec(search);
    const from = range ? stampToMs(range[1] as string) : Number.NEGATIVE_INFINITY;
    const to = range ? stampToMs(range[2] as string) : Number.POSITIVE_INFINITY;
    const hits = [...catalogue.values()]
      .filter((p) => cats.length === 0 || p.categories.some((c) => cats.includes(c)))
      .filter((p) => {
        const t = Date.parse(p.published ?? '');
        return t >= from && t <= to + 59_999;
      })
      .sort((a, b) => Date.parse(a.published ?? '') - Date.parse(b.published ?? ''));
    return buildAtom(hits.slice(start, start + max), {
      query: `search_query=${search}`,
      totalResults: hits.length,
      startIndex: start,
      itemsPerPage: max,
    });
  };

  const server = http.createServer((req, res) => {
    // A client killed mid-request (a test's kill -9) resets the connection: not the fake's error.
    req.on('error', () => {});
    res.on('error', () => {});
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  const handle = (req: http.IncomingMessage, res: http.ServerResponse, form: string) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    // The export API also takes its parameters as a POST form (the manual's way for long id lists).
    if (req.method === 'POST' && /x-www-form-urlencoded/.test(req.headers['content-type'] ?? ''))
      for (const [k, v] of new URLSearchParams(form)) u.searchParams.set(k, v);
    const query: Record<string, string> = {};
    for (const [k, v] of u.searchParams) query[k] = v;
    requests.push({ method: req.method ?? 'GET', path: u.pathname, query, at: (options.now ?? Date.now)() });
    const send = (status: number, body: string | Buffer, type: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': type, ...headers });
      res.end(body);
    };
    const failure = failures.find((f) => f.times > 0 && u.pathname.startsWith(f.prefix));
    if (failure) {
      failure.times--;
      return send(failure.status, `<html><body>Error ${failure.status}</body></html>`, 'text/html', failure.headers);
    }
    for (const [prefix, r] of raw) if (u.pathname.startsWith(prefix)) return send(200, r.body, r.type);
    if (u.pathname.startsWith('/rss/'))
      return send(200, rss(u.pathname.slice('/rss/'.length)), 'application/rss+xml; charset=utf-8');
    if (u.pathname === '/api/query') {
      const trouble = flaky.shift();
      if (trouble === 'empty-body') return send(200, '', 'application/atom+xml; charset=utf-8');
      const body = api(u.searchParams);
      // The same feed with its entries cut out: totalResults still says how many there are.
      if (trouble === 'empty-page')
        return send(200, body.replace(/<entry>[\s\S]*<\/entry>\s*/, ''), 'application/atom+xml; charset=utf-8');
      return send(200, body, 'application/atom+xml; charset=utf-8');
    }
    const web = /^\/(html|pdf|abs)\/(.+?)(?:v(\d+))?$/.exec(u.pathname);
    const paper = web ? catalogue.get(web[2] as string) : undefined;
    if (web && paper) {
      const p = web[3] ? { ...paper, version: Number(web[3]) } : paper;
      if (web[1] === 'html') {
        // arXiv's HTML exists for papers submitted from December 2023 on.
        const yymm = /^(\d{4})\./.exec(p.id)?.[1];
        if (yymm && Number(yymm) >= 2312) return send(200, buildHtml(p), 'text/html; charset=utf-8');
      } else if (web[1] === 'pdf') {
        return send(200, buildPdf(pdfLines(p)), 'application/pdf');
      }
    }
    send(404, '<html><body>Not Found</body></html>', 'text/html');
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    rssUrl: `${url}/rss`,
    apiUrl: `${url}/api/query`,
    webUrl: url,
    requests,
    setDay(categories, date, papers) {
      const win = windowFor(date);
      const span = Math.max(1, papers.length);
      const dated = papers.map((p, i) => {
        if (p.published) return p;
        const published =
          p.announceType === 'replace' || p.announceType === 'replace-cross'
            ? new Date(win.start - 30 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z')
            : new Date(win.start + Math.floor(((i + 0.5) * (win.end - win.start)) / span))
                .toISOString()
                .replace(/\.\d{3}Z$/, 'Z');
        return { ...p, published };
      });
      days.push({ categories, date, papers: dated });
      addPapers(dated);
    },
    addPapers,
    failNext(prefix, status, times = 1, headers = {}) {
      failures.push({ prefix, status, times, headers });
    },
    flakyApi(kind, times = 1) {
      for (let i = 0; i < times; i++) flaky.push(kind);
    },
    serveRaw(prefix, body, contentType = 'application/xml') {
      if (body === undefined) raw.delete(prefix);
      else raw.set(prefix, { body, type: contentType });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** The GMT stamp arXiv's submittedDate uses, YYYYMMDDHHMM (exported for tests that check queries). */
export const submittedStamp = gmtStamp;

/** A local arXiv whose latest listing is the seed day (cs.CL, 2025-10-30, 58 papers). */
export async function startSeedArxiv(options: ArxivServerOptions = {}): Promise<ArxivServer> {
  const server = await startArxivServer(options);
  const day = seedDay();
  server.setDay(day.categories, day.date, day.papers);
  return server;
}
