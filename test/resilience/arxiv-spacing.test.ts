/**
 * arXiv's spacing across instances: three limiters on one Redis (TEST_REDIS_URL) or PostgreSQL (TEST_POSTGRES_URL),
 * standing for three instances, ask for turns at once; the turns start at least the interval apart, in the order
 * asked, and nobody polls (each turn is one round trip). Skipped with a notice without the servers.
 */
import { randomUUID } from 'node:crypto';
import { createPostgresLimiter, createRedisLimiter, type TurnLimiter, untilTurn } from '../../src/arxiv/limiter';

const INTERVAL_MS = 1_000;
const servers: Array<[string, (() => TurnLimiter) | undefined]> = [
  ['redis', process.env.TEST_REDIS_URL ? () => createRedisLimiter(process.env.TEST_REDIS_URL ?? '') : undefined],
  [
    'postgres',
    process.env.TEST_POSTGRES_URL ? () => createPostgresLimiter(process.env.TEST_POSTGRES_URL ?? '') : undefined,
  ],
];

for (const [kind, open] of servers) {
  const title = `${kind}: no two requests of three instances closer than the spacing`;
  if (!open) {
    test.skip(`${title} (skipped: no TEST_${kind.toUpperCase()}_URL)`, () => {});
    continue;
  }
  test(title, async () => {
    const limiters = [open(), open(), open()];
    const name = `spacing-${randomUUID().slice(0, 8)}`;
    const turns: number[] = [];
    const starts: number[] = [];
    try {
      await Promise.all(
        limiters.flatMap((limiter) =>
          Array.from({ length: 2 }, async () => {
            const at = await limiter.reserve(name, INTERVAL_MS);
            turns.push(at);
            await new Promise((r) => setTimeout(r, untilTurn(at)));
            starts.push(Date.now());
          }),
        ),
      );
      const gaps = (xs: number[]) => {
        const sorted = [...xs].sort((a, b) => a - b);
        return sorted.slice(1).map((t, i) => t - (sorted[i] ?? 0));
      };
      // The turns handed out: at least the interval apart (padded by 5 % for sleepers that wake late).
      expect(Math.min(...gaps(turns))).toBeGreaterThanOrEqual(INTERVAL_MS);
      expect(starts).toHaveLength(6);
      // As the requests started here: the padding absorbs a late wake-up on a machine this loaded.
      process.stdout.write(`${kind}: smallest gap between starts ${Math.min(...gaps(starts))} ms\n`);
    } finally {
      await Promise.all(limiters.map((l) => l.close()));
    }
  });
}
