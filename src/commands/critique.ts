/**
 * The critique of one paper, shared by `arxiv-digest critique` and the chat commands. The id is checked before
 * anything is fetched (malformed → UserInputError, exit 2, no call); the paper comes from the export API, its text
 * from arXiv's HTML/PDF. The plain critique is the review the digest writes (same prompt, key and schema), so a
 * paper already in a digest, or already critiqued, is answered from the cache with no call. `deep` asks for the
 * longer deep-dive posted for vote winners.
 */
import { parseArxivId } from '../arxiv/ids';
import { withdrawalOf, withdrawnNotice } from '../arxiv/withdrawn';
import { modelFor } from '../config/load';
import type { AppContext } from '../context';
import type { Services } from '../pipeline/services';
import { ArxivDigestError, ErrorCode } from '../app/errors';
import type { LlmAnswer } from '../llm/client';
import { DEFAULT_LANGUAGE } from '../config/language';
import {
  askAboutPaper,
  deepDiveRequest,
  type ReviewAnswer,
  renderCritique,
  renderDeepDive,
  reviewRequest,
} from '../pipeline/review';
import { emptyUsage, type LlmUsage, type Paper } from '../app/types';

export interface CritiqueResult {
  paper: Paper;
  /** Markdown: strengths, weaknesses, overall. */
  critique: string;
  cached: boolean;
  usage: LlmUsage;
}

/**
 * `input` is an arXiv id or URL (parseArxivId: malformed → UserInputError, no LLM call). Unknown paper →
 * PaperNotFoundError. `deep` asks for the longer deep-dive critique used for vote winners.
 */
export async function critiquePaper(
  ctx: AppContext,
  services: Services,
  input: string,
  opts: { deep?: boolean; language?: string; progress?: (line: string) => void } = {},
): Promise<CritiqueResult> {
  const ref = parseArxivId(input);
  const llm = services.llm;
  if (!llm) {
    throw new ArxivDigestError(
      ErrorCode.LlmError,
      'a critique needs an LLM: set OPENAI_API_KEY (and OPENAI_BASE_URL for an endpoint other than OpenAI)',
    );
  }
  opts.progress?.(`critique ${input}: reading the paper from arXiv`);
  const paper = await services.arxiv.getPaper(ref);
  const usage = emptyUsage();
  // A withdrawn paper is said to be withdrawn; its retracted text is not critiqued (and no token is spent on it).
  const withdrawn = withdrawalOf(paper);
  if (withdrawn) return { paper, critique: withdrawnNotice(paper, withdrawn), cached: false, usage };
  const model = modelFor(ctx.config, ctx.settings);
  // The team's language: the one asked for (a digest's deep-dive), else the first digest's.
  const language = opts.language ?? ctx.config.digests[0]?.language ?? DEFAULT_LANGUAGE;
  opts.progress?.(
    `critique ${paper.id}v${paper.version}: reading its full text and asking ${model} (answered from the cache when it was asked before)`,
  );

  if (opts.deep) {
    const answer = await askAboutPaper(llm, services.arxiv, paper, deepDiveRequest(paper, language), model, usage);
    return { paper, critique: renderDeepDive(answer.value), cached: answer.cached, usage };
  }

  // A digest may have reviewed the paper with its own model (in its language): that answer is the critique the team
  // already saw. The language asked for comes first.
  const tries = [
    { model, language },
    ...ctx.config.digests
      .filter((d) => d.language === language)
      .map((d) => ({ model: modelFor(ctx.config, ctx.settings, d), language })),
    ...ctx.config.digests.map((d) => ({ model: modelFor(ctx.config, ctx.settings, d), language: d.language })),
  ];
  let answer: LlmAnswer<ReviewAnswer> | undefined;
  const seen = new Set<string>();
  for (const t of tries) {
    const id = `${t.model}\n${t.language}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const { language: _language, ...request } = reviewRequest(paper, t.language);
    answer = await llm.lookup({ ...request, model: t.model });
    if (answer) break;
  }
  if (answer) usage.cachedCalls += 1;
  else answer = await askAboutPaper(llm, services.arxiv, paper, reviewRequest(paper, language), model, usage);
  return { paper, critique: renderCritique(answer.value), cached: answer.cached, usage };
}
