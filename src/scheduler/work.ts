/**
 * What one job of the scheduler's queue does, as functions over the stored scheduler state: run a digest's firing,
 * close a vote, finish a run started and not finished. Each takes the digest's lease (a store lock with heartbeat)
 * and re-reads the state under it, so a job taken twice (a stalled worker's, retaken) does its work once.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { DigestConfig } from '../config/schema';
import type { Assembly } from '../jobs/assembly';
import { type RunResult, runDigest } from '../jobs/run';
import { tallyDigest } from '../jobs/tally';
import { StoreUnavailableError, oneLine } from '../app/errors';
import { isStopRequested } from '../app/scope';
import type { Store } from '../store';
import { type HeldLock, describeHolder, withLock } from '../store/lock';
import { type UnfinishedRun, listUnfinished, markFailed, markFinished } from '../jobs/unfinished';
import {
  type DigestSchedule,
  MAX_ATTEMPTS,
  type SchedulerState,
  type Work,
  resumable,
  retryDelayMs,
  voteCloseAt,
} from './due';
import { keys, locks } from '../store/keys';
import { recordKind } from '../store/records';

export type RunFn = (app: Assembly, digest: DigestConfig, opts: { date?: string; slot?: number }) => Promise<RunResult>;

export type WorkOutcome =
  | { work: Work; status: 'posted'; date: string; runId: string }
  | {
      work: Work;
      status: 'empty' | 'unchanged' | 'skipped' | 'busy' | 'closed' | 'resumed' | 'stopped' | 'given-up';
      date?: string;
      runId?: string;
    }
  | { work: Work; status: 'failed'; error: string; runId?: string };

/** What a job needs: the app, the digest job, this instance's id and its leases' TTL. */
export interface WorkContext {
  app: Assembly;
  run: RunFn;
  instanceId: string;
  lockTtlMs: number;
}

const KEEP_VOTES_MS = 14 * 86_400_000;

/** A digest's schedule (keys.schedule): its last firing handled, a pending firing's failures, its votes. */
const SCHEDULE = recordKind<DigestSchedule>(
  'meta',
  z.looseObject({
    doneSlot: z.number().optional(),
    failure: z.looseObject({ slot: z.number(), count: z.number(), retryAt: z.number() }).optional(),
    lastDate: z.string().optional(),
    votes: z.array(z.looseObject({ date: z.string(), postedAt: z.number(), closeAt: z.number() })).default([]),
  }),
);

/** A vote closed (keys.tallied), kept 28 days. Any value stored there marks it closed, as it always did. */
const TALLIED = recordKind<{ at: number }>('meta', z.looseObject({ at: z.number() }).catch({ at: 0 }), {
  ttlMs: KEEP_VOTES_MS * 2,
});

/**
 * Failed attempts at closing a vote (keys.tallyFailure), kept 14 days. A value this version cannot read counts as
 * no attempt yet, as it always did.
 */
const TALLY_FAILURE = recordKind<{ count: number; retryAt: number } | undefined>(
  'meta',
  z.looseObject({ count: z.number(), retryAt: z.number() }).optional().catch(undefined),
  { ttlMs: KEEP_VOTES_MS },
);

export async function loadState(store: Store, digests: DigestConfig[]): Promise<SchedulerState> {
  const state: SchedulerState = {
    digests: {},
    tallied: new Set(),
    tallyFailures: {},
    unfinished: await listUnfinished(store),
  };
  const schedules = await SCHEDULE.getMany(
    store,
    digests.map((d) => keys.schedule(d.name)),
  );
  const votes = digests.flatMap((d, i) => (schedules[i]?.votes ?? []).map((v) => ({ name: d.name, date: v.date })));
  const [tallied, failures] = await Promise.all([
    TALLIED.getMany(
      store,
      votes.map((v) => keys.tallied(v.name, v.date)),
    ),
    TALLY_FAILURE.getMany(
      store,
      votes.map((v) => keys.tallyFailure(v.name, v.date)),
    ),
  ]);
  for (const [i, d] of digests.entries()) state.digests[d.name] = schedules[i] ?? { votes: [] };
  for (const [i, v] of votes.entries()) {
    if (tallied[i]) state.tallied.add(`${v.name}:${v.date}`);
    const failure = failures[i];
    if (failure && state.tallyFailures) state.tallyFailures[`${v.name}:${v.date}`] = failure;
  }
  return state;
}

const digestByName = (wc: WorkContext, name: string) => wc.app.ctx.config.digests.find((d) => d.name === name);

function busy(wc: WorkContext, work: Work, owner: string | undefined): WorkOutcome {
  if (owner) wc.app.ctx.log.debug({ work, holder: describeHolder(owner) }, 'another instance runs this now');
  return { work, status: 'busy' };
}

/** The scheduler's record of a posted digest: the newest day, and its vote to close. */
function recordPosted(wc: WorkContext, digest: DigestConfig, state: DigestSchedule, result: RunResult, slot: number) {
  const postedAt = wc.app.ctx.clock.now();
  if (!state.lastDate || state.lastDate < result.digest.date) state.lastDate = result.digest.date;
  state.votes = state.votes.filter((v) => v.date !== result.digest.date && postedAt - v.postedAt < KEEP_VOTES_MS);
  // A digest only printed (no chat channel) has no vote to close.
  if (result.posted.length)
    state.votes.push({ date: result.digest.date, postedAt, closeAt: voteCloseAt(digest, slot, postedAt) });
}

type DigestWork = Extract<Work, { kind: 'digest' }>;

/** One firing under the digest's lease: the day from the feed, then the run (or nothing: empty, unchanged). */
async function firing(
  wc: WorkContext,
  work: DigestWork,
  digest: DigestConfig,
  lease: { runId: string; lock: HeldLock },
): Promise<WorkOutcome> {
  const { runId, lock } = lease;
  const { ctx } = wc.app;
  const log = ctx.log.child({
    digest: digest.name,
    runId,
    slot: new Date(work.slot).toISOString(),
    instanceId: wc.instanceId,
  });
  // Re-read under the lock: another worker may have handled this firing meanwhile.
  const state = (await SCHEDULE.get(ctx.store, keys.schedule(digest.name))) ?? { votes: [] };
  if ((state.doneSlot ?? Number.NEGATIVE_INFINITY) >= work.slot) return { work, status: 'skipped', runId };
  let outcome: WorkOutcome;
  try {
    log.info('digest run started');
    // With several category sets, one feed of them all and one export API request first (once per morning).
    const sets = new Set(ctx.config.digests.map((d) => [...d.categories].sort().join('+')));
    if (sets.size > 1) await wc.app.services.arxiv.warmLatest?.(ctx.config.digests.flatMap((d) => d.categories));
    // The feed alone tells the day (read once per day and category set, shared through the store).
    const { listing } = await wc.app.services.arxiv.openDay(digest.categories, {
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
      const result = await wc.run({ ...wc.app, ctx: { ...ctx, log } }, digest, { date: listing.date, slot: work.slot });
      if (result.digest.empty) outcome = { work, status: 'empty', date: listing.date, runId };
      else {
        recordPosted(wc, digest, state, result, work.slot);
        outcome = { work, status: 'posted', date: result.digest.date, runId };
        log.info({ date: result.digest.date, channels: result.posted.length }, 'digest run finished');
      }
    }
    state.doneSlot = work.slot;
    delete state.failure;
  } catch (err) {
    // Told to stop at once: nothing failed; the next start resumes the run.
    if (isStopRequested(err)) return { work, status: 'stopped', runId };
    const count = (state.failure?.slot === work.slot ? state.failure.count : 0) + 1;
    // The store gone is not the run's fault: it is resumed as soon as the store answers (the pause rechecks it).
    const backOff = err instanceof StoreUnavailableError ? 0 : retryDelayMs(count);
    state.failure = { slot: work.slot, count, retryAt: ctx.clock.now() + backOff };
    log.error({ err: oneLine(err), attempt: count, giveUp: count >= MAX_ATTEMPTS }, 'digest run failed');
    outcome = { work, status: 'failed', error: oneLine(err), runId };
  }
  // Fencing: the state is recorded only while this lease is still ours (a holder paused past its lease stops here).
  await lock.check();
  await SCHEDULE.set(ctx.store, keys.schedule(digest.name), state);
  return outcome;
}

async function runDigestWork(wc: WorkContext, work: DigestWork): Promise<WorkOutcome> {
  const digest = digestByName(wc, work.digest);
  if (!digest) return { work, status: 'skipped' };
  const runId = randomUUID();
  const locked = await withLock(wc.app.ctx.store, locks.digestSlot(digest.name), wc.instanceId, wc.lockTtlMs, (lock) =>
    firing(wc, work, digest, { runId, lock }),
  );
  return locked.held ? locked.value : busy(wc, work, locked.holding?.owner);
}

type ResumeWork = Extract<Work, { kind: 'resume' }>;

/** Finishes a half-posted digest (the built digest is in the store: no LLM call is paid again); opens its vote. */
async function resumeDigest(
  wc: WorkContext,
  work: ResumeWork,
  digest: DigestConfig,
  lock: HeldLock,
): Promise<WorkOutcome> {
  const { ctx } = wc.app;
  const unfinished = work.run;
  const log = ctx.log.child({
    digest: digest.name,
    date: unfinished.date,
    resume: unfinished.kind,
    instanceId: wc.instanceId,
  });
  log.info({ startedAt: new Date(unfinished.startedAt).toISOString() }, 'resuming a digest posted half-way');
  const result = await wc.run({ ...wc.app, ctx: { ...ctx, log } }, digest, {
    date: unfinished.date,
    ...(unfinished.slot !== undefined ? { slot: unfinished.slot } : {}),
  });
  const state = (await SCHEDULE.get(ctx.store, keys.schedule(digest.name))) ?? { votes: [] };
  if (!result.digest.empty) {
    // The vote of a resumed digest opens as if it had been posted at once.
    recordPosted(wc, digest, state, result, unfinished.slot ?? ctx.clock.now());
    if (unfinished.slot !== undefined && (state.doneSlot ?? Number.NEGATIVE_INFINITY) < unfinished.slot) {
      state.doneSlot = unfinished.slot;
      delete state.failure;
    }
    await lock.check(); // fencing, as in firing()
    await SCHEDULE.set(ctx.store, keys.schedule(digest.name), state);
  }
  // A run whose digest came out empty or posted to no channel has nothing left to finish.
  await markFinished(ctx.store, unfinished);
  log.info({ channels: result.posted.length }, 'digest finished (resumed)');
  return { work, status: 'resumed', date: unfinished.date };
}

/** Closes a vote (scheduled or resumed); marks it closed for the scheduler. */
async function closeVote(
  wc: WorkContext,
  work: Work,
  digest: DigestConfig,
  date: string,
): Promise<WorkOutcome | undefined> {
  const { ctx } = wc.app;
  const result = await tallyDigest(wc.app, digest, date, { owner: wc.instanceId });
  if (result.status === 'busy') return { work, status: 'busy' };
  await TALLIED.set(ctx.store, keys.tallied(digest.name, date), { at: ctx.clock.now() });
  ctx.log.info({ digest: digest.name, date, sent: result.sent.length, instanceId: wc.instanceId }, 'vote closed');
  return undefined;
}

/**
 * Finishes a run started and not finished (an instance was killed or stopped mid-way, or a channel failed).
 * Failures are retried with back-off while the day is current.
 */
async function runResumeWork(wc: WorkContext, work: ResumeWork): Promise<WorkOutcome> {
  const { ctx } = wc.app;
  const unfinished = work.run;
  const digest = digestByName(wc, unfinished.name);
  if (!digest) return { work, status: 'skipped' };
  try {
    if (unfinished.kind === 'tally') {
      ctx.log.info({ digest: digest.name, date: unfinished.date }, 'resuming a vote closed half-way');
      return (await closeVote(wc, work, digest, unfinished.date)) ?? { work, status: 'resumed', date: unfinished.date };
    }
    const locked = await withLock(ctx.store, locks.digestSlot(digest.name), wc.instanceId, wc.lockTtlMs, (lock) =>
      resumeDigest(wc, work, digest, lock),
    );
    return locked.held ? locked.value : busy(wc, work, locked.holding?.owner);
  } catch (err) {
    if (isStopRequested(err)) return { work, status: 'stopped' };
    await markFailed(ctx.store, unfinished, (n) => ctx.clock.now() + retryDelayMs(n), oneLine(err));
    ctx.log.error(
      {
        digest: digest.name,
        err: oneLine(err),
        attempt: unfinished.failures + 1,
        retryInMs: retryDelayMs(unfinished.failures + 1),
      },
      'resuming the run failed; retried while its day is current',
    );
    return { work, status: 'failed', error: oneLine(err) };
  }
}

async function runTallyWork(wc: WorkContext, work: Extract<Work, { kind: 'tally' }>): Promise<WorkOutcome> {
  const { ctx } = wc.app;
  const digest = digestByName(wc, work.digest);
  if (!digest) return { work, status: 'skipped' };
  // Taken again (a retry after another worker held the vote): closed meanwhile.
  if (await TALLIED.get(ctx.store, keys.tallied(digest.name, work.date))) return { work, status: 'skipped' };
  try {
    return (await closeVote(wc, work, digest, work.date)) ?? { work, status: 'closed', date: work.date };
  } catch (err) {
    if (isStopRequested(err)) return { work, status: 'stopped' };
    // E.g. the LLM is down for the winner's deep-dive: the result is already posted; retry with back-off.
    const key = keys.tallyFailure(digest.name, work.date);
    const count = ((await TALLY_FAILURE.get(ctx.store, key))?.count ?? 0) + 1;
    await TALLY_FAILURE.set(ctx.store, key, { count, retryAt: ctx.clock.now() + retryDelayMs(count) });
    ctx.log.error(
      { digest: digest.name, err: oneLine(err), attempt: count, giveUp: count >= MAX_ATTEMPTS },
      'closing the vote failed',
    );
    return { work, status: 'failed', error: oneLine(err) };
  }
}

/** Runs one job's work. */
export function runWork(wc: WorkContext, work: Work): Promise<WorkOutcome> {
  if (work.kind === 'digest') return runDigestWork(wc, work);
  if (work.kind === 'tally') return runTallyWork(wc, work);
  return runResumeWork(wc, work);
}

/** Drops the unfinished runs that will not be resumed any more (their day passed, or a newer day was posted). */
export async function dropStale(wc: WorkContext, state: SchedulerState): Promise<void> {
  const { ctx } = wc.app;
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

export const defaultRun: RunFn = (a, d, o) => runDigest(a, d, o);
