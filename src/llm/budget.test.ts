import { BudgetExceededError } from '../app/errors';
import { openStore } from '../store';
import { keys } from '../store/keys';
import { TokenBudget, accountOf, estimateDigestCost, spendAs } from './budget';

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

describe('budget shares', () => {
  const now = () => Date.parse('2025-10-30T12:00:00Z');

  it('reserves what the scheduled work reserved on its busiest recorded day, with a margin', async () => {
    const store = await openStore('memory://');
    await store.set('budget', keys.budget('2025-10-28'), { tokens: 500, scheduled: 800 });
    await store.set('budget', keys.budget('2025-10-29'), { tokens: 900, scheduled: 400, members: { 'slack:U1': 300 } });
    const budget = new TokenBudget(store, 10_000, now, { defaultDigestCost: 5000 });
    expect(await budget.digestReserve()).toBe(1000);
  });

  it('uses the config estimate before any day was recorded, never past the budget', async () => {
    const store = await openStore('memory://');
    expect(await new TokenBudget(store, 10_000, now, { defaultDigestCost: 4000 }).digestReserve()).toBe(4000);
    expect(await new TokenBudget(store, 3000, now, { defaultDigestCost: 4000 }).digestReserve()).toBe(3000);
    expect(estimateDigestCost({ shortlist: 40, batchSize: 20, fullTextTokens: 12_000 }, 5)).toBe(103_000);
  });

  it('members share what the reserve leaves, one account its part; the scheduled work keeps the rest', async () => {
    const store = await openStore('memory://');
    const budget = new TokenBudget(store, 1000, now, { defaultDigestCost: 600, memberShare: 0.5 });
    // One member: 200 of the members' 400.
    const a = await spendAs('slack:T1:U1', () => budget.reserve(150));
    await budget.commit(a, 150);
    const refused = await spendAs('slack:T1:U1', () => budget.reserve(100)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BudgetExceededError);
    expect((refused as BudgetExceededError).share).toBe('member');
    const b = await spendAs('discord:G1:U2', () => budget.reserve(200));
    await budget.commit(b, 200);
    const c = await spendAs('slack:T1:U3', () => budget.reserve(100)).catch((e: unknown) => e);
    expect((c as BudgetExceededError).share).toBe('members');
    // The digest still has its 600 (and what the members left).
    const d = await budget.reserve(640);
    await budget.commit(d, 640);
    expect(await budget.spent()).toBe(990);
  });

  it('names an account by platform, workspace and user', () => {
    expect(accountOf({ platform: 'slack', workspaceId: 'T1', userId: 'U1' })).toBe('slack:T1:U1');
    expect(accountOf({ platform: 'discord', userId: '42' })).toBe('discord:42');
  });
});
