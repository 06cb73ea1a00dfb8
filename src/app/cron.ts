/**
 * Cron arithmetic in a time zone, as pure functions of an instant: when a digest's schedule fired last and fires
 * next. node-cron runs the live timers; this module answers "what is due now" for any clock, so the scheduler is
 * tested with a fake clock and catch-up after downtime uses the same rules as the live path.
 *
 * The arithmetic is croner's (`nextRun`/`previousRuns` from any instant, in any IANA time zone): classic cron
 * semantics (day-of-month OR day-of-week when both are restricted) and, for a local time inside a DST gap (02:30 on
 * a spring-forward night), a firing when the gap ends rather than none that day.
 */
import { Cron } from 'croner';
import { localDate } from './time';

/** One evaluator per schedule and zone; without a callback croner starts no timer. */
const evaluators = new Map<string, Cron>();

function evaluator(expression: string, timezone: string): Cron {
  const key = `${timezone}\n${expression}`;
  let cron = evaluators.get(key);
  if (!cron) {
    cron = new Cron(expression, { timezone });
    evaluators.set(key, cron);
  }
  return cron;
}

/** The latest firing at or before `now` on the same local day as `now` ("its time passed today"). */
export function lastFiringToday(expression: string, timezone: string, now: number): number | undefined {
  // croner counts a run earlier in the reference's own second: 1 ms later makes a firing at `now` itself count.
  const [last] = evaluator(expression, timezone).previousRuns(1, new Date(now + 1));
  if (!last) return undefined;
  const at = last.getTime();
  return at <= now && localDate(at, timezone) === localDate(now, timezone) ? at : undefined;
}

/** The first firing strictly after `after`, looking up to `days` days ahead. */
export function nextFiring(expression: string, timezone: string, after: number, days = 400): number | undefined {
  const next = evaluator(expression, timezone).nextRun(new Date(after));
  if (!next) return undefined;
  const at = next.getTime();
  return at > after && at - after <= (days + 1) * 86_400_000 ? at : undefined;
}
