/**
 * The bot's scheduler: one node-cron task per digest in its time zone, plus a one-minute sweep that closes votes
 * and retries failed runs. Every task only calls `tick()`, which asks the pure `dueWork` what is due and runs it,
 * each item under a store lock with expiry, so with several instances on one Redis or PostgreSQL only one posts a
 * digest or a tally, and an instance that died mid-run lets another take over once its lock expires.
 */
import { randomUUID } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import type { DigestConfig } from '../config/schema';
import type { Assembly } from '../jobs/assembly';
import { type RunResult, runDigest } from '../jobs/run';
import { tallyDigest } from '../jobs/tally';
import { fillPendingSummaries } from '../jobs/model-down';
import { StoreUnavailableError, oneLine } from '../app/errors';
import { STORE_RECHECK_MS } from '../store/faults';
import { isStopRequested, runInScope } from '../app/scope';
import type { Store } from '../store';
import { LOCK_TTL_MS, describeHolder, withLock } from '../store/lock';
import { type UnfinishedRun, listUnfinished, markFailed, markFinished } from '../jobs/unfinished';
import {
  type DigestSchedule,
  MAX_ATTEMPTS,
  type SchedulerState,
  type Work,
  dueWork,
  resumable,
  retryDelayMs,
  voteCloseAt,
} from './due';
import { keys, locks } from '../store/keys';

export type RunFn = (app: Assembly, digest: DigestConfig, opts: { date?: string; slot?: number }) => Promise<RunResult>;

export interface SchedulerOptions {
  /** The digest job (default: runDigest): injectable so tests drive the schedule without the pipeline. */
  run?: RunFn;
  /** This instance's name in locks (default: a random id). */
  instanceId?: string;
  /** How long a lock holds without renewal (default 20 s); renewed every quarter of it while the work runs. */
  lockTtlMs?: number;
}

export type WorkOutcome =
  | { work: Work; status: 'posted'; date: string; runId: string }
  | {
      work: Work;
      status: 'empty' | 'unchanged' | 'skipped' | 'busy' | 'closed' | 'resumed' | 'stopped' | 'given-up';
      date?: string;
      runId?: string;
    }
  | { work: Work; status: 'failed'; error: string; runId?: string };

export interface Scheduler {
  /** Runs what is due now (catch-up included); resolves with what was done. Concurrent calls share one run. */
  tick(): Promise<WorkOutcome[]>;
  /** Starts the node-cron tasks (per digest, in its time zone, and the sweep). */
  start(): void;
  /** Stops the timers and waits for the work in flight to finish. */
  stop(): Promise<void>;
  /**
   * Tells the work in flight to stop at its next safe point (before sending a message, after the previous one was
   * recorded): a second SIGTERM. The run resumes on the next start. Call stop() after it.
   */
  stopNow(): void;
  /**
   * False when the run in flight has been going for longer than it is expected to (a call that never returns):
   * the timers still fire, but every tick joins the stuck run, so nothing more would be posted. For /healthz.
   */
  healthy(): boolean;
  /** What runs now, and whether it is past its expected time: for /healthz. */
  status(): { ok: boolean; detail?: string };
  readonly instanceId: string;
}

/** Longer than any digest run takes (a build with many LLM calls, rate limits waited out). */
export const STUCK_AFTER_MS = 2 * 3_600_000;
/** Longer than closing a vote takes (reading reactions, the winners' deep-dives). */
export const TALLY_STUCK_AFTER_MS = 3_600_000;

const KEEP_VOTES_MS = 14 * 86_400_000;

export async function loadState(store: Store, digests: DigestConfig[]): Promise<SchedulerState> {
  const state: SchedulerState = {
    digests: {},
    tallied: new Set(),
    tallyFailures: {},
    unfinished: await listUnfinished(store),
  };
  for (const d of digests) {
    const s = (await store.get<DigestSchedule>('meta', keys.schedule(d.name))) ?? { votes: [] };
    state.digests[d.name] = s;
    for (const v of s.votes) {
      if (await store.get('meta', keys.tallied(d.name, v.date))) state.tallied.add(`${d.name}:${v.date}`);
      const failure = await store.get<{ count: number; retryAt: number }>('meta', keys.tallyFailure(d.name, v.date));
      if (failure && state.tallyFailures) state.tallyFailures[`${d.name}:${v.date}`] = failure;
    }
  }
  return state;
}

export function createScheduler(app: Assembly, options: SchedulerOptions = {}): Scheduler {
  const { ctx } = app;
  const run = options.run ?? ((a, d, o) => runDigest(a, d, o));
  const instanceId = options.instanceId ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
  const lockTtlMs = options.lockTtlMs ?? LOCK_TTL_MS;
  const tasks: ScheduledTask[] = [];
  let inFlight: Promise<WorkOutcome[]> | undefined;
  let again = false;
  let stopping = false;
  // Aborted by stopNow(): every lock check of the work in flight then stops it (src/app/scope.ts).
  const halt = new AbortController();
  let current: { label: string; since: number; expectedMs: number } | undefined;

  const digestByName = (name: string) => ctx.config.digests.find((d) => d.name === name);

  async function runDigestWork(work: Extract<Work, { kind: 'digest' }>): Promise<WorkOutcome> {
    const digest = digestByName(work.digest);
    if (!digest) return { work, status: 'skipped' };
    const runId = randomUUID();
    const log = ctx.log.child({ digest: digest.name, runId, slot: new Date(work.slot).toISOString(), instanceId });
    const locked = await withLock(ctx.store, locks.digestSlot(digest.name), instanceId, lockTtlMs, async () => {
      // Re-read under the lock: another instance may have handled this firing meanwhile.
      const state = (await ctx.store.get<DigestSchedule>('meta', keys.schedule(digest.name))) ?? { votes: [] };
      if ((state.doneSlot ?? Number.NEGATIVE_INFINITY) >= work.slot) return { work, status: 'skipped', runId } as const;
      let outcome: WorkOutcome;
      try {
        log.info('digest run started');
        // The feed alone tells the day (the export API's metadata is the digest's business, fetched alongside).
        const { listing } = await app.services.arxiv.openDay(digest.categories, {
          includeReplacements: digest.includeReplacements,
        });
        if (listing.empty || !listing.date) {
          log.info('arXiv announced nothing today: nothing posted');
          outcome = { work, status: 'empty', runId };
        } else if (state.lastDate && listing.date <= state.lastDate) {
          log.info({ date: listing.date }, 'feed unchanged since the last digest: nothing posted');
          outcome = { work, status: 'unchanged', date: listing.date, runId };
        } else {
          // The pipeline logs through this run's logger, so every line of the run carries its run id.
          const runApp: Assembly = { ...app, ctx: { ...ctx, log } };
          const result = await run(runApp, digest, { date: listing.date, slot: work.slot });
          if (result.digest.empty) {
            outcome = { work, status: 'empty', date: listing.date, runId };
          } else {
            recordPosted(digest, state, result, work.slot);
            outcome = { work, status: 'posted', date: result.digest.date, runId };
            log.info({ date: result.digest.date, channels: result.posted.length }, 'digest run finished');
          }
        }
        state.doneSlot = work.slot;
        delete state.failure;
      } catch (err) {
        // Told to stop at once: nothing failed; the next start resumes the run.
        if (isStopRequested(err)) return { work, status: 'stopped', runId } as const;
        const count = (state.failure?.slot === work.slot ? state.failure.count : 0) + 1;
        // The store gone is not the run's fault: it is resumed as soon as the store answers (the pause waits).
        const backOff = err instanceof StoreUnavailableError ? 0 : retryDelayMs(count);
        state.failure = { slot: work.slot, count, retryAt: ctx.clock.now() + backOff };
        log.error({ err: oneLine(err), attempt: count, giveUp: count >= MAX_ATTEMPTS }, 'digest run failed');
        outcome = { work, status: 'failed', error: oneLine(err), runId };
      }
      await ctx.store.set('meta', keys.schedule(digest.name), state);
      return outcome;
    });
    return locked.held ? locked.value : busy(work, locked.holding?.owner);
  }

  function busy(work: Work, owner: string | undefined): WorkOutcome {
    if (owner) ctx.log.debug({ work, holder: describeHolder(owner) }, 'another instance runs this now');
    return { work, status: 'busy' };
  }

  /** The scheduler's record of a posted digest: the newest day, and its vote to close. */
  function recordPosted(digest: DigestConfig, state: DigestSchedule, result: RunResult, slot: number): void {
    const postedAt = ctx.clock.now();
    if (!state.lastDate || state.lastDate < result.digest.date) state.lastDate = result.digest.date;
    state.votes = state.votes.filter((v) => v.date !== result.digest.date && postedAt - v.postedAt < KEEP_VOTES_MS);
    // A digest only printed (no chat channel) has no vote to close.
    if (result.posted.length)
      state.votes.push({ date: result.digest.date, postedAt, closeAt: voteCloseAt(digest, slot, postedAt) });
  }

  /**
   * Finishes a run started and not finished (this instance or another was killed or stopped mid-way, or a
   * channel failed): the digest's remaining parts (the built digest is in the store: no LLM call is paid again),
   * or the vote's result and deep-dives. Failures are retried with back-off while the day is current.
   */
  async function runResumeWork(work: Extract<Work, { kind: 'resume' }>): Promise<WorkOutcome> {
    const { run: unfinished } = work;
    const digest = digestByName(unfinished.name);
    if (!digest) return { work, status: 'skipped' };
    const log = ctx.log.child({
      digest: digest.name,
      date: unfinished.date,
      resume: unfinished.kind,
      instanceId,
    });
    try {
      if (unfinished.kind === 'tally') {
        log.info({ startedAt: new Date(unfinished.startedAt).toISOString() }, 'resuming a vote closed half-way');
        const result = await tallyDigest(app, digest, unfinished.date, { owner: instanceId });
        if (result.status === 'busy') return { work, status: 'busy' };
        await ctx.store.set(
          'meta',
          keys.tallied(digest.name, unfinished.date),
          { at: ctx.clock.now() },
          KEEP_VOTES_MS * 2,
        );
        log.info({ sent: result.sent.length }, 'vote closed (resumed)');
        return { work, status: 'resumed', date: unfinished.date };
      }
      const locked = await withLock(ctx.store, locks.digestSlot(digest.name), instanceId, lockTtlMs, async () => {
        log.info({ startedAt: new Date(unfinished.startedAt).toISOString() }, 'resuming a digest posted half-way');
        const runApp: Assembly = { ...app, ctx: { ...ctx, log } };
        const result = await run(runApp, digest, {
          date: unfinished.date,
          ...(unfinished.slot !== undefined ? { slot: unfinished.slot } : {}),
        });
        const state = (await ctx.store.get<DigestSchedule>('meta', keys.schedule(digest.name))) ?? { votes: [] };
        if (!result.digest.empty) {
          // The vote of a resumed digest opens as if it had been posted at once.
          recordPosted(digest, state, result, unfinished.slot ?? ctx.clock.now());
          if (unfinished.slot !== undefined && (state.doneSlot ?? Number.NEGATIVE_INFINITY) < unfinished.slot) {
            state.doneSlot = unfinished.slot;
            delete state.failure;
          }
          await ctx.store.set('meta', keys.schedule(digest.name), state);
        }
        // A run whose digest came out empty or posted to no channel has nothing left to finish.
        await markFinished(ctx.store, unfinished);
        log.info({ channels: result.posted.length }, 'digest finished (resumed)');
        return { work, status: 'resumed', date: unfinished.date } as const;
      });
      return locked.held ? locked.value : busy(work, locked.holding?.owner);
    } catch (err) {
      if (isStopRequested(err)) return { work, status: 'stopped' };
      await markFailed(ctx.store, unfinished, (n) => ctx.clock.now() + retryDelayMs(n), oneLine(err));
      log.error(
        { err: oneLine(err), attempt: unfinished.failures + 1, retryInMs: retryDelayMs(unfinished.failures + 1) },
        'resuming the run failed; retried while its day is current',
      );
      return { work, status: 'failed', error: oneLine(err) };
    }
  }

  /** Drops the unfinished runs that will not be resumed any more (their day passed, or a newer day was posted). */
  async function dropStale(state: SchedulerState): Promise<void> {
    const now = ctx.clock.now();
    for (const r of state.unfinished ?? []) {
      if (resumable(r, now, state)) continue;
      ctx.log.error(
        { digest: r.name, date: r.date, run: r.kind, failures: r.failures, lastError: r.lastError },
        'a run started and not finished is given up: its day has passed',
      );
      await markFinished(ctx.store, r as UnfinishedRun);
    }
  }

  async function runTallyWork(work: Extract<Work, { kind: 'tally' }>): Promise<WorkOutcome> {
    const digest = digestByName(work.digest);
    if (!digest) return { work, status: 'skipped' };
    const log = ctx.log.child({ digest: digest.name, date: work.date, instanceId });
    try {
      const result = await tallyDigest(app, digest, work.date, { owner: instanceId });
      if (result.status === 'busy') return { work, status: 'busy' };
      await ctx.store.set('meta', keys.tallied(digest.name, work.date), { at: ctx.clock.now() }, KEEP_VOTES_MS * 2);
      log.info({ sent: result.sent.length }, 'vote closed by the scheduler');
      return { work, status: 'closed', date: work.date };
    } catch (err) {
      if (isStopRequested(err)) return { work, status: 'stopped' };
      // E.g. the LLM is down for the winner's deep-dive: the result is already posted; retry with back-off.
      const key = keys.tallyFailure(digest.name, work.date);
      const count = ((await ctx.store.get<{ count: number }>('meta', key))?.count ?? 0) + 1;
      await ctx.store.set('meta', key, { count, retryAt: ctx.clock.now() + retryDelayMs(count) }, KEEP_VOTES_MS);
      log.error({ err: oneLine(err), attempt: count, giveUp: count >= MAX_ATTEMPTS }, 'closing the vote failed');
      return { work, status: 'failed', error: oneLine(err) };
    }
  }

  function labelOf(work: Work): string {
    if (work.kind === 'resume') return `${work.run.kind} ${work.run.name} ${work.run.date} (resumed)`;
    if (work.kind === 'tally') return `tally ${work.digest} ${work.date}`;
    return `digest ${work.digest} (firing ${new Date(work.slot).toISOString()})`;
  }

  async function runOne(work: Work): Promise<WorkOutcome> {
    const isTally = work.kind === 'tally' || (work.kind === 'resume' && work.run.kind === 'tally');
    current = {
      label: labelOf(work),
      since: ctx.clock.now(),
      expectedMs: isTally ? TALLY_STUCK_AFTER_MS : STUCK_AFTER_MS,
    };
    try {
      if (work.kind === 'digest') return await runDigestWork(work);
      if (work.kind === 'tally') return await runTallyWork(work);
      return await runResumeWork(work);
    } finally {
      current = undefined;
    }
  }

  async function runDue(): Promise<WorkOutcome[]> {
    const state = await loadState(ctx.store, ctx.config.digests);
    await dropStale(state);
    const outcomes: WorkOutcome[] = [];
    for (const work of dueWork(ctx.config, ctx.clock.now(), state)) {
      if (stopping || halt.signal.aborted) break;
      outcomes.push(await runInScope({ instance: instanceId, signal: halt.signal }, () => runOne(work)));
    }
    // HOOK (issue 21, keep in any rewrite): summaries of a digest posted while the model was down, once it answers.
    if (!stopping) await runInScope({ instance: instanceId, signal: halt.signal }, () => fillPendingSummaries(app));
    return outcomes;
  }

  function tick(): Promise<WorkOutcome[]> {
    if (inFlight) {
      // A tick during a run: run once more after it, so a firing that came meanwhile is not lost.
      again = true;
      return inFlight;
    }
    const running = (async () => {
      const all: WorkOutcome[] = [];
      try {
        do {
          again = false;
          all.push(...(await runDue()));
        } while (again && !stopping);
      } catch (err) {
        await pauseIfStoreGone();
        throw err;
      }
      // A run that failed because the store went away: paused now (and rechecked), not at the next sweep.
      if (all.some((o) => o.status === 'failed')) await pauseIfStoreGone();
      return all;
    })().finally(() => {
      inFlight = undefined;
    });
    inFlight = running;
    return running;
  }

  // node-cron's own warnings (a missed execution after a stalled event loop, an overlap) go to the structured log,
  // not as coloured lines on stdout between the JSON ones. A missed firing is harmless: the sweep catches it up.
  const cronLog = ctx.log.child({ component: 'node-cron' });
  const cronLogger = {
    info: (message: string) => cronLog.debug(message),
    warn: (message: string) => cronLog.warn(message),
    error: (message: string | Error, err?: Error) => cronLog.error({ err: oneLine(err ?? message) }, String(message)),
    debug: (message: string | Error) => cronLog.debug(String(message)),
  };
  const cronOptions = (name: string, timezone?: string) => ({
    name,
    ...(timezone ? { timezone } : {}),
    noOverlap: true,
    logger: cronLogger,
  });

  function status(): { ok: boolean; detail?: string } {
    if (!current) return { ok: true };
    const ranMs = ctx.clock.now() - current.since;
    const minutes = Math.floor(ranMs / 60_000);
    if (ranMs < current.expectedMs) return { ok: true, detail: `running ${current.label} for ${minutes} min` };
    return {
      ok: false,
      detail: `${current.label} has been running for ${minutes} min, past its expected ${current.expectedMs / 60_000} min: stuck (restart the bot; the run resumes)`,
    };
  }

  // A store that is down pauses the scheduled work (nothing can be recorded, so nothing is started) and /healthz
  // says 503; the first tick that finds it back resumes, catch-up included.
  // While paused the store is asked again every STORE_RECHECK_MS, so the work resumes within seconds of its return
  // (not at the next minute's sweep, nor after a failed run's back-off).
  let paused = false;
  let recheck: NodeJS.Timeout | undefined;
  const pause = () => {
    if (!paused)
      ctx.log.error(
        { store: ctx.store.description },
        'the store (STORE_URL) does not answer: scheduled work paused until it is back',
      );
    paused = true;
    if (!recheck && !stopping) {
      recheck = setInterval(safeTick, STORE_RECHECK_MS);
      recheck.unref();
    }
  };
  const pauseIfStoreGone = async () => {
    if (!stopping && !(await ctx.store.ping())) pause();
  };
  const safeTick = () => {
    ctx.store
      .ping()
      .then(async (reachable) => {
        if (!reachable) return pause();
        if (paused) ctx.log.info({ store: ctx.store.description }, 'the store answers again: scheduled work resumed');
        paused = false;
        clearInterval(recheck);
        recheck = undefined;
        await tick();
      })
      .catch((err) => ctx.log.error({ err: oneLine(err) }, 'scheduler tick failed'));
  };

  return {
    instanceId,
    tick,
    healthy: () => status().ok,
    status,
    stopNow() {
      stopping = true;
      halt.abort();
    },
    start() {
      for (const digest of ctx.config.digests) {
        tasks.push(cron.schedule(digest.schedule, safeTick, cronOptions(`digest:${digest.name}`, digest.timezone)));
      }
      // Closes votes at their time and retries failed runs; cheap (a few store reads a minute).
      tasks.push(cron.schedule('* * * * *', safeTick, cronOptions('sweep')));
      ctx.log.info(
        { digests: ctx.config.digests.map((d) => `${d.name} ${d.schedule} ${d.timezone}`) },
        'scheduler started',
      );
    },
    async stop() {
      stopping = true;
      clearInterval(recheck);
      for (const task of tasks.splice(0)) await task.destroy();
      if (inFlight) await inFlight.catch(() => {});
    },
  };
}
