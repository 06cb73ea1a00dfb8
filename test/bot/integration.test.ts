/** The scheduler with the real runDigest and pipeline (no LLM), the learned boost feeding the next day's ranking. */
import { startBot } from '../../src/bot';
import { tallyDigest } from '../../src/jobs/tally';
import type { RankingRecord } from '../../src/pipeline/digest';
import { SEED_OCT30, SEED_SEP30, makeApp, testConfig } from '../fakes/bot-fixture';

test('a scheduled day end to end: digest, reactions, tally, and a learned boost in the next ranking', async () => {
  const config = testConfig([{ name: 'nlp', schedule: '30 8 * * 1-5', timezone: 'America/New_York' }]);
  const bot = await makeApp(config);
  bot.arxiv.announce('2025-10-30', SEED_OCT30);
  bot.clock.set('2025-10-30T12:30:00Z');
  const running = await startBot(bot.app, { port: 0, host: '127.0.0.1', signals: false });
  const outcomes = await running.catchUp;
  expect(outcomes).toEqual([expect.objectContaining({ status: 'posted', date: '2025-10-30' })]);
  const papers = bot.slack.ofKind('paper');
  expect(papers.length).toBeGreaterThan(0);
  const first = papers[0];
  if (!first) throw new Error('no paper');
  await bot.slack.react(first, 'U1', '+1');
  const result = await tallyDigest(bot.app, config.digests[0] as never, '2025-10-30');
  expect(result.outcome?.winners).toEqual([first.message.paper.id]);
  expect(bot.slack.ofKind('tally')).toHaveLength(1);

  bot.arxiv.announce('2025-10-31', SEED_SEP30);
  bot.clock.set('2025-10-31T12:30:00Z');
  await running.scheduler.tick();
  const ranking = await bot.store.get<RankingRecord>('ranking', 'nlp:2025-10-31');
  expect(ranking?.candidates.some((c) => (c.boost ?? 0) !== 0)).toBe(true);
  await running.stop();
});
