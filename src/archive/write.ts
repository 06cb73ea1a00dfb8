/**
 * The one place an archive file is written: `digest --out` and a digest's `archiveDir` (config) both come here, so
 * the file's name and content are the same whichever way it was asked for.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Digest } from '../app/types';
import type { Config } from '../config/schema';
import { archiveFileName, renderMarkdown } from './markdown';

/** Where to write: into a directory (under the digest's archive file name), or to exactly this file. */
export type ArchiveTarget = { dir: string } | { file: string };

/** Writes the digest's Markdown archive, creating missing directories; returns the file written. */
export function writeArchive(digest: Digest, target: ArchiveTarget, config?: Config): string {
  const file = 'dir' in target ? path.join(target.dir, archiveFileName(digest, config)) : target.file;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, renderMarkdown(digest, config ? { config } : {}));
  return file;
}
