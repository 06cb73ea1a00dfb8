import { openStore } from '../store';
import { TokenBudget } from './budget';

describe('TokenBudget shared by instances on one store', () => {
  it('adds every instance’s spend to the day’s record without losing updates', async () => {
    const store = await openStore('memory://');
    const now = () => Date.parse('2025-10-30T12:00:00Z');
    const a = new TokenBudget(store, 1_000_000, now);
    const b = new TokenBudget(store, 1_000_000, now);
    const work = Array.from({ length: 20 }, async (_, i) => {
      const budget = i % 2 ? a : b;
      const r = await budget.reserve(50);
      await budget.commit(r, 10);
    });
    await Promise.all(work);
    expect(await a.spent('2025-10-30')).toBe(200);
    await store.close();
  });
});
