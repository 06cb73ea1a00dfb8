/**
 * Store faults in one place (issues 12, 16, 17): whatever the backend (SQLite, Redis, PostgreSQL) and whenever it
 * fails (at open or mid-run), the user sees one line naming STORE_URL, the cause in words, and what to do. Network
 * stores get a deadline per operation: a Redis client queues commands while it reconnects, and would otherwise
 * wait forever.
 */
import { existsSync, mkdirSync, statSync, accessSync, constants } from 'node:fs';
import path from 'node:path';
import { ArxivDigestError, StoreTimeoutError, StoreUnavailableError, UserInputError } from '../app/errors';

/** How long one store operation may take on Redis or PostgreSQL before the store counts as unreachable. */
export const STORE_OP_TIMEOUT_MS = 5_000;
/** How long a health check (ping) waits for Redis or PostgreSQL: /healthz answers in under a second. */
export const PING_TIMEOUT_MS = 500;
/** While the store is down, how often `start` asks whether it is back (it resumes its work at once then). */
export const STORE_RECHECK_MS = 3_000;

export type StoreBackend = 'sqlite' | 'redis' | 'postgres' | 'memory';

/** Rejects with StoreTimeoutError when `work` takes longer than `ms` (the work itself is left to finish or fail). */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreTimeoutError(ms)), ms);
    timer.unref?.();
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function codeOf(err: unknown): string {
  if (!err || typeof err !== 'object') return '';
  const e = err as { code?: unknown; errno?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && e.code) return e.code;
  // AggregateError (a host with an IPv4 and an IPv6 address) and wrapped causes.
  if (Array.isArray(e.errors)) for (const inner of e.errors) if (codeOf(inner)) return codeOf(inner);
  if (e.cause && e.cause !== err && codeOf(e.cause)) return codeOf(e.cause);
  // Some clients keep the code in the message only ("connect ECONNREFUSED 127.0.0.1:1").
  return (
    /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|SQLITE_[A-Z]+)\b/.exec(
      messageOf(err),
    )?.[1] ?? ''
  );
}

function messageOf(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return (msg.split('\n')[0] ?? '').trim();
}

/** The cause in words and what to do about it, for one backend. */
export function describeFault(err: unknown, backend: StoreBackend): { reason: string; hint: string } {
  const code = codeOf(err);
  const msg = messageOf(err);
  const start = backend === 'redis' ? 'start Redis' : backend === 'postgres' ? 'start PostgreSQL' : '';
  const reachHint = `check STORE_URL${start ? ` or ${start}` : ''}`;
  if (err instanceof StoreTimeoutError) return { reason: err.message, hint: reachHint };
  switch (code) {
    case 'ECONNREFUSED':
      return { reason: 'connection refused', hint: reachHint };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { reason: `host not found (${code})`, hint: 'check the host name in STORE_URL' };
    case 'ETIMEDOUT':
    case 'ECONNRESET':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EPIPE':
      return { reason: `connection failed (${code})`, hint: reachHint };
    case '28P01':
    case '28000':
      return { reason: 'password authentication failed', hint: 'check the user and password in STORE_URL' };
    case '3D000':
      return {
        reason: 'the database does not exist',
        hint: 'create it (createdb) or fix the database name in STORE_URL',
      };
    case '57P01':
    case '57P03':
      return { reason: 'the server is shutting down or starting', hint: reachHint };
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
      return {
        reason: 'the file is not a valid SQLite database: it is corrupt or truncated',
        hint: 'move the file away (a new one is created on the next run) or restore it from a backup; check STORE_URL',
      };
    case 'SQLITE_READONLY':
      return {
        reason: 'the database file is read-only',
        hint: 'make the file and its directory writable, or point STORE_URL at a writable path',
      };
    case 'SQLITE_CANTOPEN':
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return {
        reason: 'the file cannot be opened for writing',
        hint: 'check the path and its permissions, or point STORE_URL at a writable path',
      };
    case 'SQLITE_FULL':
    case 'ENOSPC':
      return { reason: 'the disk is full', hint: 'free some space or point STORE_URL at another disk' };
  }
  if (/WRONGPASS|NOAUTH|invalid username-password/i.test(msg))
    return { reason: 'authentication failed', hint: 'check the password in STORE_URL' };
  if (/client is closed|not connected|failed to connect|Connection is closed|socket closed/i.test(msg))
    return { reason: 'the connection was lost', hint: reachHint };
  return { reason: msg || 'unknown error', hint: reachHint };
}

/** Whether an error is the store failing (as opposed to a bug in a caller, or an error of ours passed through). */
export function isStoreFault(err: unknown): boolean {
  if (err instanceof ArxivDigestError) return false;
  if (err instanceof StoreTimeoutError) return true;
  const code = codeOf(err);
  if (code) return true;
  return /redis|WRONGPASS|NOAUTH|client is closed|not connected|Connection terminated|connection/i.test(messageOf(err));
}

export function storeFault(err: unknown, description: string, backend: StoreBackend): ArxivDigestError {
  // A timeout is worded here (naming STORE_URL); any other error of ours already is.
  if (err instanceof ArxivDigestError && !(err instanceof StoreTimeoutError)) return err;
  const { reason, hint } = describeFault(err, backend);
  return new StoreUnavailableError(description, backend, reason, hint, err);
}

/**
 * The SQLite file named by a `sqlite://` STORE_URL, checked without creating anything: one slash (`sqlite:/x`) or
 * none (`sqlite:x`) would otherwise be read as a relative path with a colon in it.
 */
export function sqlitePath(url: string, cwd: string): string {
  const m = /^sqlite:(.*)$/i.exec(url);
  const rest = m?.[1] ?? '';
  if (!rest.startsWith('//') || rest.length <= 2) {
    throw new UserInputError(
      `STORE_URL "${url}" is not a SQLite URL (expected sqlite:///abs/path.sqlite for an absolute path or sqlite://rel/path.sqlite relative to the working directory)`,
    );
  }
  const file = rest.slice(2);
  if (file === ':memory:') return file;
  return path.resolve(cwd, file);
}

/** Checks a STORE_URL's form before anything is opened or created: exit 2 when it cannot be a store. */
export function checkStoreUrl(url: string, cwd: string): void {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'sqlite') {
    sqlitePath(url, cwd);
    return;
  }
  if (scheme === 'memory') return;
  if (scheme === 'redis' || scheme === 'rediss' || scheme === 'postgres' || scheme === 'postgresql') {
    let host = '';
    try {
      host = new URL(url).hostname;
    } catch {
      // not a URL at all: the same one-line error as a URL without a host
    }
    if (!host) {
      throw new UserInputError(
        `STORE_URL is not a valid ${scheme} URL (expected e.g. ${scheme.startsWith('redis') ? 'redis://127.0.0.1:6379' : 'postgresql://user:password@127.0.0.1:5432/arxiv_digest'})`,
      );
    }
    return;
  }
  throw new UserInputError(
    `STORE_URL "${url.replace(/\/\/[^@/]*@/, '//***@')}" is not supported (expected sqlite:///abs/path, sqlite://rel/path, redis://HOST:PORT or postgresql://USER@HOST/DB)`,
  );
}

/**
 * The SQLite URL hints suggest: under ARXIV_DIGEST_DATA_DIR where it is set (the image sets /data, its only
 * writable directory), else under data/ in the working directory (the default store).
 */
export function exampleSqliteUrl(dataDir?: string): string {
  return dataDir ? `sqlite://${path.posix.join(dataDir, 'arxiv-digest.sqlite')}` : 'sqlite://data/arxiv-digest.sqlite';
}

/**
 * Makes the directory of a SQLite file, one level at a time. Node's recursive mkdir spins forever under /proc
 * (`sqlite:///proc/nope/db.sqlite`), so the first existing ancestor is found and checked by hand.
 */
export function prepareSqliteDirectory(file: string, description: string, dataDir?: string): void {
  const dir = path.dirname(file);
  const missing: string[] = [];
  let cur = dir;
  while (!existsSync(cur)) {
    missing.unshift(cur);
    const up = path.dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  const fail = (reason: string, err?: unknown) =>
    new StoreUnavailableError(
      description,
      'sqlite',
      reason,
      `point STORE_URL at a file in a directory you can write (e.g. ${exampleSqliteUrl(dataDir)})`,
      err,
    );
  if (!statSync(cur).isDirectory()) throw fail(`${cur} is a file, not a directory`);
  try {
    accessSync(cur, constants.W_OK);
  } catch (err) {
    throw fail(`no permission to write in ${cur}`, err);
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (err) {
      throw fail(`the directory ${d} cannot be created (${codeOf(err) || messageOf(err)})`, err);
    }
  }
  if (existsSync(file) && statSync(file).isDirectory()) throw fail(`${file} is a directory, not a file`);
}
