/**
 * The bot's scheduler: a timer per digest in its time zone, plus a one-minute sweep (votes to close, failed runs to
 * retry, follow-up work such as summaries missing after a model outage). Every timer only calls `tick()`, which asks
 * the pure `dueWork` what is due and enqueues it on the job queue (BullMQ, pg-boss or in-process, by STORE_URL),
 * each job under an id naming the work (a digest's firing: the digest and its day), so a firing enqueued by every
 * instance runs once. Any free worker of any instance takes the next job (`workers` per instance); a job whose
 * worker died or froze is taken again by the queue. The catch-up after downtime is the same enqueue.
 */
import { randomUUID } from 'node:crypto';
import type { Assembly } from '../jobs/assembly';
import { localDate } from '../app/time';
import { runInScope } from '../app/scope';
import { ArxivDigestError, ErrorCode, oneLine } from '../app/errors';
import { type CronTimer, cronTimer } from '../app/cron';
import { LOCK_TTL_MS } from '../store/lock';
import { STORE_RECHECK_MS } from '../store/faults';
import { type SchedulerState, type Work, dueWork } from './due';
import { type JobQueue, createMemoryQueue, defaultWorkers, jobId } from './queue';
import { type RunFn, type WorkContext, type WorkOutcome, defaultRun, dropStale, loadState, runWork } from './work';

export { loadState } from './work';
export type { RunFn, WorkOutcome } from './work';

export type SchedulerQueue = JobQueue<Work, WorkOutcome>;

/** Periodic follow-up work run by the per-minute sweep (e.g. filling in summaries missing after a model outage). */
export type FollowUp = (app: Assembly) => Promise<unknown>;

export interface SchedulerOptions {
  /** The digest job (default: runDigest): injectable so tests drive the schedule without the pipeline. */
  run?: RunFn;
  /** This instance's id in leases and logs (default: drawn at start, random). */
  instanceId?: string;
  /** How long a lease holds without renewal (default 15 s); renewed every quarter of it while the work runs. */
  lockTtlMs?: number;
  /** The job queue (default: in-process; the composition root opens the one STORE_URL names). */
  queue?: SchedulerQueue;
  /** Jobs this instance runs at once (default: by the machine, src/scheduler/queue/index.ts). */
  workers?: number;
  /** Work the per-minute sweep also runs, once per minute per instance (each guards itself across instances). */
  followUps?: FollowUp[];
}

export interface Scheduler {
  /** Enqueues what is due now (catch-up included) and resolves with what its jobs did. Concurrent calls share one. */
  tick(): Promise<WorkOutcome[]>;
  /** Starts the timers (per digest, in its time zone, and the sweep) and this instance's workers. */
  start(): void;
  /** Stops the timers and waits for the work in flight to finish. */
  stop(): Promise<void>;
  /**
   * Tells the work in flight to stop at its next safe point (before sending a message, after the previous one was
   * recorded): a second SIGTERM. The run resumes on the next start. Call stop() after it.
   */
  stopNow(): void;
  /** The per-minute sweep, now: the store check, what is due, and the follow-up work. */
  sweep(): Promise<void>;
  /** False when a job in flight has been going for longer than it is expected to (a call that never returns). */
  healthy(): boolean;
  /** What runs now, and whether it is past its expected time: for /healthz. */
  status(): { ok: boolean; detail?: string };
  /** The live timers (name, expression, zone, next firing). */
  timers(): readonly CronTimer[];
  readonly instanceId: string;
}

/** How often a job whose digest's lease is held elsewhere tries again, while it waits for the lease to expire. */
const BUSY_RETRY_MS = 2_000;

/** Longer than any digest run takes (a build with many LLM calls, rate limits waited out). */
export const STUCK_AFTER_MS = 2 * 3_600_000;
/** Longer than closing a vote takes (reading reactions, the winners' deep-dives). */
export const TALLY_STUCK_AFTER_MS = 3_600_000;

/** The queue id of a piece of work: the same work due again (same firing, same attempt) has the same id. */
export function workId(work: Work, state: SchedulerState, timezoneOf: (digest: string) => string): string {
  if (work.kind === 'digest') {
    const s = state.digests[work.digest];
    const attempt = s?.failure?.slot === work.slot ? s.failure.count : 0;
    return jobId('digest', work.digest, localDate(work.slot, timezoneOf(work.digest)), work.slot, attempt);
  }
  if (work.kind === 'tally') {
    const attempt = state.tallyFailures?.[`${work.digest}:${work.date}`]?.count ?? 0;
    return jobId('tally', work.digest, work.date, attempt);
  }
  return jobId('resume', work.run.kind, work.run.name, work.run.date, work.run.startedAt, work.run.failures);
}

function labelOf(work: Work): string {
  if (work.kind === 'resume') return `${work.run.kind} ${work.run.name} ${work.run.date} (resumed)`;
  if (work.kind === 'tally') return `tally ${work.digest} ${work.date}`;
  return `digest ${work.digest} (firing ${new Date(work.slot).toISOString()})`;
}

interface InFlight {
  label: string;
  since: number;
  expectedMs: number;
}

/** The scheduler's state: what its functions below work over. */
interface SchedulerCore {
  app: Assembly;
  wc: WorkContext;
  queue: SchedulerQueue;
  workers: number;
  followUps: FollowUp[];
  timers: CronTimer[];
  /** The jobs this instance runs now (for /healthz). */
  running: Set<InFlight>;
  /** Aborted by stopNow(): every lease check of the work in flight then stops it (src/app/scope.ts). */
  halt: AbortController;
  processing?: Promise<void>;
  inFlight?: Promise<WorkOutcome[]>;
  again: boolean;
  stopping: boolean;
  /** The store did not answer at the last tick. */
  paused: boolean;
  /** While paused: the timer asking the store again every STORE_RECHECK_MS. */
  recheck?: NodeJS.Timeout;
}

function runOnce(core: SchedulerCore, work: Work): Promise<WorkOutcome> {
  return runInScope({ instance: core.wc.instanceId, signal: core.halt.signal }, () => runWork(core.wc, work));
}

/** One job of the queue: its work, tried again while another worker holds the digest's lease. */
async function handleJob(core: SchedulerCore, job: { id: string; data: Work }): Promise<WorkOutcome> {
  const work = job.data;
  const isTally = work.kind === 'tally' || (work.kind === 'resume' && work.run.kind === 'tally');
  const entry = {
    label: labelOf(work),
    since: core.app.ctx.clock.now(),
    expectedMs: isTally ? TALLY_STUCK_AFTER_MS : STUCK_AFTER_MS,
  };
  core.running.add(entry);
  try {
    let outcome = await runOnce(core, work);
    // In one process busy and stopped are outcomes: a tick enqueues again what is still due, the next minute's,
    // or, for a lease held elsewhere (another process on the SQLite file, a killed one's), one 2 s later.
    if (core.queue.engine === 'in-process') {
      if (outcome.status === 'busy' && core.timers.length && !core.stopping)
        setTimeout(() => void timerTick(core, false), BUSY_RETRY_MS).unref();
      return outcome;
    }
    // Another worker holds the lease (a dead or frozen one whose lease has not expired yet, or the same work
    // taken twice): tried again every 2 s for as long as a lease lives, then handed back to the queue's back-off.
    for (let waited = 0; outcome.status === 'busy' && !core.stopping && waited < 2 * core.wc.lockTtlMs; ) {
      await new Promise((r) => setTimeout(r, BUSY_RETRY_MS).unref());
      waited += BUSY_RETRY_MS;
      outcome = await runOnce(core, work);
    }
    if (outcome.status === 'busy' && !core.stopping)
      throw new ArxivDigestError(ErrorCode.LockBusy, `${entry.label}: another worker holds its lease; retried`);
    // Told to stop at once (a second SIGTERM): the job goes back to the queue, for another instance or the restart
    // (its id is taken: enqueuing the same firing again would not run it).
    if (outcome.status === 'stopped')
      throw new ArxivDigestError(ErrorCode.StopRequested, `${entry.label}: stopped at a safe point; taken again`);
    return outcome;
  } finally {
    core.running.delete(entry);
  }
}

function ensureWorkers(core: SchedulerCore): Promise<void> {
  core.processing ??= core.queue.process((job) => handleJob(core, job), core.workers);
  return core.processing;
}

/** Enqueues what is due (each under its work's id) and waits for the jobs this call added. */
async function enqueueDue(core: SchedulerCore): Promise<{ outcomes: WorkOutcome[]; failedForGood: boolean }> {
  const { ctx } = core.app;
  await ensureWorkers(core);
  const state = await loadState(ctx.store, ctx.config.digests);
  await dropStale(core.wc, state);
  const zones = new Map(ctx.config.digests.map((d) => [d.name, d.timezone] as const));
  const added: string[] = [];
  for (const work of dueWork(ctx.config, ctx.clock.now(), state)) {
    if (core.stopping || core.halt.signal.aborted) break;
    const id = workId(work, state, (d) => zones.get(d) ?? 'UTC');
    if (await core.queue.enqueue({ id, data: work })) added.push(id);
  }
  const outcomes = await Promise.all(added.map((id) => core.queue.finished(id)));
  // A job that failed for good (its handler threw: a store gone mid-run cannot even record the failure) counts as
  // a failed run for the tick's store check.
  return {
    outcomes: outcomes.filter((o): o is WorkOutcome => o !== undefined),
    failedForGood: outcomes.some((o) => o === undefined),
  };
}

function tick(core: SchedulerCore): Promise<WorkOutcome[]> {
  if (core.inFlight) {
    // A tick during a tick: run once more after it, so a firing that came meanwhile is not lost.
    core.again = true;
    return core.inFlight;
  }
  const ticking = (async () => {
    const all: WorkOutcome[] = [];
    let failedForGood = false;
    try {
      do {
        core.again = false;
        const due = await enqueueDue(core);
        all.push(...due.outcomes);
        failedForGood ||= due.failedForGood;
      } while (core.again && !core.stopping);
    } catch (err) {
      await pauseIfStoreGone(core);
      throw err;
    }
    // A run that failed because the store went away: paused now (and rechecked), not at the next sweep.
    if (failedForGood || all.some((o) => o.status === 'failed')) await pauseIfStoreGone(core);
    return all;
  })().finally(() => {
    core.inFlight = undefined;
  });
  core.inFlight = ticking;
  return ticking;
}

function statusOf(core: SchedulerCore): { ok: boolean; detail?: string } {
  const now = core.app.ctx.clock.now();
  const jobs = [...core.running].map((r) => ({ ...r, ranMs: now - r.since }));
  if (!jobs.length) return { ok: true };
  const stuck = jobs.find((j) => j.ranMs >= j.expectedMs);
  const minutes = (ms: number) => Math.floor(ms / 60_000);
  if (stuck)
    return {
      ok: false,
      detail: `${stuck.label} has been running for ${minutes(stuck.ranMs)} min, past its expected ${stuck.expectedMs / 60_000} min: stuck (restart the bot; the run resumes)`,
    };
  return { ok: true, detail: jobs.map((j) => `running ${j.label} for ${minutes(j.ranMs)} min`).join('; ') };
}

/**
 * What a timer calls. A store that is down pauses the scheduled work (nothing can be recorded, so nothing is
 * started) and /healthz says 503; while paused the store is asked again every STORE_RECHECK_MS, so the work resumes
 * (catch-up included) within seconds of its return, not at the next minute's sweep nor after a failed run's
 * back-off. The sweep also runs the follow-up work.
 */
async function timerTick(core: SchedulerCore, sweep: boolean): Promise<void> {
  const { ctx } = core.app;
  try {
    if (!(await ctx.store.ping())) return pause(core);
    if (core.paused) ctx.log.info({ store: ctx.store.description }, 'the store answers again: scheduled work resumed');
    core.paused = false;
    clearInterval(core.recheck);
    core.recheck = undefined;
    const follow = async () => {
      for (const f of sweep ? core.followUps : [])
        await f(core.app).catch((err) => ctx.log.error({ err: oneLine(err) }, 'follow-up work failed'));
    };
    await Promise.all([tick(core), follow()]);
  } catch (err) {
    ctx.log.error({ err: oneLine(err) }, 'scheduler tick failed');
  }
}

async function pauseIfStoreGone(core: SchedulerCore): Promise<void> {
  if (!core.stopping && !(await core.app.ctx.store.ping())) pause(core);
}

function pause(core: SchedulerCore): void {
  const { ctx } = core.app;
  if (!core.paused)
    ctx.log.error(
      { store: ctx.store.description },
      'the store (STORE_URL) does not answer: scheduled work paused until it is back',
    );
  core.paused = true;
  if (!core.recheck && !core.stopping) {
    core.recheck = setInterval(() => void timerTick(core, false), STORE_RECHECK_MS);
    core.recheck.unref();
  }
}

/** The timers: one per digest in its time zone, and the sweep every minute; then this instance's workers. */
function start(core: SchedulerCore): void {
  const { ctx } = core.app;
  const timerLog = ctx.log.child({ component: 'cron' });
  const onError = (err: unknown) => timerLog.error({ err: oneLine(err) }, 'timer failed');
  for (const d of ctx.config.digests) {
    const fn = () => timerTick(core, false);
    core.timers.push(
      cronTimer({ name: `digest:${d.name}`, expression: d.schedule, timezone: d.timezone, fn, onError }),
    );
  }
  // Closes votes at their time, retries failed runs, runs the follow-ups; cheap (a few store reads a minute).
  core.timers.push(cronTimer({ name: 'sweep', expression: '* * * * *', fn: () => timerTick(core, true), onError }));
  ensureWorkers(core).catch((err) => ctx.log.error({ err: oneLine(err) }, 'the job queue did not start'));
  const digests = ctx.config.digests.map((d) => `${d.name} ${d.schedule} ${d.timezone}`);
  const { engine } = core.queue;
  ctx.log.info({ digests, queue: engine, workers: core.workers, instanceId: core.wc.instanceId }, 'scheduler started');
}

export function createScheduler(app: Assembly, options: SchedulerOptions = {}): Scheduler {
  const instanceId = options.instanceId ?? `i-${randomUUID()}`;
  const core: SchedulerCore = {
    app,
    wc: { app, run: options.run ?? defaultRun, instanceId, lockTtlMs: options.lockTtlMs ?? LOCK_TTL_MS },
    queue: options.queue ?? createMemoryQueue({ name: 'scheduler' }),
    workers: options.workers ?? defaultWorkers(),
    followUps: options.followUps ?? [],
    timers: [],
    running: new Set(),
    halt: new AbortController(),
    again: false,
    stopping: false,
    paused: false,
  };
  // The scheduler's firings and the runs they start share each category set's feed of the day (src/arxiv/client.ts).
  app.services.arxiv.shareFeedsPerAnnouncement?.();
  return {
    instanceId,
    tick: () => tick(core),
    sweep: () => timerTick(core, true),
    healthy: () => statusOf(core).ok,
    status: () => statusOf(core),
    timers: () => core.timers,
    stopNow() {
      core.stopping = true;
      core.halt.abort();
    },
    start: () => start(core),
    async stop() {
      core.stopping = true;
      clearInterval(core.recheck);
      for (const timer of core.timers.splice(0)) timer.stop();
      // The jobs running finish; those not started stay queued (for another instance, or the next start's catch-up).
      await core.queue.close();
    },
  };
}
