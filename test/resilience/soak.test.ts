/**
 * A week of `start` on a fake clock (a month with `SOAK_DAYS=30`), with everything that goes wrong: instances killed
 * at random points of a run (between any two store operations, so also between a platform accepting a message and
 * its record), second SIGTERMs mid-run, store outages, and Slack/Discord 429/5xx storms. The real scheduler, the real
 * digest pipeline (without an LLM), real exactly-once posting and tallies, on one shared SQLite store; the platforms are
 * in-memory stand-ins that, like Slack's metadata and Discord's nonce, can find a message by its nonce. At the end
 * every announced day's digest is posted exactly once and completely on both platforms, and every vote due is
 * closed exactly once; the counts are printed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PostedMessage, RenderedPart, ThreadRef } from '../../src/chat/types';
import { localDate } from '../../src/app/time';
import { type Scheduler, createScheduler } from '../../src/scheduler/scheduler';
import { type Store, openStore } from '../../src/store';
import { FakeClock, SEED_OCT30, makeApp, testConfig } from '../fakes/bot-fixture';
import { MemoryAdapter, MemoryPlatform } from '../fakes/memory-adapter';

jest.setTimeout(600_000);

const NY = 'America/New_York';
/**
 * A week by default, inside `npm test`; `SOAK_DAYS=30` is the month (the nightly run: about 2 minutes alone). The
 * month's floors on what went wrong scale with the days (the run is seeded: the same faults every time).
 */
const DAYS = Math.max(7, Number(process.env.SOAK_DAYS) || 7);
const perMonth = (n: number) => Math.floor((n * DAYS) / 30);
const STEP_MS = 2 * 60_000;
const MAX_PAPERS = 5;

/** A seeded PRNG (mulberry32): the same month every run, so a failure reproduces. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Killed extends Error {
  constructor() {
    super('this instance was killed');
  }
}

/** The shared store behind every instance, with outages. */
function outageStore(base: Store, isDown: () => boolean): Store {
  const guard = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => {
    return async (...args: A): Promise<R> => {
      if (isDown()) throw new Error('store unreachable (outage)');
      return fn(...args);
    };
  };
  return {
    kind: base.kind,
    description: base.description,
    get: guard((ns, key) => base.get(ns, key)),
    set: guard((ns, key, value, ttl) => base.set(ns, key, value, ttl)),
    getMany: guard((ns, keys) => base.getMany(ns, keys)),
    setMany: guard((ns, entries) => base.setMany(ns, entries)),
    delete: guard((ns, key) => base.delete(ns, key)),
    acquireLock: guard((n, o, t) => base.acquireLock(n, o, t)),
    releaseLock: guard((n, o) => base.releaseLock(n, o)),
    lockHolder: guard((n) => base.lockHolder(n)),
    takeOverLock: guard((n, h, o, t) => base.takeOverLock(n, h, o, t)),
    ping: async () => !isDown() && base.ping(),
    close: async () => {},
  } as Store;
}

/** One instance's view of the store: once it is killed, nothing it does reaches the store any more. */
function instanceStore(base: Store, life: { dead: boolean; onOp?: () => void }): Store {
  const guard = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => {
    return async (...args: A): Promise<R> => {
      life.onOp?.();
      if (life.dead) throw new Killed();
      const result = await fn(...args);
      if (life.dead) throw new Killed(); // killed while the operation was in flight: the answer is lost
      return result;
    };
  };
  return {
    kind: base.kind,
    description: base.description,
    get: guard((ns, key) => base.get(ns, key)),
    set: guard((ns, key, value, ttl) => base.set(ns, key, value, ttl)),
    getMany: guard((ns, keys) => base.getMany(ns, keys)),
    setMany: guard((ns, entries) => base.setMany(ns, entries)),
    delete: guard((ns, key) => base.delete(ns, key)),
    acquireLock: guard((n, o, t) => base.acquireLock(n, o, t)),
    releaseLock: guard((n, o) => base.releaseLock(n, o)),
    lockHolder: guard((n) => base.lockHolder(n)),
    takeOverLock: guard((n, h, o, t) => base.takeOverLock(n, h, o, t)),
    ping: () => base.ping(),
    close: async () => {},
  } as Store;
}

interface Storm {
  until: number;
  status: 429 | 500 | 503;
}

/** A platform stand-in for one instance: storms refuse sends; a nonce finds a message sent before a kill. */
class SoakAdapter extends MemoryAdapter {
  constructor(
    platform: 'slack' | 'discord',
    world: MemoryPlatform,
    private readonly byNonce: Map<string, PostedMessage>,
    private readonly life: { dead: boolean },
    private readonly storm: () => Storm | undefined,
  ) {
    super(platform, world);
  }

  override async send(
    channelId: string,
    part: RenderedPart,
    thread?: ThreadRef,
    options?: { nonce?: string },
  ): Promise<PostedMessage> {
    if (this.life.dead) throw new Killed();
    const storm = this.storm();
    if (storm)
      throw new Error(`${this.platform} answered HTTP ${storm.status}${storm.status === 429 ? ' (rate limited)' : ''}`);
    const posted = await super.send(channelId, part, thread);
    if (options?.nonce) this.byNonce.set(`${this.platform}:${options.nonce}`, posted);
    if (this.life.dead) throw new Killed(); // accepted by the platform, answer lost
    return posted;
  }

  override async findPosted(_channelId: string, nonce: string): Promise<PostedMessage | undefined> {
    if (this.life.dead) throw new Killed();
    return this.byNonce.get(`${this.platform}:${nonce}`);
  }
}

test(`${DAYS} days of schedules with kills, double SIGTERMs, store outages and platform storms: every digest and tally exactly once`, async () => {
  const rand = prng(30);
  const clock = new FakeClock(Date.parse('2025-11-03T05:00:00Z')); // a Monday, before the first firing
  const end = clock.t + DAYS * 86_400_000;
  const config = testConfig([
    {
      name: 'nlp',
      schedule: '30 8 * * 1-5',
      timezone: NY,
      maxPapers: MAX_PAPERS,
      channels: [{ slack: 'C0SOAK00001' }, { discord: '323456789012345678' }],
    },
  ]);
  // The embedded default store, a real SQLite file.
  const base = await openStore(`sqlite://${path.join(mkdtempSync(path.join(tmpdir(), 'soak-')), 'bot.sqlite')}`);
  let outageUntil = 0;
  const shared = outageStore(base, () => clock.now() < outageUntil);
  const worlds = { slack: new MemoryPlatform(), discord: new MemoryPlatform() };
  const byNonce = new Map<string, PostedMessage>();
  const storms: Record<'slack' | 'discord', Storm | undefined> = { slack: undefined, discord: undefined };
  const stormOf = (p: 'slack' | 'discord') => () => {
    const s = storms[p];
    return s && clock.now() < s.until ? s : undefined;
  };

  const counts = { instances: 0, kills: 0, stops: 0, outages: 0, storms: 0, ticks: 0, failedTicks: 0 };
  const template = await makeApp(config, { clock });

  interface Instance {
    scheduler: Scheduler;
    life: { dead: boolean; onOp?: () => void };
  }
  function boot(): Instance {
    counts.instances++;
    const life: Instance['life'] = { dead: false };
    const store = instanceStore(shared, life);
    const app = {
      ...template.app,
      ctx: { ...template.app.ctx, store },
      services: { ...template.app.services },
      adapters: {
        slack: new SoakAdapter('slack', worlds.slack, byNonce, life, stormOf('slack')),
        discord: new SoakAdapter('discord', worlds.discord, byNonce, life, stormOf('discord')),
      },
    };
    return { scheduler: createScheduler(app, { instanceId: `soak-${counts.instances}` }), life };
  }

  let current = boot();
  const announced: string[] = [];
  while (clock.now() < end) {
    // arXiv's listing of a weekday is out before that day's digest (announced the evening before).
    const day = localDate(clock.now(), NY);
    const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
    if (weekday >= 1 && weekday <= 5 && !announced.includes(day)) {
      template.arxiv.announce(day, SEED_OCT30);
      announced.push(day);
    }

    // What goes wrong this step.
    if (rand() < 0.004) {
      outageUntil = clock.now() + (1 + Math.floor(rand() * 10)) * 60_000;
      counts.outages++;
    }
    for (const p of ['slack', 'discord'] as const) {
      if (rand() < 0.004) {
        storms[p] = {
          until: clock.now() + (2 + Math.floor(rand() * 18)) * 60_000,
          status: ([429, 500, 503] as const)[Math.floor(rand() * 3)] ?? 503,
        };
        counts.storms++;
      }
    }
    // A kill or a double SIGTERM, armed to land after a random number of store operations of this tick.
    const fate = rand();
    let fuse = 1 + Math.floor(rand() * 120);
    const instance = current;
    if (fate < 0.25) {
      instance.life.onOp = () => {
        if (--fuse === 0) {
          if (fate < 0.17) {
            instance.life.dead = true; // kill -9
          } else instance.scheduler.stopNow(); // second SIGTERM: stops at the next safe point
        }
      };
    }

    counts.ticks++;
    try {
      await instance.scheduler.tick();
    } catch {
      counts.failedTicks++; // the store was down, or this instance died
    }
    instance.life.onOp = undefined;
    if (instance.life.dead || fuse <= 0) {
      if (instance.life.dead) counts.kills++;
      else {
        counts.stops++;
        await instance.scheduler.stop();
        instance.life.dead = true; // the process exited
      }
      current = boot(); // restarted at once; its first tick is the boot catch-up
      continue; // same instant
    }

    // A member votes for the first paper of each posted digest.
    for (const s of worlds.slack.sent) {
      if (s.message.kind === 'paper' && s.message.index === 0 && !worlds.slack.reactions.has(s.messageId))
        worlds.slack.reactions.set(s.messageId, [{ userId: 'U0MEMBER01', emoji: '+1' }]);
    }
    clock.t += STEP_MS;
  }
  // The month is over: the last instance stops gracefully.
  await current.scheduler.stop();

  // Every digest whose firing came, and every vote whose closing came, exactly once on each platform.
  const due = announced.filter((d) => Date.parse(`${d}T13:30:00Z`) + 3 * 3_600_000 < end);
  let duplicates = 0;
  let missing = 0;
  let posts = 0;
  const problems: string[] = [];
  for (const [platform, world] of Object.entries(worlds)) {
    posts += world.sent.length;
    const seen = new Map<string, number>();
    for (const s of world.sent) {
      const m = s.message;
      const key =
        m.kind === 'digest'
          ? `digest ${m.digest.date}`
          : m.kind === 'paper'
            ? `paper ${m.digest.date} ${m.paper.id}`
            : m.kind === 'tally'
              ? `tally ${m.date}`
              : `${m.kind} ${s.threadId} ${JSON.stringify(m).slice(0, 200)}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    for (const [key, n] of seen) {
      if (n > 1) {
        duplicates += n - 1;
        problems.push(`${platform}: ${key} posted ${n} times`);
      }
    }
    for (const date of due) {
      const papers = [...seen.keys()].filter((k) => k.startsWith(`paper ${date} `)).length;
      const want = [`digest ${date}`];
      for (const k of want) {
        if (seen.has(k)) continue;
        missing++;
        problems.push(`${platform}: ${k} missing`);
      }
      if (papers !== MAX_PAPERS) {
        missing += Math.max(0, MAX_PAPERS - papers);
        problems.push(`${platform}: ${date} has ${papers} papers`);
      }
    }
  }
  // Votes: closed before the next digest; the last one of the month may still be open.
  const closable = due.slice(0, -1);
  for (const [platform, world] of Object.entries(worlds)) {
    for (const date of closable) {
      const tallies = world.sent.filter((s) => s.message.kind === 'tally' && s.message.date === date).length;
      if (tallies !== 1) {
        if (tallies === 0) missing++;
        problems.push(`${platform}: the vote of ${date} was posted ${tallies} times`);
      }
      // The winner's deep-dive (without an LLM: the notice that there is none), in that digest's thread.
      const parent = world.sent.find((s) => s.message.kind === 'digest' && s.message.digest.date === date);
      const dives = world.sent.filter((s) => s.message.kind === 'text' && s.threadId === parent?.messageId).length;
      if (dives !== 1) {
        if (dives === 0) missing++;
        problems.push(`${platform}: the deep-dive of ${date} was posted ${dives} times`);
      }
    }
  }
  const digests = due.length;
  console.log(
    `soak: ${DAYS} days, ${digests} digests, ${closable.length} votes closed, ${posts} posts; kills survived ${counts.kills}, double SIGTERMs ${counts.stops}, store outages ${counts.outages}, platform storms ${counts.storms}, instances ${counts.instances}, ticks ${counts.ticks} (${counts.failedTicks} failed); duplicates ${duplicates}, missing ${missing}`,
  );
  expect(problems).toEqual([]);
  expect(duplicates).toBe(0);
  expect(missing).toBe(0);
  expect(digests).toBeGreaterThanOrEqual(perMonth(20));
  expect(counts.kills).toBeGreaterThan(perMonth(10));
  expect(counts.stops).toBeGreaterThan(perMonth(5));
  expect(counts.outages).toBeGreaterThan(perMonth(3));
  expect(counts.storms).toBeGreaterThan(perMonth(3));
  await base.close();
});
