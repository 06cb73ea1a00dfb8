/**
 * Ask the paper: what a question costs, and what many members asking cost. Three papers of ~120,000 characters of
 * arXiv LaTeXML HTML (test/fakes/latexml.ts: far past llm.fullTextTokens), served by the local arXiv fake and read
 * through the real ArxivClient; answered by the local OpenAI-compatible server with a 200 ms answer delay, as the
 * digest bench uses (so members asking at once really overlap).
 *
 * Measured: the prompt tokens of one question (the paper's cut text is nearly all of it), whether the section each
 * answer cites is one of the paper's (checked by the bot against the text's headings); then a burst of 90 questions
 * at once over the three papers, 5 distinct questions each written 6 ways (case, white space, punctuation), and the
 * same burst again: the LLM calls each made, and the time of the burst.
 */
import { startLongPaperWorld } from './long-papers';
import { answerQuestion } from '../src/ask/answer';

const QUESTIONS = [
  'Which datasets does it use?',
  'What is the main result?',
  'How large is the model?',
  'What are the limitations?',
  'Which baselines does it compare with?',
];

/** The same question as six members would type it. */
function spellings(q: string): string[] {
  const bare = q.replace(/\?$/, '');
  return [q, q.toLowerCase(), q.toUpperCase(), `  ${bare}   ?`, `${bare}!!`, bare.replace(/ /g, '  ')];
}

export async function run(): Promise<Record<string, number | string>> {
  const world = await startLongPaperWorld('ask', { delayMs: 200 });
  const { papers, ai, ctx, services } = world;
  try {
    const figures: Record<string, number | string> = { papers: papers.length };

    // One question per paper: its prompt, and whether the cited section is the paper's.
    let verified = 0;
    const tokens: number[] = [];
    for (const long of papers) {
      ai.reset();
      const a = await answerQuestion(ctx, services, long.paper, 'Where are the main results reported?');
      if (a.section) verified += 1;
      tokens.push(ai.requests[0]?.promptTokens ?? 0);
    }
    figures.firstQuestionPromptTokens = Math.round(tokens.reduce((x, y) => x + y, 0) / tokens.length);
    figures.citedSectionsVerified = `${verified}/${papers.length}`;

    const burst = papers.flatMap((long) =>
      QUESTIONS.flatMap((q) => spellings(q).map((s) => () => answerQuestion(ctx, services, long.paper, s))),
    );
    figures.burstQuestions = burst.length;
    figures.burstDistinct = papers.length * QUESTIONS.length;
    for (const round of ['burst', 'burstAgain'] as const) {
      ai.reset();
      const started = performance.now();
      const answers = await Promise.all(burst.map((ask) => ask()));
      figures[`${round}Ms`] = Math.round(performance.now() - started);
      figures[`${round}LlmCalls`] = ai.requests.length;
      figures[`${round}PromptTokens`] = ai.requests.reduce((n, r) => n + r.promptTokens, 0);
      figures[`${round}FromCache`] = answers.filter((a) => a.cached).length;
    }
    return figures;
  } finally {
    await world.close();
  }
}
