/**
 * Replays of signed requests. Slack's and Discord's signatures cover a body and a timestamp and stay valid for five
 * minutes: anyone who saw one request (a proxy's log, a leaked capture) could send it again and again within that
 * window, and each copy would act (a /critique posted ten times). Every signed request that acts is therefore taken
 * once: its platform identity (Slack: a command's `trigger_id`, an event's `event_id`, an interaction's trigger or
 * action; Discord: the interaction id) is recorded in the store, shared by every instance, for longer than a
 * signature stays valid, and a second request with the same identity is answered without acting.
 */
import type { Store } from '../store';
import { keys, locks } from '../store/keys';
import { exclusive } from '../store/lock';

/** How long a request's identity is remembered: past the 5-minute signature window, with room for clock skew. */
export const REPLAY_MEMORY_MS = 10 * 60_000;

/**
 * True the first time a request with this identity is seen on `platform` (it is recorded then), false for every
 * copy after it within REPLAY_MEMORY_MS. Atomic across instances sharing the store.
 */
export function firstTime(store: Store, platform: string, requestId: string): Promise<boolean> {
  const key = keys.seenRequest(platform, requestId);
  return exclusive(store, locks.seenRequestRecord(platform, requestId), async () => {
    if (await store.get<boolean>('ratelimit', key)) return false;
    await store.set('ratelimit', key, true, REPLAY_MEMORY_MS);
    return true;
  });
}
