/**
 * The config file's schema (YAML, contract §Config). Every key has a default but the secrets, which come from the
 * environment. Objects are strict so a misspelt key is named instead of ignored.
 */
import cron from 'node-cron';
import { z } from 'zod';

export const SEED_INTERESTS =
  'Reinforcement learning and preference optimization for LLMs; alignment; reasoning; agents.';

const CATEGORY = /^[a-z-]+(\.[A-Za-z-]+)?$/;
/** Archives whose subject classes are upper case (cs.CL, math.AP, astro-ph.CO); physics.* and cond-mat.* are not. */
const UPPER_CASE_CLASSES = /^(cs|math|stat|eess|econ|q-bio|q-fin|astro-ph|nlin)\.(.+)$/;

function categoryProblem(c: string): string | undefined {
  if (!CATEGORY.test(c)) return 'an arXiv category such as cs.CL or hep-th';
  const m = UPPER_CASE_CLASSES.exec(c);
  // `cs.cl` is a feed with no papers: the digest would be empty every day instead of failing once.
  if (m && m[2] !== m[2]?.toUpperCase())
    return `an arXiv category in arXiv's spelling (${m[1]}.${m[2]?.toUpperCase()})`;
  return undefined;
}

/** Five fields, as in the example: node-cron also takes six (seconds first), where a stray field shifts them all. */
function cronProblem(s: string): string | undefined {
  const fields = s.trim().split(/\s+/).length;
  if (fields !== 5 || !cron.validate(s)) {
    return `a cron expression of 5 fields (minute hour day-of-month month weekday) such as "30 8 * * 1-5"${fields !== 5 ? `, not ${fields}` : ''}`;
  }
  return undefined;
}

function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const channelSchema = z.union([
  z.strictObject({ slack: z.string().regex(/^[CGD][A-Z0-9]{6,}$/, 'a Slack channel id such as C0123456789') }),
  z.strictObject({
    discord: z.coerce.string().regex(/^\d{15,22}$/, 'a Discord channel id (a snowflake such as "123456789012345678")'),
  }),
]);

export const votesSchema = z.strictObject({
  /** Reactions that count as votes: Slack short names or unicode; `+1` is 👍 on both platforms. */
  emoji: z.array(z.string().min(1)).min(1).default(['+1']),
  /** Hours after the digest when the vote closes; default: just before the next digest. */
  windowHours: z
    .number()
    .positive()
    .max(24 * 14)
    .optional(),
  /** How many top-voted papers get a deep-dive. */
  winners: z.number().int().min(0).max(10).default(1),
});

export const llmSchema = z.strictObject({
  /** Model for summaries and critiques; ARXIV_DIGEST_MODEL wins over it. */
  model: z.string().min(1).default('gpt-4o-mini'),
  /** Model for ranking (cheap); defaults to `model`. */
  rankModel: z.string().min(1).optional(),
  /** How many papers the text-similarity pass hands to the LLM ranker. */
  shortlist: z.number().int().min(1).max(500).default(40),
  /** Abstracts per ranking call. */
  batchSize: z.number().int().min(1).max(100).default(20),
  /** Minimum LLM relevance (0..1) for a paper to be selected. */
  threshold: z.number().min(0).max(1).default(0.3),
  /** Full-text budget per paper, in tokens (about 4 characters a token). */
  fullTextTokens: z.number().int().min(500).max(200_000).default(12_000),
  concurrency: z.number().int().min(1).max(64).default(4),
  timeoutMs: z.number().int().min(1000).max(600_000).default(120_000),
  retries: z.number().int().min(0).max(10).default(3),
  /** Daily token budget across all calls (prompt + completion); past it the digest goes out with abstracts. */
  dailyTokenBudget: z.number().int().min(0).default(2_000_000),
  temperature: z.number().min(0).max(2).default(0.2),
});

export const digestSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/i, 'a short name of letters, digits, - and _ such as "nlp"'),
  categories: z
    .array(
      z.string().superRefine((c, ctx) => {
        const problem = categoryProblem(c);
        if (problem) ctx.addIssue({ code: 'custom', message: problem, input: c });
      }),
    )
    .min(1, 'at least one arXiv category such as cs.CL'),
  interests: z.string().trim().min(1, 'free text saying what the team wants to read'),
  maxPapers: z.number().int().min(1).max(50).default(5),
  schedule: z
    .string()
    .superRefine((s, ctx) => {
      const problem = cronProblem(s);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, input: s });
    })
    .default('30 8 * * 1-5'),
  timezone: z.string().refine(validTimezone, 'an IANA time zone such as America/New_York').default('America/New_York'),
  channels: z.array(channelSchema).default([]),
  /** Also consider replacements (new versions of older papers). */
  includeReplacements: z.boolean().default(false),
  /** Words and phrases that raise a paper in the first ranking pass. */
  keywords: z.array(z.string().min(1)).default([]),
  /** Authors to follow: their papers are always shortlisted. */
  authors: z.array(z.string().min(1)).default([]),
  /** Per-digest override of the LLM model. */
  model: z.string().min(1).optional(),
  votes: votesSchema.prefault({}),
  /** Where `--out` style archive files go when the bot posts on schedule (Jekyll `_digests`); none: not written. */
  archiveDir: z.string().min(1).optional(),
});

export const commandsSchema = z.strictObject({
  /** /critique requests per member per hour. */
  critiquesPerHour: z.number().int().min(0).max(1000).default(5),
});

export const configSchema = z.strictObject({
  digests: z
    .array(digestSchema)
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
    }),
  llm: llmSchema.prefault({}),
  commands: commandsSchema.prefault({}),
  discord: z
    .strictObject({
      guildId: z.coerce
        .string()
        .regex(/^\d{15,22}$/, 'a Discord server id (a snowflake such as "987654321098765432")')
        .optional(),
    })
    .prefault({}),
  /** Base of the permalink and the paper links in archive files. */
  site: z
    .strictObject({ permalinkPrefix: z.string().default('/digests/'), location: z.string().default('Online') })
    .prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type DigestConfig = z.infer<typeof digestSchema>;
export type LlmConfig = z.infer<typeof llmSchema>;

/** The built-in config: cs.CL with the seed digest's interests, no chat channel (the digest is printed). */
export const DEFAULT_CONFIG_INPUT = {
  digests: [{ name: 'cs-CL', categories: ['cs.CL'], interests: SEED_INTERESTS, maxPapers: 5 }],
};
