/**
 * The in-process queue, for SQLite and the memory store (one process: the embedded default stays zero-setup). An
 * id enqueued while its job is queued or running is not added again, `workers` jobs run at once, a job whose
 * handler throws is retried with back-off when `attempts` says so (default: not; the scheduler's next tick
 * enqueues what is still due). A finished job's id may be enqueued again: in one process the scheduler's records,
 * re-read under the digest's lease, say what was already done. Nothing outlives the process.
 */
import { DEFAULT_KEEP_MS, type JobHandler, type JobQueue, type QueueOptions, type QueuedJob } from './types';

interface Entry<T, R> {
  job: QueuedJob<T>;
  finished: boolean;
  attempt: number;
  addedAt: number;
  done: Promise<R | undefined>;
  resolve: (value: R | undefined) => void;
}

export function createMemoryQueue<T, R>(options: QueueOptions): JobQueue<T, R> {
  const attempts = options.attempts ?? 1;
  const backoffMs = options.backoffMs ?? 2_000;
  const keepMs = options.keepMs ?? DEFAULT_KEEP_MS;
  const entries = new Map<string, Entry<T, R>>();
  const pending: Array<Entry<T, R>> = [];
  const running = new Set<Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();
  let handler: JobHandler<T, R> | undefined;
  let workers = 0;
  let busy = 0;
  let closed = false;

  function forgetOld(now: number): void {
    for (const [id, e] of entries) if (now - e.addedAt > keepMs) entries.delete(id);
  }

  function pump(): void {
    while (handler && !closed && busy < workers && pending.length) {
      const entry = pending.shift();
      if (entry) start(entry, handler);
    }
  }

  function start(entry: Entry<T, R>, run: JobHandler<T, R>): void {
    busy++;
    const p = (async () => {
      try {
        const result = await run(entry.job);
        entry.finished = true;
        entry.resolve(result);
      } catch (err) {
        retryOrGiveUp(entry, err);
      } finally {
        busy--;
      }
    })().finally(() => {
      running.delete(p);
      pump();
    });
    running.add(p);
  }

  function retryOrGiveUp(entry: Entry<T, R>, err: unknown): void {
    entry.attempt++;
    if (entry.attempt >= attempts || closed) {
      options.onFailed?.(entry.job.id, err);
      entry.finished = true;
      entry.resolve(undefined);
      return;
    }
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        pending.push(entry);
        pump();
      },
      backoffMs * 2 ** (entry.attempt - 1),
    );
    timer.unref();
    timers.add(timer);
  }

  return {
    engine: 'in-process',
    async enqueue(job) {
      const now = Date.now();
      forgetOld(now);
      const known = entries.get(job.id);
      if ((known && !known.finished) || closed) return false;
      let resolve: (value: R | undefined) => void = () => {};
      const done = new Promise<R | undefined>((r) => {
        resolve = r;
      });
      const entry: Entry<T, R> = { job, finished: false, attempt: 0, addedAt: now, done, resolve };
      entries.set(job.id, entry);
      pending.push(entry);
      pump();
      return true;
    },
    async finished(id) {
      return entries.get(id)?.done;
    },
    async process(h, n) {
      handler = h;
      workers = Math.max(1, n);
      pump();
    },
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      for (const e of pending.splice(0)) e.resolve(undefined);
      await Promise.allSettled([...running]);
    },
  };
}
