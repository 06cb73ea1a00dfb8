/**
 * The instance a piece of work runs for, carried through its async calls (node's AsyncLocalStorage): every store
 * lock taken inside the work names that instance as its holder, and the work stops at its next safe point once the
 * instance is told to stop at once (a second SIGTERM). Work outside any scope (a one-shot command) belongs to the
 * process.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { StopRequestedError } from './errors';

export interface WorkScope {
  /** The instance's name in lock records and logs. */
  instance: string;
  /** Aborted when the instance must stop at the next safe point. */
  signal?: AbortSignal;
}

const storage = new AsyncLocalStorage<WorkScope>();

/** This process's own id: tells a lock left by an earlier process that had the same pid (a restarted container). */
export const PROCESS_BOOT_ID = randomUUID().slice(0, 8);

/** The instance name of work run outside a scope. */
export const PROCESS_INSTANCE = `${process.pid}-${PROCESS_BOOT_ID}`;

export function runInScope<T>(scope: WorkScope, fn: () => T): T {
  return storage.run(scope, fn);
}

export function currentScope(): WorkScope {
  return storage.getStore() ?? { instance: PROCESS_INSTANCE };
}

export function isStopRequested(err: unknown): err is StopRequestedError {
  return err instanceof StopRequestedError;
}

/** Throws StopRequestedError when the current scope was told to stop. */
export function throwIfStopping(): void {
  const scope = currentScope();
  if (scope.signal?.aborted) throw new StopRequestedError(scope.instance);
}
