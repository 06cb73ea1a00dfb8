/** A member's hourly allowance of a command (/critique, questions to papers), shared by every instance on the store. */
import type { CommandEvent } from '../chat/types';
import type { App } from './app';
import { locks } from '../store/keys';
import { exclusive } from '../store/lock';

const HOUR = 3_600_000;

/**
 * Counts one use in the member's fixed hourly window under `key` (one of keys.critiqueUses, keys.askUses); false
 * when the window's `perHour` uses are spent.
 */
export async function takeHourlyUse(
  app: App,
  event: Pick<CommandEvent, 'platform' | 'userId'>,
  perHour: number,
  key: (platform: string, userId: string, hourWindow: number) => string,
): Promise<boolean> {
  const stored = key(event.platform, event.userId, Math.floor(app.ctx.clock.now() / HOUR));
  return exclusive(app.ctx.store, locks.rateLimitRecord(event.platform, event.userId), async () => {
    const used = (await app.ctx.store.get<number>('ratelimit', stored)) ?? 0;
    if (used >= perHour) return false;
    await app.ctx.store.set('ratelimit', stored, used + 1, 2 * HOUR);
    return true;
  });
}

/** Whole minutes until the next hourly window opens (at least 1), for "try again in N minutes". */
export function minutesToNextHour(now: number): number {
  return Math.max(1, Math.ceil((HOUR - (now % HOUR)) / 60_000));
}
