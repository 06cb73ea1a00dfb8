/**
 * Members' follows in a digest run: whose follows apply (the members of each channel's workspace), the followed
 * authors the first pass keeps, and per channel the cards' followers and the "Also from people you follow" list.
 * Best effort: a workspace the platform cannot name, or a store read that fails, costs the follows of that
 * channel (logged), never the digest.
 */
import type { Digest, Paper } from '../app/types';
import type { DigestConfig } from '../config/schema';
import { oneLine } from '../app/errors';
import { type WorkspaceFollows, readFollows } from '../follows/book';
import { MAX_ALSO_PAPERS, followMarks, followedAuthors } from '../follows/match';
import type { Assembly } from './assembly';
import type { PostFollows } from './post';

/** A channel a digest posts to (run.ts ChannelTarget). */
interface ChannelTarget {
  platform: string;
  channelId: string;
}

/** A channel's workspace follows, by `platform:channelId`. */
export type ChannelFollows = Map<string, WorkspaceFollows>;

export const targetKey = (t: ChannelTarget) => `${t.platform}:${t.channelId}`;

function hasMembers(record: WorkspaceFollows): boolean {
  return Object.keys(record.members).length > 0;
}

/** The follows of each channel's workspace (channels without any follower are left out). */
export async function loadFollows(
  app: Assembly,
  digest: DigestConfig,
  targets: ChannelTarget[],
): Promise<ChannelFollows> {
  const out: ChannelFollows = new Map();
  const byWorkspace = new Map<string, Promise<WorkspaceFollows>>();
  for (const target of targets) {
    const adapter = app.adapters[target.platform];
    if (!adapter?.workspaceOf) continue;
    try {
      const workspace = await adapter.workspaceOf(target.channelId);
      if (!workspace) continue;
      const scope = { platform: target.platform, workspace };
      const key = `${scope.platform}:${workspace}`;
      let record = byWorkspace.get(key);
      if (!record) {
        record = readFollows(app.ctx.store, scope);
        byWorkspace.set(key, record);
      }
      const got = await record;
      if (hasMembers(got)) out.set(targetKey(target), got);
    } catch (err) {
      app.ctx.log.warn(
        { digest: digest.name, platform: target.platform, channel: target.channelId, err: oneLine(err) },
        "members' follows not read for this channel",
      );
    }
  }
  return out;
}

/** The digest config with every member's followed author added to `authors` (the first pass keeps their papers). */
export function withFollowedAuthors(digest: DigestConfig, follows: ChannelFollows): DigestConfig {
  const extra = followedAuthors([...follows.values()]).filter(
    (a) => !digest.authors.some((b) => b.toLowerCase() === a.toLowerCase()),
  );
  return extra.length ? { ...digest, authors: [...digest.authors, ...extra] } : digest;
}

/** The day's papers (from the store: the digest just read them), for topics and "Also from"; none on failure. */
async function dayPapers(app: Assembly, digest: DigestConfig, built: Digest): Promise<Paper[]> {
  try {
    const day = await app.services.arxiv.openDay(digest.categories, {
      date: built.date,
      includeReplacements: digest.includeReplacements,
    });
    return day.listing.papers;
  } catch (err) {
    app.ctx.log.warn(
      { digest: digest.name, err: oneLine(err) },
      "the day's listing is not at hand: follows marked on the digest's papers only",
    );
    return [];
  }
}

/** Per channel (`targetKey`), what its members' follows add to the post. */
export async function followsToPost(
  app: Assembly,
  digest: DigestConfig,
  built: Digest,
  follows: ChannelFollows,
): Promise<Map<string, PostFollows>> {
  const out = new Map<string, PostFollows>();
  if (follows.size === 0 || built.empty) return out;
  const day = await dayPapers(app, digest, built);
  const marks = new Map<WorkspaceFollows, PostFollows>();
  for (const [key, record] of follows) {
    let post = marks.get(record);
    if (!post) {
      const m = followMarks(record, built.selected, day);
      post = {
        cards: m.cards,
        also: m.also.slice(0, MAX_ALSO_PAPERS),
        ...(m.also.length > MAX_ALSO_PAPERS ? { more: m.also.length - MAX_ALSO_PAPERS } : {}),
      };
      marks.set(record, post);
    }
    out.set(key, post);
  }
  return out;
}
