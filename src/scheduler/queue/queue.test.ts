/**
 * The queue's contract, on each engine: the in-process one always, BullMQ when TEST_REDIS_URL is set, pg-boss when
 * TEST_POSTGRES_URL is set (skipped with a notice otherwise). Two queue objects on one server stand for two
 * instances.
 */
import { randomUUID } from 'node:crypto';
import { createBullmqQueue } from './bullmq';
import { createMemoryQueue } from './memory';
import { createPgBossQueue } from './pgboss';
import type { JobQueue, QueueOptions } from './types';

type Open = (options: QueueOptions) => JobQueue<{ n: number }, number>;

const engines: Array<[string, Open | undefined]> = [
  ['in-process', (o) => createMemoryQueue(o)],
  ['bullmq', process.env.TEST_REDIS_URL ? (o) => createBullmqQueue(process.env.TEST_REDIS_URL ?? '', o) : undefined],
  [
    'pg-boss',
    process.env.TEST_POSTGRES_URL ? (o) => createPgBossQueue(process.env.TEST_POSTGRES_URL ?? '', o) : undefined,
  ],
];

for (const [engine, open] of engines) {
  if (!open) {
    test.skip(`${engine}: skipped (set TEST_${engine === 'bullmq' ? 'REDIS' : 'POSTGRES'}_URL to run)`, () => {});
    continue;
  }
  describe(`the ${engine} queue`, () => {
    const opened: Array<JobQueue<{ n: number }, number>> = [];
    const queue = (name: string, extra: Partial<QueueOptions> = {}) => {
      const q = open({ name, backoffMs: 200, ...extra });
      opened.push(q);
      return q;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((q) => q.close()));
    });

    test('a job enqueued twice (by two instances at once) runs once', async () => {
      const name = `t-${randomUUID().slice(0, 8)}`;
      const shared = engine !== 'in-process';
      const a = queue(name);
      const b = shared ? queue(name) : a;
      const runs: number[] = [];
      await a.process(async (job) => {
        runs.push(job.data.n);
        return job.data.n * 2;
      }, 2);
      const added = await Promise.all([
        a.enqueue({ id: 'd/1', data: { n: 1 } }),
        b.enqueue({ id: 'd/1', data: { n: 1 } }),
      ]);
      expect(added.filter(Boolean)).toHaveLength(1);
      expect(await a.finished('d/1')).toBe(2);
      expect(runs).toEqual([1]);
      // Done: a shared engine remembers the id (another instance's enqueue of the same firing does not run it);
      // in one process the scheduler's records say what was done, and the id may run again.
      expect(await b.enqueue({ id: 'd/1', data: { n: 1 } })).toBe(engine === 'in-process');
    });

    test('N workers run N jobs at once, across the instances', async () => {
      const name = `t-${randomUUID().slice(0, 8)}`;
      const a = queue(name);
      let inFlight = 0;
      let peak = 0;
      let release: () => void = () => {};
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const reached = new Promise<void>((resolve) => {
        void a.process(async (job) => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          if (peak === 3) resolve();
          await gate;
          inFlight--;
          return job.data.n;
        }, 3);
      });
      for (const n of [1, 2, 3]) await a.enqueue({ id: `j/${n}`, data: { n } });
      await reached;
      release();
      expect(await Promise.all([1, 2, 3].map((n) => a.finished(`j/${n}`)))).toEqual([1, 2, 3]);
      expect(peak).toBe(3);
    });

    test('a job whose handler throws is retried with back-off by the queue', async () => {
      const name = `t-${randomUUID().slice(0, 8)}`;
      const a = queue(name, { attempts: 3 });
      let calls = 0;
      await a.process(async (job) => {
        calls++;
        if (calls < 2) throw new TypeError('transient');
        return job.data.n;
      }, 1);
      await a.enqueue({ id: 'r/1', data: { n: 7 } });
      expect(await a.finished('r/1')).toBe(7);
      expect(calls).toBe(2);
    });
  });
}
