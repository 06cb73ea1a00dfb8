/**
 * The papers of a digest's reading list (`library:`), as the profile reads them: each file's entries
 * (src/config/library.ts), the ones with an arXiv id and no abstract completed from the export API through the arXiv
 * client (one batched request for all, its answers stored like every paper's metadata, so a re-read asks only for
 * ids it never had). Kept per process while the files are unchanged; a file that changes is read again. Zero LLM
 * tokens.
 */
import path from 'node:path';
import type { AppContext } from '../context';
import type { Paper } from '../app/types';
import type { ArxivClient } from '../arxiv/client';
import { tryParseArxivId } from '../arxiv/ids';
import type { DigestConfig } from '../config/schema';
import type { LibraryDocs } from '../profile/profile';
import { keys } from '../store/keys';
import { PAPER_RECORD } from '../arxiv/records';
import { type LibraryEntry, readLibraryFile } from '../config/library';

const memo = new Map<string, LibraryDocs>();
const MEMO_SIZE = 16;

/** The digest's library files, read (or taken from memory while unchanged); [] without `library:`. */
export function libraryFiles(digest: Pick<DigestConfig, 'library'>) {
  return (digest.library ?? []).map((p) => readLibraryFile(path.resolve(p), p));
}

export async function libraryDocs(
  ctx: AppContext,
  arxiv: Pick<ArxivClient, 'fetchMetadata'>,
  digest: Pick<DigestConfig, 'name' | 'library'>,
): Promise<LibraryDocs> {
  const files = libraryFiles(digest);
  if (!files.length) return [];
  const key = files.map((f) => `${f.path}:${f.hash}`).join('\n');
  const hit = memo.get(key);
  if (hit) return hit;
  for (const f of files.filter((x) => x.skipped > 0))
    ctx.log.warn(
      { digest: digest.name, file: f.path, skipped: f.skipped, read: f.entries.length },
      `library: ${f.skipped} entries without a title or an arXiv id were skipped`,
    );
  const entries = dedupe(files.flatMap((f) => f.entries));
  const meta = await metadataOf(
    ctx,
    arxiv,
    entries.filter((e) => e.id && !e.abstract).map((e) => e.id as string),
  );
  const docs = entries.flatMap((e, i) => {
    const m = e.id ? meta.get(e.id) : undefined;
    const title = e.title ?? m?.title ?? '';
    const abstract = e.abstract ?? m?.abstract ?? '';
    return title || abstract ? [{ id: e.id ?? `library:${i}`, title, abstract }] : [];
  });
  if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value as string);
  memo.set(key, docs);
  return docs;
}

/** Entries with their arXiv id normalised, each paper once (by arXiv id, else by title). */
function dedupe(entries: LibraryEntry[]): Array<LibraryEntry & { id?: string }> {
  const seen = new Set<string>();
  const out: Array<LibraryEntry & { id?: string }> = [];
  for (const e of entries) {
    const id = e.arxiv ? tryParseArxivId(e.arxiv)?.id : undefined;
    const k = id ?? `title:${(e.title ?? '').toLowerCase()}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ ...e, ...(id ? { id } : {}) });
  }
  return out;
}

/** Stored metadata of `ids`, the rest asked of the export API at once (a failure leaves them to their titles). */
async function metadataOf(
  ctx: AppContext,
  arxiv: Pick<ArxivClient, 'fetchMetadata'>,
  ids: string[],
): Promise<Map<string, Paper>> {
  const out = new Map<string, Paper>();
  if (!ids.length) return out;
  const stored = await PAPER_RECORD.getMany(ctx.store, ids.map(keys.paper));
  ids.forEach((id, i) => {
    const p = stored[i];
    if (p?.abstract) out.set(id, p);
  });
  const missing = ids.filter((id) => !out.has(id));
  if (!missing.length) return out;
  try {
    for (const [id, p] of await arxiv.fetchMetadata(missing)) out.set(id, p);
  } catch (err) {
    ctx.log.warn({ err: (err as Error).message, ids: missing.length }, 'library: abstracts unavailable from arXiv');
  }
  return out;
}
