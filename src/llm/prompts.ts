/**
 * Prompts live as files in `prompts/` (one per task: rank, review, deep-dive, day) so they can be read and edited
 * without touching code. A file holds an optional header for people, then `<!-- system -->` and `<!-- user -->`
 * sections; `{{name}}` placeholders are filled by code. The file's hash is part of every cache key, so editing a
 * prompt makes fresh answers instead of serving ones written for the old text.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ArxivDigestError, ErrorCode, oneLine } from '../app/errors';
import { PACKAGE_ROOT } from '../app/root';

/** `prompts/` at the package root (also from the build in dist/: it is not copied there). */
export const DEFAULT_PROMPTS_DIR = path.join(PACKAGE_ROOT, 'prompts');

export interface PromptTemplate {
  name: string;
  system: string;
  user: string;
  /** sha256 of the file's bytes, shortened. */
  hash: string;
}

export interface RenderedPrompt {
  system: string;
  user: string;
}

const SYSTEM = /^<!--\s*system\s*-->\s*$/m;
const USER = /^<!--\s*user\s*-->\s*$/m;
const PLACEHOLDER = /\{\{\s*([a-zA-Z][\w-]*)\s*\}\}/g;

export function parsePrompt(name: string, text: string): PromptTemplate {
  const sys = SYSTEM.exec(text);
  const usr = USER.exec(text);
  if (!sys || !usr || usr.index < sys.index) {
    throw new ArxivDigestError(
      ErrorCode.PromptInvalid,
      `prompt ${name}: expected a "<!-- system -->" line followed by a "<!-- user -->" line`,
    );
  }
  return {
    name,
    system: text.slice(sys.index + sys[0].length, usr.index).trim(),
    user: text.slice(usr.index + usr[0].length).trim(),
    hash: createHash('sha256').update(text).digest('hex').slice(0, 16),
  };
}

/**
 * Fills `{{name}}` placeholders in one pass, so text inside a value (a paper may contain "{{x}}") is never
 * substituted again. A placeholder without a value is a programming error, not something to send to a model.
 */
export function fillPlaceholders(template: string, vars: Record<string, string>, where: string): string {
  return template.replace(PLACEHOLDER, (_m, key: string) => {
    const value = vars[key];
    if (value === undefined)
      throw new ArxivDigestError(ErrorCode.PromptInvalid, `prompt ${where}: no value for {{${key}}}`);
    return value;
  });
}

export class PromptLibrary {
  private readonly parsed = new Map<string, { stamp: string; template: PromptTemplate }>();

  constructor(readonly dir: string = DEFAULT_PROMPTS_DIR) {}

  /**
   * The prompt file, parsed again whenever it changed (its size or modification time): a long-running bot picks up
   * an edit at once. Read synchronously: a digest asks for the same prompt dozens of times in a second (a cache key
   * per shortlisted paper), and an asynchronous read waits in libuv's thread pool behind the store's work, while a
   * stat of a small local file takes microseconds.
   */
  async load(name: string): Promise<PromptTemplate> {
    if (!/^[a-z][a-z0-9-]*$/.test(name))
      throw new ArxivDigestError(ErrorCode.PromptInvalid, `prompt name "${name}" is not a file name`);
    const file = path.join(this.dir, `${name}.md`);
    let text: string;
    try {
      const stat = statSync(file);
      const stamp = `${stat.size}:${stat.mtimeMs}`;
      const known = this.parsed.get(name);
      if (known?.stamp === stamp) return known.template;
      text = readFileSync(file, 'utf8');
      const template = parsePrompt(name, text);
      this.parsed.set(name, { stamp, template });
      return template;
    } catch (err) {
      if (err instanceof ArxivDigestError) throw err;
      throw new ArxivDigestError(ErrorCode.PromptInvalid, `prompt file ${file} cannot be read: ${oneLine(err)}`, {
        cause: err,
      });
    }
  }

  render(template: PromptTemplate, vars: Record<string, string>): RenderedPrompt {
    return {
      system: fillPlaceholders(template.system, vars, template.name),
      user: fillPlaceholders(template.user, vars, template.name),
    };
  }
}
