import { openStore, type Store } from '../store';
import { sharedSlot } from './client';

describe('sharedSlot (arXiv spacing across instances sharing a store)', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore('memory://');
  });
  afterAll(() => store.close());

  const blockedClock = () => {
    const sleeps: number[] = [];
    return {
      sleeps,
      now: () => Date.now(),
      sleep: async (ms: number) => {
        sleeps.push(ms);
        if (sleeps.length >= 3) throw new Error('still waiting');
      },
    };
  };

  it('lets one instance through and makes another wait while the slot is held', async () => {
    const a = sharedSlot(store, 'slot-1', 60_000, blockedClock());
    const bClock = blockedClock();
    const b = sharedSlot(store, 'slot-1', 60_000, bClock);
    await a();
    await expect(b()).rejects.toThrow('still waiting');
    expect(bClock.sleeps).toEqual([250, 250, 250]);
  });

  it('does not let the same instance re-take its own slot before it expires', async () => {
    const clock = blockedClock();
    const a = sharedSlot(store, 'slot-2', 60_000, clock);
    await a();
    await expect(a()).rejects.toThrow('still waiting');
  });

  it('opens again once the interval has passed', async () => {
    const a = sharedSlot(store, 'slot-3', 200, blockedClock());
    const bSleeps: number[] = [];
    const b = sharedSlot(store, 'slot-3', 200, {
      now: () => Date.now(),
      sleep: (ms) => {
        bSleeps.push(ms);
        return new Promise((r) => setTimeout(r, ms));
      },
    });
    await a();
    await b(); // waits out a's 200 ms slot (in steps of at most the interval), then takes it
    expect(bSleeps.length).toBeGreaterThan(0);
    expect(bSleeps.every((ms) => ms === 200)).toBe(true);
    // b holds the slot now: a third request waits for it.
    const cClock = blockedClock();
    await expect(sharedSlot(store, 'slot-3', 200, cClock)()).rejects.toThrow('still waiting');
    expect(cClock.sleeps).toEqual([200, 200, 200]);
  });
});
