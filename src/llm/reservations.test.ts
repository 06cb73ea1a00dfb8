/**
 * The daily budget across instances: two TokenBudgets on one store (two instances) reserving at once never
 * reserve more than the budget; a reservation whose caller died stops counting after its expiry. On the memory
 * store always, on Redis and PostgreSQL when TEST_REDIS_URL / TEST_POSTGRES_URL are set.
 */
import { randomUUID } from 'node:crypto';
import { openStore } from '../store';
import { TokenBudget } from './budget';
import { RESERVATION_TTL_MS, StoreReservations } from './reservations';

const stores: Array<[string, string | undefined]> = [
  ['memory', 'memory://'],
  ['redis', process.env.TEST_REDIS_URL],
  ['postgres', process.env.TEST_POSTGRES_URL],
];

for (const [kind, url] of stores) {
  if (!url) {
    test.skip(`${kind}: skipped (set TEST_${kind.toUpperCase()}_URL to run)`, () => {});
    continue;
  }
  test(`${kind}: two instances reserving at once never pass the budget`, async () => {
    const store = await openStore(url);
    // A day of its own, so runs on a shared server do not meet.
    const base = Date.parse('2031-01-01T00:00:00Z') + Math.floor(Math.random() * 3000) * 86_400_000;
    const now = () => base;
    try {
      const a = new TokenBudget(store, 1_000, now);
      const b = new TokenBudget(store, 1_000, now);
      const tries = [a, b].flatMap((budget) => Array.from({ length: 8 }, () => budget.reserve(100)));
      const got = await Promise.allSettled(tries);
      const granted = got.filter((g) => g.status === 'fulfilled');
      expect(granted).toHaveLength(10);
      // Committed for less than reserved: the rest is free again, across both.
      for (const g of granted.slice(0, 2)) if (g.status === 'fulfilled') await a.commit(g.value, 50);
      await expect(b.reserve(100)).resolves.toMatchObject({ tokens: 100 });
      await expect(b.reserve(100)).rejects.toThrow(/budget/i);
    } finally {
      await store.close();
    }
  }, 30_000);
}

test('a reservation whose caller died stops counting after its expiry', async () => {
  const store = await openStore('memory://');
  let t = Date.parse('2031-06-01T00:00:00Z');
  const reservations = new StoreReservations(store, () => t);
  const day = `d-${randomUUID().slice(0, 6)}`;
  expect(await reservations.tryReserve(day, 900, async (inFlight) => inFlight.total + 900 <= 1000)).toBeDefined();
  expect(await reservations.tryReserve(day, 900, async (inFlight) => inFlight.total + 900 <= 1000)).toBeUndefined();
  t += RESERVATION_TTL_MS + 1;
  expect(await reservations.tryReserve(day, 900, async (inFlight) => inFlight.total + 900 <= 1000)).toBeDefined();
  await store.close();
});
