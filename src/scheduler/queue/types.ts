/**
 * The scheduler's job queue: one small interface, three engines chosen by STORE_URL (src/scheduler/queue/index.ts):
 * BullMQ on Redis, pg-boss on PostgreSQL, an in-process queue for SQLite and the memory store. A job has a stable
 * id (a digest's firing: the digest and its day), so enqueuing it twice runs it once; any free worker of any
 * instance takes the next job; a job whose worker died or froze is taken again within the stall interval; a job
 * whose handler threw is retried with back-off by the queue.
 */

/** A unit of scheduled work: its id names it across instances; its data is JSON. */
export interface QueuedJob<T = unknown> {
  id: string;
  data: T;
}

/** Runs one job; resolves with its outcome (JSON), rejects to have the queue retry it with back-off. */
export type JobHandler<T = unknown, R = unknown> = (job: QueuedJob<T>) => Promise<R>;

export type QueueEngine = 'bullmq' | 'pg-boss' | 'in-process';

export interface QueueOptions {
  /** The queue's name (one per deployment; tests use their own). */
  name: string;
  /**
   * How long a job may go without its worker's heartbeat before another worker takes it again (default 15 s).
   * Taken again within twice this: injectable so tests are fast.
   */
  stallMs?: number;
  /**
   * Attempts at a job whose handler throws, with exponential back-off from `backoffMs` (default 8 and 2 s: 2, 4,
   * 8 … s, about 4 minutes in all, past any lease a dead worker left behind).
   */
  attempts?: number;
  backoffMs?: number;
  /** Told when a job failed for good (its attempts spent): for the log. */
  onFailed?: (id: string, err: unknown) => void;
  /** How long a finished job's id is remembered, so the same firing enqueued again is not run (default 2 days). */
  keepMs?: number;
}

export interface JobQueue<T = unknown, R = unknown> {
  readonly engine: QueueEngine;
  /** Adds the job unless a job with its id was added (and is queued, running or kept): true when added. */
  enqueue(job: QueuedJob<T>): Promise<boolean>;
  /** Resolves with the job's result once a worker (of any instance) finished it; undefined when it failed for good. */
  finished(id: string): Promise<R | undefined>;
  /** Starts `workers` workers of this instance taking jobs for `handler`. Once per queue. */
  process(handler: JobHandler<T, R>, workers: number): Promise<void>;
  /** Stops taking jobs, waits for the jobs in flight, closes connections. */
  close(): Promise<void>;
}

export const DEFAULT_STALL_MS = 15_000;
export const DEFAULT_ATTEMPTS = 8;
export const DEFAULT_KEEP_MS = 2 * 86_400_000;

/** Queue ids: BullMQ rejects ':' in custom ids, so the parts are joined with '/'. */
export function jobId(...parts: Array<string | number>): string {
  return parts.map((p) => String(p).replaceAll(':', '_').replaceAll('/', '_')).join('/');
}
