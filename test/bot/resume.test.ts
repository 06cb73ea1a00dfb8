/** Runs started and not finished are resumed by the scheduler whatever the schedule says; a stuck run shows. */
import { markStarted, listUnfinished } from '../../src/jobs/unfinished';
import { createScheduler } from '../../src/scheduler/scheduler';
import { retryDelayMs } from '../../src/scheduler/due';
import { SEED_OCT30, fakeRun, makeApp, testConfig } from '../fakes/bot-fixture';

const NY = 'America/New_York';

describe('resuming runs started and not finished', () => {
  test('a digest interrupted by hand is finished at the next tick, outside its schedule, and its vote opens', async () => {
    // Saturday: the weekday schedule says nothing is due.
    const config = testConfig([{ name: 'nlp', schedule: '30 8 * * 1-5', timezone: NY }]);
    const b = await makeApp(config);
    b.clock.set('2025-11-01T15:00:00Z');
    b.arxiv.announce('2025-10-30', SEED_OCT30);
    await markStarted(b.store, { kind: 'digest', name: 'nlp', date: '2025-10-30' }, b.clock.now() - 3_600_000);
    const scheduler = createScheduler(b.app, { run: fakeRun });
    const outcomes = await scheduler.tick();
    expect(outcomes.map((o) => o.status)).toEqual(['resumed']);
    expect(b.slack.sent.map((s) => s.message.kind)).toEqual(['digest', 'paper', 'paper', 'paper', 'paper', 'paper']);
    expect(await listUnfinished(b.store)).toEqual([]);
    const state = await b.store.get<{ votes: Array<{ date: string }>; lastDate: string }>('meta', 'schedule:nlp');
    expect(state?.lastDate).toBe('2025-10-30');
    expect(state?.votes.map((v) => v.date)).toEqual(['2025-10-30']);
    expect(await scheduler.tick()).toEqual([]); // nothing twice
  });

  test('a resumed run that fails is retried with back-off while its day is current, then given up', async () => {
    const config = testConfig([{ name: 'nlp', schedule: '30 8 * * 1-5', timezone: NY }]);
    const b = await makeApp(config);
    b.clock.set('2025-11-01T15:00:00Z');
    b.arxiv.announce('2025-10-30', SEED_OCT30);
    await markStarted(b.store, { kind: 'digest', name: 'nlp', date: '2025-10-30' }, b.clock.now());
    let failing = true;
    const scheduler = createScheduler(b.app, {
      run: async (app, digest, opts) => {
        if (failing) throw new Error('Slack answered 503');
        return fakeRun(app, digest, opts);
      },
    });
    expect((await scheduler.tick()).map((o) => o.status)).toEqual(['failed']);
    const [run] = await listUnfinished(b.store);
    expect(run?.failures).toBe(1);
    expect(run?.retryAt).toBe(b.clock.now() + retryDelayMs(1));
    b.clock.t += retryDelayMs(1) - 1000;
    expect(await scheduler.tick()).toEqual([]); // backing off
    b.clock.t += 1000;
    failing = false;
    expect((await scheduler.tick()).map((o) => o.status)).toEqual(['resumed']);
    expect(b.slack.ofKind('digest')).toHaveLength(1);

    // A run whose day passed is given up (and said), not posted a day late.
    await markStarted(b.store, { kind: 'digest', name: 'nlp', date: '2025-10-31' }, b.clock.now());
    failing = true;
    await scheduler.tick();
    b.clock.t += 25 * 3_600_000;
    failing = false;
    expect(await scheduler.tick()).toEqual([]);
    expect(await listUnfinished(b.store)).toEqual([]);
  });

  test('/healthz: a run past its expected time is reported stuck, with what runs and for how long', async () => {
    const config = testConfig([{ name: 'nlp', schedule: '30 8 * * 1-5', timezone: NY }]);
    const b = await makeApp(config);
    b.clock.set('2025-10-30T12:31:00Z');
    b.arxiv.announce('2025-10-30', SEED_OCT30);
    let release: () => void = () => {};
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const scheduler = createScheduler(b.app, {
      run: (app, digest, opts) =>
        new Promise((resolve) => {
          release = () => resolve(fakeRun(app, digest, opts));
          started();
        }),
    });
    const tick = scheduler.tick();
    await running; // the scheduler has started the run
    expect(scheduler.status()).toMatchObject({ ok: true, detail: expect.stringMatching(/^running digest nlp/) });
    b.clock.t += 2 * 3_600_000 + 60_000;
    expect(scheduler.healthy()).toBe(false);
    expect(scheduler.status().detail).toMatch(/digest nlp .* has been running for 121 min, past its expected 120 min/);
    release();
    await tick;
    expect(scheduler.status()).toEqual({ ok: true });
  });
});
