/** The scheduler driven by a fake clock: no real waiting, no live timers (tick() is what every timer calls). */
import pino from 'pino';
import type { DigestConfig } from '../../src/config/schema';
import { dueWork, voteCloseAt } from '../../src/scheduler/due';
import { lastFiringToday, nextFiring } from '../../src/app/cron';
import { createScheduler, loadState } from '../../src/scheduler/scheduler';
import {
  DISCORD_CHANNEL,
  SEED_OCT30,
  SEED_SEP30,
  type TestBot,
  fakeRun,
  makeApp,
  testConfig,
} from '../fakes/bot-fixture';

const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';

function kinds(bot: TestBot, platform: 'slack' | 'discord') {
  return bot[platform].sent.map((s) => s.message.kind);
}

describe('cron arithmetic in a time zone', () => {
  test('the last firing today and the next one, across a weekend', () => {
    // Thursday 2025-10-30, 13:00Z = 09:00 in New York (EDT).
    const now = Date.parse('2025-10-30T13:00:00Z');
    expect(new Date(lastFiringToday('30 8 * * 1-5', NY, now) ?? 0).toISOString()).toBe('2025-10-30T12:30:00.000Z');
    expect(lastFiringToday('30 8 * * 1-5', NY, Date.parse('2025-10-30T12:29:00Z'))).toBeUndefined();
    expect(new Date(nextFiring('30 8 * * 1-5', NY, Date.parse('2025-10-31T13:00:00Z')) ?? 0).toISOString()).toBe(
      '2025-11-03T13:30:00.000Z', // Monday, after the switch to EST
    );
    expect(new Date(lastFiringToday('0 9 * * 1-5', BERLIN, now) ?? 0).toISOString()).toBe('2025-10-30T08:00:00.000Z');
  });

  test('the 7th of a month and the month of July fire like any other day (7 means Sunday only as a weekday)', () => {
    // Found by the 30-day soak: Friday 2025-11-07 had no digest, and no day of July would have had one.
    const nextAfter = (iso: string) => new Date(nextFiring('30 8 * * 1-5', NY, Date.parse(iso)) ?? 0).toISOString();
    expect(nextAfter('2025-11-06T14:00:00Z')).toBe('2025-11-07T13:30:00.000Z');
    expect(nextAfter('2026-07-01T14:00:00Z')).toBe('2026-07-02T12:30:00.000Z');
    expect(lastFiringToday('0 9 7 * *', NY, Date.parse('2025-11-07T15:00:00Z'))).toBe(
      Date.parse('2025-11-07T14:00:00Z'),
    );
    expect(lastFiringToday('0 9 * * 7', NY, Date.parse('2025-11-09T15:00:00Z'))).toBe(
      Date.parse('2025-11-09T14:00:00Z'),
    );
  });

  test('a firing inside a DST gap happens when the gap ends, not never', () => {
    // Berlin, Sunday 2026-03-29: clocks jump from 02:00 to 03:00 CET→CEST (01:00Z). 02:30 does not exist.
    const after = Date.parse('2026-03-29T01:05:00Z'); // 03:05 CEST
    expect(new Date(lastFiringToday('30 2 * * *', BERLIN, after) ?? 0).toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(new Date(nextFiring('30 2 * * *', BERLIN, Date.parse('2026-03-28T12:00:00Z')) ?? 0).toISOString()).toBe(
      '2026-03-29T01:00:00.000Z',
    );
    // An ordinary day is unchanged.
    expect(new Date(lastFiringToday('30 2 * * *', BERLIN, Date.parse('2026-03-30T06:00:00Z')) ?? 0).toISOString()).toBe(
      '2026-03-30T00:30:00.000Z',
    );
  });

  test('the vote closes just before the next digest, or after the configured window', () => {
    const config = testConfig([{ name: 'nlp', schedule: '30 8 * * 1-5', timezone: NY }]);
    const digest = config.digests[0] as DigestConfig;
    const slot = Date.parse('2025-10-31T12:30:00Z'); // Friday
    expect(new Date(voteCloseAt(digest, slot, slot + 60_000)).toISOString()).toBe('2025-11-03T13:20:00.000Z');
    const windowed = { ...digest, votes: { ...digest.votes, windowHours: 2 } };
    expect(voteCloseAt(windowed, slot, slot + 60_000)).toBe(slot + 60_000 + 2 * 3_600_000);
  });

  test('dueWork is a pure function of config, instant and state', () => {
    const config = testConfig([{ name: 'nlp', schedule: '30 8 * * 1-5', timezone: NY }]);
    const slot = Date.parse('2025-10-30T12:30:00Z');
    const fresh = { digests: {}, tallied: new Set<string>() };
    expect(dueWork(config, slot - 1, fresh)).toEqual([]);
    expect(dueWork(config, slot, fresh)).toEqual([{ kind: 'digest', digest: 'nlp', slot }]);
    const done = {
      digests: { nlp: { doneSlot: slot, votes: [{ date: '2025-10-30', postedAt: slot, closeAt: slot + 10 }] } },
      tallied: new Set<string>(),
    };
    expect(dueWork(config, slot + 5, done)).toEqual([]);
    expect(dueWork(config, slot + 10, done)).toEqual([{ kind: 'tally', digest: 'nlp', date: '2025-10-30' }]);
    done.tallied.add('nlp:2025-10-30');
    expect(dueWork(config, slot + 10, done)).toEqual([]);
  });
});

describe('scheduler with a fake clock', () => {
  const bots: TestBot[] = [];
  afterAll(async () => {
    for (const b of bots) await b.store.close();
  });
  async function bot(config = testConfig([{ name: 'nlp', schedule: '30 8 * * 1-5', timezone: NY }])) {
    const b = await makeApp(config);
    bots.push(b);
    return b;
  }

  test('digests are posted on schedule in two time zones', async () => {
    const config = testConfig([
      { name: 'nlp', schedule: '30 8 * * 1-5', timezone: NY },
      { name: 'ml', schedule: '0 9 * * 1-5', timezone: BERLIN, channels: [{ discord: DISCORD_CHANNEL }] },
    ]);
    const b = await bot(config);
    b.arxiv.announce('2025-10-30', SEED_OCT30);
    const scheduler = createScheduler(b.app, { run: fakeRun });

    b.clock.set('2025-10-30T07:59:00Z'); // 08:59 Berlin, 03:59 New York
    expect(await scheduler.tick()).toEqual([]);
    b.clock.set('2025-10-30T08:00:00Z'); // 09:00 Berlin
    const berlin = await scheduler.tick();
    expect(berlin.map((o) => [(o.work as { digest: string }).digest, o.status])).toEqual([['ml', 'posted']]);
    expect(kinds(b, 'discord')).toEqual(['digest', 'paper', 'paper', 'paper', 'paper', 'paper']);
    expect(kinds(b, 'slack')).toEqual([]);

    b.clock.set('2025-10-30T12:29:00Z');
    expect(await scheduler.tick()).toEqual([]);
    b.clock.set('2025-10-30T12:30:00Z'); // 08:30 New York
    const ny = await scheduler.tick();
    expect(ny.map((o) => [(o.work as { digest: string }).digest, o.status])).toEqual([['nlp', 'posted']]);
    expect(kinds(b, 'slack')).toEqual(['digest', 'paper', 'paper', 'paper', 'paper', 'paper']);
    expect(b.slack.sent[0]?.channelId).toBe('C0123456789');

    b.clock.set('2025-10-30T12:31:00Z');
    expect(await scheduler.tick()).toEqual([]);
    expect(b.slack.sent).toHaveLength(6);
    expect(b.discord.sent).toHaveLength(6);
  });

  test('nothing is posted on a day arXiv announced nothing, and the day is not retried', async () => {
    const b = await bot(testConfig([{ name: 'nlp', schedule: '30 8 * * *', timezone: NY }]));
    b.arxiv.nothing();
    const scheduler = createScheduler(b.app, { run: fakeRun });
    b.clock.set('2025-11-01T12:30:00Z'); // Saturday 08:30 New York
    const out = await scheduler.tick();
    expect(out.map((o) => o.status)).toEqual(['empty']);
    b.clock.set('2025-11-01T15:00:00Z');
    expect(await scheduler.tick()).toEqual([]);
    expect(b.slack.sent).toEqual([]);
    expect(b.arxiv.fetchDayCalls).toBe(1);
  });

  test('after downtime the missed digest is posted on start, exactly once', async () => {
    const b = await bot();
    // Wednesday's digest went out on time; then the bot was down through Thursday 08:30.
    b.arxiv.announce('2025-10-29', SEED_SEP30.slice(0, 8));
    b.clock.set('2025-10-29T12:30:00Z');
    expect((await createScheduler(b.app, { run: fakeRun }).tick()).map((o) => o.status)).toEqual(['posted']);
    const before = b.slack.sent.length;

    b.arxiv.announce('2025-10-30', SEED_OCT30);
    b.clock.set('2025-10-30T19:00:00Z'); // Thursday 15:00 New York: started again
    const first = createScheduler(b.app, { run: fakeRun, instanceId: 'restart-1' });
    const [a, c] = await Promise.all([first.tick(), first.tick()]); // a timer firing during catch-up
    expect(a).toBe(c);
    // Wednesday's vote closes (its time passed), then Thursday's digest is caught up.
    expect(a.map((o) => [o.work.kind, o.status])).toEqual([
      ['tally', 'closed'],
      ['digest', 'posted'],
    ]);
    const digests = b.slack.ofKind('digest').map((s) => s.message.digest.date);
    expect(digests).toEqual(['2025-10-29', '2025-10-30']);

    b.clock.set('2025-10-30T20:00:00Z'); // restarted once more the same day
    const again = await createScheduler(b.app, { run: fakeRun, instanceId: 'restart-2' }).tick();
    expect(again).toEqual([]);
    expect(b.slack.ofKind('digest')).toHaveLength(2);
    expect(b.slack.sent.length).toBe(before + 6 + 1); // Thursday's 6 messages and Wednesday's tally
  });

  test('a start before the day’s time posts nothing until the schedule fires', async () => {
    const b = await bot();
    b.arxiv.announce('2025-10-30', SEED_OCT30);
    b.clock.set('2025-10-30T11:00:00Z'); // 07:00 New York
    const scheduler = createScheduler(b.app, { run: fakeRun });
    expect(await scheduler.tick()).toEqual([]);
    b.clock.set('2025-10-30T12:30:00Z');
    expect((await scheduler.tick()).map((o) => o.status)).toEqual(['posted']);
  });

  test('a feed unchanged since the last digest is not posted twice', async () => {
    const b = await bot();
    const scheduler = createScheduler(b.app, { run: fakeRun });
    b.arxiv.announce('2025-10-30', SEED_OCT30);
    b.clock.set('2025-10-30T12:30:00Z');
    await scheduler.tick();
    expect(b.slack.ofKind('digest')).toHaveLength(1);
    // Friday: arXiv's feed still carries Thursday's announcements (e.g. a holiday).
    b.clock.set('2025-10-31T12:30:00Z');
    const out = await scheduler.tick();
    expect(out.find((o) => o.work.kind === 'digest')?.status).toBe('unchanged');
    expect(b.slack.ofKind('digest')).toHaveLength(1);
    expect(b.slack.ofKind('paper')).toHaveLength(5);
  });

  test('the vote closes just before the next digest, which then goes out', async () => {
    const b = await bot();
    const scheduler = createScheduler(b.app, { run: fakeRun });
    b.arxiv.announce('2025-10-30', SEED_OCT30);
    b.clock.set('2025-10-30T12:30:00Z');
    await scheduler.tick();
    const paper = b.slack.ofKind('paper')[1];
    if (!paper) throw new Error('no paper message');
    await b.slack.react(paper, 'U1', '+1', { live: false });

    b.arxiv.announce('2025-10-31', SEED_SEP30.slice(0, 10));
    b.clock.set('2025-10-31T12:19:00Z');
    expect(await scheduler.tick()).toEqual([]);
    b.clock.set('2025-10-31T12:20:00Z'); // 08:20 New York: ten minutes before Friday's digest
    expect((await scheduler.tick()).map((o) => o.status)).toEqual(['closed']);
    const tally = b.slack.ofKind('tally');
    expect(tally).toHaveLength(1);
    expect(tally[0]?.threadId).toBe(b.slack.ofKind('digest')[0]?.messageId);
    expect(tally[0]?.message.lines.find((l) => l.winner)?.paper.id).toBe(SEED_OCT30[1]?.id);

    b.clock.set('2025-10-31T12:30:00Z');
    expect((await scheduler.tick()).map((o) => o.status)).toEqual(['posted']);
    expect(b.slack.ofKind('digest').map((s) => s.message.digest.date)).toEqual(['2025-10-30', '2025-10-31']);
    const state = await loadState(b.store, b.app.ctx.config.digests);
    expect(state.tallied.has('nlp:2025-10-30')).toBe(true);
  });

  test('votes.windowHours closes the vote that many hours after the digest', async () => {
    const b = await bot(
      testConfig([
        {
          name: 'nlp',
          schedule: '30 8 * * 1-5',
          timezone: NY,
          votes: { emoji: ['+1'], winners: 1, windowHours: 2, explore: 1 },
        },
      ]),
    );
    const scheduler = createScheduler(b.app, { run: fakeRun });
    b.arxiv.announce('2025-10-30', SEED_OCT30);
    b.clock.set('2025-10-30T12:30:00Z');
    await scheduler.tick();
    b.clock.set('2025-10-30T14:29:00Z');
    expect(await scheduler.tick()).toEqual([]);
    b.clock.set('2025-10-30T14:30:00Z');
    expect((await scheduler.tick()).map((o) => o.status)).toEqual(['closed']);
    expect(b.slack.ofKind('tally')).toHaveLength(1);
  });

  test('a failed run is retried with back-off and posted once it succeeds', async () => {
    const b = await bot();
    b.arxiv.announce('2025-10-30', SEED_OCT30);
    let fail = true;
    const scheduler = createScheduler(b.app, {
      run: async (app, digest, opts) => {
        if (fail) throw new Error('arXiv request failed: HTTP 503');
        return fakeRun(app, digest, opts);
      },
    });
    b.clock.set('2025-10-30T12:30:00Z');
    expect((await scheduler.tick()).map((o) => o.status)).toEqual(['failed']);
    fail = false;
    b.clock.set('2025-10-30T12:31:00Z');
    expect(await scheduler.tick()).toEqual([]); // waits out the back-off
    b.clock.set('2025-10-30T12:32:00Z');
    expect((await scheduler.tick()).map((o) => o.status)).toEqual(['posted']);
    expect(b.slack.ofKind('digest')).toHaveLength(1);
  });

  test('every log line of a digest run carries the same run id, the pipeline’s lines included', async () => {
    const b = await bot();
    const lines: Array<Record<string, unknown>> = [];
    b.app.ctx.log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    b.arxiv.announce('2025-10-30', SEED_OCT30);
    const scheduler = createScheduler(b.app, {
      run: async (app, digest, opts) => {
        app.ctx.log.info('pipeline step');
        return fakeRun(app, digest, opts);
      },
    });
    b.clock.set('2025-10-30T12:30:00Z');
    const [outcome] = await scheduler.tick();
    const runId = outcome?.runId;
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    const ofRun = lines.filter((l) => l.runId === runId).map((l) => l.msg);
    expect(ofRun).toEqual(['digest run started', 'pipeline step', 'digest run finished']);
    expect(lines.find((l) => l.msg === 'digest run finished')).toMatchObject({ digest: 'nlp', date: '2025-10-30' });
  });

  test('a timer per digest fires in its own time zone, and the sweep every minute', async () => {
    const config = testConfig([
      { name: 'nlp', schedule: '30 8 * * 1-5', timezone: NY },
      { name: 'ml', schedule: '0 9 * * 1-5', timezone: BERLIN },
    ]);
    const b = await bot(config);
    const scheduler = createScheduler(b.app, { run: fakeRun });
    try {
      scheduler.start();
      const timers = scheduler.timers().map((t) => [t.name, t.expression, t.timezone]);
      expect(timers).toEqual([
        ['digest:nlp', '30 8 * * 1-5', NY],
        ['digest:ml', '0 9 * * 1-5', BERLIN],
        ['sweep', '* * * * *', undefined],
      ]);
      const local = (t: Date | undefined, timeZone: string) =>
        t?.toLocaleTimeString('en-GB', { timeZone, hour: '2-digit', minute: '2-digit' });
      expect(local(scheduler.timers()[0]?.next(), NY)).toBe('08:30');
      expect(local(scheduler.timers()[1]?.next(), BERLIN)).toBe('09:00');
    } finally {
      await scheduler.stop();
    }
  });
});
