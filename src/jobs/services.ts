/** Builds the services once per process from the context; the types live in src/pipeline/services.ts. */
import type { AppContext } from '../context';
import { createArxivClient } from '../arxiv/client';
import { createLlm } from '../llm/client';
import { createEmbedder } from '../llm/embeddings';
import type { Services } from '../pipeline/services';
import { libraryDocs } from '../library/papers';
import { createProfileBoost } from '../profile/profile';

export function createServices(ctx: AppContext, overrides: Partial<Services> = {}): Services {
  const arxiv = overrides.arxiv ?? createArxivClient(ctx);
  return {
    arxiv,
    llm: 'llm' in overrides ? overrides.llm : createLlm(ctx),
    embedder: 'embedder' in overrides ? overrides.embedder : createEmbedder(ctx),
    // What the team voted for, and what it reads (`library:`), raise the kind of paper it likes (src/profile).
    boost: overrides.boost ?? createProfileBoost(ctx.store, (digest) => libraryDocs(ctx, arxiv, digest)),
  };
}
