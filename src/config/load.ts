/**
 * Config: defaults, then the file, then environment overrides, validated once at start (after probot's
 * create-probot). `env` is injectable for tests. A bad config is one line that names the key, the bad value and
 * what is expected.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { ErrorCode, UserInputError } from '../errors';
import { type Config, configSchema, DEFAULT_CONFIG_INPUT, type DigestConfig } from './schema';

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
  const s = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** One line per the contract: `config/x.yaml: digests[0].maxPapers is "five": expected a whole number …`. */
export function describeConfigError(error: z.ZodError, input: unknown, source: string): string {
  const issue = error.issues[0];
  if (!issue) return `${source}: invalid config`;
  if (issue.code === 'unrecognized_keys') {
    const where = formatPath(issue.path);
    const keys = issue.keys.join(', ');
    return `${source}: unknown key ${issue.path.length ? `${where}.` : ''}${keys} (check the spelling against config/arxiv-digest.example.yaml)`;
  }
  const where = formatPath(issue.path);
  const value = valueAt(input, issue.path);
  let expected = issue.message;
  if (issue.code === 'invalid_type') expected = `${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
  if (issue.code === 'too_small' && issue.origin === 'number') expected = `a number of at least ${issue.minimum}`;
  if (issue.code === 'too_big' && issue.origin === 'number') expected = `a number of at most ${issue.maximum}`;
  if (issue.code === 'invalid_union' && /channels\[\d+\]$/.test(where)) {
    expected = 'either slack: C0123456789 or discord: "123456789012345678"';
  }
  expected = expected.replace(/^Invalid input: expected /i, 'a ').replace(/^Invalid string: /, '');
  return `${source}: ${where} is ${show(value)}: expected ${expected}`;
}

/** YAML turns a section left empty (`discord:` with every line commented out) into null: treat it as absent. */
function dropEmptySections(input: unknown): unknown {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return input;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === null && k !== 'digests') continue;
    out[k] = Array.isArray(v) ? v.map(dropEmptySections) : v;
  }
  return out;
}

export function parseConfig(input: unknown, source: string): Config {
  const result = configSchema.safeParse(dropEmptySections(input ?? {}));
  if (!result.success)
    throw new UserInputError(describeConfigError(result.error, input, source), ErrorCode.InvalidConfig);
  return result.data;
}

/** Finds and reads the config: --config, else $ARXIV_DIGEST_CONFIG, else config/arxiv-digest.yaml, else the defaults. */
export function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.file ?? env.ARXIV_DIGEST_CONFIG;
  const file = explicit ?? (existsSync(path.resolve(cwd, DEFAULT_CONFIG_PATH)) ? DEFAULT_CONFIG_PATH : undefined);
  if (!file) return { config: parseConfig(DEFAULT_CONFIG_INPUT, 'built-in defaults'), source: 'built-in defaults' };
  const full = path.resolve(cwd, file);
  if (!existsSync(full)) {
    throw new UserInputError(
      `config file "${file}" does not exist (expected a YAML file; see config/arxiv-digest.example.yaml)`,
      ErrorCode.InvalidConfig,
    );
  }
  let input: unknown;
  try {
    input = YAML.parse(readFileSync(full, 'utf8'));
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new UserInputError(`${file}: not valid YAML: ${msg}`, ErrorCode.InvalidConfig);
  }
  return { config: parseConfig(input, file), source: file };
}

/** The model for a digest: ARXIV_DIGEST_MODEL wins, then the digest's own, then llm.model. */
export function modelFor(config: Config, env: NodeJS.ProcessEnv, digest?: DigestConfig): string {
  return env.ARXIV_DIGEST_MODEL || digest?.model || config.llm.model;
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
