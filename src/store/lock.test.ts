import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { StopRequestedError } from '../app/errors';
import { PROCESS_BOOT_ID, runInScope } from '../app/scope';
import { type Store, openStore } from './index';
import { describeHolder, holderIsGone, lockOwner, parseOwner, tryLock, withLock } from './lock';

/** An owner string as another process would write it. */
function ownerOf(over: { pid?: number; host?: string; boot?: string; instance?: string }): string {
  return JSON.stringify({
    i: over.instance ?? 'other',
    h: over.host ?? hostname().slice(0, 100),
    p: over.pid ?? process.pid,
    b: over.boot ?? 'deadbeef',
    s: Date.parse('2025-10-30T12:30:00Z'),
    n: 'x',
  });
}

/** The pid of a process that ran and exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

const urls: Array<[string, string | undefined]> = [
  ['memory', 'memory://'],
  ['sqlite', `sqlite://${path.join(mkdtempSync(path.join(tmpdir(), 'lock-')), 'db.sqlite')}`],
  ['redis', process.env.TEST_REDIS_URL],
  ['postgres', process.env.TEST_POSTGRES_URL],
];
const run = `${process.pid.toString(36)}${Date.now().toString(36)}`;

describe('lock holders', () => {
  it('an owner records instance, host, pid and process, and reads back', () => {
    const owner = lockOwner('bot-1');
    expect(parseOwner(owner)).toMatchObject({ instance: 'bot-1', host: hostname(), pid: process.pid });
    expect(parseOwner(owner)?.boot).toBe(PROCESS_BOOT_ID);
    expect(describeHolder(owner)).toMatch(/^instance bot-1 \(host .+, pid \d+\) since \d{4}-/);
    expect(parseOwner('other-instance')).toBeUndefined();
    expect(describeHolder('other-instance')).toBe('"other-instance"');
  });

  it("calls dead only this process's abandoned lock, never a holder by its host and pid", () => {
    // Containers sharing a hostname: a pid that runs nowhere here may run in another PID namespace.
    expect(holderIsGone(ownerOf({ pid: deadPid() }))).toBe(false);
    expect(holderIsGone(ownerOf({ pid: process.ppid }))).toBe(false); // alive
    expect(holderIsGone(ownerOf({ pid: deadPid(), host: 'another-host' }))).toBe(false);
    expect(holderIsGone(ownerOf({ pid: process.pid, boot: 'earlier' }))).toBe(false); // node is pid 1 in each container
    expect(holderIsGone(lockOwner('mine'))).toBe(true); // this process's, held by no live work: abandoned
    expect(holderIsGone('other-instance')).toBe(false);
  });
});

for (const [kind, url] of urls) {
  const maybe = url ? describe : describe.skip;
  if (!url) console.warn(`SKIPPED: lock tests on ${kind} need TEST_${kind.toUpperCase()}_URL`);
  maybe(`locks on ${kind}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await openStore(url);
    });
    afterAll(() => store.close());
    const name = (n: string) => `test:${run}:${n}`;

    it('says who holds a lock and for how long; takes over only from the named holder', async () => {
      expect(await store.lockHolder(name('a'))).toBeUndefined();
      expect(await store.acquireLock(name('a'), 'A', 20_000)).toBe(true);
      const h = await store.lockHolder(name('a'));
      expect(h?.owner).toBe('A');
      expect(h?.expiresInMs).toBeGreaterThan(15_000);
      expect(h?.expiresInMs).toBeLessThanOrEqual(20_000);
      expect(await store.takeOverLock(name('a'), 'not-A', 'B', 20_000)).toBe(false);
      expect(await store.takeOverLock(name('a'), 'A', 'B', 20_000)).toBe(true);
      expect((await store.lockHolder(name('a')))?.owner).toBe('B');
      expect(await store.acquireLock(name('a'), 'A', 20_000)).toBe(false);
      await store.releaseLock(name('a'), 'B');
      expect(await store.lockHolder(name('a'))).toBeUndefined();
    });

    it('a lock of this process held by no live work is taken over at once; another process is waited for', async () => {
      const abandoned = lockOwner('mine');
      expect(await store.acquireLock(name('b'), abandoned, 600_000)).toBe(true);
      const got = await tryLock(store, name('b'), lockOwner('me'), 20_000);
      expect(got).toEqual({ held: true, takenFrom: abandoned });

      const alive = ownerOf({ pid: process.ppid });
      expect(await store.acquireLock(name('c'), alive, 600_000)).toBe(true);
      const busy = await tryLock(store, name('c'), lockOwner('me'), 20_000);
      expect(busy.held).toBe(false);
      expect(!busy.held && busy.holding?.owner).toBe(alive);
    });

    it('withLock renews by heartbeat and the lock expires a few heartbeats after its holder stops', async () => {
      let release: () => void = () => {};
      const work = withLock(store, name('d'), 'hb', 600, async () => {
        await new Promise<void>((r) => {
          release = r;
        });
      });
      await new Promise((r) => setTimeout(r, 1500)); // past two TTLs: renewed meanwhile
      const holder = await store.lockHolder(name('d'));
      expect(parseOwner(holder?.owner ?? '')?.instance).toBe('hb');
      // A stranger (another host) cannot take it while it beats.
      expect(await store.acquireLock(name('d'), 'stranger', 600)).toBe(false);
      release();
      await work;
      expect(await store.lockHolder(name('d'))).toBeUndefined();
    });

    it('a lock of this process that no live work holds (abandoned work) is taken over at once', async () => {
      const orphan = lockOwner('killed-instance');
      expect(await store.acquireLock(name('e'), orphan, 600_000)).toBe(true);
      const got = await withLock(store, name('e'), 'new-instance', 20_000, async () => 'done');
      expect(got).toEqual({ held: true, value: 'done' });
    });

    it('check() stops the work when its instance is told to stop at once', async () => {
      const halt = new AbortController();
      const result = runInScope({ instance: 'stopping', signal: halt.signal }, () =>
        withLock(store, name('f'), 'stopping', 20_000, async (lock) => {
          await lock.check();
          halt.abort();
          await lock.check();
          return 'not reached';
        }),
      );
      await expect(result).rejects.toThrow(StopRequestedError);
      expect(await store.lockHolder(name('f'))).toBeUndefined(); // released on the way out
    });
  });
}
