/**
 * Which queue runs where, by STORE_URL alone: BullMQ on Redis, pg-boss on PostgreSQL, the in-process queue for
 * SQLite and the memory store (one process; nothing to set up).
 */
import { availableParallelism } from 'node:os';
import { createBullmqQueue } from './bullmq';
import { createMemoryQueue } from './memory';
import { createPgBossQueue } from './pgboss';
import type { JobQueue, QueueOptions } from './types';

export * from './types';
export { createMemoryQueue } from './memory';

export function queueEngineFor(storeUrl: string | undefined): 'bullmq' | 'pg-boss' | 'in-process' {
  const url = storeUrl ?? '';
  if (/^rediss?:\/\//i.test(url)) return 'bullmq';
  if (/^postgres(ql)?:\/\//i.test(url)) return 'pg-boss';
  return 'in-process';
}

/** The queue for the store at `storeUrl` (undefined: the embedded default). */
export function openQueue<T, R>(storeUrl: string | undefined, options: QueueOptions): JobQueue<T, R> {
  const engine = queueEngineFor(storeUrl);
  if (engine === 'bullmq' && storeUrl) return createBullmqQueue<T, R>(storeUrl, options);
  if (engine === 'pg-boss' && storeUrl) return createPgBossQueue<T, R>(storeUrl, options);
  return createMemoryQueue<T, R>(options);
}

/**
 * Workers per instance when the config names none: a digest run mostly waits (arXiv, the LLM, the chat platforms),
 * so two per core, at least 2 and at most 16.
 */
export function defaultWorkers(cores: number = availableParallelism()): number {
  return Math.min(16, Math.max(2, cores * 2));
}
