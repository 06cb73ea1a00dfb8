/**
 * The queue on Redis: BullMQ. Its workers renew each job's lock while it runs; a job whose worker died or froze
 * loses its lock after `stallMs` and BullMQ's stalled-job check (every half of it, by any live worker) puts it back
 * for the next free worker. A handler that throws is retried with exponential back-off. Enqueuing claims the job's
 * id first (SET NX), so a firing enqueued by several instances at once is added, and run, once.
 */
import { type Job, Queue, QueueEvents, Worker } from 'bullmq';
import IORedis from 'ioredis';
import {
  DEFAULT_ATTEMPTS,
  DEFAULT_KEEP_MS,
  DEFAULT_STALL_MS,
  type JobHandler,
  type JobQueue,
  type QueueOptions,
} from './types';

const PREFIX = 'arxiv-digest:queue';

export function createBullmqQueue<T, R>(redisUrl: string, options: QueueOptions): JobQueue<T, R> {
  const stallMs = options.stallMs ?? DEFAULT_STALL_MS;
  const keepMs = options.keepMs ?? DEFAULT_KEEP_MS;
  const connection = new IORedis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
  connection.on('error', () => {}); // reported by the commands that fail; reconnects by itself
  const queue = new Queue(options.name, { connection, prefix: PREFIX });
  // Each job waited for adds a listener until it finishes: a morning of many jobs is not a leak.
  queue.setMaxListeners(0);
  let events: QueueEvents | undefined;
  let worker: Worker<T, R> | undefined;
  const extra: IORedis[] = [];
  const another = () => {
    const c = connection.duplicate();
    c.on('error', () => {});
    extra.push(c);
    return c;
  };

  function queueEvents(): QueueEvents {
    if (!events) {
      events = new QueueEvents(options.name, { connection: another(), prefix: PREFIX });
      events.on('error', () => {});
      events.setMaxListeners(0);
    }
    return events;
  }

  return {
    engine: 'bullmq',
    async enqueue(job) {
      const claim = await connection.set(`${PREFIX}:${options.name}:claimed:${job.id}`, '1', 'PX', keepMs, 'NX');
      if (claim !== 'OK') return false;
      await queue.add('work', job.data, {
        jobId: job.id,
        attempts: options.attempts ?? DEFAULT_ATTEMPTS,
        backoff: { type: 'exponential', delay: options.backoffMs ?? 2_000 },
        removeOnComplete: { age: Math.ceil(keepMs / 1000) },
        removeOnFail: { age: Math.ceil(keepMs / 1000) },
      });
      return true;
    },
    async finished(id) {
      const ev = queueEvents();
      await ev.waitUntilReady();
      const job = await queue.getJob(id);
      if (!job) return undefined;
      try {
        return (await job.waitUntilFinished(ev)) as R;
      } catch {
        return undefined;
      }
    },
    async process(handler: JobHandler<T, R>, workers) {
      worker = new Worker<T, R>(options.name, async (job: Job<T, R>) => handler({ id: job.id ?? '', data: job.data }), {
        connection: another(),
        prefix: PREFIX,
        concurrency: Math.max(1, workers),
        lockDuration: stallMs,
        stalledInterval: Math.max(500, Math.floor(stallMs / 2)),
        maxStalledCount: 5,
      });
      worker.on('error', () => {});
      worker.on('failed', (job, err) => {
        if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) options.onFailed?.(job.id ?? '', err);
      });
      await worker.waitUntilReady();
    },
    async close() {
      await worker?.close();
      await events?.close();
      await queue.close();
      for (const c of [connection, ...extra]) c.disconnect();
    },
  };
}
