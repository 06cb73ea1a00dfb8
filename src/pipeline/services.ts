/** The services the pipeline, the commands and the jobs share, built once per process (src/jobs/services.ts). */
import type { Paper } from '../app/types';
import type { ArxivClient } from '../arxiv/client';
import type { DigestConfig } from '../config/schema';
import type { LlmClient } from '../llm/client';

/**
 * Learned per-digest preferences (from votes): an additive boost per paper id, roughly in [-1, 1], that the first
 * ranking pass adds to text similarity. Absent: no learning yet.
 */
export type RankingBoost = (digest: DigestConfig, papers: Paper[]) => Promise<Map<string, number>>;

export interface Services {
  arxiv: ArxivClient;
  /** Undefined without OPENAI_API_KEY. */
  llm: LlmClient | undefined;
  boost?: RankingBoost;
}
