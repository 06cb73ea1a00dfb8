/**
 * "What is due now" as a pure function of the config, the clock's instant and the stored scheduler state. The live
 * timers (croner), the catch-up on start and the tests all go through it, so a fake clock exercises the real
 * rules: a digest is due once per scheduled firing on the local day it fired; a vote closes when its time came.
 */
import type { Config, DigestConfig } from '../config/schema';
import { lastFiringToday, nextFiring } from '../app/cron';
import type { UnfinishedRun } from '../jobs/unfinished';

/** How long before the next scheduled digest an open vote closes (so the result comes before the new digest). */
export const CLOSE_LEAD_MS = 10 * 60_000;
/** Attempts at one scheduled firing before it is given up until the next one. */
export const MAX_ATTEMPTS = 6;

export interface OpenVote {
  /** Announcement day of the posted digest. */
  date: string;
  postedAt: number;
  closeAt: number;
}

export interface DigestSchedule {
  /** The last firing handled (posted, empty day, unchanged feed, or given up). */
  doneSlot?: number;
  /** Failed attempts at a pending firing, and when to try again. */
  failure?: { slot: number; count: number; retryAt: number };
  /** Newest announcement day posted by the scheduler. */
  lastDate?: string;
  /** Digests posted recently, whose vote is open or was closed. */
  votes: OpenVote[];
}

export interface SchedulerState {
  digests: Record<string, DigestSchedule>;
  /** `${digest}:${date}` of the votes already closed. */
  tallied: Set<string>;
  /** Failed attempts at closing a vote (`${digest}:${date}`), and when to try again. */
  tallyFailures?: Record<string, { count: number; retryAt: number }>;
  /** Runs started and not finished (src/jobs/unfinished.ts), by any instance or command. */
  unfinished?: UnfinishedRun[];
}

export type Work =
  | { kind: 'digest'; digest: string; slot: number }
  | { kind: 'tally'; digest: string; date: string }
  | { kind: 'resume'; run: UnfinishedRun };

/** How long a started run is retried: while its day is current (a day after it started). */
export const RESUME_WINDOW_MS = 24 * 3_600_000;

/** Whether an unfinished run is still worth finishing at `now` (its day is current, not superseded). */
export function resumable(run: UnfinishedRun, now: number, state: SchedulerState): boolean {
  // Retried with back-off (at most an hour apart) for as long as the day is current, however often it failed.
  if (now - run.startedAt > RESUME_WINDOW_MS) return false;
  if (!state.digests[run.name]) return false; // a digest no longer in the config
  const last = state.digests[run.name]?.lastDate;
  // A digest of a day older than the newest one posted is not posted any more (the scheduler never goes back).
  return !(run.kind === 'digest' && last !== undefined && run.date < last);
}

/** When the vote of a digest posted at `postedAt` for firing `slot` closes. */
export function voteCloseAt(digest: DigestConfig, slot: number, postedAt: number): number {
  if (digest.votes.windowHours !== undefined) return postedAt + digest.votes.windowHours * 3_600_000;
  const next = nextFiring(digest.schedule, digest.timezone, Math.max(slot, postedAt));
  if (next === undefined) return postedAt + 24 * 3_600_000;
  const close = next - CLOSE_LEAD_MS;
  // A schedule firing more often than the lead: close halfway to the next digest instead.
  return close > postedAt ? close : postedAt + Math.max(60_000, (next - postedAt) / 2);
}

/**
 * The work due at `now`: runs started and not finished, then votes whose time came (first, so a result is posted before the next digest), then
 * scheduled digests not yet handled today (catch-up included).
 */
export function dueWork(config: Config, now: number, state: SchedulerState): Work[] {
  const work: Work[] = [];
  for (const digest of config.digests) {
    for (const vote of state.digests[digest.name]?.votes ?? []) {
      const key = `${digest.name}:${vote.date}`;
      const failure = state.tallyFailures?.[key];
      if (failure && (failure.count >= MAX_ATTEMPTS || failure.retryAt > now)) continue;
      if (vote.closeAt <= now && !state.tallied.has(key))
        work.push({ kind: 'tally', digest: digest.name, date: vote.date });
    }
  }
  for (const digest of config.digests) {
    const s = state.digests[digest.name] ?? { votes: [] };
    const slot = lastFiringToday(digest.schedule, digest.timezone, now);
    if (slot === undefined || (s.doneSlot ?? Number.NEGATIVE_INFINITY) >= slot) continue;
    const failure = s.failure?.slot === slot ? s.failure : undefined;
    if (failure && (failure.count >= MAX_ATTEMPTS || failure.retryAt > now)) continue;
    work.push({ kind: 'digest', digest: digest.name, slot });
  }
  // First what was started and not finished (a kill, a stop, a failure), whatever the schedule says; unless the
  // schedule's own work (with its own back-off) finishes it: the vote it closes, the firing it runs.
  const todaysSlot = new Map(
    config.digests.map((d) => [d.name, lastFiringToday(d.schedule, d.timezone, now)] as const),
  );
  const resumes: Work[] = [];
  for (const run of state.unfinished ?? []) {
    if (!resumable(run, now, state) || (run.retryAt ?? 0) > now) continue;
    const covered =
      run.kind === 'tally'
        ? !state.tallied.has(`${run.name}:${run.date}`) &&
          (state.digests[run.name]?.votes ?? []).some((v) => v.date === run.date)
        : run.slot !== undefined &&
          run.slot === todaysSlot.get(run.name) &&
          (state.digests[run.name]?.doneSlot ?? Number.NEGATIVE_INFINITY) < run.slot &&
          // Once the firing gave up, its half-posted digest is still finished (as a resume).
          !(
            state.digests[run.name]?.failure?.slot === run.slot &&
            (state.digests[run.name]?.failure?.count ?? 0) >= MAX_ATTEMPTS
          );
    if (!covered) resumes.push({ kind: 'resume', run });
  }
  return [...resumes, ...work];
}

/** Back-off before retrying a failed firing: 2, 4, 8 … minutes, at most an hour. */
export function retryDelayMs(failures: number): number {
  return Math.min(60, 2 ** failures) * 60_000;
}
