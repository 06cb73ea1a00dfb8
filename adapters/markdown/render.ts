/** STUB: Markdown (seed shape) and JSON renderers. */
import type { Config } from '../../src/config/schema';
import type { Digest } from '../../src/types';

export interface RenderOptions {
  config?: Config;
  webUrl?: string;
}

export function renderMarkdown(_digest: Digest, _opts: RenderOptions = {}): string {
  throw new Error('not implemented');
}

export function archiveFileName(digest: Digest): string {
  return `${digest.date}-${digest.name}.md`;
}
