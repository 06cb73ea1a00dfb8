/**
 * The runs started and not finished: a digest being posted, a vote being closed (its result and the winners'
 * deep-dives). A run is written here before its first message is sent and removed when every part was sent, so
 * whatever stops it (kill -9, a double SIGTERM, a platform down for an hour, `arxiv-digest digest` interrupted by
 * hand), the next `start` finds it and finishes it at once, whatever its schedule says. One small record in the
 * store, changed under a store mutex (several instances may share the store).
 */
import { z } from 'zod';
import type { Store } from '../store';
import { recordKind } from '../store/records';
import { keys, locks } from '../store/keys';
import { exclusive } from '../store/lock';

export type RunKind = 'digest' | 'tally';

export interface UnfinishedRun {
  kind: RunKind;
  /** The digest's name. */
  name: string;
  /** The announcement day. */
  date: string;
  /** When it was first started (epoch ms of the clock that started it). */
  startedAt: number;
  /** The scheduled firing it belongs to, when the scheduler started it. */
  slot?: number;
  /** Failed attempts (errors, not kills) and when the next one is due. */
  failures: number;
  retryAt?: number;
  lastError?: string;
}

const KEY = keys.unfinishedRuns;

/** The one record of unfinished runs ('meta', keys.unfinishedRuns), by runId; declared once, loose. */
const UNFINISHED = recordKind<Record<string, UnfinishedRun>>(
  'meta',
  z.record(
    z.string(),
    z.looseObject({
      kind: z.enum(['digest', 'tally']),
      name: z.string(),
      date: z.string(),
      startedAt: z.number(),
      slot: z.number().optional(),
      failures: z.number(),
      retryAt: z.number().optional(),
      lastError: z.string().optional(),
    }),
  ),
);

export const runId = (run: Pick<UnfinishedRun, 'kind' | 'name' | 'date'>) => `${run.kind}:${run.name}:${run.date}`;

export async function listUnfinished(store: Store): Promise<UnfinishedRun[]> {
  return Object.values((await UNFINISHED.get(store, KEY)) ?? {});
}

async function update(store: Store, fn: (runs: Record<string, UnfinishedRun>) => boolean): Promise<void> {
  await exclusive(store, locks.unfinishedRuns, async () => {
    const runs = (await UNFINISHED.get(store, KEY)) ?? {};
    if (fn(runs)) await UNFINISHED.set(store, KEY, runs);
  });
}

/** Records that a run starts sending (kept as it was when it is already recorded: a resume). */
export function markStarted(
  store: Store,
  run: Pick<UnfinishedRun, 'kind' | 'name' | 'date' | 'slot'>,
  now: number,
): Promise<void> {
  return update(store, (runs) => {
    const id = runId(run);
    const known = runs[id];
    if (known) {
      if (run.slot === undefined || known.slot !== undefined) return false;
      known.slot = run.slot;
      return true;
    }
    runs[id] = { ...run, startedAt: now, failures: 0 };
    return true;
  });
}

/** Records that every part of the run was sent. */
export function markFinished(store: Store, run: Pick<UnfinishedRun, 'kind' | 'name' | 'date'>): Promise<void> {
  return update(store, (runs) => {
    const id = runId(run);
    if (!runs[id]) return false;
    delete runs[id];
    return true;
  });
}

/** Records a failed attempt: the next one is due at `retryAt`. */
export function markFailed(
  store: Store,
  run: Pick<UnfinishedRun, 'kind' | 'name' | 'date'>,
  retryAt: (failures: number) => number,
  error: string,
): Promise<void> {
  return update(store, (runs) => {
    const known = runs[runId(run)];
    if (!known) return false;
    known.failures++;
    known.retryAt = retryAt(known.failures);
    known.lastError = error.slice(0, 500);
    return true;
  });
}
