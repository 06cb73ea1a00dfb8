/**
 * Cron arithmetic in a time zone, as pure functions of an instant: when a digest's schedule fired last and fires
 * next. node-cron runs the live timers; this module answers "what is due now" for any clock, so the scheduler is
 * tested with a fake clock and catch-up after downtime uses the same rules as the live path.
 */
import cron from 'node-cron';

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(timezone, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** The wall-clock time of instant `ms` in `timezone`. */
export function localTime(ms: number, timezone: string): LocalTime {
  const out: Record<string, string> = {};
  for (const part of formatter(timezone).formatToParts(new Date(ms))) out[part.type] = part.value;
  return {
    year: Number(out.year),
    month: Number(out.month),
    day: Number(out.day),
    hour: Number(out.hour) % 24,
    minute: Number(out.minute),
    weekday: WEEKDAYS[out.weekday ?? ''] ?? 0,
  };
}

/** YYYY-MM-DD of instant `ms` in `timezone`. */
export function localDate(ms: number, timezone: string): string {
  const t = localTime(ms, timezone);
  return `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
}

/** The zone's offset from UTC at instant `ms`, in ms (positive east of Greenwich). */
function offsetAt(ms: number, timezone: string): number {
  const t = localTime(ms, timezone);
  const asUtc = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute);
  return asUtc - (ms - (((ms % 60_000) + 60_000) % 60_000));
}

/** The instant when the wall clock in `timezone` shows the given time; undefined inside a DST gap. */
export function zonedInstant(
  timezone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
): number | undefined {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let ms = wall - offsetAt(wall, timezone);
  const second = wall - offsetAt(ms, timezone);
  if (second !== ms) ms = Math.min(ms, second);
  const t = localTime(ms, timezone);
  return t.hour === hour && t.minute === minute && t.day === day ? ms : undefined;
}

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
      const at = zonedInstant(timezone, year, month, day, hour, minute);
      if (at !== undefined) out.push(at);
    }
  }
  return out;
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
