/**
 * A worker killed (kill -9) or frozen (SIGSTOP) holding a job: another instance's worker takes the job again within
 * the stall interval, on BullMQ (TEST_REDIS_URL) and pg-boss (TEST_POSTGRES_URL); skipped with a notice without
 * them. The stall interval is short here (2 s) so the test is fast; the default is 15 s (taken again within 30 s).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { openQueue } from '../../src/scheduler/queue';

const STALL_MS = 2_000;
const RUN_TS = path.join(__dirname, '../../bin/run-ts.js');
const WORKER = path.join(__dirname, 'fixtures/queue-worker.ts');

function startWorker(url: string, name: string): { child: ChildProcess; took: Promise<string> } {
  const child = spawn(process.execPath, [RUN_TS, WORKER, url, name, String(STALL_MS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const took = new Promise<string>((resolve) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /took (\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
  });
  return { child, took };
}

const servers: Array<[string, string | undefined]> = [
  ['bullmq', process.env.TEST_REDIS_URL],
  ['pg-boss', process.env.TEST_POSTGRES_URL],
];

for (const [engine, url] of servers) {
  const signals: NodeJS.Signals[] = ['SIGKILL', 'SIGSTOP'];
  for (const signal of signals) {
    const title = `${engine}: a job whose worker got ${signal} is taken again by another instance`;
    if (!url) {
      test.skip(`${title} (skipped: no TEST_${engine === 'bullmq' ? 'REDIS' : 'POSTGRES'}_URL)`, () => {});
      continue;
    }
    test(title, async () => {
      const name = `stall-${randomUUID().slice(0, 8)}`;
      const survivor = openQueue<{ n: number }, number>(url, { name, stallMs: STALL_MS });
      const worker = startWorker(url, name);
      try {
        await survivor.enqueue({ id: 'digest/nlp/2025-10-30', data: { n: 1 } });
        expect(await worker.took).toBe('digest/nlp/2025-10-30');
        worker.child.kill(signal);
        const killedAt = Date.now();
        const retaken = new Promise<number>((resolve) => {
          void survivor.process(async (job) => {
            resolve(Date.now() - killedAt);
            return job.data.n;
          }, 1);
        });
        const waited = await retaken;
        expect(await survivor.finished('digest/nlp/2025-10-30')).toBe(1);
        expect(waited).toBeLessThan(30_000);
        process.stdout.write(`${engine} ${signal}: taken again after ${waited} ms (stall interval ${STALL_MS} ms)\n`);
      } finally {
        worker.child.kill('SIGKILL');
        await survivor.close();
      }
    }, 60_000);
  }
}
