/** The scheduler with the real runDigest and pipeline (no LLM), the vote profile read by the next day's ranking. */
import { startBot } from '../../src/bot';
import { tallyDigest } from '../../src/jobs/tally';
import type { RankingRecord } from '../../src/pipeline/digest';
import { SEED_OCT30, SEED_SEP30, makeApp, testConfig } from '../fakes/bot-fixture';

test('a scheduled day end to end: digest, reactions, tally, and the profile read by the next ranking', async () => {
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
  // The next day's ranking reads the profile (each candidate's affinity is recorded), but one vote on one day is
  // no pattern yet: λ = 0, so nothing is boosted (src/profile: the weight grows with evidence and agreement).
  expect(ranking?.candidates.every((c) => c.affinity !== undefined)).toBe(true);
  expect(ranking?.candidates.some((c) => (c.affinity ?? 0) > 1)).toBe(true);
  expect(ranking?.candidates.every((c) => (c.boost ?? 0) === 0)).toBe(true);
  await running.stop();
});
