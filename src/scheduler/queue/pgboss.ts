/**
 * The queue on PostgreSQL: pg-boss (its own schema in the bot's database). pg-boss fetches with SKIP LOCKED, so any
 * free worker of any instance takes the next job, and retries a failed job with exponential back-off. pg-boss 10
 * knows a dead worker only by a job's expiry, which must outlast the longest live run, so each running job also
 * beats in a small table of ours: a job whose beat is older than `stallMs` (its worker died or froze) is failed by
 * any instance's sweep and so retried at once by another worker. Finished jobs are announced with NOTIFY, so
 * `finished()` waits without polling.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import PgBoss from 'pg-boss';
import {
  DEFAULT_ATTEMPTS,
  DEFAULT_KEEP_MS,
  DEFAULT_STALL_MS,
  type JobHandler,
  type JobQueue,
  type QueueOptions,
} from './types';

const SCHEMA = 'arxiv_digest_queue';
const CHANNEL = 'arxiv_digest_job_done';
/** Longer than any live run (a digest with many LLM calls); a dead worker is found by its beat, not by this. */
const EXPIRE_SECONDS = 3 * 3600;

/** pg-boss ids are UUIDs: the job's id hashed into one (stable, so the same firing has the same row). */
export function uuidOf(id: string): string {
  const h = createHash('sha1').update(id).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Finished jobs announced with NOTIFY (their result in the payload), and the waiters for them. */
function doneChannel<R>(postgresUrl: string, pool: pg.Pool) {
  const waiters = new Map<string, Array<(value: R | undefined) => void>>();
  let listener: pg.Client | undefined;
  let listening: Promise<void> | undefined;
  const startListening = async () => {
    listener = new pg.Client({ connectionString: postgresUrl });
    listener.on('error', () => {});
    await listener.connect();
    listener.on('notification', (n) => {
      const msg = JSON.parse(n.payload ?? '{}') as { id?: string; result?: R; failed?: boolean };
      if (!msg.id) return;
      for (const resolve of waiters.get(msg.id) ?? []) resolve(msg.failed ? undefined : msg.result);
      waiters.delete(msg.id);
    });
    await listener.query(`LISTEN ${CHANNEL}`);
  };
  return {
    listen: () => {
      listening ??= startListening();
      return listening;
    },
    /** A promise of the job's announcement (register before checking its row, so none is missed). */
    wait: (uuid: string) =>
      new Promise<R | undefined>((resolve) => {
        waiters.set(uuid, [...(waiters.get(uuid) ?? []), resolve]);
      }),
    announce: async (id: string, body: { result?: R; failed?: boolean }) => {
      await pool.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ id, ...body })]).catch(() => {});
    },
    close: async () => {
      await listener?.end().catch(() => {});
    },
  };
}

/** Each running job's beat, and the sweep that fails (so retries) the running jobs whose beat stopped. */
function beating(pool: pg.Pool, boss: PgBoss, name: string, stallMs: number) {
  const timers = new Set<NodeJS.Timeout>();
  let sweepTimer: NodeJS.Timeout | undefined;
  const beat = (id: string) =>
    pool.query(`INSERT INTO ${SCHEMA}.beat (id, at) VALUES ($1, now()) ON CONFLICT (id) DO UPDATE SET at = now()`, [
      id,
    ]);
  const sweep = async () => {
    const { rows } = await pool.query<{ id: string }>(
      `SELECT j.id FROM ${SCHEMA}.job j LEFT JOIN ${SCHEMA}.beat b ON b.id = j.id
       WHERE j.name = $1 AND j.state = 'active' AND coalesce(b.at, j.started_on) < now() - make_interval(secs => $2)`,
      [name, stallMs / 1000],
    );
    for (const r of rows) await boss.fail(name, r.id, { message: 'its worker stopped beating: taken again' });
    if (rows.length) await pool.query(`DELETE FROM ${SCHEMA}.beat WHERE id = ANY($1::uuid[])`, [rows.map((r) => r.id)]);
  };
  return {
    async run<X>(id: string, fn: () => Promise<X>): Promise<X> {
      await beat(id);
      const timer = setInterval(() => beat(id).catch(() => {}), Math.max(200, stallMs / 3));
      timer.unref();
      timers.add(timer);
      try {
        return await fn();
      } finally {
        clearInterval(timer);
        timers.delete(timer);
        await pool.query(`DELETE FROM ${SCHEMA}.beat WHERE id = $1`, [id]).catch(() => {});
      }
    },
    startSweep() {
      sweepTimer = setInterval(() => sweep().catch(() => {}), Math.max(250, stallMs / 2));
      sweepTimer.unref();
    },
    stopSweep: () => sweepTimer && clearInterval(sweepTimer),
    stop: () => {
      for (const t of timers) clearInterval(t);
    },
  };
}

/** `fn`, tried up to `times` times, a moment apart. */
export async function retried<X>(fn: () => Promise<X>, times: number): Promise<X> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= times) throw err;
      await new Promise((r) => setTimeout(r, 200 * attempt + Math.random() * 200));
    }
  }
}

export function createPgBossQueue<T, R>(postgresUrl: string, options: QueueOptions): JobQueue<T, R> {
  const stallMs = options.stallMs ?? DEFAULT_STALL_MS;
  const name = options.name.replace(/[^A-Za-z0-9_.-]/g, '_');
  const keepSeconds = Math.ceil((options.keepMs ?? DEFAULT_KEEP_MS) / 1000);
  const boss = new PgBoss({
    connectionString: postgresUrl,
    schema: SCHEMA,
    max: 4,
    archiveCompletedAfterSeconds: keepSeconds,
  });
  boss.on('error', () => {});
  const pool = new pg.Pool({ connectionString: postgresUrl, max: 2 });
  pool.on('error', () => {});
  const done = doneChannel<R>(postgresUrl, pool);
  const beats = beating(pool, boss, name, stallMs);
  let started: Promise<void> | undefined;
  const setUp = async () => {
    await boss.start();
    await boss.createQueue(name, {
      name,
      retryLimit: (options.attempts ?? DEFAULT_ATTEMPTS) + 3,
      retryDelay: Math.max(1, Math.round((options.backoffMs ?? 2_000) / 1000)),
      retryBackoff: true,
      expireInSeconds: EXPIRE_SECONDS,
    });
    await pool.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.beat (id uuid PRIMARY KEY, at timestamptz NOT NULL)`);
  };
  const ready = () => {
    // Instances starting at once on a fresh database race to create the schema (a deadlock, a duplicate): again.
    started ??= retried(setUp, 4).catch((err) => {
      started = undefined;
      throw err;
    });
    return started;
  };
  // Completed here, before the announcement (pg-boss's own completion after the handler is then a no-op), so a
  // waiter sees either the completed row or the notification.
  const runJob = (handler: JobHandler<T, R>, job: PgBoss.Job<{ id: string; data: T }>) =>
    beats.run(job.id, async () => {
      const result = await handler({ id: job.data.id, data: job.data.data });
      await boss.complete(name, job.id, { result });
      await done.announce(job.id, { result });
      return result;
    });
  return {
    engine: 'pg-boss',
    async enqueue(job) {
      await ready();
      return (await boss.send(name, { id: job.id, data: job.data } as object, { id: uuidOf(job.id) })) !== null;
    },
    async finished(id) {
      await ready();
      await done.listen();
      const uuid = uuidOf(id);
      const waiting = done.wait(uuid);
      const job = await boss.getJobById<unknown>(name, uuid, { includeArchive: true });
      if (!job) return undefined;
      if (job.state === 'completed') return (job.output as { result?: R } | undefined)?.result;
      if (job.state === 'failed' || job.state === 'cancelled') return undefined;
      return waiting;
    },
    async process(handler, workers) {
      await ready();
      for (let i = 0; i < Math.max(1, workers); i++) {
        await boss.work<{ id: string; data: T }>(name, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) =>
          job ? runJob(handler, job) : undefined,
        );
      }
      beats.startSweep();
    },
    async close() {
      beats.stopSweep();
      if (started) await boss.stop({ graceful: true, wait: true, timeout: 30_000 }).catch(() => {});
      beats.stop();
      await done.close();
      await pool.end().catch(() => {});
    },
  };
}
