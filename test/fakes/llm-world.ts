/** A context wired to the fake OpenAI server and a stub arXiv, with a fake clock: for the LLM pipeline's tests. */
import { parseConfig } from '../../src/config/load';
import { PLATFORM_CONFIG } from '../../src/cli/adapters';
import { SEED_INTERESTS } from '../../src/config/schema';
import { type AppContext, type Clock, createContext } from '../../src/context';
import { createServices } from '../../src/jobs/services';
import type { Services } from '../../src/pipeline/services';
import { createLlm, type LlmClientOptions } from '../../src/llm/client';
import { silentLogger } from '../../src/app/log';
import { openStore, type Store } from '../../src/store';
import type { Paper } from '../../src/app/types';
import { seedDay } from './arxiv-server';
import type { FakeOpenAi } from './openai-server';
import { type StubArxiv, stubArxiv } from './stub-arxiv';

/** The five papers of the seed digest of 2025-10-30. */
export const SEED_SELECTED = ['2510.26143', '2510.26352', '2510.26788', '2510.26707', '2510.26658'];

export interface World {
  ctx: AppContext;
  services: Services;
  store: Store;
  arxiv: StubArxiv;
  slept: number[];
  day: { date: string; categories: string[]; papers: Paper[] };
}

export async function makeWorld(
  opts: {
    ai?: FakeOpenAi;
    llm?: Record<string, unknown>;
    digest?: Record<string, unknown>;
    client?: LlmClientOptions;
    days?: Array<{ date: string; categories: string[]; papers: Paper[] }>;
    store?: Store;
    /** Characters of each paper's fake full text. */
    bodyChars?: number;
    /** Papers whose full text fails "just now": the abstract stands in, provisional. */
    provisional?: string[];
  } = {},
): Promise<World> {
  const store = opts.store ?? (await openStore('memory://'));
  const config = parseConfig(
    {
      digests: [
        { name: 'nlp', categories: ['cs.CL'], interests: SEED_INTERESTS, maxPapers: 5, ...(opts.digest ?? {}) },
      ],
      llm: opts.llm ?? {},
    },
    'test config',
    PLATFORM_CONFIG,
  );
  const slept: number[] = [];
  const clock: Clock = {
    now: () => Date.parse('2025-10-30T12:00:00Z'),
    sleep: async (ms) => {
      slept.push(ms);
    },
  };
  const env: NodeJS.ProcessEnv = opts.ai ? { OPENAI_API_KEY: 'sk-test-0123456789', OPENAI_BASE_URL: opts.ai.url } : {};
  const ctx = createContext({ config, store, log: silentLogger, env, clock });
  const day = seedDay();
  const arxiv = stubArxiv(opts.days ?? [day], {
    store,
    ...(opts.bodyChars ? { bodyChars: opts.bodyChars } : {}),
    ...(opts.provisional ? { provisional: new Set(opts.provisional) } : {}),
  });
  const llm = createLlm(ctx, { backoffMs: 10, ...(opts.client ?? {}) });
  const services = createServices(ctx, { arxiv: arxiv.client, llm });
  return { ctx, services, store, arxiv, slept, day };
}
