/**
 * Wall-clock time in an IANA time zone, from Intl alone (no library): the one place that converts between instants
 * and local calendar times, for the scheduler (a digest's cron in its team's zone) and for arXiv (announcement days
 * and 14:00 ET cutoffs in New York time). DST-aware.
 */

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** The wall-clock time of instant `ms` in `timeZone`. */
export function localTime(ms: number, timeZone: string): LocalTime {
  const out: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(ms))) out[part.type] = part.value;
  return {
    year: Number(out.year),
    month: Number(out.month),
    day: Number(out.day),
    hour: Number(out.hour) % 24,
    minute: Number(out.minute),
    second: Number(out.second),
    weekday: WEEKDAYS[out.weekday ?? ''] ?? 0,
  };
}

export function formatDate(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** YYYY-MM-DD of instant `ms` in `timeZone`. */
export function localDate(ms: number, timeZone: string): string {
  const t = localTime(ms, timeZone);
  return formatDate(t.year, t.month, t.day);
}

/** The zone's offset from UTC at instant `ms`, in ms (positive east of Greenwich; New York: -4 h or -5 h). */
function offsetAt(ms: number, timeZone: string): number {
  const t = localTime(ms, timeZone);
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant when the wall clock in `timeZone` shows the given local time; the earlier one in a repeated (DST
 * fall-back) hour; undefined inside a DST gap, when that local time does not exist.
 */
export function zonedInstant(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
): number | undefined {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let ms = wall - offsetAt(wall, timeZone);
  const second = wall - offsetAt(ms, timeZone);
  if (second !== ms) ms = Math.min(ms, second);
  const t = localTime(ms, timeZone);
  return t.hour === hour && t.minute === minute && t.day === day ? ms : undefined;
}
