/**
 * The selection bench's path, on the curated days (../shared/curated): with an LLM every pick reaches the model,
 * the ranking's prompt tokens stay under 80 a paper on a 500-paper day, a re-run costs no call, the no-key ranking
 * is at least TF-IDF's, and the reading list does not lower the later days' top 10. The figures themselves come from
 * `npm run bench -- selection`. Skipped without ../shared/curated.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

const CURATED = path.resolve(__dirname, '../../../shared/curated');
const maybe = existsSync(CURATED) ? test : test.skip;
if (!existsSync(CURATED)) console.warn(`selection bench test skipped: ${CURATED} is absent`);

maybe(
  'the selection bench: every pick shown to the model, under 80 tokens a paper, free re-runs',
  async () => {
    const { run } = require('../../bench/selection.bench') as typeof import('../../bench/selection.bench');
    const r = await run();
    expect(Number(r['pooled.llm.shownToModel'])).toBeGreaterThanOrEqual(98);
    expect(Number(r['pooled.llm.rerunCalls'])).toBe(0);
    if (r['500papers.llm.promptTokensPerPaper'] !== undefined)
      expect(Number(r['500papers.llm.promptTokensPerPaper'])).toBeLessThan(80);
    expect(Number(r['pooled.project.top10'])).toBeGreaterThanOrEqual(Number(r['pooled.tfidf.top10']));
    expect(Number(r['later.library.top10'])).toBeGreaterThanOrEqual(Number(r['later.noLibrary.top10']));
  },
  120_000,
);
