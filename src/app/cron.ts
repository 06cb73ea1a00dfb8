/**
 * Cron arithmetic in a time zone, as pure functions of an instant: when a digest's schedule fired last and fires
 * next. node-cron runs the live timers; this module answers "what is due now" for any clock, so the scheduler is
 * tested with a fake clock and catch-up after downtime uses the same rules as the live path.
 */
import cron from 'node-cron';
import { localTime, zonedInstant } from './time';

export { type LocalTime, localDate, localTime, zonedInstant } from './time';

interface Pattern {
  minute: Set<number>;
  hour: Set<number>;
  dayOfMonth: Set<number>;
  month: Set<number>;
  dayOfWeek: Set<number>;
  /** Classic cron: when both day fields are restricted, either one matching is enough. */
  dayOr: boolean;
}

const patterns = new Map<string, Pattern>();

function pattern(expression: string): Pattern {
  let p = patterns.get(expression);
  if (!p) {
    const fields = cron.parse(expression);
    const raw = expression.trim().split(/\s+/);
    const [dom, dow] = raw.length === 6 ? [raw[3], raw[5]] : [raw[2], raw[4]];
    const nums = (xs: Array<number | string>) => new Set(xs.map(Number).map((n) => (n === 7 ? 0 : n)));
    p = {
      minute: nums(fields.minute),
      hour: nums(fields.hour),
      dayOfMonth: nums(fields.dayOfMonth),
      month: nums(fields.month),
      dayOfWeek: nums(fields.dayOfWeek),
      dayOr: dom !== '*' && dow !== '*',
    };
    patterns.set(expression, p);
  }
  return p;
}

function dayMatches(p: Pattern, year: number, month: number, day: number): boolean {
  if (!p.month.has(month)) return false;
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  const dom = p.dayOfMonth.has(day);
  const dow = p.dayOfWeek.has(weekday);
  return p.dayOr ? dom || dow : dom && dow;
}

/** The schedule's firings on one local calendar day, as instants, ascending. */
function firingsOn(expression: string, timezone: string, year: number, month: number, day: number): number[] {
  const p = pattern(expression);
  if (!dayMatches(p, year, month, day)) return [];
  const out: number[] = [];
  for (const hour of [...p.hour].sort((a, b) => a - b)) {
    for (const minute of [...p.minute].sort((a, b) => a - b)) {
      const at =
        zonedInstant(timezone, year, month, day, hour, minute) ?? afterGap(timezone, year, month, day, hour, minute);
      if (at !== undefined && !out.includes(at)) out.push(at);
    }
  }
  return out;
}

/**
 * A local time inside a DST gap (02:30 on a spring-forward night) does not exist: the firing happens when the gap
 * ends, as classic cron does, rather than being skipped for the day.
 */
function afterGap(
  timezone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
): number | undefined {
  for (let k = 1; k <= 180; k++) {
    const t = new Date(Date.UTC(year, month - 1, day, hour, minute + k));
    if (t.getUTCDate() !== day) return undefined;
    const at = zonedInstant(timezone, year, month, day, t.getUTCHours(), t.getUTCMinutes());
    if (at !== undefined) return at;
  }
  return undefined;
}

function shiftDay(year: number, month: number, day: number, by: number): [number, number, number] {
  const d = new Date(Date.UTC(year, month - 1, day + by));
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
}

/** The latest firing at or before `now` on the same local day as `now` ("its time passed today"). */
export function lastFiringToday(expression: string, timezone: string, now: number): number | undefined {
  const t = localTime(now, timezone);
  const fired = firingsOn(expression, timezone, t.year, t.month, t.day).filter((at) => at <= now);
  return fired[fired.length - 1];
}

/** The first firing strictly after `after`, looking up to `days` local days ahead. */
export function nextFiring(expression: string, timezone: string, after: number, days = 400): number | undefined {
  const t = localTime(after, timezone);
  for (let i = 0; i <= days; i++) {
    const [y, m, d] = shiftDay(t.year, t.month, t.day, i);
    const next = firingsOn(expression, timezone, y, m, d).find((at) => at > after);
    if (next !== undefined) return next;
  }
  return undefined;
}
