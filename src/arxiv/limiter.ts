/**
 * arXiv's spacing shared by every instance of a deployment (API 3 s apart, arxiv.org pages and feeds 1 s), handing
 * out turns in the order they are asked for, without polling: each request reserves the next free start time in
 * one atomic step (a Lua script on Redis, one upsert on PostgreSQL, both on the server's clock) and sleeps until
 * it. In one process (SQLite, memory) the HTTP client's own spacing is the limiter.
 */
import IORedis from 'ioredis';
import pg from 'pg';
import type { Clock } from '../context';

export interface TurnLimiter {
  /**
   * Reserves the next turn of `name` (turns at least `intervalMs` apart on the server's clock, in the order asked);
   * resolves with its start (epoch ms).
   */
  reserve(name: string, intervalMs: number): Promise<number>;
  close(): Promise<void>;
}

const RESERVE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = math.max(now + tonumber(ARGV[2]), nextFree)
redis.call('SET', KEYS[1], tostring(at + tonumber(ARGV[1])), 'PX', tonumber(ARGV[1]) + 60000)
return at
`;

/**
 * How long until a turn that starts at `at` (epoch ms on the server's clock): waited out on this machine's clock,
 * so how long the answer took to arrive does not shift the turn (instances' clocks agree to NTP's few ms).
 */
export function untilTurn(at: number): number {
  return Math.max(0, at - Date.now());
}

/**
 * A turn starts at least this far ahead of the server's now, so that it is still ahead when the answer arrives:
 * a turn that started late by the answer's trip would leave less than the interval before the next one.
 */
const LEAD_MS = 50;
/**
 * Turns are this much more than the interval apart (5 %: 150 ms of arXiv's 3 s): a turn whose sleeper wakes late
 * (a busy event loop, a loaded machine) still leaves the interval before the next one, which may wake on time.
 */
const padded = (intervalMs: number) => intervalMs + Math.max(25, Math.round(intervalMs * 0.05));

/** Connections close after this long unused, so a one-shot command exits without closing the limiter. */
const IDLE_MS = 2_000;

export function createRedisLimiter(url: string): TurnLimiter {
  let redis: IORedis | undefined;
  let idle: NodeJS.Timeout | undefined;
  const connection = () => {
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => {
      redis?.disconnect();
      redis = undefined;
    }, IDLE_MS);
    idle.unref();
    if (!redis) {
      redis = new IORedis(url, { maxRetriesPerRequest: 3 });
      redis.on('error', () => {});
    }
    return redis;
  };
  return {
    async reserve(name, interval) {
      const intervalMs = padded(interval);
      const at = Number(
        await connection().eval(RESERVE_LUA, 1, `arxiv-digest:turns:${name}`, String(intervalMs), String(LEAD_MS)),
      );
      return at;
    },
    async close() {
      if (idle) clearTimeout(idle);
      redis?.disconnect();
      redis = undefined;
    },
  };
}

export function createPostgresLimiter(url: string): TurnLimiter {
  const pool = new pg.Pool({ connectionString: url, max: 2, idleTimeoutMillis: IDLE_MS, allowExitOnIdle: true });
  pool.on('error', () => {});
  let ready: Promise<unknown> | undefined;
  return {
    async reserve(name, interval) {
      const intervalMs = padded(interval);
      // Instances creating the table at once may collide: the loser asks again at its next turn.
      ready ??= pool
        .query('CREATE TABLE IF NOT EXISTS arxiv_digest_turns (name text PRIMARY KEY, next_free timestamptz NOT NULL)')
        .catch(async () => {
          await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
          await pool.query(
            'CREATE TABLE IF NOT EXISTS arxiv_digest_turns (name text PRIMARY KEY, next_free timestamptz NOT NULL)',
          );
        });
      await ready.catch((err) => {
        ready = undefined;
        throw err;
      });
      // The row's lock orders concurrent reservations; each moves next_free one interval on.
      const { rows } = await pool.query<{ at: string }>(
        `INSERT INTO arxiv_digest_turns AS t (name, next_free)
           VALUES ($1, clock_timestamp() + ($2::float8 + $3::float8) * interval '1 millisecond')
         ON CONFLICT (name) DO UPDATE
           SET next_free = greatest(t.next_free, clock_timestamp() + $3::float8 * interval '1 millisecond')
             + $2 * interval '1 millisecond'
         RETURNING extract(epoch FROM t.next_free) * 1000 - $2::float8 AS at`,
        [name, intervalMs, LEAD_MS],
      );
      return Number(rows[0]?.at ?? 0);
    },
    async close() {
      await pool.end().catch(() => {});
    },
  };
}

/** The limiter for STORE_URL: shared on Redis and PostgreSQL, none (the client's own spacing) otherwise. */
export function openLimiter(storeUrl: string | undefined): TurnLimiter | undefined {
  if (storeUrl && /^rediss?:\/\//i.test(storeUrl)) return createRedisLimiter(storeUrl);
  if (storeUrl && /^postgres(ql)?:\/\//i.test(storeUrl)) return createPostgresLimiter(storeUrl);
  return undefined;
}

/** A gate for HttpClient: waits for this request's turn. */
export function turnGate(limiter: TurnLimiter, name: string, intervalMs: number, clock: Clock): () => Promise<void> {
  return async () => {
    const wait = untilTurn(await limiter.reserve(name, intervalMs));
    if (wait > 0) await clock.sleep(wait);
  };
}
