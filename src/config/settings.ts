/**
 * The core's settings from the environment (contract §Environment), parsed once with zod at the composition root
 * (`src/cli/main.ts` reads `process.env` through here) and handed down as typed values: nothing below the root
 * reads the environment. A chat platform's variables are its adapter's (`adapters/<platform>/config.ts`).
 */
import { z } from 'zod';
import { UserInputError } from '../app/errors';
import { SECRET_ENV_NAME } from '../app/log';

/** The core's outside endpoints (arXiv, the LLM): tests point them at local servers. */
export interface Endpoints {
  arxivApi: string;
  arxivRss: string;
  arxivWeb: string;
  /** Undefined: the SDK's default (OpenAI). */
  openaiBase: string | undefined;
}

export interface Settings {
  /** ARXIV_DIGEST_MODEL: the model for every digest and command, over the config's. */
  model: string | undefined;
  /** OPENAI_API_KEY (undefined: none; a local server may need none). */
  openaiApiKey: string | undefined;
  endpoints: Endpoints;
  /** ARXIV_DIGEST_CONFIG: the config file when --config names none. */
  configFile: string | undefined;
  /** STORE_URL as given (the command resolves a relative SQLite path against its directory). */
  storeUrl: string | undefined;
  /** ARXIV_DIGEST_DATA_DIR: where the SQLite hints point (the image sets /data, its only writable directory). */
  dataDir: string | undefined;
  /** LOG_LEVEL as given (each command has its default). */
  logLevel: string | undefined;
  /** CI is set: progress is plain lines, never a bar. */
  ci: boolean;
  /** Progress lines on stderr: off under NODE_ENV=test unless ARXIV_DIGEST_PROGRESS is set. */
  progress: boolean;
  /** The values of the secret variables (`…_TOKEN`, `…_KEY`, …, at least 6 characters): scrubbed from logs. */
  secrets: string[];
}

/** An optional variable: unset and blank are the same, surrounding white space is not part of the value. */
const optional = z
  .string()
  .optional()
  .transform((v) => v?.trim() || undefined);
const flag = optional.transform((v) => v !== undefined);
const stripSlash = (s: string) => s.replace(/\/+$/, '');

const SETTINGS = z.object({
  ARXIV_DIGEST_MODEL: optional,
  ARXIV_DIGEST_CONFIG: optional,
  OPENAI_API_KEY: optional,
  OPENAI_BASE_URL: optional,
  ARXIV_API_URL: optional.transform((v) => v ?? 'https://export.arxiv.org/api/query'),
  ARXIV_RSS_URL: optional.transform((v) => stripSlash(v ?? 'https://rss.arxiv.org/rss')),
  ARXIV_WEB_URL: optional.transform((v) => stripSlash(v ?? 'https://arxiv.org')),
  STORE_URL: optional,
  ARXIV_DIGEST_DATA_DIR: optional,
  LOG_LEVEL: optional,
  CI: flag,
  NODE_ENV: optional,
  ARXIV_DIGEST_PROGRESS: flag,
});

/**
 * A base URL from an environment variable (a platform's API base, e.g. for a proxy or a test server), else
 * `fallback`; a value that is not an http(s) URL stops the program with one line naming the variable.
 */
export function envUrl(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UserInputError(`${name} is "${raw}": expected an http(s) URL such as ${fallback}`);
  }
  return raw;
}

/** pino's levels: LOG_LEVEL must be one of them. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
/** The base URLs of the outside services besides the chat platforms' (checked by their adapters), with examples. */
const SERVICE_URLS: Array<[string, string]> = [
  ['OPENAI_BASE_URL', 'http://localhost:11434/v1'],
  ['ARXIV_API_URL', 'https://export.arxiv.org/api/query'],
  ['ARXIV_RSS_URL', 'https://rss.arxiv.org/rss'],
  ['ARXIV_WEB_URL', 'https://arxiv.org'],
];

/**
 * The settings, checked: a value that would otherwise fail late or obscurely (a LOG_LEVEL pino does not know, a
 * service URL without its scheme) stops the program with one line naming the variable (exit 2).
 */
export function readSettings(env: NodeJS.ProcessEnv): Settings {
  const v = SETTINGS.parse(env);
  if (v.LOG_LEVEL && !LOG_LEVELS.includes(v.LOG_LEVEL))
    throw new UserInputError(`LOG_LEVEL is "${v.LOG_LEVEL}": expected one of ${LOG_LEVELS.join(', ')}`);
  for (const [name, example] of SERVICE_URLS) envUrl(env, name, example);
  return {
    model: v.ARXIV_DIGEST_MODEL,
    openaiApiKey: v.OPENAI_API_KEY,
    endpoints: {
      arxivApi: v.ARXIV_API_URL,
      arxivRss: v.ARXIV_RSS_URL,
      arxivWeb: v.ARXIV_WEB_URL,
      openaiBase: v.OPENAI_BASE_URL,
    },
    configFile: v.ARXIV_DIGEST_CONFIG,
    storeUrl: v.STORE_URL,
    dataDir: v.ARXIV_DIGEST_DATA_DIR,
    logLevel: v.LOG_LEVEL,
    ci: v.CI,
    progress: v.NODE_ENV !== 'test' || v.ARXIV_DIGEST_PROGRESS,
    secrets: secretValues(env),
  };
}

/** The core's endpoints alone (tests that build a client without a context). */
export function endpointsFrom(env: NodeJS.ProcessEnv): Endpoints {
  return readSettings(env).endpoints;
}

/** The values of the secret variables set in `env`, long enough to scrub without mangling ordinary words. */
export function secretValues(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(env)
    .filter((k) => SECRET_ENV_NAME.test(k))
    .map((k) => env[k])
    .filter((v): v is string => !!v && v.length >= 6);
}
