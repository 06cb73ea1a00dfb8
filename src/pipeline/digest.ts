/** STUB: builds one digest for one announcement day. Implemented by the LLM/pipeline workstream. */
import type { DigestConfig } from '../config/schema';
import type { AppContext } from '../core/context';
import type { Services } from '../core/services';
import type { Digest } from '../types';

/** What the ranker saw, kept per digest and day (store namespace 'ranking', key `${name}:${date}`) for learning. */
export interface RankingRecord {
  name: string;
  date: string;
  interests: string;
  candidates: Array<{
    id: string;
    version: number;
    title: string;
    abstract: string;
    /** First-pass text-similarity score, normalized to [0, 1]. */
    firstPass: number;
    /** Learned boost that was added, if any. */
    boost?: number;
    /** LLM relevance in [0, 1], for shortlisted papers when an LLM ranked them. */
    llmScore?: number;
    reason?: string;
    selected: boolean;
  }>;
}

/**
 * Builds (or returns the stored copy of) the digest `digest` for announcement day `opts.date` (default: latest).
 * Stores the result in 'digests' under `${name}:${date}` and the ranking in 'ranking'.
 */
export async function buildDigest(
  _ctx: AppContext,
  _services: Services,
  _digest: DigestConfig,
  _opts: { date?: string } = {},
): Promise<Digest> {
  throw new Error('not implemented');
}
