/**
 * What every part of the core receives: the validated config, the settings read from the environment once
 * (src/config/settings.ts), the store, a logger, a clock (injectable, so schedulers and retries are tested without
 * waiting) and the core's outside endpoints (arXiv, the LLM), so tests point them at local servers. A chat
 * platform's endpoint and credentials are its adapter's to read (adapters/<platform>/config.ts).
 */
import type { Config } from '../config/schema';
import { type Endpoints, readSettings, type Settings } from '../config/settings';
import { realSleep } from '../http/retry';
import type { Logger } from '../app/log';
import { type Progress, createProgress } from '../app/progress';
import type { Store } from '../store';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now(), sleep: realSleep };

export type { Endpoints, Settings } from '../config/settings';

export interface AppContext {
  config: Config;
  /** The core's settings, read from the environment once, at the composition root. */
  settings: Settings;
  /** The environment, for the chat adapters only: each reads its own variables (adapters/<platform>/config.ts). */
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
  /** Read from `env` when not given (tests give only an environment). */
  settings?: Settings;
  clock?: Clock;
  progress?: Progress;
}): AppContext {
  const env = parts.env ?? process.env;
  const settings = parts.settings ?? readSettings(env);
  // A store that repaired itself (src/store/reopen.ts) says so once, in the log.
  parts.store.onRepair?.((line) => parts.log.warn({ store: parts.store.description }, line));
  return {
    config: parts.config,
    settings,
    env,
    store: parts.store,
    log: parts.log,
    clock: parts.clock ?? systemClock,
    endpoints: settings.endpoints,
    progress: parts.progress ?? createProgress({ enabled: false }),
  };
}
