/**
 * A team's reading list (`library:` of a digest): a BibTeX export (Zotero, Mendeley, JabRef: @article, @misc,
 * @inproceedings… with `title`, optional `abstract`, and `eprint`/`arxiv`/`doi`/`url`), a CSL-JSON export, or a
 * text file of arXiv ids or arXiv URLs, one a line. Read synchronously (the config loader checks every file before
 * anything runs) and kept per path while its size and mtime are unchanged, so a file that changes is read again.
 *
 * BibTeX is parsed by citation-js (@citation-js/plugin-bibtex): exports carry LaTeX (accents, `{Braces}` that
 * protect case, `\emph{}`), string macros and every kind of name, and a well-kept parser that turns them into
 * Unicode is worth more than a hand-written grammar that would get them half right.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, UserInputError } from '../app/errors';

/** One usable entry: a title, or an arXiv id (its title and abstract then come from the export API). */
export interface LibraryEntry {
  title?: string;
  abstract?: string;
  /** An arXiv id as the file gives it (`2510.26707`, `2510.26707v2`, `hep-th/9901001`), normalised by the caller. */
  arxiv?: string;
  doi?: string;
}

export interface LibraryFile {
  path: string;
  format: 'bibtex' | 'csl-json' | 'ids';
  entries: LibraryEntry[];
  /** Entries that had neither a title nor an arXiv id, or that could not be read. */
  skipped: number;
  /** sha256 of the file's bytes (16 hex digits): a changed file changes the digest's fingerprint. */
  hash: string;
}

const EXPECTED =
  'a BibTeX export (.bib), a CSL-JSON export (.json) or a text file of arXiv ids or arXiv URLs, one a line';
/** Formats a reference manager exports that are not read here. */
const UNSUPPORTED = new Set(['.ris', '.nbib', '.enw', '.xml', '.rdf', '.csv', '.pdf', '.docx', '.yaml', '.yml']);

/** An arXiv id inside a string: new style, old style, or in an arxiv.org URL or DOI (10.48550/arXiv.…). */
const ARXIV_IN =
  /(?:arxiv\.org\/(?:abs|pdf|html)\/|arxiv[:.]\s*|^)((?:\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?\/\d{7})(?:v\d+)?)(?![\d])/i;

export function arxivIn(value: string | undefined): string | undefined {
  return value ? ARXIV_IN.exec(value.trim())?.[1] : undefined;
}

const cache = new Map<string, { size: number; mtimeMs: number; file: LibraryFile }>();

/**
 * The library file at `file` (an absolute path), parsed; `shown` names it in errors (as the config wrote it). A
 * missing or unreadable file, a format that is not read here, or a file without one usable entry is one
 * UserInputError line naming the path and what is expected.
 */
export function readLibraryFile(file: string, shown = file): LibraryFile {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(file);
  } catch {
    throw bad(shown, `does not exist (expected ${EXPECTED})`);
  }
  if (stat.isDirectory()) throw bad(shown, `is a directory (expected ${EXPECTED})`);
  const hit = cache.get(file);
  if (hit && hit.size === stat.size && hit.mtimeMs === stat.mtimeMs) return hit.file;
  const ext = path.extname(file).toLowerCase();
  if (UNSUPPORTED.has(ext)) throw bad(shown, `is a ${ext} file, a format not read here (expected ${EXPECTED})`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw bad(shown, `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}; expected ${EXPECTED})`);
  }
  const parsed = parseLibrary(bytes, ext, shown);
  if (parsed.entries.length === 0)
    throw bad(
      shown,
      `has no usable entry (${parsed.skipped ? `${parsed.skipped} without a title or an arXiv id` : 'it is empty'}; expected ${EXPECTED})`,
    );
  const read: LibraryFile = {
    path: file,
    ...parsed,
    hash: createHash('sha256').update(bytes).digest('hex').slice(0, 16),
  };
  cache.set(file, { size: stat.size, mtimeMs: stat.mtimeMs, file: read });
  return read;
}

function bad(shown: string, what: string): UserInputError {
  return new UserInputError(`library file "${shown}" ${what}`, ErrorCode.InvalidConfig);
}

function parseLibrary(bytes: Buffer, ext: string, shown: string): Omit<LibraryFile, 'path' | 'hash'> {
  if (bytes.includes(0)) throw bad(shown, `is not a text file (expected ${EXPECTED})`);
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const start = text.trimStart()[0];
  if (ext === '.json' || start === '[' || start === '{') return { format: 'csl-json', ...fromCslJson(text, shown) };
  if (ext === '.bib' || ext === '.bibtex' || /^\s*@[a-z]+\s*[{(]/im.test(text))
    return { format: 'bibtex', ...fromBibtex(text) };
  return { format: 'ids', ...fromIdList(text) };
}

/** Lines of arXiv ids or URLs; blank lines and `#` comments ignored, other lines skipped (counted). */
function fromIdList(text: string): Pick<LibraryFile, 'entries' | 'skipped'> {
  const entries: LibraryEntry[] = [];
  let skipped = 0;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const id = arxivIn(line.split(/\s+/)[0]);
    if (id) entries.push({ arxiv: id });
    else skipped += 1;
  }
  return { entries, skipped };
}

interface CslItem {
  title?: unknown;
  abstract?: unknown;
  DOI?: unknown;
  URL?: unknown;
  number?: unknown;
  note?: unknown;
  archive_location?: unknown;
  'container-title'?: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** A CSL-JSON item as an entry: title, abstract, and an arXiv id from its DOI, URL, number or note. */
function fromCsl(item: CslItem): LibraryEntry | undefined {
  const title = str(item.title);
  const doi = str(item.DOI);
  const arxiv =
    [item.DOI, item.URL, item.number, item.archive_location, item.note, item['container-title']]
      .map((v) => arxivIn(str(v)))
      .find(Boolean) ?? undefined;
  if (!title && !arxiv) return undefined;
  const abstract = str(item.abstract);
  return {
    ...(title ? { title } : {}),
    ...(abstract ? { abstract } : {}),
    ...(arxiv ? { arxiv } : {}),
    ...(doi ? { doi } : {}),
  };
}

function fromCslJson(text: string, shown: string): Pick<LibraryFile, 'entries' | 'skipped'> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw bad(shown, `is not valid JSON (${(err as Error).message.split('\n')[0]}; expected a CSL-JSON export)`);
  }
  const items = Array.isArray(data) ? data : data && typeof data === 'object' ? [data] : [];
  let skipped = 0;
  const entries: LibraryEntry[] = [];
  for (const item of items) {
    const entry = item && typeof item === 'object' ? fromCsl(item as CslItem) : undefined;
    if (entry) entries.push(entry);
    else skipped += 1;
  }
  return { entries, skipped };
}

// citation-js ships no type declarations for the parts used here.
interface CitationCore {
  plugins: { input: { chain(input: string, opts: Record<string, unknown>): unknown } };
}
interface RawBibEntry {
  label?: string;
  properties?: Record<string, string>;
}
let core: CitationCore | undefined;
function citation(): CitationCore {
  if (!core) {
    core = require('@citation-js/core') as CitationCore;
    require('@citation-js/plugin-bibtex');
  }
  return core;
}

/**
 * BibTeX: citation-js reads it twice, as BibLaTeX into CSL-JSON (titles and abstracts with their LaTeX turned into
 * Unicode) and as raw entries (for `eprint`/`arxiv`/`arxivid`, which its CSL mapping leaves out). A file that does
 * not parse as a whole (an entry cut short) is read entry by entry, the unreadable ones skipped and counted.
 */
function fromBibtex(text: string): Pick<LibraryFile, 'entries' | 'skipped'> {
  try {
    return bibtexEntries(text);
  } catch {
    const chunks = text.split(/^(?=\s*@)/m).filter((c) => /^\s*@/.test(c));
    let skipped = 0;
    const entries: LibraryEntry[] = [];
    for (const chunk of chunks) {
      try {
        const got = bibtexEntries(chunk);
        entries.push(...got.entries);
        skipped += got.skipped;
      } catch {
        if (!/^\s*@(comment|preamble|string)\b/i.test(chunk)) skipped += 1;
      }
    }
    return { entries, skipped };
  }
}

function bibtexEntries(text: string): Pick<LibraryFile, 'entries' | 'skipped'> {
  const { plugins } = citation();
  const csl = plugins.input.chain(text, { forceType: '@biblatex/text', generateGraph: false }) as Array<
    CslItem & { id?: string }
  >;
  const raw = plugins.input.chain(text, { forceType: '@bibtex/text', target: '@bibtex/entries+list' }) as RawBibEntry[];
  const rawById = new Map(raw.map((r) => [r.label ?? '', lowerKeys(r.properties ?? {})]));
  let skipped = 0;
  const entries: LibraryEntry[] = [];
  for (const item of csl) {
    const fields = rawById.get(String(item.id ?? '')) ?? {};
    const eprint = /arxiv/i.test(`${fields.archiveprefix ?? ''}${fields.eprinttype ?? ''}`) ? fields.eprint : undefined;
    const arxiv = [eprint, fields.arxiv, fields.arxivid, fields.eprint].map(arxivIn).find(Boolean);
    const entry = fromCsl({ ...item, ...(arxiv ? { number: `arXiv:${arxiv}` } : {}) });
    if (entry) entries.push(entry);
    else skipped += 1;
  }
  return { entries, skipped };
}

function lowerKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));
}
