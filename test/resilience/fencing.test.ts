/**
 * Fencing: a holder paused past its lease (SIGSTOP, a frozen VM) whose digest another instance took over records
 * nothing when it wakes: its lease check fails before the firing's state is written, and the posting records keep
 * every message to one send. The pause is simulated by another owner taking the expired lease mid-run.
 */
import type { DigestSchedule } from '../../src/scheduler/due';
import { createScheduler } from '../../src/scheduler/scheduler';
import { keys, locks } from '../../src/store/keys';
import { fakeRun, makeApp, SEED_OCT30, testConfig } from '../fakes/bot-fixture';

test('a holder whose lease was taken over while it was paused records nothing, and nothing is posted twice', async () => {
  const b = await makeApp(testConfig([{ name: 'nlp', schedule: '30 8 * * 1-5', timezone: 'America/New_York' }]));
  try {
    b.arxiv.announce('2025-10-30', SEED_OCT30);
    b.clock.set('2025-10-30T12:31:00Z');
    const recordedBy: string[] = [];
    let paused = true;
    const scheduler = createScheduler(b.app, {
      lockTtlMs: 400,
      run: async (app, digest, opts) => {
        const result = await fakeRun(app, digest, opts);
        if (paused) {
          paused = false;
          // "Frozen" past the lease: another instance's worker took the digest's lease meanwhile (and keeps it
          // for a moment, as it runs the same firing and finds it posted).
          const name = locks.digestSlot(digest.name);
          const holder = await b.store.lockHolder(name);
          if (holder) expect(await b.store.takeOverLock(name, holder.owner, 'other-instance', 300)).toBe(true);
        } else recordedBy.push('retry');
        return result;
      },
    });
    // The paused holder's attempt fails at its lease check: nothing recorded, nothing told.
    expect(await scheduler.tick()).toEqual([]);
    expect((await b.store.get<DigestSchedule>('meta', keys.schedule('nlp')))?.doneSlot).toBeUndefined();
    // The other instance's lease ends; the next tick runs the firing again, which finds its messages posted.
    while (await b.store.lockHolder(locks.digestSlot('nlp'))) await new Promise((r) => setTimeout(r, 50));
    b.clock.set('2025-10-30T12:32:00Z');
    expect((await scheduler.tick()).map((o) => o.status)).toEqual(['posted']);
    expect(recordedBy).toEqual(['retry']);
    const state = await b.store.get<DigestSchedule>('meta', keys.schedule('nlp'));
    expect(state?.doneSlot).toBe(Date.parse('2025-10-30T12:30:00Z'));
    expect(b.slack.ofKind('digest')).toHaveLength(1);
    expect(b.slack.ofKind('paper')).toHaveLength(5);
    await scheduler.stop();
  } finally {
    await b.store.close();
  }
}, 30_000);
