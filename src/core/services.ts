/** The services the pipeline, the commands and the bot share, built once per process from the context. */
import { type ArxivClient, createArxivClient } from '../arxiv/client';
import type { DigestConfig } from '../config/schema';
import { createLlm, type LlmClient } from '../llm/client';
import { createProfileBoost } from '../profile/profile';
import type { Paper } from '../types';
import type { AppContext } from './context';

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

export function createServices(ctx: AppContext, overrides: Partial<Services> = {}): Services {
  return {
    arxiv: overrides.arxiv ?? createArxivClient(ctx),
    llm: 'llm' in overrides ? overrides.llm : createLlm(ctx),
    // What the team voted for raises the kind of paper it likes (src/profile).
    boost: overrides.boost ?? createProfileBoost(ctx.store),
  };
}
