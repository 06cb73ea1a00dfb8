import { openStore } from '../store';
import { keys } from '../store/keys';
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

  it('reads the store: an identity recorded by another process (or before a restart) is not acted on', async () => {
    const store = await openStore('memory://');
    try {
      await store.set('ratelimit', keys.seenRequest('discord', '1400000000000000777'), true);
      expect(await firstTime(store, 'discord', '1400000000000000777')).toBe(false);
      // And what this process saw is in the store for the others.
      expect(await firstTime(store, 'discord', '1400000000000000778')).toBe(true);
      expect(await store.get('ratelimit', keys.seenRequest('discord', '1400000000000000778'))).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('forgets an identity once its time is past (the signature is long invalid then)', async () => {
    const store = await openStore('memory://');
    let now = 1_000_000;
    try {
      expect(await firstTime(store, 'slack', 'event:Ev1', () => now)).toBe(true);
      now += 11 * 60_000;
      await store.delete('ratelimit', keys.seenRequest('slack', 'event:Ev1')); // the store's own TTL did this
      expect(await firstTime(store, 'slack', 'event:Ev1', () => now)).toBe(true);
    } finally {
      await store.close();
    }
  });
});
