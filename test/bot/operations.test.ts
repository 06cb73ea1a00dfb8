/**
 * What running unattended for months needs from the store and the posting core: a failed store read is an error
 * (never "not posted yet"), two writers of one digest do not interleave, a writer whose lock was taken over stops,
 * values that accumulate daily expire and are swept from SQL stores, health checks of two instances do not collide,
 * and a password in STORE_URL is never shown.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import type { PostedMessage, RenderedPart, ThreadRef } from '../../src/chat/types';
import type { DigestConfig } from '../../src/config/schema';
import { postDigest } from '../../src/jobs/post';
import { keys } from '../../src/store/keys';
import { runDigest } from '../../src/jobs/run';
import { type Store, defaultTtlMs, openStore } from '../../src/store';
import { LockLostError } from '../../src/app/errors';
import { withLock } from '../../src/store/lock';
import { openSqliteDriver } from '../../src/store/sqlite';
import type { Digest } from '../../src/app/types';
import { emptyUsage } from '../../src/app/types';
import { SEED_OCT30, SLACK_CHANNEL, makeApp, testConfig } from '../fakes/bot-fixture';
import { MemoryAdapter, MemoryPlatform } from '../fakes/memory-adapter';
import { until } from '../helpers/wait';

function sqliteUrl(): { url: string; file: string } {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'ops-')), 'db.sqlite');
  return { url: `sqlite://${file}`, file };
}

/** A second, raw connection to the SQLite file (another process, or an operator with the sqlite3 shell). */
function raw(file: string) {
  const db = openSqliteDriver(file);
  return {
    exec: async (sql: string) => void (await (await db).all(sql)),
    all: async (sql: string, params: unknown[] = []) => (await db).all(sql, params),
    close: async () => (await db).close(),
  };
}

function digestOf(date: string, n = 3): Digest {
  return {
    name: 'nlp',
    date,
    categories: ['cs.CL'],
    totalPapers: SEED_OCT30.length,
    selected: SEED_OCT30.slice(0, n).map((p, i) => ({
      ...p,
      score: 0.9 - i / 10,
      keywords: [],
      summary: p.abstract,
      critique: '',
    })),
    intro: 'Today in arXiv.',
    tldr: 'Themes.',
    usage: emptyUsage(),
    notices: [],
  };
}

/** A chat adapter whose sends take a few turns of the event loop, as a real HTTP call does, with a hook per send. */
class SlowAdapter extends MemoryAdapter {
  onSend: ((count: number) => Promise<void> | void) | undefined;
  sends = 0;
  override async send(channelId: string, part: RenderedPart, thread?: ThreadRef): Promise<PostedMessage> {
    await new Promise((r) => setTimeout(r, 2));
    const msg = await super.send(channelId, part, thread);
    this.sends++;
    await this.onSend?.(this.sends);
    return msg;
  }
}

const stores: Store[] = [];
async function open(url: string): Promise<Store> {
  const s = await openStore(url);
  stores.push(s);
  return s;
}
afterAll(async () => {
  for (const s of stores) await s.close();
});
afterEach(() => {
  jest.restoreAllMocks();
});

describe('posting exactly once under failures and concurrency', () => {
  test('a store read that fails is an error, not "not posted yet": nothing is sent again', async () => {
    const { url, file } = sqliteUrl();
    const store = await open(url);
    const adapter = new MemoryAdapter('slack');
    const digest = digestOf('2025-10-30');
    await postDigest(store, adapter, SLACK_CHANNEL, digest, ['+1']);
    expect(adapter.sent).toHaveLength(4);

    // The database breaks under the running bot (here: its table is gone; a disk error or a dropped
    // connection reads the same to keyv).
    const db = raw(file);
    await db.exec('DROP TABLE keyv');
    await db.close();
    await expect(store.get('posts', keys.posting('slack', SLACK_CHANNEL, 'nlp', '2025-10-30'))).rejects.toThrow(/keyv/);
    await expect(postDigest(store, adapter, SLACK_CHANNEL, digest, ['+1'])).rejects.toThrow();
    expect(adapter.sent).toHaveLength(4);
  });

  test('two writers posting the same digest at once (the bot and `arxiv-digest digest`) post it once', async () => {
    const store = await open('memory://');
    const world = new MemoryPlatform();
    const bot = new SlowAdapter('slack', world);
    const byHand = new SlowAdapter('slack', world);
    const digest = digestOf('2025-10-30');
    const [a, b] = await Promise.all([
      postDigest(store, bot, SLACK_CHANNEL, digest, ['+1']),
      postDigest(store, byHand, SLACK_CHANNEL, digest, ['+1']),
    ]);
    expect(world.sent.map((s) => s.message.kind)).toEqual(['digest', 'paper', 'paper', 'paper']);
    // The same record; the writer that waited is told the other posted it.
    expect([a.postedByOther, b.postedByOther].filter(Boolean)).toHaveLength(1);
    expect({ ...a, postedByOther: undefined }).toEqual({ ...b, postedByOther: undefined });
    expect(a.complete).toBe(true);
  });

  test('a writer waiting for a live holder says for whom, once; a holder gone by its pid is waited out, not taken over', async () => {
    const store = await open('memory://');
    const base = keys.posting('slack', SLACK_CHANNEL, 'nlp', '2025-10-30');
    // Held by a live process of this host (the test runner's parent), as another instance would hold it.
    const live = JSON.stringify({
      i: 'bot-a',
      h: hostname().slice(0, 100),
      p: process.ppid,
      b: 'x',
      s: Date.parse('2025-10-30T12:30:00Z'),
      n: '1',
    });
    expect(await store.acquireLock(`post:${base}`, live, 60_000)).toBe(true);
    const lines: string[] = [];
    const adapter = new MemoryAdapter('slack');
    const acquire = jest.spyOn(store, 'acquireLock');
    const tries = () => acquire.mock.calls.filter(([name]) => name === `post:${base}`).length;
    const posting = postDigest(store, adapter, SLACK_CHANNEL, digestOf('2025-10-30'), ['+1'], {
      onWait: (line) => lines.push(line),
    });
    // The writer has tried the lock three times (it said why it waits after the first), and still waits.
    await until('three tries of the held posting lock', () => tries() >= 3);
    acquire.mockRestore();
    expect(adapter.sent).toHaveLength(0);
    expect(lines).toEqual([
      `waiting for the posting lock of ${base} held by instance bot-a (host ${hostname().slice(0, 100)}, pid ${process.ppid}) since 2025-10-30T12:30:00.000Z, up to 900 s (its lock expires in 60 s unless its holder renews it)`,
    ]);
    await store.releaseLock(`post:${base}`, live);
    expect((await posting).complete).toBe(true);

    // A holder whose pid runs nowhere here: not known dead (it may run in another PID namespace, a container with
    // this hostname), so its lock is waited out until it expires.
    const dead = JSON.stringify({ i: 'bot-b', h: hostname().slice(0, 100), p: 2 ** 22 + 7, b: 'x', s: 0, n: '1' });
    const base2 = keys.posting('slack', SLACK_CHANNEL, 'nlp', '2025-10-31');
    expect(await store.acquireLock(`post:${base2}`, dead, 1_500)).toBe(true);
    const taken: string[] = [];
    const done = await postDigest(store, adapter, SLACK_CHANNEL, digestOf('2025-10-31'), ['+1'], {
      onWait: (l) => taken.push(l),
    });
    expect(done.complete).toBe(true);
    expect(taken).toEqual([expect.stringMatching(/^waiting for the posting lock of .* held by instance bot-b /)]);
  });

  test('a writer that stalled past its lock and was taken over stops before sending the next part', async () => {
    const store = await open('memory://');
    const adapter = new SlowAdapter('slack');
    const base = keys.posting('slack', SLACK_CHANNEL, 'nlp', '2025-10-30');
    const realNow = Date.now;
    adapter.onSend = async (count) => {
      if (count !== 2) return;
      // This process froze for an hour (a GC pause, a suspended VM): its lock expired and another took it.
      const later = realNow() + 3_600_000;
      jest.spyOn(Date, 'now').mockImplementation(() => later);
      expect(await store.acquireLock(`post:${base}`, 'other-instance', 120_000)).toBe(true);
    };
    await expect(postDigest(store, adapter, SLACK_CHANNEL, digestOf('2025-10-30'), ['+1'])).rejects.toThrow(
      LockLostError,
    );
    expect(adapter.sent.map((s) => s.message.kind)).toEqual(['digest', 'paper']);
    // The lock stays with its new owner: the stalled writer did not release it.
    expect(await store.acquireLock(`post:${base}`, 'third', 1000)).toBe(false);
  });

  test('a held lock is renewed while the work outlasts its expiry, and a lost one is reported', async () => {
    jest.useFakeTimers();
    try {
      const store = await open('memory://');
      let finish: () => void = () => {};
      const work = withLock(store, 'tally:nlp:2025-10-30', 'A', 3000, async (lock) => {
        await new Promise<void>((r) => {
          finish = r;
        });
        return lock.lost;
      });
      await jest.advanceTimersByTimeAsync(10_000); // three TTLs later, still A's
      expect(await store.acquireLock('tally:nlp:2025-10-30', 'B', 3000)).toBe(false);
      finish();
      await expect(work).resolves.toEqual({ held: true, value: false });
      expect(await store.acquireLock('tally:nlp:2025-10-30', 'B', 3000)).toBe(true); // released at the end
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('the store over months', () => {
  test('daily records get a TTL by namespace; learning, scheduler state and the latest pointer do not', () => {
    const day = 86_400_000;
    expect(defaultTtlMs('ranking', 'nlp:2025-10-30')).toBe(30 * day);
    expect(defaultTtlMs('messages', 'slack:C1:1.2')).toBe(60 * day);
    expect(defaultTtlMs('llm', 'abc')).toBe(90 * day);
    expect(defaultTtlMs('posts', 'nlp:2025-10-30:slack:C1:parent#0')).toBe(180 * day);
    expect(defaultTtlMs('posts', 'latest:nlp:slack:C1')).toBeUndefined();
    expect(defaultTtlMs('meta', 'schedule:nlp')).toBeUndefined();
    expect(defaultTtlMs('meta', 'digest-build:nlp:2025-10-30')).toBe(60 * day);
    expect(defaultTtlMs('profiles', 'digest:nlp')).toBeUndefined();
  });

  test('SQLite: values are written with their TTL, and expired rows are swept without being read', async () => {
    const { url, file } = sqliteUrl();
    const store = await open(url);
    const t0 = Date.now();
    await store.set('ranking', 'nlp:2025-10-30', { candidates: [] });
    await store.set('profiles', 'digest:nlp', { weights: {} });
    await store.set('llm', 'short', 'answer', 1000);
    const db = raw(file);
    const rows = await db.all('SELECT key, value FROM keyv ORDER BY key');
    const expiresOf = (key: string) => {
      const row = rows.find((r) => r.key === `arxiv-digest:${key}`);
      return row ? (JSON.parse(String(row.value)) as { expires?: number }).expires : null;
    };
    expect(expiresOf('ranking:nlp:2025-10-30')).toBeGreaterThanOrEqual(t0 + 30 * 86_400_000);
    expect(expiresOf('profiles:digest:nlp')).toBeUndefined();

    // A day later: nothing has read the expired value, yet the sweep deletes its row and leaves the others.
    const later = Date.now() + 86_400_000;
    jest.spyOn(Date, 'now').mockImplementation(() => later);
    expect(await store.sweepExpired?.()).toBe(1);
    const left = (await db.all('SELECT key FROM keyv')).map((r) => r.key);
    expect(left).toEqual(
      expect.arrayContaining(['arxiv-digest:ranking:nlp:2025-10-30', 'arxiv-digest:profiles:digest:nlp']),
    );
    expect(left).not.toContain('arxiv-digest:llm:short');
    await db.close();
  });

  test('two instances health-checking one store at once both read their own stamp', async () => {
    const { url } = sqliteUrl();
    const a = await open(url);
    const b = await open(url);
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).ping()));
    expect(results.every(Boolean)).toBe(true);
  });

  test('a password in STORE_URL is not shown, in the userinfo or as a parameter', async () => {
    const store = await open('memory://?password=hunter2');
    expect(store.description).not.toContain('hunter2');
  });
});

describe('a digest run', () => {
  test('an archive directory that cannot be written does not keep the digest from being posted', async () => {
    const blocker = path.join(mkdtempSync(path.join(tmpdir(), 'ops-')), 'not-a-dir');
    writeFileSync(blocker, 'a file where the archive directory should be');
    const config = testConfig([
      {
        name: 'nlp',
        schedule: '30 8 * * 1-5',
        timezone: 'America/New_York',
        archiveDir: path.join(blocker, '_digests'),
      },
    ]);
    const bot = await makeApp(config, { store: await open('memory://') });
    bot.arxiv.announce('2025-10-30', SEED_OCT30);
    const result = await runDigest(bot.app, config.digests[0] as DigestConfig, { date: '2025-10-30' });
    expect(result.archiveFile).toBeUndefined();
    expect(result.posted).toHaveLength(1);
    expect(bot.slack.ofKind('digest')).toHaveLength(1);
  });
});
