/** Argument parsing for the CLI (node:util parseArgs, strict): unknown options and bad values are exit-2 errors. */
import { parseArgs } from 'node:util';
import leven from 'leven';
import { formatDay, parseDay } from '../arxiv/window';
import { UserInputError } from '../app/errors';

export const COMMANDS = ['digest', 'critique', 'start', 'register-commands', 'tally'] as const;
export type CommandName = (typeof COMMANDS)[number];

const OPTIONS = {
  config: { type: 'string' },
  name: { type: 'string' },
  date: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'no-llm': { type: 'boolean' },
  format: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

/** Which options each command takes. */
const ALLOWED: Record<CommandName, Array<keyof typeof OPTIONS>> = {
  digest: ['config', 'name', 'date', 'dry-run', 'no-llm', 'format', 'out', 'help'],
  critique: ['config', 'format', 'help'],
  start: ['config', 'help'],
  'register-commands': ['config', 'help'],
  tally: ['config', 'name', 'date', 'help'],
};

export interface ParsedArgs {
  command: CommandName | undefined;
  positionals: string[];
  config?: string;
  name?: string;
  date?: string;
  dryRun: boolean;
  /** `digest --no-llm`: built without the model (ranked by text, abstracts as summaries). */
  noLlm: boolean;
  format: 'markdown' | 'json';
  /** Whether --format was given (then the digest is printed even when posted). */
  formatGiven: boolean;
  out?: string;
  help: boolean;
  version: boolean;
}

/** The candidate a mistyped word most likely meant: a dropped dash or a typo or two (`--dryrun`, `digets`). */
function nearest(word: string, candidates: readonly string[]): string | undefined {
  const squash = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = squash(c) === squash(word) ? 0 : leven(word.toLowerCase(), c);
    if (d <= Math.min(2, Math.ceil(c.length / 3)) && (!best || d < best.d)) best = { c, d };
  }
  return best?.c;
}

export function validateDate(value: string): string {
  return formatDay(parseDay(value, '--date'));
}

export function parseCli(argv: string[]): ParsedArgs {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const opt = /option '(-[^' ]+)/i.exec(msg)?.[1] ?? /'(-[^']+)'/.exec(msg)?.[1];
    if (/Unknown option/i.test(msg)) {
      const guess = opt ? nearest(opt.replace(/^-+/, '').split('=')[0] ?? '', Object.keys(OPTIONS)) : undefined;
      const hint = guess ? `did you mean --${guess}? ` : '';
      throw new UserInputError(`unknown option ${opt ?? ''} (${hint}see arxiv-digest --help)`.replace('  ', ' '));
    }
    if (/argument missing/i.test(msg))
      throw new UserInputError(`option ${opt ?? ''} needs a value (see arxiv-digest --help)`);
    throw new UserInputError(`${msg.split('\n')[0]} (see arxiv-digest --help)`);
  }
  const { values, positionals } = parsed;
  // `--name ""` (an unset shell variable) must not quietly mean "every digest", nor `--config ""` the default file.
  for (const key of ['config', 'name', 'date', 'format', 'out'] as const) {
    if (values[key] === '')
      throw new UserInputError(`option --${key} is empty (it needs a value; see arxiv-digest --help)`);
  }
  const [first, ...rest] = positionals;
  let command: CommandName | undefined;
  if (first !== undefined) {
    if (!(COMMANDS as readonly string[]).includes(first)) {
      const guess = nearest(first, COMMANDS);
      throw new UserInputError(
        `unknown command "${first}" (${guess ? `did you mean ${guess}? ` : ''}expected one of: ${COMMANDS.join(', ')})`,
      );
    }
    command = first as CommandName;
    for (const key of Object.keys(values) as Array<keyof typeof OPTIONS>) {
      if (key === 'version') continue;
      if (values[key] !== undefined && !ALLOWED[command].includes(key)) {
        throw new UserInputError(
          `option --${key} does not apply to "${command}" (it takes: ${ALLOWED[command].map((o) => `--${o}`).join(', ')})`,
        );
      }
    }
  }
  const format = values.format ?? 'markdown';
  if (format !== 'markdown' && format !== 'json') {
    throw new UserInputError(`--format "${format}" is not a format (expected markdown or json)`);
  }
  const expectedPositionals = command === 'critique' ? 1 : 0;
  if (command && rest.length > expectedPositionals) {
    throw new UserInputError(
      `unexpected argument "${rest[expectedPositionals]}" for "${command}" (see arxiv-digest --help)`,
    );
  }
  const out: ParsedArgs = {
    command,
    positionals: rest,
    dryRun: values['dry-run'] ?? false,
    noLlm: values['no-llm'] ?? false,
    format,
    formatGiven: values.format !== undefined,
    help: values.help ?? false,
    version: values.version ?? false,
  };
  if (values.config !== undefined) out.config = values.config;
  if (values.name !== undefined) out.name = values.name;
  if (values.date !== undefined) out.date = validateDate(values.date);
  if (values.out !== undefined) out.out = values.out;
  return out;
}

export const HELP = `arxiv-digest — the morning arXiv reading of a research team, in Slack and Discord

Usage:
  arxiv-digest digest [--config F] [--name N] [--date YYYY-MM-DD] [--dry-run] [--no-llm] [--format markdown|json] [--out FILE]
      Build the digest(s) for one announcement day (default: the latest) and post them to the configured
      channels. --dry-run posts nothing and prints the digest; --no-llm builds without the language model;
      --out writes the Jekyll archive file.
  arxiv-digest critique <arxiv-id or URL> [--format markdown|json]
      Print the critique of one paper (the text the chat command posts).
  arxiv-digest start [--config F]
      The long-running bot: scheduler, Slack and Discord adapters, interactive commands, /healthz on PORT.
  arxiv-digest register-commands [--config F]
      Register the Discord slash commands /critique and /vote.
  arxiv-digest tally [--config F] [--name N] [--date YYYY-MM-DD]
      Close a digest's vote now: count, post the result and the winners' deep-dive.

Config: --config, else $ARXIV_DIGEST_CONFIG, else config/arxiv-digest.yaml, else built-in defaults.
Exit status: 0 done, 1 the work failed, 2 bad input.`;
