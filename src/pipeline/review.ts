/**
 * The per-paper review: keywords, summary and critique of one paper from its full text, in ONE structured call.
 * One call, not two, because the full text (up to llm.fullTextTokens) is nearly all of the cost and would be sent
 * twice; the fields are rendered here into the seed's sections, so the result reads like the seed whichever model
 * wrote it. `/critique` asks the same question (same prompt, key and schema), so the critique of a paper that was in
 * a digest is already cached, and chat and digest show the same text.
 */
import { z } from 'zod';
import type { ArxivClient } from '../arxiv/client';
import type { FullText } from '../arxiv/fulltext';
import { DEFAULT_LANGUAGE, languageName } from '../config/language';
import type { LlmClient, LlmRequest } from '../llm/client';
import { disarmMentions, outsideText, stripPreamble } from '../app/text';
import type { LlmUsage, Paper } from '../app/types';
import { aboutPaper } from './ids';

const text = z.string().min(1);

/**
 * The paper's TL;DR, shown on its chat card. The bound is asked for here (the schema's description reaches the
 * model) and in the prompt, not enforced by validation: an overrun would cost a second full-text call, so the chat
 * renderers cut an overrun at a sentence instead (src/chat/layout.ts).
 */
export const PAPER_TLDR_LIMIT = { sentences: '2 or 3', chars: 350 } as const;

export const reviewSchema = z.object({
  id: z.string(),
  keywords: z.array(z.string()).min(1).max(12),
  summary: z.object({ contributions: text, methods: text, results: text }),
  critique: z.object({ strengths: text, weaknesses: text, overall: text }),
  tldr: text.describe(
    `${PAPER_TLDR_LIMIT.sentences} plain sentences, at most ${PAPER_TLDR_LIMIT.chars} characters: what the paper does and what it finds`,
  ),
});
export type ReviewAnswer = z.infer<typeof reviewSchema>;

export const deepDiveSchema = z.object({
  id: z.string(),
  overview: text,
  contributions: text,
  methods: text,
  results: text,
  strengths: text,
  weaknesses: text,
  questions: text,
  overall: text,
});
export type DeepDiveAnswer = z.infer<typeof deepDiveSchema>;

/**
 * How long an answer written from a provisional text (the abstract while arXiv's HTML and PDF failed) is kept: long
 * enough that a digest and its chat replies agree, short enough that the next day's /critique reads the paper.
 */
export const PROVISIONAL_ANSWER_TTL_MS = 6 * 3_600_000;

/** The paper text of a prompt when only the abstract could be had. */
export const ABSTRACT_ONLY = '(not available: the abstract above is all there is; say so where it limits the answer)';

/** Completion caps: a review is ~800–1200 tokens in the seed's style; a deep dive about twice that. */
export const REVIEW_MAX_TOKENS = 2500;
export const DEEP_DIVE_MAX_TOKENS = 5000;

/**
 * Model text can carry Markdown structure of its own (asked to, or told to by a paper's text): a `# Heading` or a
 * `---` line inside a summary would start a fake paper or section in the digest's Markdown and archive, whose
 * sections are the renderer's. Headings become plain lines; thematic breaks and setext underlines are dropped.
 */
export function flattenStructure(s: string): string {
  return s
    .split('\n')
    .filter((line) => !/^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|=+[ \t]*)$/.test(line))
    .map((line) => {
      const h = /^ {0,3}#{1,6}(?:[ \t]+(.*))?$/.exec(line);
      if (!h) return line;
      // Plain text, not even bold: a heading of the model's must not pass for one of the digest's own.
      return closingHashesOff(h[1] ?? '')
        .replace(/^\*\*(.*)\*\*$/, '$1')
        .trim();
    })
    .join('\n');
}

/** "Title ##" → "Title" (an ATX heading's optional closing sequence), in linear time on any input. */
function closingHashesOff(s: string): string {
  let end = s.trimEnd().length;
  let i = end;
  while (i > 0 && s[i - 1] === '#') i--;
  if (i < end && (i === 0 || s[i - 1] === ' ' || s[i - 1] === '\t')) end = i;
  return s.slice(0, end);
}

/** Model text made safe to show: chat preambles stripped, no Markdown headings or rules, mentions disarmed. */
export function clean(s: string): string {
  return disarmMentions(flattenStructure(stripPreamble(s))).trim();
}

export function renderSummary(a: ReviewAnswer): string {
  return [
    `**Key Contributions:**\n${clean(a.summary.contributions)}`,
    `**Methods:**\n${clean(a.summary.methods)}`,
    `**Results:**\n${clean(a.summary.results)}`,
  ].join('\n\n');
}

/** The paper's TL;DR as one plain paragraph (no Markdown structure, mentions disarmed). */
export function renderPaperTldr(a: Pick<ReviewAnswer, 'tldr'>): string {
  return clean(a.tldr).replace(/\s+/g, ' ').trim();
}

export function renderCritique(a: Pick<ReviewAnswer, 'critique'>): string {
  return [
    `### Strengths\n\n${clean(a.critique.strengths)}`,
    `### Weaknesses\n\n${clean(a.critique.weaknesses)}`,
    `### Overall\n\n${clean(a.critique.overall)}`,
  ].join('\n\n');
}

export function renderDeepDive(a: DeepDiveAnswer): string {
  const parts: Array<[string, string]> = [
    ['Overview', a.overview],
    ['Key Contributions', a.contributions],
    ['Methods', a.methods],
    ['Results', a.results],
    ['Strengths', a.strengths],
    ['Weaknesses', a.weaknesses],
    ['Questions for the Authors', a.questions],
    ['Overall', a.overall],
  ];
  return parts.map(([h, body]) => `### ${h}\n\n${clean(body)}`).join('\n\n');
}

export function cleanKeywords(list: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of list) {
    // Neutralized before the cut, so no half of a link syntax is left to read as one.
    const k = disarmMentions(
      outsideText(raw)
        .replace(/\s+/g, ' ')
        .replace(/^[-*\d.\s]+/, '')
        .trim(),
    ).slice(0, 60);
    if (!k || seen.has(k.toLowerCase())) continue;
    seen.add(k.toLowerCase());
    out.push(k);
  }
  return out.slice(0, 8);
}

/** The paper's version-exact identity: a new version is a new paper to review. */
export function paperKey(paper: Pick<Paper, 'id' | 'version'>): { paper: string } {
  return { paper: `${paper.id}v${paper.version}` };
}

type PaperRequest<T> = Pick<LlmRequest<T>, 'prompt' | 'schemaName' | 'schema' | 'key' | 'maxTokens' | 'lane'> & {
  /** ISO 639-1 code of the language the answer is written in (part of the key). */
  language: string;
};

/** A request about one paper: keyed by its id and version and the answer's language (cache keys as before). */
function paperRequest<T>(
  paper: Paper,
  language: string,
  what: Pick<LlmRequest<T>, 'prompt' | 'schemaName' | 'schema' | 'maxTokens'>,
): PaperRequest<T> {
  return { ...what, key: { ...paperKey(paper), language }, lane: 'review', language };
}

const REVIEW = { prompt: 'review', schemaName: 'paper_review', schema: reviewSchema, maxTokens: REVIEW_MAX_TOKENS };
const DEEP_DIVE = {
  prompt: 'deep-dive',
  schemaName: 'paper_deep_dive',
  schema: deepDiveSchema,
  maxTokens: DEEP_DIVE_MAX_TOKENS,
};

export function reviewRequest(paper: Paper, language: string = DEFAULT_LANGUAGE): PaperRequest<ReviewAnswer> {
  return paperRequest(paper, language, REVIEW);
}

export function deepDiveRequest(paper: Paper, language: string = DEFAULT_LANGUAGE): PaperRequest<DeepDiveAnswer> {
  return paperRequest(paper, language, DEEP_DIVE);
}

/**
 * The variables every prompt about one paper's full text fills (review, deep-dive, a member's question): the
 * paper's identity, its delimited abstract and text, and the answer's language.
 */
export function paperVars(
  paper: Paper,
  full: Pick<FullText, 'source' | 'text'>,
  language: string,
): Record<string, string> {
  return {
    id: paper.id,
    title: paper.title.replace(/\s+/g, ' ').trim(),
    authors: paper.authors.join(', '),
    abstract: delimited(paper.abstract),
    source: full.source,
    // The abstract fallback is the title and abstract the prompt already holds: not sent twice.
    text: full.source === 'abstract' ? ABSTRACT_ONLY : delimited(full.text),
    language: languageName(language),
  };
}

/**
 * Text put between a prompt's `<tag>…</tag>` delimiters: any tag of ours inside it (a paper may contain
 * "</paper_text>", by accident or to break out) is escaped, so the delimiters are the only ones the model sees.
 */
export function delimited(text: string): string {
  return text.replace(/<(\/?)(paper_text|abstract)\b/gi, '&lt;$1$2');
}

/**
 * Asks `request` about `paper` with the paper's full text (fetched only on a cache miss), checking that the answer
 * is about the paper asked about. The text's source comes back in `meta.textSource`.
 */
export function askAboutPaper<T extends { id: string }>(
  llm: LlmClient,
  arxiv: Pick<ArxivClient, 'fullText'>,
  paper: Paper,
  request: PaperRequest<T>,
  model: string,
  meter: LlmUsage,
) {
  const { language, ...rest } = request;
  return llm.ask<T>(
    {
      ...rest,
      model,
      input: async () => {
        const full = await arxiv.fullText(paper, llm.config.fullTextTokens * 4);
        return {
          vars: paperVars(paper, full, language),
          meta: { textSource: full.source, ...(full.provisional ? { provisional: true } : {}) },
          ...(full.provisional ? { cacheTtlMs: PROVISIONAL_ANSWER_TTL_MS } : {}),
        };
      },
      check: aboutPaper(paper.id),
    },
    meter,
  );
}
