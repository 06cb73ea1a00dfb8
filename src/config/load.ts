/**
 * Config: defaults, then the file, then environment overrides, validated once at start (after probot's
 * create-probot). `env` is injectable for tests. A bad config is one line that names the key, the bad value and
 * what is expected.
 */
import type { Settings } from './settings';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import leven from 'leven';
import type { z } from 'zod';
import { ErrorCode, UserInputError } from '../app/errors';
import { readLibraryFile } from './library';
import {
  type Config,
  commandsSchema,
  composeConfigSchema,
  configSchema,
  DEFAULT_CONFIG_INPUT,
  type DigestConfig,
  digestSchema,
  llmSchema,
  type PlatformConfig,
  votesSchema,
} from './schema';

export const DEFAULT_CONFIG_PATH = 'config/arxiv-digest.yaml';

export interface LoadedConfig {
  config: Config;
  /** The file read, or "built-in defaults". */
  source: string;
}

function formatPath(p: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of p) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out || '(top level)';
}

function valueAt(input: unknown, p: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const seg of p) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

function show(value: unknown): string {
  if (value === undefined) return 'missing';
  // A key with nothing after the colon (or every line under it commented out).
  if (value === null) return 'empty';
  const s = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Every key the schema knows, at any level (the platforms' too): the pool for "did you mean". */
function knownKeys(platforms: readonly PlatformConfig[]): string[] {
  const shapes = [configSchema, digestSchema, llmSchema, votesSchema, commandsSchema].map((o) => Object.keys(o.shape));
  const platformKeys = platforms.flatMap((p) => [p.id, ...Object.keys(p.section?.shape ?? {})]);
  return [...new Set([...shapes.flat(), 'permalinkPrefix', 'location', ...platformKeys])];
}

/** The known key a misspelt one most likely meant (case slips and up to two typos), if any. */
function nearestKey(key: string, platforms: readonly PlatformConfig[]): string | undefined {
  let best: { key: string; d: number } | undefined;
  for (const k of knownKeys(platforms)) {
    const d = k.toLowerCase() === key.toLowerCase() ? 0 : leven(k, key);
    if (d <= Math.min(2, Math.ceil(k.length / 3)) && (!best || d < best.d)) best = { key: k, d };
  }
  return best?.key;
}

/** One line per the contract: `config/x.yaml: digests[0].maxPapers is "five": expected a whole number …`. */
export function describeConfigError(
  error: z.ZodError,
  input: unknown,
  source: string,
  platforms: readonly PlatformConfig[] = [],
): string {
  // A misspelt key (`intrests:`) also leaves the right one missing: the misspelling is the news.
  const issue = error.issues.find((i) => i.code === 'unrecognized_keys') ?? error.issues[0];
  if (!issue) return `${source}: invalid config`;
  if (issue.code === 'unrecognized_keys') {
    const where = formatPath(issue.path);
    const keys = issue.keys.join(', ');
    const guess = issue.keys.length === 1 ? nearestKey(issue.keys[0] ?? '', platforms) : undefined;
    const hint = guess ? `did you mean ${guess}? ` : '';
    return `${source}: unknown key ${issue.path.length ? `${where}.` : ''}${keys} (${hint}check the spelling against config/arxiv-digest.example.yaml)`;
  }
  const where = formatPath(issue.path);
  const value = valueAt(input, issue.path);
  // Custom checks (categories, cron fields) word their whole message: `minute 61 is out of range 0-59`.
  if (issue.code === 'custom' && issue.params?.verbatim)
    return `${source}: ${where} is ${show(value)}: ${issue.message}`;
  let expected = issue.message;
  if (issue.code === 'invalid_type') {
    const names: Record<string, string> = { int: 'a whole number', array: 'a list', object: 'a mapping of keys' };
    expected = names[issue.expected] ?? `${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
  }
  if (issue.code === 'too_small' && issue.origin === 'array' && !issue.message.startsWith('at least')) {
    expected = `a list of at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`;
  }
  if (issue.code === 'too_small' && issue.origin === 'number') expected = `a number of at least ${issue.minimum}`;
  if (issue.code === 'too_big' && issue.origin === 'number') expected = `a number of at most ${issue.maximum}`;
  expected = expected.replace(/^Invalid input: expected /i, 'a ').replace(/^Invalid string: /, '');
  return `${source}: ${where} is ${show(value)}: expected ${expected}`;
}

/** YAML turns a section left empty (a platform's section with every line commented out) into null: treat it as absent. */
function dropEmptySections(input: unknown): unknown {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return input;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === null && k !== 'digests') continue;
    out[k] = Array.isArray(v) ? v.map(dropEmptySections) : v;
  }
  return out;
}

/**
 * Validates a config. `platforms` are the chat platforms' config parts (the composition root's list): a channel
 * entry or a top-level section of a platform not given is refused like any unknown key.
 */
export function parseConfig(input: unknown, source: string, platforms: readonly PlatformConfig[] = []): Config {
  const result = composeConfigSchema(platforms).safeParse(dropEmptySections(input ?? {}));
  if (!result.success)
    throw new UserInputError(describeConfigError(result.error, input, source, platforms), ErrorCode.InvalidConfig);
  return result.data as Config;
}

/**
 * Finds and reads the config: `file` (the root passes --config, else $ARXIV_DIGEST_CONFIG from its settings), else
 * config/arxiv-digest.yaml, else the defaults.
 */
export function loadConfig(
  options: { file?: string; cwd?: string; platforms?: readonly PlatformConfig[] } = {},
): LoadedConfig {
  const platforms = options.platforms ?? [];
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.file;
  const file = explicit ?? (existsSync(path.resolve(cwd, DEFAULT_CONFIG_PATH)) ? DEFAULT_CONFIG_PATH : undefined);
  if (!file)
    return { config: parseConfig(DEFAULT_CONFIG_INPUT, 'built-in defaults', platforms), source: 'built-in defaults' };
  const full = path.resolve(cwd, file);
  if (existsSync(full) && statSync(full).isDirectory()) {
    throw new UserInputError(
      `config file "${file}" is a directory (expected a YAML file such as ${path.join(file, 'arxiv-digest.yaml')}; see config/arxiv-digest.example.yaml)`,
      ErrorCode.InvalidConfig,
    );
  }
  if (!existsSync(full)) {
    throw new UserInputError(
      `config file "${file}" does not exist (expected a YAML file; see config/arxiv-digest.example.yaml)`,
      ErrorCode.InvalidConfig,
    );
  }
  let input: unknown;
  try {
    // Integers are read exactly: an unquoted snowflake id (18 digits) is past 2^53 and would silently become another
    // channel's id as a JS number.
    input = exactIntegers(YAML.parse(readFileSync(full, 'utf8'), { intAsBigInt: true }));
  } catch (err) {
    const msg = err instanceof Error ? (err.message.split('\n')[0] ?? '').replace(/:\s*$/, '') : String(err);
    throw new UserInputError(`${file}: not valid YAML: ${msg}`, ErrorCode.InvalidConfig);
  }
  const config = parseConfig(input, file, platforms);
  checkLibraries(config, path.dirname(full), file);
  return { config, source: file };
}

/**
 * Each digest's `library:` files resolved against the config file's folder and read once now: a missing or
 * unreadable file, an unsupported format or a file without a usable entry stops the start with one line.
 */
function checkLibraries(config: Config, dir: string, source: string): void {
  config.digests.forEach((digest, i) => {
    if (!digest.library) return;
    digest.library = digest.library.map((p) => {
      const full = path.resolve(dir, p);
      try {
        readLibraryFile(full, p);
      } catch (err) {
        if (err instanceof UserInputError)
          throw new UserInputError(`${source}: digests[${i}].library: ${err.message}`, ErrorCode.InvalidConfig);
        throw err;
      }
      return full;
    });
  });
}

/**
 * YAML integers arrive as bigint: those a JS number holds exactly become numbers, the longer ones (snowflake ids)
 * keep their digits as strings, so an 18-digit channel id works unquoted and a huge `maxPapers` is refused
 * with its real value.
 */
export function exactIntegers(value: unknown): unknown {
  if (typeof value === 'bigint') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value.toString();
  }
  if (Array.isArray(value)) return value.map(exactIntegers);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, exactIntegers(v)]));
  }
  return value;
}

/** The model for a digest: ARXIV_DIGEST_MODEL (the settings' `model`) wins, then the digest's own, then llm.model. */
export function modelFor(config: Config, settings: Pick<Settings, 'model'>, digest?: DigestConfig): string {
  return settings.model || digest?.model || config.llm.model;
}

export function pickDigests(config: Config, name: string | undefined): DigestConfig[] {
  if (!name) return config.digests;
  const found = config.digests.filter((d) => d.name === name);
  if (found.length === 0) {
    const names = config.digests.map((d) => d.name).join(', ');
    throw new UserInputError(`--name "${name}" is not a digest of the config (expected one of: ${names})`);
  }
  return found;
}
