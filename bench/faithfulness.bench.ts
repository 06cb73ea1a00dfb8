/**
 * Faithfulness: what of a long paper reaches the review prompt. Three papers of ~120,000 characters of text in
 * arXiv's LaTeXML HTML (test/fakes/latexml.ts), each with its results table in section 4 and its conclusion in
 * section 5, far past the default budget (llm.fullTextTokens 12,000 ≈ 48,000 characters), behind long related-work
 * and method sections. Served by the local arXiv fake, read through the real ArxivClient, reviewed by the local
 * OpenAI-compatible server answering like a local reasoning model without a reasoning parser (`<think>…</think>`,
 * a preamble, a ```json fence, closing chatter).
 *
 * Per paper: how many of the results table's numbers and of the conclusion's sentences reached the review request,
 * the cut markers it carries, its prompt tokens, and how many review calls the `<think>`-wrapped answer took. The
 * "before" columns replay the previous reading on the same page (tables dropped, text cut from the start at the
 * budget; an answer read only when it is bare JSON or one fence), for comparison.
 */
import { latexmlHtml } from '../test/fakes/latexml';
import { startLongPaperWorld } from './long-papers';
import { truncate } from '../src/app/text';
import { htmlToText } from '../src/arxiv/fulltext';
import { isTable } from '../src/arxiv/sections';
import { critiquePaper } from '../src/commands/critique';

/** The previous extraction and cut: tables removed, the text cut from its start at the budget. */
function previousText(html: string, maxChars: number): string {
  // The previous extraction dropped `.ltx_tabular` and kept the caption: a table block becomes its caption line.
  const blocks = htmlToText(html)
    .split('\n\n')
    .map((b) => (isTable(b) ? (b.split('\n')[0] ?? '') : b));
  return truncate(blocks.join('\n\n'), maxChars);
}

/** The previous answer reading: JSON.parse of the content, or of the inside of one fence around all of it. */
function previousReads(content: string): boolean {
  const m = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/.exec(content);
  try {
    JSON.parse(m?.[1] ?? content);
    return true;
  } catch {
    return false;
  }
}

export async function run(): Promise<Record<string, number | string>> {
  const world = await startLongPaperWorld('faithful');
  const { papers, ai, ctx, services } = world;
  try {
    const budgetChars = ctx.config.llm.fullTextTokens * 4;

    const figures: Record<string, number | string> = { budgetChars };
    const rows: string[] = [];
    for (const [i, long] of papers.entries()) {
      const html = latexmlHtml(long);
      const text = htmlToText(html);
      ai.reset();
      ai.fail('think', { schema: 'paper_review', times: 2 });
      const result = await critiquePaper(ctx, services, long.paper.id);
      const reviews = ai.requests.filter((r) => r.schemaName === 'paper_review');
      const user = reviews[0]?.body.messages.find((m) => m.role === 'user')?.content ?? '';
      const sent = /<paper_text source="html">\n([\s\S]*)\n<\/paper_text>/.exec(user)?.[1] ?? '';
      const before = previousText(html, budgetChars);
      const count = (hay: string, needles: string[]) => needles.filter((n) => hay.includes(n)).length;
      const numbers = count(sent, long.tableNumbers);
      const sentences = count(sent, long.conclusion);
      const markers = (sent.match(/\[… [^\]]* omitted …\]/g) ?? []).length;
      const conclusionAt = text.indexOf(long.conclusion[0] ?? '');
      const served =
        '<think>\nOkay, the user wants JSON.\n</think>\n\nHere is the JSON you asked for:\n\n```json\n{"id":"x"}\n```\n\nLet me know if you need anything else!';
      const key = `paper${i + 1}`;
      figures[`${key}.id`] = long.paper.id;
      figures[`${key}.textChars`] = text.length;
      figures[`${key}.conclusionStartsAtChar`] = conclusionAt;
      figures[`${key}.tableNumbersInPrompt`] = `${numbers}/${long.tableNumbers.length}`;
      figures[`${key}.conclusionSentencesInPrompt`] = `${sentences}/${long.conclusion.length}`;
      figures[`${key}.tableNumbersBefore`] = `${count(before, long.tableNumbers)}/${long.tableNumbers.length}`;
      figures[`${key}.conclusionSentencesBefore`] = `${count(before, long.conclusion)}/${long.conclusion.length}`;
      figures[`${key}.cutMarkers`] = markers;
      figures[`${key}.paperTextChars`] = sent.length;
      figures[`${key}.reviewPromptTokens`] = reviews[0]?.promptTokens ?? 0;
      figures[`${key}.reviewCallsForThinkAnswer`] = result.usage.llmCalls;
      rows.push(
        `| ${long.paper.id} | ${text.length} | ${conclusionAt} | ${numbers}/${long.tableNumbers.length} (before ${count(before, long.tableNumbers)}) | ${sentences}/${long.conclusion.length} (before ${count(before, long.conclusion)}) | ${markers} | ${reviews[0]?.promptTokens ?? 0} | ${result.usage.llmCalls} (before ${previousReads(served) ? 1 : '2, then the abstract'}) |`,
      );
    }
    process.stdout.write(
      [
        '',
        `Faithfulness (budget ${budgetChars} characters of paper text; answers wrapped in <think>, preamble, fence, chatter)`,
        '',
        '| paper | text chars | conclusion at char | table numbers in prompt | conclusion sentences in prompt | cut markers | review prompt tokens | review calls |',
        '| --- | ---: | ---: | --- | --- | ---: | ---: | --- |',
        ...rows,
        '',
      ].join('\n'),
    );
    return figures;
  } finally {
    await world.close();
  }
}
