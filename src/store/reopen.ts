/**
 * A SQLite file deleted (or replaced) under a running process. SQLite keeps reading the open, unlinked file and
 * refuses every write as "the database file is read-only" (SQLITE_READONLY_DBMOVED), so nothing more could be
 * recorded, /healthz said 503 and the digest stayed half-posted. Here, whatever the driver: when an operation
 * fails and the path no longer holds the file that was opened (its inode), a new file is opened at the same path
 * and said once to the listeners (the log). The operation that failed throws StoreReopenedError (what it read or
 * wrote belonged to the lost file), so a post in flight starts again and adopts what the platform already has
 * (src/jobs/post.ts `adopt`); a health check is simply asked again.
 */
import { type Stats, statSync } from 'node:fs';
import { StoreReopenedError, StoreUnavailableError } from '../app/errors';
import { describeFault } from './faults';

function identity(file: string): Pick<Stats, 'dev' | 'ino'> | undefined {
  try {
    const st = statSync(file);
    return { dev: st.dev, ino: st.ino };
  } catch {
    return undefined;
  }
}

/** What the repair needs of a store (the Store interface of ./index, without importing it: no cycle). */
interface Reopenable {
  ping(): Promise<boolean>;
  check?(): Promise<void>;
  close(): Promise<void>;
}

/** Operations that are simply asked again of the new file: health checks, which have nothing to lose. */
const ASKED_AGAIN = new Set(['check', 'ping']);

/**
 * `first` (a SQLite store of the file `file`) that repairs itself: every operation is passed to the current store;
 * one that fails while the path no longer holds the opened file reopens it with `reopen` first.
 */
export function reopeningSqlite<S extends Reopenable>(first: S, file: string, reopen: () => Promise<S>): S {
  let current = first;
  let opened = identity(file);
  let repairing: Promise<void> | undefined;
  let listener: ((line: string) => void) | undefined;
  const description = (first as { description?: string }).description ?? `sqlite://${file}`;
  const gone = () => {
    const now = identity(file);
    return !now || !opened || now.ino !== opened.ino || now.dev !== opened.dev;
  };
  const repair = (lost: S): Promise<void> => {
    if (lost !== current) return Promise.resolve();
    repairing ??= (async () => {
      try {
        await lost.close().catch(() => undefined);
        current = await reopen();
        opened = identity(file);
      } catch (cause) {
        const { reason } = describeFault(cause, 'sqlite');
        throw new StoreUnavailableError(
          description,
          'sqlite',
          `the database file ${file} was deleted while it was open`,
          `a new one could not be created there (${reason}); check the path and its directory`,
          cause,
        );
      }
      listener?.(
        `the SQLite file ${file} was deleted while the bot ran: a new one was opened there; what the chat platforms already show is adopted, not posted again`,
      );
    })().finally(() => {
      repairing = undefined;
    });
    return repairing;
  };
  const call = async (name: string, args: unknown[]): Promise<unknown> => {
    const store = current;
    const op = (s: S) => (s as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]?.apply(s, args);
    try {
      return await op(store);
    } catch (err) {
      if (!gone() && store === current) throw err;
      await repair(store);
      if (ASKED_AGAIN.has(name)) return op(current);
      throw new StoreReopenedError(description, file, err);
    }
  };
  const ping = async (): Promise<boolean> => {
    try {
      await call(typeof current.check === 'function' ? 'check' : 'ping', []);
      return true;
    } catch {
      return false;
    }
  };
  return new Proxy(first, {
    get(_target, prop) {
      if (prop === 'onRepair') return (fn: (line: string) => void) => (listener = fn);
      if (prop === 'close') return () => current.close();
      if (prop === 'ping') return ping;
      const value = (current as unknown as Record<PropertyKey, unknown>)[prop];
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => call(prop, args);
    },
  });
}
