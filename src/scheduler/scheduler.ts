/**
 * The bot's scheduler: one node-cron task per digest in its time zone, plus a one-minute sweep that closes votes
 * and retries failed runs. Every task only calls `tick()`, which asks the pure `dueWork` what is due and runs it,
 * each item under a store lock with expiry, so with several instances on one Redis or PostgreSQL only one posts a
 * digest or a tally, and an instance that died mid-run lets another take over once its lock expires.
 */
import { randomUUID } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import type { DigestConfig } from '../config/schema';
import type { App } from '../jobs/app';
import { type RunResult, runDigest } from '../jobs/run';
import { tallyDigest } from '../jobs/tally';
import { oneLine } from '../app/errors';
import type { Store } from '../store';
import { withLock } from '../store/lock';
import {
  type DigestSchedule,
  MAX_ATTEMPTS,
  type SchedulerState,
  type Work,
  dueWork,
  retryDelayMs,
  voteCloseAt,
} from './due';

export type RunFn = (app: App, digest: DigestConfig, opts: { date?: string }) => Promise<RunResult>;

export interface SchedulerOptions {
  /** The digest job (default: runDigest): injectable so tests drive the schedule without the pipeline. */
  run?: RunFn;
  /** This instance's name in locks (default: a random id). */
  instanceId?: string;
  /** How long a lock holds without renewal; renewed every third of it while the work runs. */
  lockTtlMs?: number;
}

export type WorkOutcome =
  | { work: Work; status: 'posted'; date: string; runId: string }
  | { work: Work; status: 'empty' | 'unchanged' | 'skipped' | 'busy' | 'closed'; date?: string; runId?: string }
  | { work: Work; status: 'failed'; error: string; runId?: string };

export interface Scheduler {
  /** Runs what is due now (catch-up included); resolves with what was done. Concurrent calls share one run. */
  tick(): Promise<WorkOutcome[]>;
  /** Starts the node-cron tasks (per digest, in its time zone, and the sweep). */
  start(): void;
  /** Stops the timers and waits for the work in flight to finish. */
  stop(): Promise<void>;
  /**
   * False when one run of due work has been going for longer than STUCK_AFTER_MS (a call that never returns):
   * the timers still fire, but every tick joins the stuck run, so nothing more would be posted. For /healthz.
   */
  healthy(): boolean;
  readonly instanceId: string;
}

/** Longer than any digest run takes (a build with many LLM calls, rate limits waited out, a tally's deep-dive). */
export const STUCK_AFTER_MS = 2 * 3_600_000;

const scheduleKey = (name: string) => `schedule:${name}`;
const talliedKey = (name: string, date: string) => `tallied:${name}:${date}`;
const tallyFailureKey = (name: string, date: string) => `tally-failure:${name}:${date}`;
const KEEP_VOTES_MS = 14 * 86_400_000;

export async function loadState(store: Store, digests: DigestConfig[]): Promise<SchedulerState> {
  const state: SchedulerState = { digests: {}, tallied: new Set(), tallyFailures: {} };
  for (const d of digests) {
    const s = (await store.get<DigestSchedule>('meta', scheduleKey(d.name))) ?? { votes: [] };
    state.digests[d.name] = s;
    for (const v of s.votes) {
      if (await store.get('meta', talliedKey(d.name, v.date))) state.tallied.add(`${d.name}:${v.date}`);
      const failure = await store.get<{ count: number; retryAt: number }>('meta', tallyFailureKey(d.name, v.date));
      if (failure && state.tallyFailures) state.tallyFailures[`${d.name}:${v.date}`] = failure;
    }
  }
  return state;
}

export { withLock } from '../store/lock';

export function createScheduler(app: App, options: SchedulerOptions = {}): Scheduler {
  const { ctx } = app;
  const run = options.run ?? ((a, d, o) => runDigest(a, d, o));
  const instanceId = options.instanceId ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
  const lockTtlMs = options.lockTtlMs ?? 15 * 60_000;
  const tasks: ScheduledTask[] = [];
  let inFlight: Promise<WorkOutcome[]> | undefined;
  let inFlightSince = 0;
  let again = false;
  let stopping = false;

  const digestByName = (name: string) => ctx.config.digests.find((d) => d.name === name);

  async function runDigestWork(work: Extract<Work, { kind: 'digest' }>): Promise<WorkOutcome> {
    const digest = digestByName(work.digest);
    if (!digest) return { work, status: 'skipped' };
    const runId = randomUUID();
    const log = ctx.log.child({ digest: digest.name, runId, slot: new Date(work.slot).toISOString(), instanceId });
    const locked = await withLock(ctx.store, `digest:${digest.name}`, instanceId, lockTtlMs, async () => {
      // Re-read under the lock: another instance may have handled this firing meanwhile.
      const state = (await ctx.store.get<DigestSchedule>('meta', scheduleKey(digest.name))) ?? { votes: [] };
      if ((state.doneSlot ?? Number.NEGATIVE_INFINITY) >= work.slot) return { work, status: 'skipped', runId } as const;
      let outcome: WorkOutcome;
      try {
        log.info('digest run started');
        const listing = await app.services.arxiv.fetchDay(digest.categories, {
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
          const runApp: App = { ...app, ctx: { ...ctx, log } };
          const result = await run(runApp, digest, { date: listing.date });
          if (result.digest.empty) {
            outcome = { work, status: 'empty', date: listing.date, runId };
          } else {
            const postedAt = ctx.clock.now();
            state.lastDate = result.digest.date;
            state.votes = state.votes.filter(
              (v) => v.date !== result.digest.date && postedAt - v.postedAt < KEEP_VOTES_MS,
            );
            // A digest only printed (no chat channel) has no vote to close.
            if (result.posted.length)
              state.votes.push({
                date: result.digest.date,
                postedAt,
                closeAt: voteCloseAt(digest, work.slot, postedAt),
              });
            outcome = { work, status: 'posted', date: result.digest.date, runId };
            log.info({ date: result.digest.date, channels: result.posted.length }, 'digest run finished');
          }
        }
        state.doneSlot = work.slot;
        delete state.failure;
      } catch (err) {
        const count = (state.failure?.slot === work.slot ? state.failure.count : 0) + 1;
        state.failure = { slot: work.slot, count, retryAt: ctx.clock.now() + retryDelayMs(count) };
        log.error({ err: oneLine(err), attempt: count, giveUp: count >= MAX_ATTEMPTS }, 'digest run failed');
        outcome = { work, status: 'failed', error: oneLine(err), runId };
      }
      await ctx.store.set('meta', scheduleKey(digest.name), state);
      return outcome;
    });
    return locked.held ? locked.value : { work, status: 'busy' };
  }

  async function runTallyWork(work: Extract<Work, { kind: 'tally' }>): Promise<WorkOutcome> {
    const digest = digestByName(work.digest);
    if (!digest) return { work, status: 'skipped' };
    const log = ctx.log.child({ digest: digest.name, date: work.date, instanceId });
    try {
      const result = await tallyDigest(app, digest, work.date, { owner: instanceId });
      if (result.status === 'busy') return { work, status: 'busy' };
      await ctx.store.set('meta', talliedKey(digest.name, work.date), { at: ctx.clock.now() }, KEEP_VOTES_MS * 2);
      log.info({ sent: result.sent.length }, 'vote closed by the scheduler');
      return { work, status: 'closed', date: work.date };
    } catch (err) {
      // E.g. the LLM is down for the winner's deep-dive: the result is already posted; retry with back-off.
      const key = tallyFailureKey(digest.name, work.date);
      const count = ((await ctx.store.get<{ count: number }>('meta', key))?.count ?? 0) + 1;
      await ctx.store.set('meta', key, { count, retryAt: ctx.clock.now() + retryDelayMs(count) }, KEEP_VOTES_MS);
      log.error({ err: oneLine(err), attempt: count, giveUp: count >= MAX_ATTEMPTS }, 'closing the vote failed');
      return { work, status: 'failed', error: oneLine(err) };
    }
  }

  async function runDue(): Promise<WorkOutcome[]> {
    const state = await loadState(ctx.store, ctx.config.digests);
    const outcomes: WorkOutcome[] = [];
    for (const work of dueWork(ctx.config, ctx.clock.now(), state)) {
      if (stopping) break;
      outcomes.push(work.kind === 'digest' ? await runDigestWork(work) : await runTallyWork(work));
    }
    return outcomes;
  }

  function tick(): Promise<WorkOutcome[]> {
    if (inFlight) {
      // A tick during a run: run once more after it, so a firing that came meanwhile is not lost.
      again = true;
      return inFlight;
    }
    const current = (async () => {
      const all: WorkOutcome[] = [];
      do {
        again = false;
        all.push(...(await runDue()));
      } while (again && !stopping);
      return all;
    })().finally(() => {
      inFlight = undefined;
    });
    inFlight = current;
    inFlightSince = ctx.clock.now();
    return current;
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

  const safeTick = () => {
    tick().catch((err) => ctx.log.error({ err: oneLine(err) }, 'scheduler tick failed'));
  };

  return {
    instanceId,
    tick,
    healthy: () => !inFlight || ctx.clock.now() - inFlightSince < STUCK_AFTER_MS,
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
      for (const task of tasks.splice(0)) await task.destroy();
      if (inFlight) await inFlight.catch(() => {});
    },
  };
}
