/**
 * The embedded SQLite store without a compiler: a keyv store adapter of our own over Node's built-in `node:sqlite`
 * (Node 22.13+), with the native `sqlite3` package only as a fallback for runtimes without it (an optional peer
 * dependency: `npm install sqlite3` on such a runtime). The table and the key format are @keyv/sqlite's — one table
 * `keyv (key VARCHAR(255) PRIMARY KEY, value TEXT)`, keys `NAMESPACE:KEY`, values keyv's JSON `{"value":…,
 * "expires":N}` — so a data file written by earlier versions (over @keyv/sqlite) is read as it is.
 *
 * Like @keyv/sqlite this adapter has no TTL of its own (`ttlSupport = false`): keyv writes the expiry into the value
 * and drops an expired row when it reads it; `has` reads the expiry too. The store's sweeper deletes the rest.
 */
import { EventEmitter } from 'node:events';

type Row = Record<string, unknown>;

/** One open SQLite database: the few calls the store and its locks need. */
export interface SqliteDriver {
  /** Which driver is underneath: the built-in one, or the native package. */
  readonly name: 'node:sqlite' | 'sqlite3';
  /** Runs one statement and resolves with its rows (statements with RETURNING included). */
  all(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

export interface SqliteOptions {
  /** How long a statement waits for another connection's write lock before it fails with SQLITE_BUSY. */
  busyTimeoutMs?: number;
  /** Tests: force a driver. */
  driver?: SqliteDriver['name'];
}

/** SQLite's primary result codes, by number, as the native driver names them (`err.code`): store/faults.ts reads them. */
const RESULT_CODES: Record<number, string> = {
  1: 'SQLITE_ERROR',
  3: 'SQLITE_PERM',
  5: 'SQLITE_BUSY',
  6: 'SQLITE_LOCKED',
  8: 'SQLITE_READONLY',
  10: 'SQLITE_IOERR',
  11: 'SQLITE_CORRUPT',
  13: 'SQLITE_FULL',
  14: 'SQLITE_CANTOPEN',
  26: 'SQLITE_NOTADB',
};

/** node:sqlite's errors carry `errcode` (a number) and code ERR_SQLITE_ERROR: give them the native driver's code. */
function withSqliteCode(err: unknown): unknown {
  if (err && typeof err === 'object' && typeof (err as { errcode?: unknown }).errcode === 'number') {
    const name = RESULT_CODES[(err as { errcode: number }).errcode & 0xff];
    if (name) Object.defineProperty(err, 'code', { value: name, configurable: true, writable: true });
  }
  return err;
}

interface NodeSqlite {
  DatabaseSync: new (
    file: string,
  ) => {
    exec(sql: string): void;
    prepare(sql: string): { all(...params: unknown[]): Row[] };
    close(): void;
  };
}

/**
 * `node:sqlite`, loaded once, or undefined where the runtime has none (Node 20, Node 22 before 22.13). On Node 22
 * loading it prints "ExperimentalWarning: SQLite is an experimental feature": that one warning (and no other) is
 * kept quiet, since the store's behaviour does not depend on the module's stability label.
 */
let builtin: NodeSqlite | null | undefined;
export function loadNodeSqlite(): NodeSqlite | undefined {
  if (builtin !== undefined) return builtin ?? undefined;
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    const kind = warning instanceof Error ? warning.name : type;
    if (kind === 'ExperimentalWarning' && /^SQLite is an experimental feature/.test(text)) return;
    return (emitWarning as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    builtin = require('node:sqlite') as NodeSqlite;
  } catch {
    builtin = null;
  } finally {
    process.emitWarning = emitWarning;
  }
  return builtin ?? undefined;
}

function openBuiltin(sqlite: NodeSqlite, file: string, busyTimeoutMs: number): SqliteDriver {
  let db: InstanceType<NodeSqlite['DatabaseSync']>;
  try {
    db = new sqlite.DatabaseSync(file);
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.round(busyTimeoutMs))}`);
  } catch (err) {
    throw withSqliteCode(err);
  }
  const statements = new Map<string, ReturnType<typeof db.prepare>>();
  return {
    name: 'node:sqlite',
    async all(sql, params = []) {
      try {
        let stmt = statements.get(sql);
        if (!stmt) {
          stmt = db.prepare(sql);
          // Only the store's own statements are cached (bulk writes vary in length): a bounded, small set.
          if (statements.size < 64) statements.set(sql, stmt);
        }
        return stmt.all(...params);
      } catch (err) {
        throw withSqliteCode(err);
      }
    },
    async close() {
      statements.clear();
      try {
        db.close();
      } catch {
        // Already closed.
      }
    },
  };
}

interface NativeDatabase {
  configure(option: 'busyTimeout', ms: number): void;
  all(sql: string, params: readonly unknown[], cb: (err: Error | null, rows: Row[]) => void): void;
  close(cb: (err: Error | null) => void): void;
}

async function openNative(file: string, busyTimeoutMs: number): Promise<SqliteDriver> {
  let native: { Database: new (file: string, cb: (err: Error | null) => void) => NativeDatabase };
  try {
    // An optional peer dependency: present only where an operator installed it.
    native = require('sqlite3');
  } catch (err) {
    throw Object.assign(err as Error, {
      message: `this Node (${process.version}) has no node:sqlite and the sqlite3 package is not installed: use Node 22.13 or newer, or run \`npm install sqlite3\``,
    });
  }
  const db = await new Promise<NativeDatabase>((resolve, reject) => {
    const opened: NativeDatabase = new native.Database(file, (err) => (err ? reject(err) : resolve(opened)));
  });
  db.configure('busyTimeout', busyTimeoutMs);
  return {
    name: 'sqlite3',
    all: (sql, params = []) =>
      new Promise((resolve, reject) => db.all(sql, params, (err, rows) => (err ? reject(err) : resolve(rows)))),
    close: () => new Promise((resolve) => db.close(() => resolve())),
  };
}

/** Opens `file` (created if absent) with `node:sqlite` where the runtime has it, else with the native sqlite3. */
export async function openSqliteDriver(file: string, options: SqliteOptions = {}): Promise<SqliteDriver> {
  const busy = options.busyTimeoutMs ?? 10_000;
  const sqlite = options.driver === 'sqlite3' ? undefined : loadNodeSqlite();
  if (sqlite) return openBuiltin(sqlite, file, busy);
  return openNative(file, busy);
}

/** SQLite's limit is 32,766 parameters a statement: 500 rows of two is far inside it. */
const ROWS_PER_STATEMENT = 500;

/** keyv's serialized value carries `"expires":N` last; a value without it never expires. */
function expired(raw: unknown, now: number): boolean {
  if (typeof raw !== 'string') return false;
  const m = /"expires":(\d+)\}$/.exec(raw);
  return m ? Number(m[1]) < now : false;
}

/**
 * keyv's store adapter over one SQLite file: get/set/delete/clear/has, getMany/setMany/deleteMany, namespaces
 * (keyv sets `namespace`; `clear` only deletes its own rows). `query` is for the store's locks and sweeper.
 */
export class KeyvSqliteStore extends EventEmitter {
  readonly ttlSupport = false;
  readonly opts: { table: string; dialect: 'sqlite' };
  namespace?: string;
  private readonly table = 'keyv';
  private readonly ready: Promise<SqliteDriver>;

  constructor(file: string, options: SqliteOptions = {}) {
    super();
    this.opts = { table: this.table, dialect: 'sqlite' };
    this.ready = openSqliteDriver(file, options).then(async (db) => {
      await db.all(`CREATE TABLE IF NOT EXISTS ${this.table}(key VARCHAR(255) PRIMARY KEY, value TEXT )`);
      return db;
    });
    // Failures reach the caller through each operation; this keeps the first one from being an unhandled rejection.
    this.ready.catch((err: unknown) => this.emit('error', err));
  }

  /** Which driver the file was opened with. */
  async driver(): Promise<SqliteDriver['name']> {
    return (await this.ready).name;
  }

  async query(sql: string, ...params: unknown[]): Promise<Row[]> {
    return (await this.ready).all(sql, params);
  }

  async get(key: string): Promise<string | undefined> {
    const rows = await this.query(`SELECT value FROM ${this.table} WHERE key = ?`, key);
    return rows[0]?.value as string | undefined;
  }

  async getMany(keys: string[]): Promise<Array<string | undefined>> {
    const rows = await this.query(
      `SELECT key, value FROM ${this.table} WHERE key IN (SELECT value FROM json_each(?))`,
      JSON.stringify(keys),
    );
    const byKey = new Map(rows.map((r) => [r.key as string, r.value as string]));
    return keys.map((k) => byKey.get(k));
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.setMany([{ key, value }]);
  }

  async setMany(entries: Array<{ key: string; value: unknown }>): Promise<void> {
    for (let i = 0; i < entries.length; i += ROWS_PER_STATEMENT) {
      const batch = entries.slice(i, i + ROWS_PER_STATEMENT);
      // One multi-row upsert is one statement, hence one transaction (and one journal sync) for the whole batch.
      await this.query(
        `INSERT INTO ${this.table} (key, value) VALUES ${batch.map(() => '(?, ?)').join(', ')}
         ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
        ...batch.flatMap((e) => [e.key, e.value]),
      );
    }
  }

  async delete(key: string): Promise<boolean> {
    const rows = await this.query(`DELETE FROM ${this.table} WHERE key = ? RETURNING key`, key);
    return rows.length > 0;
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    const rows = await this.query(
      `DELETE FROM ${this.table} WHERE key IN (SELECT value FROM json_each(?)) RETURNING key`,
      JSON.stringify(keys),
    );
    return rows.length > 0;
  }

  async has(key: string): Promise<boolean> {
    const raw = await this.get(key);
    return raw !== undefined && !expired(raw, Date.now());
  }

  async clear(): Promise<void> {
    // Only this namespace's rows (keyv's namespace is the key's first segment); every row without one.
    await this.query(`DELETE FROM ${this.table} WHERE key LIKE ?`, this.namespace ? `${this.namespace}:%` : '%');
  }

  async disconnect(): Promise<void> {
    const db = await this.ready.catch(() => undefined);
    await db?.close();
  }
}
