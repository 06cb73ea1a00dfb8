/**
 * What a member's interactions leave behind besides their answer: the learning signals of the day's vote (a
 * /critique or a question teaches the profile at half a vote's strength; Not for us is a negative one), and the
 * member's recent activity, shown on their own page (Assembly Home, /digest me).
 */
import { z } from 'zod';
import type { Paper } from '../app/types';
import { recordKind } from '../store/records';
import type { Platform } from '../chat/types';
import type { Assembly } from '../jobs/assembly';
import { currentChannelDigest } from '../jobs/current';
import { voteClosed } from '../jobs/tally';
import { oneLine } from '../app/errors';
import { type SignalKind, addSignal } from '../votes/book';
import { keys, locks } from '../store/keys';
import { exclusive } from '../store/lock';

/** How long a member's activity is remembered, and how many entries. */
const ACTIVITY_TTL_MS = 30 * 86_400_000;
const MAX_ACTIVITY = 20;

export interface Activity {
  paper: Pick<Paper, 'id' | 'version' | 'title'>;
  what: 'voted' | 'asked' | 'critique';
  /** ISO time of the interaction. */
  at: string;
}

/** A member's recent activity ('votes', keys.memberActivity), newest first, declared once with its 30-day TTL. */
const ACTIVITY = recordKind<Activity[]>(
  'votes',
  z.array(
    z.looseObject({
      paper: z.looseObject({ id: z.string(), version: z.number(), title: z.string() }),
      what: z.enum(['voted', 'asked', 'critique']),
      at: z.string(),
    }),
  ),
  { ttlMs: ACTIVITY_TTL_MS },
);

/** Where a signal goes: the card's digest and day when the click was on a card, else the channel's current digest. */
export interface SignalPlace {
  platform: Platform;
  channelId: string;
  userId: string;
  card?: { digest: string; date: string };
}

/** Records a signal for the digest's day while its vote is open; a failure only logs. */
export async function recordInterest(app: Assembly, at: SignalPlace, paperId: string, kind: SignalKind): Promise<void> {
  try {
    let day = at.card;
    if (!day) {
      const current = await currentChannelDigest(app, at.platform, at.channelId);
      if (current) day = { digest: current.digest.name, date: current.date };
    }
    if (!day || (await voteClosed(app.ctx.store, day.digest, day.date))) return;
    await addSignal(app.ctx.store, day.digest, day.date, {
      paperId,
      member: keys.voter(at.platform, at.userId),
      kind,
    });
  } catch (err) {
    app.ctx.log.warn({ paper: paperId, err: oneLine(err) }, 'interest signal not recorded');
  }
}

/** Adds (or with `remove`, takes back) an entry of the member's recent activity; a failure only logs. */
export async function noteActivity(
  app: Assembly,
  member: { platform: Platform; userId: string },
  entry: Omit<Activity, 'at'>,
  remove = false,
): Promise<void> {
  const store = app.ctx.store;
  const key = keys.memberActivity(member.platform, member.userId);
  try {
    await exclusive(store, locks.actionRecord(member.platform, member.userId), async () => {
      const list = ((await ACTIVITY.get(store, key)) ?? []).filter(
        (a) => !(a.paper.id === entry.paper.id && a.what === entry.what),
      );
      if (!remove) list.unshift({ ...entry, at: new Date(app.ctx.clock.now()).toISOString() });
      await ACTIVITY.set(store, key, list.slice(0, MAX_ACTIVITY));
    });
  } catch (err) {
    app.ctx.log.warn({ paper: entry.paper.id, err: oneLine(err) }, 'member activity not recorded');
  }
}

export async function memberActivity(
  app: Assembly,
  member: { platform: Platform; userId: string },
): Promise<Activity[]> {
  return (await ACTIVITY.get(app.ctx.store, keys.memberActivity(member.platform, member.userId))) ?? [];
}
