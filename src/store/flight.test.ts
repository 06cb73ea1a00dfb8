import { openStore } from './index';
import { singleFlight } from './flight';

describe('singleFlight', () => {
  test('askers at once in one process share one piece of work', async () => {
    const store = await openStore('memory://');
    let runs = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const asking = Array.from({ length: 50 }, () =>
      singleFlight(store, 'answer', {
        ready: async () => undefined,
        work: async () => {
          runs += 1;
          await gate; // the work lasts until every asker has asked
          return 42;
        },
      }),
    );
    release();
    const results = await Promise.all(asking);
    expect(runs).toBe(1);
    expect(results.every((r) => r.value === 42)).toBe(true);
    expect(results.filter((r) => !r.shared)).toHaveLength(1);
    await store.close();
  });

  test("two instances on one store: the second waits for the first one's stored result", async () => {
    const store = await openStore('memory://');
    // Two copies of the module are two processes: each has its own in-process table, the store is shared (and
    // the lock module's record of this process's live locks, as two processes' locks are each alive).
    const lock = jest.requireActual('./lock');
    let a: typeof import('./flight') | undefined;
    let b: typeof import('./flight') | undefined;
    jest.isolateModules(() => {
      jest.doMock('./lock', () => lock);
      a = require('./flight');
    });
    jest.isolateModules(() => {
      jest.doMock('./lock', () => lock);
      b = require('./flight');
    });
    let runs = 0;
    let stored: number | undefined;
    let looks = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const opts = {
      ready: async () => {
        // The first look is the worker's, under the lock; the second, the other instance's while it waits.
        if (++looks === 2) release();
        return stored;
      },
      work: async () => {
        runs += 1;
        await gate; // the work lasts until the other instance is waiting for its result
        stored = 7;
        return 7;
      },
      pollMs: 10,
    };
    const [x, y] = await Promise.all([a!.singleFlight(store, 'paper', opts), b!.singleFlight(store, 'paper', opts)]);
    expect(runs).toBe(1);
    expect([x.value, y.value]).toEqual([7, 7]);
    expect([x.shared, y.shared].sort()).toEqual([false, true]);
    await store.close();
  });

  test('when the worker fails, the next asker does the work itself', async () => {
    const store = await openStore('memory://');
    await expect(
      singleFlight(store, 'flaky', { ready: async () => undefined, work: async () => Promise.reject(new Error('no')) }),
    ).rejects.toThrow('no');
    const again = await singleFlight(store, 'flaky', { ready: async () => undefined, work: async () => 1 });
    expect(again).toEqual({ value: 1, shared: false });
    await store.close();
  });
});
