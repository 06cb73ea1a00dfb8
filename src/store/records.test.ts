import { z } from 'zod';
import { openStore, type Store } from './index';
import { recordKind } from './records';

describe('typed records', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore('memory://');
  });
  afterEach(() => store.close());

  const COUNTER = recordKind<{ n: number; label?: string }>(
    'meta',
    z.looseObject({ n: z.number(), label: z.string().optional() }),
  );

  test('a record round-trips through its declaration; an absent one is undefined', async () => {
    await COUNTER.set(store, 'c1', { n: 3, label: 'three' });
    expect(await COUNTER.get(store, 'c1')).toEqual({ n: 3, label: 'three' });
    expect(await COUNTER.get(store, 'absent')).toBeUndefined();
    expect(await COUNTER.getMany(store, ['c1', 'absent'])).toEqual([{ n: 3, label: 'three' }, undefined]);
  });

  test('fields this version does not know are kept, so a rewrite loses nothing', async () => {
    await store.set('meta', 'c2', { n: 1, addedLater: true });
    const got = await COUNTER.get(store, 'c2');
    expect(got).toEqual({ n: 1, addedLater: true });
  });

  test('a value of the wrong shape is a store error naming the namespace, the key and what is wrong', async () => {
    await store.set('meta', 'c3', { n: 'three' });
    await expect(COUNTER.get(store, 'c3')).rejects.toMatchObject({
      code: 'store_error',
      message: expect.stringMatching(/^the store's meta record c3 is not one this version reads \(.+ at n\)$/),
    });
    await expect(COUNTER.getMany(store, ['c1', 'c3'])).rejects.toThrow(/meta record c3/);
  });

  test('the TTL given with the declaration is the one written', async () => {
    const set = jest.spyOn(store, 'set');
    await recordKind('meta', z.number(), { ttlMs: 1234 }).set(store, 'k', 5);
    expect(set).toHaveBeenCalledWith('meta', 'k', 5, 1234);
    await COUNTER.set(store, 'k2', { n: 1 });
    expect(set).toHaveBeenLastCalledWith('meta', 'k2', { n: 1 }, undefined); // the namespace's default
    await COUNTER.set(store, 'k3', { n: 2 }, 99);
    expect(set).toHaveBeenLastCalledWith('meta', 'k3', { n: 2 }, 99); // a write's own TTL
  });

  test("setMany writes every entry with the declaration's TTL", async () => {
    const setMany = jest.spyOn(store, 'setMany');
    const MARK = recordKind<boolean>('ratelimit', z.boolean(), { ttlMs: 600_000 });
    await MARK.setMany(store, [
      { key: 'a', value: true },
      { key: 'b', value: true },
    ]);
    expect(setMany).toHaveBeenCalledWith('ratelimit', [
      { key: 'a', value: true, ttlMs: 600_000 },
      { key: 'b', value: true, ttlMs: 600_000 },
    ]);
    expect(await MARK.getMany(store, ['a', 'b', 'c'])).toEqual([true, true, undefined]);
  });
});
