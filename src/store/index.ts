/**
 * All storage behind one module (after arxiv-sanity-lite's db.py): keyv over embedded SQLite by default, Redis or
 * PostgreSQL by STORE_URL alone. Values live in named namespaces; keys are built by the callers from stable ids
 * (papers by arXiv id, LLM answers by content hash, posts by digest/day/channel/part), so re-running is harmless.
 * Locks with expiry are atomic in the backing store (SET NX PX on Redis, INSERT … ON CONFLICT on SQL) so several
 * instances can share one store.
 */
import { randomUUID } from 'node:crypto';
import Keyv from 'keyv';
import { ArxivDigestError, ErrorCode, StoreTimeoutError, UserInputError } from '../app/errors';
import { DIGEST_BUILD_PREFIX, LATEST_POSTED_PREFIX } from './keys';
import { KeyvSqliteStore } from './sqlite';
import { metrics } from '../app/metrics';
import { reopeningSqlite } from './reopen';
import {
  checkStoreUrl,
  prepareSqliteDirectory,
  PING_TIMEOUT_MS,
  STORE_OP_TIMEOUT_MS,
  sqlitePath,
  storeFault,
  withDeadline,
} from './faults';

export { checkStoreUrl } from './faults';

export type Namespace =
  | 'papers' // arXiv metadata by id; newest version wins
  | 'days' // a day's listing: ids announced per category set and date
  | 'llm' // LLM answers by (paper id+version, prompt hash, model)
  | 'embeddings' // embedding vectors by (model, paper id+version)
  | 'digests' // built digests by name and date
  | 'posts' // chat messages posted, by digest/day/platform/channel/part
  | 'messages' // reverse index: platform message -> digest paper
  | 'votes' // votes by digest/day/paper
  | 'profiles' // per-channel learned ranking profiles
  | 'ranking' // everything the ranker saw, per digest and day
  | 'budget' // daily token spend
  | 'ratelimit' // per-member command limits
  | 'follows' // members' followed authors and topics, per platform and workspace/guild
  | 'versions' // papers whose new versions are announced: the threads that showed them and what they saw
  | 'meta'; // scheduler state and other small records

export type StoreKind = 'sqlite' | 'redis' | 'postgres' | 'memory';

const DAY_MS = 86_400_000;

/**
 * How long a value lives when its writer names no TTL, so a bot running for months does not grow without bound.
 * Only caches and per-day records expire, each well after its useful life: a day's ranking and messages matter
 * until its vote closes (at most days), a built digest and the post records until a crashed post is resumed or a
 * late `tally --date` runs. Never expiring: profiles (the learning), scheduler state and the `latest:` pointers
 * (one key each, they do not accumulate). A writer's own TTL always wins.
 */
export function defaultTtlMs(ns: Namespace, key: string): number | undefined {
  switch (ns) {
    case 'ranking': // every candidate's id and scores, per digest and day (the texts are in 'papers')
      return 30 * DAY_MS;
    case 'papers': // arXiv metadata: re-read from arXiv when missing
    case 'days': // a day's listing: re-read from arXiv when missing (kept no longer than the papers it names)
    case 'digests':
    case 'messages': // reactions on a message whose vote closed long ago count for nothing
      return 60 * DAY_MS;
    case 'llm': // answers cost money: kept three months (a /critique of an older paper is asked again)
    case 'embeddings': // likewise: a paper's vector is paid for once
      return 90 * DAY_MS;
    case 'posts':
      // The exactly-once records: the scheduler never posts a day older than its last one, so after half a year
      // they only matter to someone re-posting an old day by hand. The per-channel `latest:` pointer stays.
      return key.startsWith(LATEST_POSTED_PREFIX) ? undefined : 180 * DAY_MS;
    case 'votes': // the result of a closed vote, and its ballots
    case 'versions': // a new version is announced in a thread as long as its post records live (renewed on each)
      return 180 * DAY_MS;
    case 'meta': // the pipeline's per-day build records; scheduler state has no TTL
      return key.startsWith(DIGEST_BUILD_PREFIX) ? 60 * DAY_MS : undefined;
    default:
      return undefined;
  }
}

/** keyv's namespace for our keys: its rows are `arxiv-digest:NS:KEY`. */
const KEYV_NAMESPACE = 'arxiv-digest';

/** How often expired rows are deleted from SQL stores (keyv's SQL adapters only drop an expired row on read). */
const SWEEP_EVERY_MS = 6 * 3_600_000;

export interface Store {
  readonly kind: StoreKind;
  /** The STORE_URL with any password removed. */
  readonly description: string;
  get<T>(ns: Namespace, key: string): Promise<T | undefined>;
  set<T>(ns: Namespace, key: string, value: T, ttlMs?: number): Promise<void>;
  delete(ns: Namespace, key: string): Promise<boolean>;
  /** Several values of one namespace in one round trip (undefined where absent), in the order of `keys`. */
  getMany<T>(ns: Namespace, keys: string[]): Promise<Array<T | undefined>>;
  /**
   * Several values of one namespace written together: one transaction on SQLite (one multi-row upsert), one
   * pipeline on Redis, one statement on PostgreSQL; not one write and one fsync per value.
   */
  setMany<T>(ns: Namespace, entries: Array<{ key: string; value: T; ttlMs?: number }>): Promise<void>;
  /** Takes the named lock for `ttlMs` unless another owner holds it unexpired. Atomic across instances on Redis/SQL. */
  acquireLock(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Releases the lock if `owner` holds it. */
  releaseLock(name: string, owner: string): Promise<void>;
  /** Who holds the named lock and for how much longer; undefined when it is free (or expired). */
  lockHolder(name: string): Promise<LockHolding | undefined>;
  /**
   * Takes the named lock from `holder` (compare-and-set: only while `holder` still holds it, or it is free) for
   * `ttlMs`: used when the holder is known dead. Atomic across instances like acquireLock.
   */
  takeOverLock(name: string, holder: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Round-trips a value: for health checks. */
  ping(): Promise<boolean>;
  /**
   * Deletes the expired values now; resolves with how many (SQL stores: keyv drops an expired row only when it is
   * read; Redis and memory expire on their own and resolve 0). Runs every few hours by itself.
   */
  sweepExpired?(): Promise<number>;
  /** Where a store that repaired itself (a SQLite file deleted and opened anew) says so, once: one listener. */
  onRepair?(listener: (line: string) => void): void;
  close(): Promise<void>;
}

export const DEFAULT_STORE_URL = 'sqlite://data/arxiv-digest.sqlite';

let postgresStoresOpen = 0;

/** A lock's current owner (the string its taker chose) and the time left before it expires unrenewed. */
export interface LockHolding {
  owner: string;
  expiresInMs: number;
}

interface LockBackend {
  acquire(name: string, owner: string, ttlMs: number): Promise<boolean>;
  release(name: string, owner: string): Promise<void>;
  holder(name: string): Promise<LockHolding | undefined>;
  takeOver(name: string, holder: string, owner: string, ttlMs: number): Promise<boolean>;
}

/** An operation's deadline while the store is suspect (its last operation timed out). */
const SUSPECT_DEADLINE_MS = 1_000;

/** Deletes expired rows of this store's namespace; resolves with how many. */
type Sweeper = (now: number) => Promise<number>;

class KeyvStore implements Store {
  private sweepTimer: NodeJS.Timeout | undefined;
  private firstSweep: NodeJS.Timeout | undefined;
  /** Network stores: how long one operation may take before the store counts as unreachable. */
  private readonly deadlineMs: number | undefined;
  /** The last operation timed out and none has answered since. */
  private suspect = false;

  constructor(
    readonly kind: StoreKind,
    readonly description: string,
    private readonly keyv: Keyv,
    private readonly locks: LockBackend,
    private readonly onClose: () => Promise<void>,
    private readonly sweeper?: Sweeper,
    /** The client's last connection error: the real cause behind "not connected" or a timed-out command. */
    private readonly recentError: () => unknown = () => undefined,
    /** Rows written in one statement, when the backend has one (SQLite); else keyv's setMany. */
    private readonly bulkWrite?: (rows: Array<{ key: string; value: unknown }>) => Promise<void>,
  ) {
    this.deadlineMs = kind === 'redis' || kind === 'postgres' ? STORE_OP_TIMEOUT_MS : undefined;
    if (sweeper) {
      const sweep = () => {
        this.sweepExpired().catch(() => {});
      };
      // A minute after opening (a bot restarted more often than the period still sweeps), then periodically.
      this.firstSweep = setTimeout(sweep, 60_000);
      this.firstSweep.unref();
      this.sweepTimer = setInterval(sweep, SWEEP_EVERY_MS);
      this.sweepTimer.unref();
    }
  }

  private key(ns: Namespace, key: string): string {
    return `${ns}:${key}`;
  }

  /**
   * Every operation goes through here: a store that is down, slow past the deadline, corrupt or read-only fails
   * with one StoreUnavailableError naming STORE_URL, never hangs and never reads as "no value".
   */
  private async guard<T>(work: () => Promise<T>, deadlineMs = this.deadlineMs): Promise<T> {
    // After an operation timed out, the next ones wait a second, not the whole deadline, until one answers: a store
    // that died mid-run fails the run within one deadline (the contract's 10 s), not one deadline per operation.
    const deadline = deadlineMs && this.suspect ? Math.min(deadlineMs, SUSPECT_DEADLINE_MS) : deadlineMs;
    try {
      const running = work();
      const value = await (deadline ? withDeadline(running, deadline) : running);
      this.suspect = false;
      return value;
    } catch (err) {
      if (err instanceof StoreTimeoutError && this.deadlineMs) this.suspect = true;
      metrics.storeError(this.kind);
      const recent = this.recentError();
      const vague =
        err instanceof StoreTimeoutError ||
        (err instanceof Error && /not connected|failed to connect|client is closed/i.test(err.message));
      throw storeFault(vague && recent ? recent : err, this.description, this.kind);
    }
  }

  get<T>(ns: Namespace, key: string): Promise<T | undefined> {
    return this.guard(async () => (await this.keyv.get(this.key(ns, key))) as T | undefined);
  }

  set<T>(ns: Namespace, key: string, value: T, ttlMs?: number): Promise<void> {
    return this.guard(async () => {
      const ok = await this.keyv.set(this.key(ns, key), value, ttlMs ?? defaultTtlMs(ns, key));
      if (ok === false)
        throw new ArxivDigestError(ErrorCode.StoreError, `store ${this.description} refused to write ${ns}:${key}`);
    });
  }

  delete(ns: Namespace, key: string): Promise<boolean> {
    return this.guard(() => this.keyv.delete(this.key(ns, key)));
  }

  async getMany<T>(ns: Namespace, keys: string[]): Promise<Array<T | undefined>> {
    if (keys.length === 0) return [];
    const values = (await this.guard(() => this.keyv.getMany(keys.map((k) => this.key(ns, k))))) as Array<
      T | undefined | null
    >;
    return values.map((v) => (v === null ? undefined : v));
  }

  async setMany<T>(ns: Namespace, entries: Array<{ key: string; value: T; ttlMs?: number }>): Promise<void> {
    if (entries.length === 0) return;
    return this.guard(() => this.writeMany(ns, entries));
  }

  private async writeMany<T>(ns: Namespace, entries: Array<{ key: string; value: T; ttlMs?: number }>): Promise<void> {
    if (this.bulkWrite) {
      const now = Date.now();
      const serialize = this.keyv.serialize ?? ((d: unknown) => JSON.stringify(d));
      const rows = await Promise.all(
        entries.map(async (e) => {
          const ttl = e.ttlMs ?? defaultTtlMs(ns, e.key);
          const expires = typeof ttl === 'number' && ttl > 0 ? now + ttl : undefined;
          const prefixed = `${KEYV_NAMESPACE}:${this.key(ns, e.key)}`;
          return { key: prefixed, value: await serialize({ value: e.value, expires }) };
        }),
      );
      // SQLite takes at most 32,766 parameters a statement: 1,000 rows (2,000 parameters) a statement is safe.
      for (let i = 0; i < rows.length; i += 1000) await this.bulkWrite(rows.slice(i, i + 1000));
      return;
    }
    const results = await this.keyv.setMany(
      entries.map((e) => ({ key: this.key(ns, e.key), value: e.value, ttl: e.ttlMs ?? defaultTtlMs(ns, e.key) })),
    );
    // keyv answers one boolean per entry, but not every adapter does: @keyv/redis's setMany resolves to nothing
    // (its MULTI throws on failure instead), so only an explicit `false` is a refusal.
    if (Array.isArray(results) && results.some((ok) => ok === false))
      throw new ArxivDigestError(ErrorCode.StoreError, `store ${this.description} refused to write ${ns} values`);
  }

  acquireLock(name: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.guard(() => this.locks.acquire(name, owner, ttlMs));
  }

  releaseLock(name: string, owner: string): Promise<void> {
    return this.guard(() => this.locks.release(name, owner));
  }

  lockHolder(name: string): Promise<LockHolding | undefined> {
    return this.guard(() => this.locks.holder(name));
  }

  takeOverLock(name: string, holder: string, owner: string, ttlMs: number): Promise<boolean> {
    // A lock freed meanwhile is simply taken.
    return this.guard(
      async () => (await this.locks.takeOver(name, holder, owner, ttlMs)) || this.locks.acquire(name, owner, ttlMs),
    );
  }

  /**
   * Each ping writes its own key (and removes it): two instances, or two /healthz requests, checking at once
   * must not read each other's stamp and report a healthy store as down.
   */
  async ping(): Promise<boolean> {
    try {
      // A health check answers within a second (/healthz): a store that takes longer counts as down.
      await this.check(this.deadlineMs ? PING_TIMEOUT_MS : undefined);
      return true;
    } catch {
      return false;
    }
  }

  /** A write, a read and a delete of a key of its own; throws the store's fault (used at open and by ping). */
  async check(deadlineMs = this.deadlineMs): Promise<void> {
    const key = `meta:ping:${randomUUID()}`;
    const stamp = String(Date.now());
    await this.guard(async () => {
      await this.keyv.set(key, stamp, 60_000);
      const back = await this.keyv.get(key);
      await this.keyv.delete(key);
      if (back !== stamp)
        throw new ArxivDigestError(
          ErrorCode.StoreError,
          `store ${this.description}: a value written could not be read back`,
        );
    }, deadlineMs);
  }

  async sweepExpired(): Promise<number> {
    return this.sweeper ? this.guard(() => this.sweeper?.(Date.now()) ?? Promise.resolve(0)) : 0;
  }

  async close(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.firstSweep) clearTimeout(this.firstSweep);
    // A store that went away must not hold the process open on its way out.
    await withDeadline(this.onClose(), 3_000).catch(() => undefined);
  }
}

/** In-process locks over a Map: for the memory store. */
function memoryLocks(now: () => number = () => Date.now()): LockBackend {
  const held = new Map<string, { owner: string; expires: number }>();
  return {
    async acquire(name, owner, ttlMs) {
      const cur = held.get(name);
      if (cur && cur.owner !== owner && cur.expires > now()) return false;
      held.set(name, { owner, expires: now() + ttlMs });
      return true;
    },
    async release(name, owner) {
      if (held.get(name)?.owner === owner) held.delete(name);
    },
    async holder(name) {
      const cur = held.get(name);
      return cur && cur.expires > now() ? { owner: cur.owner, expiresInMs: cur.expires - now() } : undefined;
    },
    async takeOver(name, holder, owner, ttlMs) {
      if (held.get(name)?.owner !== holder) return false;
      held.set(name, { owner, expires: now() + ttlMs });
      return true;
    },
  };
}

type SqlQuery = (sql: string, params: unknown[]) => Promise<unknown[]>;

/**
 * Locks as rows of a small table, taken with one atomic upsert: SQLite and PostgreSQL alike. `nowSql` is the
 * database's own clock in epoch milliseconds, so instances whose clocks disagree still agree on when a lock
 * expires (on SQLite, one file on one host, it is that host's clock either way).
 */
function sqlLocks(query: SqlQuery, placeholder: (i: number) => string, nowSql: string): LockBackend {
  let ready: Promise<unknown> | undefined;
  const create = () =>
    query(
      'CREATE TABLE IF NOT EXISTS arxiv_digest_locks (name VARCHAR(255) PRIMARY KEY, owner VARCHAR(255) NOT NULL, expires_at BIGINT NOT NULL)',
      [],
    );
  const init = () => {
    // Two instances creating the table at once can make PostgreSQL's CREATE TABLE IF NOT EXISTS fail with a
    // unique violation in its catalog; the table exists then, so one retry settles it (and a failure is not cached).
    ready ??= create()
      .catch(() => create())
      .catch((err: unknown) => {
        ready = undefined;
        throw err;
      });
    return ready;
  };
  const p = placeholder;
  return {
    async acquire(name, owner, ttlMs) {
      await init();
      const rows = await query(
        `INSERT INTO arxiv_digest_locks (name, owner, expires_at) VALUES (${p(1)}, ${p(2)}, ${nowSql} + ${p(3)})
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE arxiv_digest_locks.expires_at < ${nowSql} OR arxiv_digest_locks.owner = excluded.owner
         RETURNING owner`,
        [name, owner, Math.max(1, Math.round(ttlMs))],
      );
      return Array.isArray(rows) && rows.length > 0;
    },
    async release(name, owner) {
      await init();
      await query(`DELETE FROM arxiv_digest_locks WHERE name = ${p(1)} AND owner = ${p(2)}`, [name, owner]);
    },
    async holder(name) {
      await init();
      const rows = (await query(
        `SELECT owner, expires_at - ${nowSql} AS left_ms FROM arxiv_digest_locks WHERE name = ${p(1)} AND expires_at >= ${nowSql}`,
        [name],
      )) as Array<{ owner: string; left_ms: number | string }>;
      const row = Array.isArray(rows) ? rows[0] : undefined;
      return row ? { owner: row.owner, expiresInMs: Number(row.left_ms) } : undefined;
    },
    async takeOver(name, holder, owner, ttlMs) {
      await init();
      const rows = await query(
        `UPDATE arxiv_digest_locks SET owner = ${p(1)}, expires_at = ${nowSql} + ${p(2)}
         WHERE name = ${p(3)} AND owner = ${p(4)} RETURNING owner`,
        [owner, Math.max(1, Math.round(ttlMs)), name, holder],
      );
      return Array.isArray(rows) && rows.length > 0;
    },
  };
}

/**
 * pg's Pool emits 'error' when an idle connection dies (PostgreSQL restarted or went away) and, with no listener,
 * that error crashes the process. @keyv/postgres creates its pool without one, so every Pool gets a listener here:
 * the dead connection is dropped by the pool, and the next operation fails (or succeeds) through the store's guard.
 */
let poolsGuarded = false;
function guardPostgresPools(): void {
  if (poolsGuarded) return;
  poolsGuarded = true;
  const pg = require('pg') as { Pool: new (...args: never[]) => { on(event: 'error', fn: () => void): unknown } };
  const Base = pg.Pool;
  pg.Pool = class GuardedPool extends Base {
    constructor(...args: never[]) {
      super(...args);
      this.on('error', () => {});
    }
  };
}

function describe(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    // libpq also takes the password as a parameter (postgresql://host/db?password=…).
    for (const name of [...u.searchParams.keys()]) if (/pass/i.test(name)) u.searchParams.set(name, '***');
    return u.toString();
  } catch {
    return url;
  }
}

/**
 * Opens the store named by `url`: `sqlite://PATH` (relative to the working directory), `redis://…`/`rediss://…`,
 * `postgresql://…`/`postgres://…`, or `memory://` for tests.
 */
export async function openStore(
  url: string = DEFAULT_STORE_URL,
  options: { /** Where SQLite hints point (ARXIV_DIGEST_DATA_DIR). */ dataDir?: string } = {},
): Promise<Store> {
  checkStoreUrl(url, process.cwd());
  const store = await openBackend(url, options.dataDir);
  if (store.kind === 'memory') return store;
  // Opened is not usable: a store that is down, corrupt or read-only is found here, in one line, not mid-digest.
  try {
    await store.check();
  } catch (err) {
    await store.close();
    throw err;
  }
  // A SQLite file deleted under the running process is noticed and opened anew (./reopen.ts).
  const file = store.kind === 'sqlite' ? sqlitePath(url, process.cwd()) : ':memory:';
  if (file !== ':memory:')
    return reopeningSqlite(store, file, async () => {
      const fresh = await openBackend(url, options.dataDir);
      await fresh.check();
      return fresh;
    });
  return store;
}

/** Opens the backend named by the URL's scheme: one named step per kind of store. */
async function openBackend(url: string, dataDir?: string): Promise<KeyvStore> {
  const scheme = url.split(':')[0]?.toLowerCase();
  const description = describe(url);
  if (scheme === 'memory') return openMemory(description);
  if (scheme === 'sqlite') return openSqlite(url, description, dataDir);
  if (scheme === 'redis' || scheme === 'rediss') return openRedis(url, description);
  if (scheme === 'postgresql' || scheme === 'postgres') return openPostgres(url, description);
  throw new UserInputError(
    `STORE_URL "${description}" is not supported (expected sqlite://PATH, redis://HOST:PORT or postgresql://USER@HOST/DB)`,
  );
}

function openMemory(description: string): KeyvStore {
  const keyv = new Keyv({ throwOnErrors: true });
  return new KeyvStore('memory', description, keyv, memoryLocks(), async () => {});
}

/** The embedded default: our keyv adapter over node:sqlite (or the native sqlite3 where Node has none). */
async function openSqlite(url: string, description: string, dataDir?: string): Promise<KeyvStore> {
  const file = sqlitePath(url, process.cwd());
  if (file !== ':memory:') prepareSqliteDirectory(file, description, dataDir);
  const adapter = new KeyvSqliteStore(file, { busyTimeoutMs: 10_000 });
  // A failed read must throw, not read as "absent": a post record read as absent is a post sent twice.
  const keyv = new Keyv({ store: adapter, namespace: 'arxiv-digest', throwOnErrors: true });
  keyv.on('error', () => {});
  adapter.on('error', () => {});
  const query: SqlQuery = (sql, params) => adapter.query(sql, ...params);
  const sweep: Sweeper = async (now) => {
    const rows = await query(
      `DELETE FROM keyv WHERE key LIKE 'arxiv-digest:%'
       AND (CASE WHEN json_valid(value) THEN json_extract(value, '$.expires') END) < ? RETURNING key`,
      [now],
    );
    return Array.isArray(rows) ? rows.length : 0;
  };
  return new KeyvStore(
    'sqlite',
    description,
    keyv,
    sqlLocks(query, () => '?', "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"),
    () => adapter.disconnect(),
    sweep,
    undefined,
    // One multi-row upsert per batch: one transaction (and one journal sync) for the whole batch.
    (rows) => adapter.setMany(rows),
  );
}

async function openRedis(url: string, description: string): Promise<KeyvStore> {
  const { default: KeyvRedis } = await import('@keyv/redis');
  let connected = false;
  // The connect timeout goes to node-redis's socket: @keyv/redis's own connectionTimeout leaves a timer running
  // that holds the process open for its duration after close().
  // throwOnErrors on both: @keyv/redis and keyv otherwise turn a failed command into "no value" (a post record
  // read as absent is a post sent twice) and a failed write into success.
  const adapter = new KeyvRedis(
    {
      url,
      socket: {
        connectTimeout: 5000,
        // Before the first connection: three quick tries, then the open fails (naming STORE_URL) instead of
        // retrying forever with every command queued. Once connected, a lost connection is retried for as long
        // as it takes (`start` pauses its work and recovers when Redis is back), each operation bounded by
        // STORE_OP_TIMEOUT_MS.
        reconnectStrategy: (retries: number, cause: Error) =>
          !connected && retries >= 3 ? cause : Math.min(100 * 2 ** retries, 2000),
      },
    },
    { throwOnConnectError: true, throwOnErrors: true },
  );
  const keyv = new Keyv({ store: adapter, namespace: 'arxiv-digest', useKeyPrefix: false, throwOnErrors: true });
  keyv.on('error', () => {});
  let lastError: unknown;
  adapter.on('error', (err: unknown) => {
    lastError = err;
  });
  adapter.on('connect', () => {
    connected = true;
    lastError = undefined;
  });
  const locks = redisLocks(() => adapter.getClient() as Promise<unknown> as Promise<Evaluating>);
  return new KeyvStore(
    'redis',
    description,
    keyv,
    locks,
    // A client that is reconnecting would wait for Redis to come back before QUIT: it is destroyed instead.
    () => adapter.disconnect(!(adapter.client as { isReady?: boolean }).isReady),
    undefined,
    () => lastError,
  );
}

type Evaluating = { eval(script: string, o: { keys: string[]; arguments: string[] }): Promise<unknown> };

/** Locks as Redis keys with a PX expiry, each operation one Lua script (atomic on the server). */
function redisLocks(client: () => Promise<Evaluating>): LockBackend {
  const lockKey = (name: string) => `arxiv-digest:lock:${name}`;
  // Take-or-renew in one script: a GET followed by a PEXPIRE could extend a lock that expired in between and
  // was taken by another instance.
  const ACQUIRE = `local v = redis.call('get', KEYS[1])
if v == false then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if v == ARGV[1] then redis.call('pexpire', KEYS[1], ARGV[2]) return 1 end
return 0`;
  const TAKE_OVER = `if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end
return 0`;
  const HOLDER = `local v = redis.call('get', KEYS[1])
if v == false then return false end
return {v, redis.call('pttl', KEYS[1])}`;
  return {
    async holder(name) {
      const c = await client();
      const got = await c.eval(HOLDER, { keys: [lockKey(name)], arguments: [] });
      if (!Array.isArray(got) || got.length < 2) return undefined;
      return { owner: String(got[0]), expiresInMs: Math.max(0, Number(got[1])) };
    },
    async takeOver(name, holder, owner, ttlMs) {
      const c = await client();
      const took = await c.eval(TAKE_OVER, {
        keys: [lockKey(name)],
        arguments: [holder, owner, String(Math.max(1, Math.round(ttlMs)))],
      });
      return Number(took) === 1;
    },
    async acquire(name, owner, ttlMs) {
      const c = await client();
      const held = await c.eval(ACQUIRE, {
        keys: [lockKey(name)],
        arguments: [owner, String(Math.max(1, Math.round(ttlMs)))],
      });
      return Number(held) === 1;
    },
    async release(name, owner) {
      const c = await client();
      await c.eval(
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
        {
          keys: [lockKey(name)],
          arguments: [owner],
        },
      );
    },
  };
}

async function openPostgres(url: string, description: string): Promise<KeyvStore> {
  guardPostgresPools();
  const { default: KeyvPostgres } = await import('@keyv/postgres');
  const adapter = new KeyvPostgres({ uri: url });
  const keyv = new Keyv({ store: adapter, namespace: 'arxiv-digest', throwOnErrors: true });
  keyv.on('error', () => {});
  const query: SqlQuery = (sql, params) => adapter.query(sql, params);
  // keyv serialises `{"value":…,"expires":N}` with expires last: read it with a pattern, so a row that is not
  // keyv's JSON is left alone instead of failing the whole statement as a ::jsonb cast would.
  const sweep: Sweeper = async (now) => {
    const rows = await query(
      `DELETE FROM keyv WHERE key LIKE 'arxiv-digest:%'
       AND CAST(substring(value from '"expires":([0-9]+)[}]$') AS BIGINT) < $1 RETURNING key`,
      [now],
    );
    return Array.isArray(rows) ? rows.length : 0;
  };
  // @keyv/postgres keeps one connection pool per process and ends it on any disconnect(): count the stores
  // open on it so closing one store does not cut off the others.
  postgresStoresOpen++;
  let closed = false;
  return new KeyvStore(
    'postgres',
    description,
    keyv,
    sqlLocks(query, (i) => `$${i}`, 'CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)'),
    async () => {
      if (closed) return;
      closed = true;
      if (--postgresStoresOpen === 0) await adapter.disconnect();
    },
    sweep,
  );
}
