/**
 * Several instances on one real Redis and on PostgreSQL: store round trips, the store's lock, and two bots posting
 * each scheduled digest and each tally once. Needs TEST_REDIS_URL / TEST_POSTGRES_URL (scripts/ci-services.sh
 * starts both); skipped with a notice when unset or unreachable.
 */
import { execFileSync } from 'node:child_process';
import { createScheduler } from '../../src/scheduler/scheduler';
import { type Store, openStore } from '../../src/store';
import { FakeArxiv, FakeClock, SEED_OCT30, fakeRun, makeApp, testConfig } from '../fakes/bot-fixture';
import { MemoryPlatform } from '../fakes/memory-adapter';
import { until } from '../helpers/wait';

// node-postgres (installed with @keyv/postgres) for an operator's view of the database; it ships no types.
interface PgClient {
  connect(): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
  end(): Promise<void>;
}
const pg: { Client: new (o: { connectionString?: string }) => PgClient } = require('pg');

/** A synchronous TCP probe (in a child process), so an unreachable server skips the suite instead of failing it. */
function reachable(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    const port = Number(u.port) || (u.protocol.startsWith('redis') ? 6379 : 5432);
    execFileSync(
      process.execPath,
      [
        '-e',
        `const s=require('net').connect(${port},${JSON.stringify(u.hostname)});s.setTimeout(1500);s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1));s.on('timeout',()=>process.exit(1));`,
      ],
      { stdio: 'ignore', timeout: 5000 },
    );
    return true;
  } catch {
    return false;
  }
}

const backends = [
  { name: 'Redis', variable: 'TEST_REDIS_URL', url: process.env.TEST_REDIS_URL },
  { name: 'PostgreSQL', variable: 'TEST_POSTGRES_URL', url: process.env.TEST_POSTGRES_URL },
];
const run = `${process.pid.toString(36)}${Date.now().toString(36)}`;

for (const backend of backends) {
  const up = reachable(backend.url);
  if (!up) {
    console.warn(
      `SKIPPED: ${backend.name} tests need ${backend.variable} pointing at a running server (${
        backend.url ? `${backend.url} is unreachable` : 'unset'
      }); run: eval "$(scripts/ci-services.sh)"`,
    );
  }
  const maybe = up ? describe : describe.skip;

  maybe(`store on ${backend.name}`, () => {
    const stores: Store[] = [];
    const open = async () => {
      const s = await openStore(backend.url);
      stores.push(s);
      return s;
    };
    afterAll(async () => {
      for (const s of stores) await s.close();
    });

    test('get/set round trip between two connections, delete, ping', async () => {
      const a = await open();
      const b = await open();
      expect(a.kind).toBe(backend.name === 'Redis' ? 'redis' : 'postgres');
      const value = { title: 'Value Drifts', votes: { 'slack:U1': ['reaction'] }, n: 3, ok: true };
      await a.set('meta', `roundtrip:${run}`, value);
      expect(await b.get('meta', `roundtrip:${run}`)).toEqual(value);
      expect(await b.delete('meta', `roundtrip:${run}`)).toBe(true);
      expect(await a.get('meta', `roundtrip:${run}`)).toBeUndefined();
      expect(await a.ping()).toBe(true);
      expect(a.description).not.toMatch(/:arxiv@/); // the password is not shown
    });

    test('the lock: one owner at a time, renewable, released by its owner only, taken over after expiry', async () => {
      const a = await open();
      const b = await open();
      const name = `test:${run}`;
      expect(await a.acquireLock(name, 'A', 60_000)).toBe(true);
      expect(await b.acquireLock(name, 'B', 60_000)).toBe(false);
      expect(await a.acquireLock(name, 'A', 60_000)).toBe(true); // renewal
      await b.releaseLock(name, 'B'); // not B's: no effect
      expect(await b.acquireLock(name, 'B', 60_000)).toBe(false);
      await a.releaseLock(name, 'A');
      expect(await b.acquireLock(name, 'B', 150)).toBe(true);
      await until("B's lock expires (B died) and A takes it", () => a.acquireLock(name, 'A', 60_000));
      await a.releaseLock(name, 'A');
      // Many contenders at once: exactly one wins.
      const race = await Promise.all(
        ['C1', 'C2', 'C3', 'C4', 'C5', 'C6'].map((o, i) => (i % 2 ? a : b).acquireLock(`${name}:race`, o, 60_000)),
      );
      expect(race.filter(Boolean)).toHaveLength(1);
    });

    test('a failed store command is an error, never read as "absent" (which would post twice)', async () => {
      const a = await open();
      const key = `posts:broken:${run}`;
      await a.set('meta', `probe:${run}`, 1);
      if (backend.name === 'Redis') {
        // A value of the wrong type under the key: every GET of it fails on the server (WRONGTYPE).
        const { createClient } = await import('@keyv/redis');
        const client = createClient({ url: backend.url });
        await client.connect();
        const [probe] = await client.keys(`*probe:${run}`);
        if (!probe) throw new Error('probe key not found');
        const broken = probe.replace(`meta:probe:${run}`, key);
        await client.lPush(broken, 'x');
        try {
          await expect(a.get('posts', `broken:${run}`)).rejects.toThrow(/WRONGTYPE/);
        } finally {
          await client.del(broken);
          await client.quit();
        }
      } else {
        // The table is briefly unavailable (an operator's migration, a restore in progress).
        const admin = new pg.Client({ connectionString: backend.url });
        await admin.connect();
        await admin.query(`ALTER TABLE keyv RENAME TO keyv_away_${run}`);
        try {
          await expect(a.get('posts', `broken:${run}`)).rejects.toThrow(/keyv/);
        } finally {
          await admin.query(`ALTER TABLE keyv_away_${run} RENAME TO keyv`);
          await admin.end();
        }
        expect(await a.get('meta', `probe:${run}`)).toBe(1);
      }
    });

    if (backend.name === 'PostgreSQL') {
      test('a lock expires by the database clock: an instance whose clock runs an hour ahead cannot take it', async () => {
        const a = await open();
        const b = await open();
        const name = `skew:${run}`;
        expect(await a.acquireLock(name, 'A', 60_000)).toBe(true);
        const ahead = Date.now() + 3_600_000;
        jest.spyOn(Date, 'now').mockImplementation(() => ahead);
        try {
          expect(await b.acquireLock(name, 'B', 60_000)).toBe(false);
        } finally {
          jest.restoreAllMocks();
        }
        await a.releaseLock(name, 'A');
      });

      test('expired rows are swept without being read', async () => {
        const a = await open();
        await a.set('llm', `sweep:${run}`, 'answer', 1000);
        await a.set('profiles', `sweep:${run}`, { weights: {} });
        const later = Date.now() + 86_400_000;
        jest.spyOn(Date, 'now').mockImplementation(() => later);
        try {
          expect(await a.sweepExpired?.()).toBeGreaterThanOrEqual(1);
        } finally {
          jest.restoreAllMocks();
        }
        const admin = new pg.Client({ connectionString: backend.url });
        await admin.connect();
        const rows = await admin.query('SELECT key FROM keyv WHERE key LIKE $1', [`%sweep:${run}`]);
        await admin.end();
        expect(rows.rows.map((r) => r.key)).toEqual([`arxiv-digest:profiles:sweep:${run}`]);
      });
    } else {
      test('values with a TTL expire in Redis itself', async () => {
        const a = await open();
        await a.set('ranking', `ttl:${run}`, { candidates: [] });
        const { createClient } = await import('@keyv/redis');
        const client = createClient({ url: backend.url });
        await client.connect();
        const [key] = await client.keys(`*ranking:ttl:${run}`);
        const ttl = key ? await client.pTTL(key) : -2;
        await client.quit();
        expect(ttl).toBeGreaterThan(29 * 86_400_000);
      });
    }

    test('two bot instances on one store post each scheduled digest and each tally once', async () => {
      const digest = `nlp${run}`.slice(0, 60);
      const config = testConfig([{ name: digest, schedule: '30 8 * * 1-5', timezone: 'America/New_York' }]);
      const world = new MemoryPlatform(); // one Slack workspace, two bots connected to it
      const arxiv = new FakeArxiv();
      arxiv.announce('2025-10-30', SEED_OCT30);
      const instances = await Promise.all(
        ['one', 'two'].map(async (id) => {
          const store = await open();
          const bot = await makeApp(config, {
            store,
            arxiv,
            slackWorld: world,
            clock: new FakeClock(Date.parse('2025-10-30T12:30:00Z')),
          });
          return { bot, scheduler: createScheduler(bot.app, { run: fakeRun, instanceId: `${id}-${run}` }) };
        }),
      );
      const outcomes = (await Promise.all(instances.map((i) => i.scheduler.tick()))).flat();
      expect(outcomes.filter((o) => o.status === 'posted')).toHaveLength(1);
      expect(world.sent.filter((s) => s.message.kind === 'digest')).toHaveLength(1);
      expect(world.sent.filter((s) => s.message.kind === 'paper')).toHaveLength(5);

      // Later that day both tick again (e.g. both restarted): nothing more.
      for (const i of instances) i.bot.clock.set('2025-10-30T15:00:00Z');
      await Promise.all(instances.map((i) => i.scheduler.tick()));
      expect(world.sent).toHaveLength(6);

      // The vote closes on Friday before the next digest: one tally between them.
      const first = world.sent.find((s) => s.message.kind === 'paper');
      if (!first) throw new Error('no paper posted');
      world.reactions.set(first.messageId, [{ userId: 'U1', emoji: '+1' }]);
      for (const i of instances) i.bot.clock.set('2025-10-31T12:20:00Z');
      const closing = (await Promise.all(instances.map((i) => i.scheduler.tick()))).flat();
      expect(closing.filter((o) => o.status === 'closed')).toHaveLength(1);
      const tallies = world.sent.filter((s) => s.message.kind === 'tally');
      expect(tallies).toHaveLength(1);
      expect(world.sent.filter((s) => s.message.kind === 'text')).toHaveLength(1); // "no deep-dive without an LLM"
    });
  });
}
