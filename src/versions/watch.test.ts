import { openStore, type Store } from '../store';
import { markAnnounced, threadKey, watchedPapers, watchPaper } from './watch';

const thread = (date: string, platform = 'slack', channelId = 'C1') => ({
  platform,
  channelId,
  digest: 'nlp',
  date,
  thread: { platform, channelId, threadId: `${date}.0001` },
  via: 'digest' as const,
});

describe('watched papers', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore('memory://');
  });
  afterEach(() => store.close());

  it('keeps each thread once with the version it saw, and moves it on when a version is announced', async () => {
    const v1 = { id: '2510.26707', version: 1, title: 'T', abstract: 'first', comments: 'c1' };
    await watchPaper(store, v1, thread('2025-10-30'));
    await watchPaper(store, { ...v1, version: 2, abstract: 'second' }, thread('2025-10-30'));
    await watchPaper(store, { ...v1, version: 2, abstract: 'second' }, thread('2025-10-31', 'discord', 'D1'));
    let record = (await watchedPapers(store, ['2510.26707', '2510.00000'])).get('2510.26707');
    expect(record?.threads.map((t) => [t.date, t.version])).toEqual([
      ['2025-10-30', 1],
      ['2025-10-31', 2],
    ]);
    expect(record?.abstracts).toEqual({ '1': 'first', '2': 'second' });

    await markAnnounced(store, { ...v1, version: 3, abstract: 'third' }, threadKey(thread('2025-10-30')));
    record = (await watchedPapers(store, ['2510.26707'])).get('2510.26707');
    expect(record?.threads.map((t) => t.version)).toEqual([3, 2]);
    // Only the versions a thread still compares against are kept.
    expect(record?.abstracts).toEqual({ '2': 'second', '3': 'third' });
    // An older announcement never moves a thread back.
    await markAnnounced(store, { ...v1, version: 2, abstract: 'second' }, threadKey(thread('2025-10-30')));
    expect((await watchedPapers(store, ['2510.26707'])).get('2510.26707')?.threads[0]?.version).toBe(3);
  });
});
