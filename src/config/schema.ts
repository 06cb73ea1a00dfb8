/**
 * The config file's schema (YAML, contract §Config). Every key has a default but the secrets, which come from the
 * environment. Objects are strict so a misspelt key is named instead of ignored.
 */
import { z } from 'zod';
import { cronProblem } from '../app/cron';
import { DEFAULT_LANGUAGE, isLanguageCode } from './language';
import { isArxivCategory, nearestCategory } from './categories';

export const SEED_INTERESTS =
  'Reinforcement learning and preference optimization for LLMs; alignment; reasoning; agents.';

/**
 * What is wrong with a category, if anything: a message shown as is after `is "VALUE": `. A category outside
 * arXiv's taxonomy (src/config/categories.ts) is a feed with no papers: the digest would be empty every day, silently.
 */
function categoryProblem(c: string): string | undefined {
  if (isArxivCategory(c)) return undefined;
  const guess = nearestCategory(c);
  if (guess && guess.toLowerCase() === c.toLowerCase())
    return `expected an arXiv category in arXiv's spelling (${guess})`;
  return `unknown arXiv category (${guess ? `did you mean ${guess}? ` : ''}expected a category of https://arxiv.org/category_taxonomy such as cs.CL or hep-th)`;
}

function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * What a chat platform adds to the config (each adapter folder exports its own; the composition root passes them to
 * the loader): the key of its channel entries in `digests[].channels` (`- slack: C…`) with the schema of the id,
 * and optionally a top-level section of its own (`discord: {guildId}`). The core knows no platform by name.
 */
export interface PlatformConfig {
  /** The platform id: the key of its channel entries, e.g. `slack` in `channels: [{ slack: C0123456789 }]`. */
  readonly id: string;
  /** Validates (and normalizes) one channel id; its message says what is expected. */
  readonly channel: z.ZodType<string, unknown>;
  /** A channel entry as written in YAML, for the error when an entry matches no platform: `slack: C0123456789`. */
  readonly channelExample: string;
  /** The platform's own top-level section (a strict object whose keys all have defaults), if it has one. */
  readonly section?: z.ZodObject;
}

/** One channel entry as the core sees it: `{ [platform id]: channel id }`, exactly one key. */
export type ChannelEntry = Readonly<Record<string, string>>;

export const votesSchema = z.strictObject({
  /** Reactions that count as votes: short names (`+1`, `heart`) or the characters; `+1` is 👍 on every platform. */
  emoji: z.array(z.string().min(1)).min(1).default(['+1']),
  /** Hours after the digest when the vote closes; default: just before the next digest. */
  windowHours: z
    .number()
    .positive()
    .max(24 * 14)
    .optional(),
  /** How many top-voted papers get a deep-dive. */
  winners: z.number().int().min(0).max(10).default(1),
  /**
   * Exploration slots: of the `maxPapers`, this many go to the best paper the votes rate high but `interests` rate
   * low, marked on its card ("because you voted for …"); 0 turns it off.
   */
  explore: z.number().int().min(0).max(3).default(1),
});

/** A model's price in USD per million prompt (input) and completion (output) tokens (src/llm/pricing.ts). */
const modelPriceSchema = z.strictObject({ prompt: z.number().min(0), completion: z.number().min(0) });
export type ModelPrice = z.infer<typeof modelPriceSchema>;

export const llmSchema = z.strictObject({
  /** `llm.pricing`: model name -> price, over the defaults of src/llm/pricing.ts (for the estimated cost). */
  pricing: z.record(z.string().min(1), modelPriceSchema).optional(),
  /** Model for summaries and critiques; ARXIV_DIGEST_MODEL wins over it. */
  model: z.string().min(1).default('gpt-4o-mini'),
  /** Model for ranking (cheap); defaults to `model`. */
  rankModel: z.string().min(1).optional(),
  /** How many papers the text-similarity pass hands to the LLM ranker. */
  shortlist: z.number().int().min(1).max(500).default(40),
  /** Abstracts per ranking call. */
  batchSize: z.number().int().min(1).max(100).default(20),
  /**
   * Prompt tokens a day's screening may spend (every candidate's title and one line of its abstract, ~55 tokens a
   * paper: ~400 papers); past it the candidates screened are the first-pass's best. 0 turns screening off.
   */
  screenTokens: z.number().int().min(0).max(1_000_000).default(24_000),
  /** Candidates per screening call. */
  screenBatch: z.number().int().min(10).max(200).default(120),
  /** Minimum LLM relevance (0..1) for a paper to be selected. */
  threshold: z.number().min(0).max(1).default(0.3),
  /** Full-text budget per paper, in tokens (about 4 characters a token). */
  fullTextTokens: z.number().int().min(500).max(200_000).default(12_000),
  concurrency: z.number().int().min(1).max(64).default(4),
  /**
   * Reviews (and deep-dives) in flight at once, in a lane of their own beside `concurrency`: a digest's maxPapers
   * reviews run in one round up to this cap.
   */
  reviewConcurrency: z.number().int().min(1).max(64).default(10),
  /** Per call: a review of a 12,000-token text takes well under a minute on a working endpoint. */
  timeoutMs: z.number().int().min(1000).max(600_000).default(60_000),
  retries: z.number().int().min(0).max(10).default(3),
  /** Daily token budget across all calls (prompt + completion); past it the digest goes out with abstracts. */
  dailyTokenBudget: z.number().int().min(0).default(2_000_000),
  /**
   * One member account's (platform + workspace + user) part of what the digests' reserve leaves of the daily budget
   * for members' commands (/critique, questions): docs/when-things-fail.md.
   */
  memberShare: z.number().gt(0).max(1).default(0.25),
  temperature: z.number().min(0).max(2).default(0.2),
  /**
   * When the model does not answer as a digest is due (500s, 429s, timeouts after the retries): `post` sends the
   * digest on time without the model's text and adds the summaries and critiques to the threads when it answers
   * again (docs/when-things-fail.md); `wait` fails the run, which the scheduler retries.
   */
  whenDown: z.enum(['post', 'wait']).default('post'),
  /**
   * Embeddings model (OpenAI's embeddings API: text-embedding-3-small, nomic-embed-text on Ollama, …): when set,
   * each paper's title and abstract is embedded once (cached) and used by the first pass and the vote profile.
   */
  embeddingModel: z.string().min(1).optional(),
  /** Texts per embeddings request. */
  embeddingBatch: z.number().int().min(1).max(2048).default(64),
});

export const digestSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/i, 'a short name of letters, digits, - and _ such as "nlp"'),
  categories: z
    .array(
      z.string().superRefine((c, ctx) => {
        const problem = categoryProblem(c);
        if (problem) ctx.addIssue({ code: 'custom', message: problem, input: c, params: { verbatim: true } });
      }),
    )
    .min(1, 'at least one arXiv category such as cs.CL'),
  interests: z.string().trim().min(1, 'free text saying what the team wants to read'),
  maxPapers: z.number().int().min(1).max(50).default(5),
  schedule: z
    .string()
    .superRefine((s, ctx) => {
      const problem = cronProblem(s);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, input: s, params: { verbatim: true } });
    })
    .default('30 8 * * 1-5'),
  timezone: z.string().refine(validTimezone, 'an IANA time zone such as America/New_York').default('America/New_York'),
  /** Where the digest is posted; each entry's key is a platform id (validated by the platforms the loader is given). */
  channels: z.array(z.record(z.string(), z.string())).default([]),
  /** Also consider replacements (new versions of older papers). */
  includeReplacements: z.boolean().default(false),
  /** Words and phrases that raise a paper in the first ranking pass. */
  keywords: z.array(z.string().min(1)).default([]),
  /** Authors to follow: their papers are always shortlisted. */
  authors: z.array(z.string().min(1)).default([]),
  /**
   * The language of the summaries, critiques and the day's text (ISO 639-1); titles, authors and ids stay as arXiv
   * has them. Part of every LLM answer's cache key.
   */
  language: z
    .string()
    .refine(isLanguageCode, 'an ISO 639-1 language code such as en, zh, ja, de, fr or es')
    .default(DEFAULT_LANGUAGE),
  /** Per-digest override of the LLM model. */
  model: z.string().min(1).optional(),
  votes: votesSchema.prefault({}),
  /**
   * The team's reading list: a path (relative to the config file) or a list of paths to a BibTeX export, a
   * CSL-JSON export or a text file of arXiv ids, one a line (src/library). Its papers are the vote profile's first
   * positive evidence.
   */
  library: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .optional(),
  /** Where `--out` style archive files go when the bot posts on schedule (Jekyll `_digests`); none: not written. */
  archiveDir: z.string().min(1).optional(),
});

function digestListSchema<T extends z.ZodType<{ name: string }>>(digest: T) {
  return z
    .array(digest)
    .min(1, 'at least one digest')
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((d, i) => {
        if (seen.has(d.name))
          ctx.addIssue({
            code: 'custom',
            path: [i, 'name'],
            message: `a unique name ("${d.name}" is used twice)`,
            input: d.name,
          });
        seen.add(d.name);
      });
    });
}

export const commandsSchema = z.strictObject({
  /** /critique requests per member per hour. */
  critiquesPerHour: z.number().int().min(0).max(1000).default(5),
  /** Questions to papers (/ask, a mention of the bot in a digest's thread) per member per hour; 0 turns them off. */
  asksPerHour: z.number().int().min(0).max(1000).default(10),
});

export const configSchema = z.strictObject({
  digests: digestListSchema(digestSchema),
  llm: llmSchema.prefault({}),
  commands: commandsSchema.prefault({}),
  /** Scheduled jobs one `start` instance runs at once (default: by the machine, docs/several-instances.md). */
  workers: z.number().int().min(1).max(64).optional(),
  /** Base of the permalink and the paper links in archive files. */
  site: z
    .strictObject({ permalinkPrefix: z.string().default('/digests/'), location: z.string().default('Online') })
    .prefault({}),
});

/** The validated config; a chat platform's own section (e.g. `discord`) is read by its adapter with its schema. */
export type Config = z.infer<typeof configSchema> & { readonly [section: string]: unknown };
export type DigestConfig = z.infer<typeof digestSchema> & { channels: ChannelEntry[] };
export type LlmConfig = z.infer<typeof llmSchema>;

/** The built-in config: cs.CL with the seed digest's interests, no chat channel (the digest is printed). */
export const DEFAULT_CONFIG_INPUT = {
  digests: [{ name: 'cs-CL', categories: ['cs.CL'], interests: SEED_INTERESTS, maxPapers: 5 }],
};

function channelsExpected(platforms: readonly PlatformConfig[]): string {
  const examples = platforms.map((p) => p.channelExample);
  if (examples.length === 0) return 'no channel (no chat platform is available)';
  if (examples.length === 1) return examples[0] ?? '';
  const last = examples[examples.length - 1];
  return `${examples.length === 2 ? 'either' : 'one of'} ${examples.slice(0, -1).join(', ')} or ${last}`;
}

/**
 * The config schema with the chat platforms' parts composed in: `digests[].channels` accepts one entry form per
 * platform, and each platform's own section becomes a top-level key (absent: its defaults).
 */
export function composeConfigSchema(platforms: readonly PlatformConfig[] = []) {
  const entries = platforms.map((p) => z.strictObject({ [p.id]: p.channel }));
  const expected = channelsExpected(platforms);
  // An entry is the one platform's form it matches; anything else is named with every form the platforms accept.
  const channel = z.unknown().transform((entry, ctx): ChannelEntry => {
    for (const schema of entries) {
      const parsed = schema.safeParse(entry);
      if (parsed.success) return parsed.data as ChannelEntry;
    }
    ctx.addIssue({ code: 'custom', message: expected, input: entry });
    return z.NEVER;
  });
  const digest = digestSchema.extend({ channels: z.array(channel).default([]) });
  const sections = Object.fromEntries(
    platforms.flatMap((p) => (p.section ? [[p.id, p.section.prefault({})] as const] : [])),
  );
  return configSchema.extend({ digests: digestListSchema(digest), ...sections });
}
