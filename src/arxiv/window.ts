/**
 * Announcement days and the submission windows they cover. arXiv announces Monday to Friday at 20:00 ET the papers
 * submitted before the 14:00 ET cutoff of the previous weekday; so the listing dated D (Mon–Fri) holds, roughly, the
 * submissions from 14:00 ET two weekdays before D to 14:00 ET on the weekday before D (Monday: Thu 14:00 → Fri 14:00;
 * Tuesday: Fri 14:00 → Mon 14:00). Holidays shift arXiv's schedule and are ignored here: the window is an
 * approximation of the listing, used only for past days the store has no copy of.
 */
import { ErrorCode, UserInputError } from '../app/errors';
import { localDate, zonedInstant as zonedInstantIn } from '../app/time';

export const ARXIV_TIME_ZONE = 'America/New_York';
const CUTOFF_HOUR = 14;
const DAY_MS = 86_400_000;

export interface CalendarDay {
  year: number;
  month: number;
  day: number;
}

/** Parses a YYYY-MM-DD calendar date; throws a one-line UserInputError naming the value otherwise. */
export function parseDay(value: string, what = '--date'): CalendarDay {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  const bad = () =>
    new UserInputError(
      `${what} "${value}" is not a date (expected YYYY-MM-DD, e.g. 2025-10-30)`,
      ErrorCode.InvalidInput,
    );
  if (!m) throw bad();
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(year, month - 1, day));
  if (t.getUTCFullYear() !== year || t.getUTCMonth() !== month - 1 || t.getUTCDate() !== day) throw bad();
  return { year, month, day };
}

export function formatDay(d: CalendarDay): string {
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/** 0 Sunday … 6 Saturday. */
export function weekday(d: CalendarDay): number {
  return new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
}

export function isWeekend(d: CalendarDay): boolean {
  const w = weekday(d);
  return w === 0 || w === 6;
}

function addDays(d: CalendarDay, n: number): CalendarDay {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day) + n * DAY_MS);
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

export function previousWeekday(d: CalendarDay): CalendarDay {
  let p = addDays(d, -1);
  while (isWeekend(p)) p = addDays(p, -1);
  return p;
}

/** The instant at which the wall clock in `timeZone` shows `d` at `hour`:`minute` (DST-aware). */
export function zonedInstant(d: CalendarDay, hour: number, minute: number, timeZone = ARXIV_TIME_ZONE): number {
  // The cutoff (14:00) is never inside a DST gap (those are at 02:00), so there is always such an instant.
  return (
    zonedInstantIn(timeZone, d.year, d.month, d.day, hour, minute) ?? Date.UTC(d.year, d.month - 1, d.day, hour, minute)
  );
}

/** The calendar day of instant `t` in `timeZone`, as YYYY-MM-DD. */
export function dayIn(t: number, timeZone = ARXIV_TIME_ZONE): string {
  return localDate(t, timeZone);
}

export interface SubmissionWindow {
  /** Inclusive start, ms since epoch. */
  start: number;
  /** End (the cutoff), ms since epoch. */
  end: number;
}

/** The submissions an announcement on weekday `d` covers (see the file comment); throws for a weekend day. */
export function submissionWindow(d: CalendarDay): SubmissionWindow {
  if (isWeekend(d)) throw new RangeError(`${formatDay(d)} is a weekend day: arXiv announces nothing`);
  const endDay = previousWeekday(d);
  const startDay = previousWeekday(endDay);
  return { start: zonedInstant(startDay, CUTOFF_HOUR, 0), end: zonedInstant(endDay, CUTOFF_HOUR, 0) };
}

/** YYYYMMDDHHMM in GMT, the format of the export API's submittedDate ranges. */
export function gmtStamp(t: number): string {
  return new Date(t).toISOString().replace(/[-T:]/g, '').slice(0, 12);
}

/** The export API's range clause for a window: `submittedDate:[202510281800 TO 202510291800]`. */
export function submittedDateClause(w: SubmissionWindow): string {
  return `submittedDate:[${gmtStamp(w.start)} TO ${gmtStamp(w.end)}]`;
}
