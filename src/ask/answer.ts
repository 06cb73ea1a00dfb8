/**
 * Ask the paper: a member's question answered from one paper's full text, in ONE structured call whose answer names
 * the section it comes from. The paper's text is the one the reviews read (src/arxiv full text, cut by
 * src/arxiv/sections.ts to `llm.fullTextTokens`); the question sits between `<question>` tags after it, and the
 * prompt (prompts/ask.md) tells the model that the question is material, never instructions, and to answer "not
 * stated in the paper" when the text does not say.
 *
 * Cached by the paper's version and the normalized question (src/ask/question.ts), with the prompt file, the model
 * and the language, so a second asking (differently cased, spaced or punctuated) makes no call; askers of the same
 * answer at once share one call (the LLM client's single flight). The section the model cites is checked against the
 * headings of the text it was given: a section that is not there is said to be unverified, never shown as a source.
 */
import { z } from 'zod';
import type { AppContext } from '../context';
import type { LlmClient, LlmAnswer } from '../llm/client';
import type { Services } from '../pipeline/services';
import { ArxivDigestError, ErrorCode } from '../app/errors';
import { DEFAULT_LANGUAGE } from '../config/language';
import { modelFor } from '../config/load';
import { clean, delimited, paperKey, paperVars, PROVISIONAL_ANSWER_TTL_MS } from '../pipeline/review';
import { aboutPaper } from '../pipeline/ids';
import { emptyUsage, type LlmUsage, type Paper } from '../app/types';
import { normalizeQuestion } from './question';

/** Completion cap: a few paragraphs at most. */
export const ASK_MAX_TOKENS = 900;

/** What the model is told to write when the text does not answer the question; the reply says it in these words. */
export const NOT_STATED = 'Not stated in the paper.';

export const askSchema = z.object({
  id: z.string(),
  stated: z.boolean().describe('true when the paper text states the answer; false when it does not'),
  answer: z
    .string()
    .min(1)
    .describe('the answer in at most 6 sentences, only from the paper text; "Not stated in the paper." when it is not'),
  section: z
    .string()
    .describe(
      'the heading of the section the answer comes from, exactly as written in the text (e.g. "4 Experiments", "Abstract", "Table 2"); empty when not stated',
    ),
});
export type AskAnswer = z.infer<typeof askSchema>;

/** Where the answer's text came from, kept with the cached answer. */
export interface AskMeta {
  textSource: 'html' | 'pdf' | 'abstract';
  /** The headings (and table/figure labels) of the text the model was given: what a citation may name. */
  headings: string[];
  provisional?: boolean;
}

export interface PaperAnswer {
  paper: Paper;
  question: string;
  /** Markdown: the answer, model text made safe (no headings, mentions disarmed). */
  answer: string;
  stated: boolean;
  /** The section as the paper names it, when the cited one is in the text. */
  section?: string;
  /** The model's citation when it names no section of the text. */
  unverifiedSection?: string;
  textSource: AskMeta['textSource'];
  /** One line for the reply, written here (not by the model): where the answer comes from. */
  sourceLine: string;
  cached: boolean;
  usage: LlmUsage;
}

/** The request of one question about one paper (its key: the paper's version, the normalized question, language). */
export function askRequest(paper: Paper, question: string, language: string = DEFAULT_LANGUAGE, model: string) {
  return {
    prompt: 'ask',
    schemaName: 'paper_answer',
    schema: askSchema,
    model,
    key: { ...paperKey(paper), question: normalizeQuestion(question), language },
    maxTokens: ASK_MAX_TOKENS,
  };
}

/** The headings of a text as fulltext.ts writes them (`## 4 Experiments`, `### 4.1 Setup`) and its table labels. */
export function headingsOf(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*$/gm)) out.add((m[1] ?? '').trim());
  for (const m of text.matchAll(/\b(Table|Figure|Fig\.)[ \t]+(\d+|[A-Z]\.\d+)/g))
    out.add(`${m[1] === 'Fig.' ? 'Figure' : m[1]} ${m[2]}`);
  return [...out].filter(Boolean);
}

/** Lower case, quotes and punctuation (but a number's dots) folded, "section"/"appendix"/"§" words taken off. */
function comparable(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}.]+/gu, ' ')
    .replace(/\.(?!\d)/g, ' ')
    .replace(/^\s*(?:sections?|sec|appendix|appendices|app|§)\s+/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The heading of the text that a citation names, or undefined: "Section 2", "2 Results", "Results", "section 2
 * (Results)", "Appendix A", "Table 1", "Abstract" all find theirs; a section the text does not have finds nothing.
 */
export function matchSection(cited: string, headings: readonly string[]): string | undefined {
  const c = comparable(cited);
  if (!c) return undefined;
  if (c === 'abstract' || c === 'the abstract') return 'Abstract';
  if (c === 'title') return 'Title';
  for (const heading of headings) {
    const h = comparable(heading);
    if (!h) continue;
    if (c === h) return heading;
    const numbered = /^((?:\d+|[a-z])(?:\.\d+)*)\s+(.+)$/.exec(h);
    if (!numbered) continue;
    const [, num, title] = numbered as unknown as [string, string, string];
    if (/^(?:table|figure)$/.test(title.split(' ')[0] ?? '')) continue;
    if (c === num || c === title || c === `${num} ${title}`) return heading;
    if (c.startsWith(`${num} `) && title.startsWith(c.slice(num.length + 1))) return heading;
  }
  return undefined;
}

/** The reply's source line, written from what was checked, never from the model's words alone. */
function sourceLine(a: Pick<PaperAnswer, 'paper' | 'stated' | 'section' | 'unverifiedSection' | 'textSource'>): string {
  const of = `arXiv:${a.paper.id}v${a.paper.version}`;
  const from =
    a.textSource === 'abstract'
      ? 'only its abstract could be read'
      : `from its ${a.textSource.toUpperCase()} full text`;
  if (!a.stated) return `Searched ${of} (${from}): the paper does not state this.`;
  if (a.section)
    return `Source: ${a.section === 'Abstract' || a.section === 'Title' ? 'the ' : 'section '}“${a.section}” of ${of} (${from}).`;
  if (a.unverifiedSection)
    return `Source not verified: the model cited “${a.unverifiedSection.replace(/\s+/g, ' ').slice(0, 80)}”, which is not a section of ${of}; check the answer against the paper.`;
  return `Source not verified: the model named no section of ${of}; check the answer against the paper.`;
}

/** The reply's answer text: the model's, made safe; a "not stated" answer says so in the words the members know. */
function answerText(v: AskAnswer): string {
  const text = clean(v.answer);
  if (v.stated) return text;
  return /not stated in the paper/i.test(text) ? text : `${NOT_STATED}${text ? ` ${text}` : ''}`;
}

/**
 * Answers `question` about `paper` from its full text: from the cache when asked before (no call, the text not
 * even fetched), else one call. Throws the LLM client's typed errors (BudgetExceeded, LlmError, LlmBadAnswer).
 */
export async function answerQuestion(
  ctx: AppContext,
  services: Services,
  paper: Paper,
  question: string,
  opts: { language?: string } = {},
): Promise<PaperAnswer> {
  const llm = services.llm;
  if (!llm)
    throw new ArxivDigestError(
      ErrorCode.LlmError,
      'asking a paper needs an LLM: set OPENAI_API_KEY (and OPENAI_BASE_URL)',
    );
  const language = opts.language ?? ctx.config.digests[0]?.language ?? DEFAULT_LANGUAGE;
  const usage = emptyUsage();
  const answer = await ask(llm, services, paper, question, language, modelFor(ctx.config, ctx.settings), usage);
  const meta = answer.meta as Partial<AskMeta> | undefined;
  const textSource = meta?.textSource ?? 'abstract';
  const cited = answer.value.section.trim();
  const section = answer.value.stated && cited ? matchSection(cited, meta?.headings ?? []) : undefined;
  const base = {
    paper,
    stated: answer.value.stated,
    ...(section ? { section } : {}),
    ...(answer.value.stated && cited && !section ? { unverifiedSection: cited } : {}),
    textSource,
  };
  return {
    ...base,
    question,
    answer: answerText(answer.value),
    sourceLine: sourceLine(base),
    cached: answer.cached,
    usage,
  };
}

function ask(
  llm: LlmClient,
  services: Pick<Services, 'arxiv'>,
  paper: Paper,
  question: string,
  language: string,
  model: string,
  meter: LlmUsage,
): Promise<LlmAnswer<AskAnswer>> {
  return llm.ask<AskAnswer>(
    {
      ...askRequest(paper, question, language, model),
      input: async () => {
        const full = await services.arxiv.fullText(paper, llm.config.fullTextTokens * 4);
        const meta: AskMeta = {
          textSource: full.source,
          headings: full.source === 'abstract' ? [] : headingsOf(full.text),
          ...(full.provisional ? { provisional: true } : {}),
        };
        return {
          vars: { ...paperVars(paper, full, language), question: delimitedQuestion(question) },
          meta: meta as unknown as Record<string, unknown>,
          ...(full.provisional ? { cacheTtlMs: PROVISIONAL_ANSWER_TTL_MS } : {}),
        };
      },
      check: aboutPaper(paper.id),
    },
    meter,
  );
}

/**
 * The member's question made fit for its `<question>` tags: any tag of the prompt's inside it (`</question>`,
 * `<paper_text>`) is escaped, so the question cannot close its delimiters and pass for the task.
 */
export function delimitedQuestion(question: string): string {
  return delimited(question).replace(/<(\/?)(question)\b/gi, '&lt;$1$2');
}
