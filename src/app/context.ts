/**
 * What every part of the core receives: the validated config, the environment (injectable), the store, a logger,
 * a clock (injectable, so schedulers and retries are tested without waiting) and the core's outside endpoints
 * (arXiv, the LLM), each from its environment variable (contract §Environment) so tests point them at local servers.
 * A chat platform's endpoint and credentials are its adapter's to read (adapters/<platform>/index.ts).
 */
import type { Config } from '../config/schema';
import { realSleep } from '../http/retry';
import type { Logger } from './log';
import { type Progress, createProgress } from './progress';
import type { Store } from '../store';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now(), sleep: realSleep };

export interface Endpoints {
  arxivApi: string;
  arxivRss: string;
  arxivWeb: string;
  /** Undefined: the SDK's default (OpenAI). */
  openaiBase: string | undefined;
}

export function endpointsFrom(env: NodeJS.ProcessEnv): Endpoints {
  const strip = (s: string) => s.replace(/\/+$/, '');
  return {
    arxivApi: env.ARXIV_API_URL || 'https://export.arxiv.org/api/query',
    arxivRss: strip(env.ARXIV_RSS_URL || 'https://rss.arxiv.org/rss'),
    arxivWeb: strip(env.ARXIV_WEB_URL || 'https://arxiv.org'),
    openaiBase: env.OPENAI_BASE_URL || undefined,
  };
}

export interface AppContext {
  config: Config;
  env: NodeJS.ProcessEnv;
  store: Store;
  log: Logger;
  clock: Clock;
  endpoints: Endpoints;
  progress: Progress;
}

export function createContext(parts: {
  config: Config;
  store: Store;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  progress?: Progress;
}): AppContext {
  const env = parts.env ?? process.env;
  // A store that repaired itself (src/store/reopen.ts) says so once, in the log.
  parts.store.onRepair?.((line) => parts.log.warn({ store: parts.store.description }, line));
  return {
    config: parts.config,
    env,
    store: parts.store,
    log: parts.log,
    clock: parts.clock ?? systemClock,
    endpoints: endpointsFrom(env),
    progress: parts.progress ?? createProgress({ enabled: false }),
  };
}
