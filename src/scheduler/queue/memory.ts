/**
 * The in-process queue, for SQLite and the memory store (one process: the embedded default stays zero-setup). The
 * same contract as the shared engines: an id enqueued twice runs once, `workers` jobs run at once, a job whose
 * handler throws is retried with back-off. Nothing outlives the process: a restart's catch-up enqueues again what
 * was due, and the scheduler's records say what was already done.
 */
import {
  DEFAULT_ATTEMPTS,
  DEFAULT_KEEP_MS,
  type JobHandler,
  type JobQueue,
  type QueueOptions,
  type QueuedJob,
} from './types';

interface Entry<T, R> {
  job: QueuedJob<T>;
  attempt: number;
  addedAt: number;
  done: Promise<R | undefined>;
  resolve: (value: R | undefined) => void;
}

export function createMemoryQueue<T, R>(options: QueueOptions): JobQueue<T, R> {
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
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
        entry.resolve(await run(entry.job));
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
      if (entries.has(job.id) || closed) return false;
      let resolve: (value: R | undefined) => void = () => {};
      const done = new Promise<R | undefined>((r) => {
        resolve = r;
      });
      const entry: Entry<T, R> = { job, attempt: 0, addedAt: now, done, resolve };
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
