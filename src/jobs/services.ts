/** Builds the services once per process from the context; the types live in src/pipeline/services.ts. */
import type { AppContext } from '../context';
import { createArxivClient } from '../arxiv/client';
import { createLlm } from '../llm/client';
import { createEmbedder } from '../llm/embeddings';
import type { Services } from '../pipeline/services';
import { createProfileBoost } from '../profile/profile';

export function createServices(ctx: AppContext, overrides: Partial<Services> = {}): Services {
  return {
    arxiv: overrides.arxiv ?? createArxivClient(ctx),
    llm: 'llm' in overrides ? overrides.llm : createLlm(ctx),
    embedder: 'embedder' in overrides ? overrides.embedder : createEmbedder(ctx),
    // What the team voted for raises the kind of paper it likes (src/profile).
    boost: overrides.boost ?? createProfileBoost(ctx.store),
  };
}
