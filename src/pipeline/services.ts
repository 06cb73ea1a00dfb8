/** The services the pipeline, the commands and the jobs share, built once per process (src/jobs/services.ts). */
import type { Paper } from '../app/types';
import type { ArxivClient } from '../arxiv/client';
import type { DigestConfig } from '../config/schema';
import type { LlmClient } from '../llm/client';
import type { Embedder } from '../llm/embeddings';

/** Embeddings of a day's papers (by id) and of the digest's interests, in one model's space. */
export interface PaperVectors {
  model: string;
  of: Map<string, number[]>;
  interests?: number[];
}

/** What the vote profile says of a day's papers. */
export interface LearnedRanking {
  /** Additive boost per paper id, in [-weight, weight]. */
  boost: Map<string, number>;
  /** How much more than the day's average the profile likes each paper (a z-score). */
  affinity?: Map<string, number>;
  /** λ: how far the profile may move the ranking (0 … 1). */
  weight?: number;
  /** The voted-for papers a paper resembles (for the exploration slot's "because you voted for …"). */
  because?: (paper: Paper) => Array<Pick<Paper, 'id' | 'title'>>;
}

/**
 * Learned per-digest preferences (from votes) for a day's papers: a boost per paper id that the first ranking pass
 * and the final selection add (a bare Map is the boost alone). Absent or empty: no learning yet.
 */
export type RankingBoost = (
  digest: DigestConfig,
  papers: Paper[],
  vectors?: PaperVectors,
) => Promise<Map<string, number> | LearnedRanking>;

export interface Services {
  arxiv: ArxivClient;
  /** Undefined without OPENAI_API_KEY. */
  llm: LlmClient | undefined;
  /** Undefined without OPENAI_API_KEY or `llm.embeddingModel`. */
  embedder?: Embedder | undefined;
  boost?: RankingBoost;
}
