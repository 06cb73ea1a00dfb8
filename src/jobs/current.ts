/**
 * Which digest a channel is voting on now: the most recent digest posted in that channel within the last week.
 * Found from the exactly-once post records alone, so it works whether the digest was posted by the scheduler or by
 * `arxiv-digest digest`, on any instance.
 */
import type { Platform } from '../chat/types';
import type { DigestConfig } from '../config/schema';
import type { Assembly } from './assembly';
import { type PostedDigest, getPostedDigest } from './post';
import { channelsOf } from './run';
import { localDate } from '../app/time';

const DAY = 86_400_000;

export interface ChannelDigest {
  digest: DigestConfig;
  /** Announcement day of the digest posted there, or today's local date when none was posted yet. */
  date: string;
  posted?: PostedDigest;
}

/** Digests configured to post in that channel. */
export function digestsForChannel(app: Assembly, platform: Platform, channelId: string): DigestConfig[] {
  return app.ctx.config.digests.filter((d) =>
    channelsOf(d).some((c) => c.platform === platform && c.channelId === channelId),
  );
}

/** Candidate announcement days, newest first: tomorrow (UTC/local skew) back to a week ago. */
export function recentDates(now: number, timezone: string, days = 7): string[] {
  const out: string[] = [];
  for (let i = -1; i <= days; i++) {
    const date = localDate(now - i * DAY, timezone);
    if (!out.includes(date)) out.push(date);
  }
  return out;
}

/**
 * The channel's current digest: among the digests posting there, the newest posted one in the last week; today's
 * local date when none was posted yet. A channel that is itself a digest's thread (Discord: slash commands typed in
 * the thread carry the thread's id) resolves to that digest. Undefined when no digest posts there.
 */
export async function currentChannelDigest(
  app: Assembly,
  platform: Platform,
  channelId: string,
): Promise<ChannelDigest | undefined> {
  const digests = digestsForChannel(app, platform, channelId);
  const first = digests[0];
  if (!first) return digestOfThread(app, platform, channelId);
  let best: ChannelDigest | undefined;
  for (const digest of digests) {
    for (const date of recentDates(app.ctx.clock.now(), digest.timezone)) {
      const posted = await getPostedDigest(app.ctx.store, platform, channelId, digest.name, date);
      if (!posted) continue;
      if (!best?.posted || date > best.date) best = { digest, date, posted };
      break;
    }
  }
  return best ?? { digest: first, date: localDate(app.ctx.clock.now(), first.timezone) };
}

/**
 * The digest whose thread `threadId` is, among the digests posted on that platform in the last `days` days (a week
 * unless said). `channelId` narrows the search to digests posted in that channel (Slack: a thread is a `thread_ts`
 * within its channel).
 */
export async function digestOfThread(
  app: Assembly,
  platform: Platform,
  threadId: string,
  within: { channelId?: string; days?: number } = {},
): Promise<(ChannelDigest & { posted: PostedDigest }) | undefined> {
  for (const digest of app.ctx.config.digests) {
    for (const target of channelsOf(digest)) {
      if (target.platform !== platform) continue;
      if (within.channelId !== undefined && target.channelId !== within.channelId) continue;
      for (const date of recentDates(app.ctx.clock.now(), digest.timezone, within.days)) {
        const posted = await getPostedDigest(app.ctx.store, platform, target.channelId, digest.name, date);
        if (posted?.thread.threadId === threadId) return { digest, date, posted };
      }
    }
  }
  return undefined;
}
