/**
 * The learning benchmark's path, on one split of real days (words only): a team's votes through Slack and the
 * tally lift a theme outside `interests` on held-out days, and random votes move nothing. The full figures come
 * from `npm run bench -- learning`; this keeps the bench's path working. Skipped without ../shared/arxiv.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

const DATA = path.resolve(__dirname, '../../../shared/arxiv/arxiv-real.jsonl');
const maybe = existsSync(DATA) ? test : test.skip;
if (!existsSync(DATA)) console.warn(`learning bench test skipped: ${DATA} is absent`);

maybe(
  'one split of the learning bench: the voted theme rises, random votes change nothing',
  async () => {
    process.env.BENCH_SPLITS = '1';
    process.env.BENCH_MODES = 'words';
    const { run } = require('../../bench/learning.bench') as typeof import('../../bench/learning.bench');
    const r = await run();
    const [before, after] = String(r['words.outsideInDigest5'])
      .split('→')
      .map((x) => Number(x.trim()));
    expect(after).toBeGreaterThanOrEqual(2);
    expect(after).toBeGreaterThan(before ?? 0);
    expect(Number(r['words.randomDigest5Replaced'])).toBeLessThanOrEqual(1);
  },
  120_000,
);
