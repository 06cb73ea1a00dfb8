/** STUB: the critique of one paper, shared by the CLI and the chat commands. Implemented by the LLM workstream. */
import type { AppContext } from '../core/context';
import type { Services } from '../core/services';
import type { LlmUsage, Paper } from '../types';

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
  _ctx: AppContext,
  _services: Services,
  _input: string,
  _opts: { deep?: boolean } = {},
): Promise<CritiqueResult> {
  throw new Error('not implemented');
}
