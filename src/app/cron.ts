/**
 * Cron in a time zone, one library for all of it (croner): the live timers, the validation of a schedule (with the
 * reason), and the fire times as pure functions of an instant, so the scheduler is tested with a fake clock and the
 * catch-up after downtime uses the same rules as the live path. node-cron was the other candidate; it validates
 * with reasons and times its tasks but gives next firings only from now and no previous ones, which "what was due
 * today" needs.
 *
 * Classic cron semantics (day-of-month OR day-of-week when both are restricted) and, for a local time inside a DST
 * gap (02:30 on a spring-forward night), a firing when the gap ends rather than none that day.
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

const FIVE = 'a cron expression of 5 fields (minute hour day-of-month month weekday) such as "30 8 * * 1-5"';

/** The five fields as the config's error names them, with their ranges (croner's field names differ). */
const FIELDS = [
  { name: 'minute', croner: 'minute', min: 0, max: 59 },
  { name: 'hour', croner: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', croner: 'day', min: 1, max: 31 },
  { name: 'month', croner: 'month', min: 1, max: 12 },
  { name: 'weekday', croner: 'dayOfWeek', min: 0, max: 7 },
] as const;

/**
 * croner's reason in the config's words: "Invalid value for dayOfWeek: 8" for `1-9` becomes "weekday 9 is out of
 * range 0-7", the number as the member wrote it (croner may report it shifted). croner still decides what is valid;
 * only the wording is ours. A reason about no one field is passed on as croner gives it.
 */
function fieldReason(reason: string, fields: string[]): string {
  const field = FIELDS.find((f) => new RegExp(`\\bfor ${f.croner}\\b`).test(reason));
  if (!field) return reason;
  const text = fields[FIELDS.indexOf(field)] ?? '';
  const numbers = (text.match(/\d+/g) ?? []).map(Number);
  const outside = numbers.find((n) => n < field.min || n > field.max);
  if (outside !== undefined) return `${field.name} ${outside} is out of range ${field.min}-${field.max}`;
  return `${field.name} "${text}" is not valid`;
}

/**
 * What is wrong with a schedule, if anything: five fields (croner also takes six, seconds first, where a stray
 * field shifts them all), then croner's own reason, worded per field (`minute 61 is out of range 0-59`).
 */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return `expected ${FIVE}, not ${fields.length}`;
  try {
    new Cron(expression, { paused: true });
    return undefined;
  } catch (err) {
    const reason = String((err as Error).message ?? err).replace(/^CronPattern:\s*/, '');
    return `${fieldReason(reason, fields)} (expected ${FIVE})`;
  }
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

export interface CronTimer {
  readonly name: string;
  readonly expression: string;
  readonly timezone?: string;
  /** The next live firing (wall clock). */
  next(): Date | undefined;
  stop(): void;
}

/**
 * A live timer: `fn` at each firing in `timezone` (the machine's when undefined). A firing while the previous call
 * still runs is skipped (it is the scheduler's tick, which catches up by itself); errors go to `onError`.
 */
export function cronTimer(opts: {
  name: string;
  expression: string;
  timezone?: string;
  fn: () => unknown;
  onError: (err: unknown) => void;
}): CronTimer {
  const job = new Cron(
    opts.expression,
    {
      name: opts.name,
      ...(opts.timezone ? { timezone: opts.timezone } : {}),
      protect: true,
      unref: true,
      catch: opts.onError,
    },
    async () => {
      await opts.fn();
    },
  );
  return {
    name: opts.name,
    expression: opts.expression,
    ...(opts.timezone ? { timezone: opts.timezone } : {}),
    next: () => job.nextRun() ?? undefined,
    stop: () => job.stop(),
  };
}
