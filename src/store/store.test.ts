import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore, type Store } from './index';
import { until } from '../../test/helpers/wait';

describe.each(['memory', 'sqlite'])('%s store', (kind) => {
  let store: Store;
  let url: string;
  beforeAll(async () => {
    url =
      kind === 'memory'
        ? 'memory://'
        : `sqlite://${path.join(mkdtempSync(path.join(tmpdir(), 'store-')), 'nested', 'db.sqlite')}`;
    store = await openStore(url);
  });
  afterAll(() => store.close());

  it('round-trips values by namespace', async () => {
    await store.set('papers', '2510.26707', { id: '2510.26707', version: 2, authors: ['Mehar Bhatia'] });
    await store.set('llm', '2510.26707', 'other namespace');
    expect(await store.get('papers', '2510.26707')).toEqual({
      id: '2510.26707',
      version: 2,
      authors: ['Mehar Bhatia'],
    });
    expect(await store.get('llm', '2510.26707')).toBe('other namespace');
    expect(await store.get('papers', 'hep-th/9901001')).toBeUndefined();
    expect(await store.delete('papers', '2510.26707')).toBe(true);
    expect(await store.get('papers', '2510.26707')).toBeUndefined();
    expect(await store.ping()).toBe(true);
  });

  it('takes a lock once until it expires or is released', async () => {
    expect(await store.acquireLock('digest:nlp:2025-10-30', 'a', 60_000)).toBe(true);
    expect(await store.acquireLock('digest:nlp:2025-10-30', 'b', 60_000)).toBe(false);
    expect(await store.acquireLock('digest:nlp:2025-10-30', 'a', 60_000)).toBe(true); // re-entrant for its owner
    await store.releaseLock('digest:nlp:2025-10-30', 'b'); // not the owner: no effect
    expect(await store.acquireLock('digest:nlp:2025-10-30', 'b', 60_000)).toBe(false);
    await store.releaseLock('digest:nlp:2025-10-30', 'a');
    expect(await store.acquireLock('digest:nlp:2025-10-30', 'b', 1)).toBe(true);
    await until("b's 1 ms lock expires and c takes it", () => store.acquireLock('digest:nlp:2025-10-30', 'c', 60_000));
  });

  if (kind === 'sqlite') {
    it('keeps data across reopen (a restart)', async () => {
      await store.set('posts', 'nlp:2025-10-30:slack:C1:parent#0', { messageId: '1.2' });
      const again = await openStore(url);
      expect(await again.get('posts', 'nlp:2025-10-30:slack:C1:parent#0')).toEqual({ messageId: '1.2' });
      await again.close();
    });
  }
});

describe('openStore', () => {
  it('rejects an unknown STORE_URL with what is expected', async () => {
    await expect(openStore('mongodb://x')).rejects.toThrow(
      /STORE_URL "mongodb:\/\/x" is not supported \(expected sqlite:\/\/\/abs\/path, sqlite:\/\/rel\/path, redis:/,
    );
  });
});

/** Batched reads and writes on every backend this machine has (Redis and PostgreSQL from scripts/ci-services.sh). */
const batchBackends: Array<[string, string | undefined]> = [
  ['memory', 'memory://'],
  ['sqlite', `sqlite://${path.join(mkdtempSync(path.join(tmpdir(), 'store-many-')), 'db.sqlite')}`],
  ['redis', process.env.TEST_REDIS_URL],
  ['postgres', process.env.TEST_POSTGRES_URL],
];
describe.each(batchBackends)('%s store, many at once', (kind, url) => {
  const maybe = url ? it : it.skip;
  // Keys of this run alone: Redis and PostgreSQL are shared with the other test files.
  const unique = `${kind}-${process.pid}-${Date.now().toString(36)}`;
  maybe('writes and reads many values in one call (getMany / setMany)', async () => {
    const store = await openStore(url as string);
    try {
      const keys = Array.from({ length: 250 }, (_, i) => `${unique}-${i}`);
      await store.setMany(
        'papers',
        keys.map((key, i) => ({ key, value: { id: key, version: (i % 3) + 1 } })),
      );
      const read = await store.getMany<{ id: string; version: number }>('papers', [...keys, `${unique}-missing`]);
      expect(read).toHaveLength(251);
      expect(read[0]).toEqual({ id: `${unique}-0`, version: 1 });
      expect(read[249]).toEqual({ id: `${unique}-249`, version: 1 });
      expect(read[250]).toBeUndefined();
      await store.setMany('papers', []); // nothing to write is no error
      expect(await store.getMany('papers', [])).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
