/** The platform-neutral data of the product: papers, digests and their usage figures. */
import { z } from 'zod';

export type AnnounceType = 'new' | 'cross' | 'replace' | 'replace-cross';

export interface Paper {
  /** arXiv id without version: `2510.26707`, `hep-th/9901001`. */
  id: string;
  /** Version number, 1 for v1. */
  version: number;
  title: string;
  authors: string[];
  abstract: string;
  /** All categories, the primary one first when known. */
  categories: string[];
  primaryCategory?: string;
  comments?: string;
  journalRef?: string;
  /** ISO timestamps from the export API. */
  published?: string;
  updated?: string;
  /** How the day's listing announced it, when it came from a listing. */
  announceType?: AnnounceType;
}

/** A paper as records keep it (loose: fields a later version adds still read); see `Paper`. */
export const PAPER_SCHEMA = z.looseObject({
  id: z.string(),
  version: z.number(),
  title: z.string(),
  authors: z.array(z.string()),
  abstract: z.string(),
  categories: z.array(z.string()),
  primaryCategory: z.string().optional(),
  comments: z.string().optional(),
  journalRef: z.string().optional(),
  published: z.string().optional(),
  updated: z.string().optional(),
  announceType: z.enum(['new', 'cross', 'replace', 'replace-cross']).optional(),
});

export interface LlmUsage {
  llmCalls: number;
  promptTokens: number;
  completionTokens: number;
  cachedCalls: number;
  /** Embeddings requests and their tokens, when an embeddings model is configured and something was embedded. */
  embeddingCalls?: number;
  embeddingTokens?: number;
  /** The estimated cost in USD of the calls made (llm.pricing); absent until a call is made. */
  estimatedCostUsd?: number;
}

export function emptyUsage(): LlmUsage {
  return { llmCalls: 0, promptTokens: 0, completionTokens: 0, cachedCalls: 0 };
}

export function addUsage(into: LlmUsage, more: LlmUsage): LlmUsage {
  into.llmCalls += more.llmCalls;
  into.promptTokens += more.promptTokens;
  into.completionTokens += more.completionTokens;
  into.cachedCalls += more.cachedCalls;
  if (more.estimatedCostUsd) into.estimatedCostUsd = (into.estimatedCostUsd ?? 0) + more.estimatedCostUsd;
  if (more.embeddingCalls || more.embeddingTokens) {
    into.embeddingCalls = (into.embeddingCalls ?? 0) + (more.embeddingCalls ?? 0);
    into.embeddingTokens = (into.embeddingTokens ?? 0) + (more.embeddingTokens ?? 0);
  }
  return into;
}

export interface SelectedPaper extends Paper {
  /** Ranking score in [0, 1]: the LLM's relevance, or the text-similarity score without an LLM. */
  score: number;
  /** One line: why the ranker picked it. */
  reason?: string;
  keywords: string[];
  /**
   * Two or three sentences on the paper, for its chat card (the LLM's, bounded by the review schema; absent without
   * an LLM and in digests built before it existed: the card then shows the summary's or abstract's first sentences).
   */
  tldr?: string;
  /** Markdown: key contributions, methods, results. */
  summary: string;
  /** Markdown: strengths, weaknesses, overall; empty without an LLM. */
  critique: string;
  /** Where the summary's text came from. */
  textSource?: 'html' | 'pdf' | 'abstract';
  /** The paper's current version is withdrawn: its summary says so and it has no critique. */
  withdrawn?: boolean;
  /**
   * The exploration slot: picked because the team's votes rate it high though `interests` rate it low; `because`
   * names the voted-for papers it resembles most.
   */
  explore?: { because: Array<Pick<Paper, 'id' | 'title'>> };
}

/** One theme of the day's TL;DR and the selected papers it names. */
export interface DayTheme {
  title: string;
  papers: Array<{ id: string; shortName: string; insight: string }>;
}

export interface DayOverview {
  /** One sentence on the day, without the "TL;DR:" label. */
  tldr: string;
  themes: DayTheme[];
  commonInsights: string;
}

export interface Digest {
  name: string;
  /** Announcement day, YYYY-MM-DD. */
  date: string;
  categories: string[];
  totalPapers: number;
  selected: SelectedPaper[];
  /** Markdown opening paragraph. */
  intro: string;
  /** Markdown TL;DR body (key themes with links, common insights), without the heading and counts. */
  tldr: string;
  /**
   * The TL;DR's parts as the LLM gave them (ids checked), for chat layouts that link each paper; absent without an
   * LLM (chat then lists the selected papers).
   */
  overview?: DayOverview;
  usage: LlmUsage;
  /** Lines that say how the digest was built when it is less than the full product (no LLM, budget reached). */
  notices: string[];
  /** True when the day had no announcements (weekend, holiday). */
  empty?: boolean;
}

/** A built digest as records keep it (loose, like `PAPER_SCHEMA`); see `Digest`. */
export const DIGEST_SCHEMA = z.looseObject({
  name: z.string(),
  date: z.string(),
  categories: z.array(z.string()),
  totalPapers: z.number(),
  selected: z.array(
    PAPER_SCHEMA.extend({
      score: z.number(),
      reason: z.string().optional(),
      keywords: z.array(z.string()),
      tldr: z.string().optional(),
      summary: z.string(),
      critique: z.string(),
      textSource: z.enum(['html', 'pdf', 'abstract']).optional(),
      withdrawn: z.boolean().optional(),
      explore: z.looseObject({ because: z.array(z.looseObject({ id: z.string(), title: z.string() })) }).optional(),
    }),
  ),
  intro: z.string(),
  tldr: z.string(),
  overview: z
    .looseObject({
      tldr: z.string(),
      themes: z.array(
        z.looseObject({
          title: z.string(),
          papers: z.array(z.looseObject({ id: z.string(), shortName: z.string(), insight: z.string() })),
        }),
      ),
      commonInsights: z.string(),
    })
    .optional(),
  usage: z.looseObject({
    llmCalls: z.number(),
    promptTokens: z.number(),
    completionTokens: z.number(),
    cachedCalls: z.number(),
    embeddingCalls: z.number().optional(),
    embeddingTokens: z.number().optional(),
    estimatedCostUsd: z.number().optional(),
  }),
  notices: z.array(z.string()),
  empty: z.boolean().optional(),
});

/** The versioned abs link of a paper, as the seed digest shows it. */
export function absUrl(paper: Pick<Paper, 'id' | 'version'>, base = 'http://arxiv.org'): string {
  return `${base.replace(/\/+$/, '')}/abs/${paper.id}v${paper.version}`;
}
