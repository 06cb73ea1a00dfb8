import { openStore } from '../store';
import { firstTime } from './replay';

describe('firstTime (a signed request acts once)', () => {
  it('is true for the first copy only, per platform and identity, even when copies arrive together', async () => {
    const store = await openStore('memory://');
    try {
      const copies = await Promise.all(Array.from({ length: 10 }, () => firstTime(store, 'slack', 'trigger:1.2.3')));
      expect(copies.filter(Boolean)).toHaveLength(1);
      expect(await firstTime(store, 'slack', 'trigger:1.2.4')).toBe(true);
      expect(await firstTime(store, 'discord', 'trigger:1.2.3')).toBe(true);
      expect(await firstTime(store, 'discord', 'trigger:1.2.3')).toBe(false);
    } finally {
      await store.close();
    }
  });
});
