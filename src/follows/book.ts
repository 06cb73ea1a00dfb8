/**
 * Members' follows, in the store: per platform and workspace (Slack team, Discord guild) one record holding every
 * member's followed authors and topics, changed under a store mutex so two instances never lose an update. One
 * record per workspace: a digest reads its followers in one read, and a member holds at most MAX_FOLLOWS.
 */
import { z } from 'zod';
import { UserInputError } from '../app/errors';
import { recordKind } from '../store/records';
import type { Store } from '../store';
import { keys, locks } from '../store/keys';
import { exclusive } from '../store/lock';
import { nameKey, parseName, sameAuthor } from './names';
import { rankTokens } from '../pipeline/text';

export type FollowKind = 'author' | 'topic';

export interface MemberFollows {
  /** Author names as the member typed them (trimmed, spaces collapsed). */
  authors: string[];
  /** Topics as the member typed them. */
  topics: string[];
}

export interface WorkspaceFollows {
  /** By the member's platform user id. */
  members: Record<string, MemberFollows>;
}

/** Follows one member may hold (authors and topics together). */
export const MAX_FOLLOWS = 50;
/** Longest author name and topic accepted. */
export const MAX_NAME_CHARS = 100;
export const MAX_TOPIC_CHARS = 100;
export const MAX_TOPIC_WORDS = 8;

export interface Scope {
  platform: string;
  workspace: string;
}

/** A workspace's follows ('follows', keys.follows), declared once; loose, so fields added later still read. */
const FOLLOWS = recordKind<WorkspaceFollows>(
  'follows',
  z.looseObject({
    members: z.record(z.string(), z.looseObject({ authors: z.array(z.string()), topics: z.array(z.string()) })),
  }),
);

export async function readFollows(store: Store, scope: Scope): Promise<WorkspaceFollows> {
  return (await FOLLOWS.get(store, keys.follows(scope.platform, scope.workspace))) ?? { members: {} };
}

export async function memberFollows(store: Store, scope: Scope, userId: string): Promise<MemberFollows> {
  return (await readFollows(store, scope)).members[userId] ?? { authors: [], topics: [] };
}

/** Spaces collapsed, trimmed. */
function tidy(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** A topic as compared for equality. */
function topicKey(topic: string): string {
  return tidy(topic).toLowerCase();
}

/**
 * A followed author's name checked: letters (any script), spaces, dots, hyphens, apostrophes and one comma
 * ("LeCun, Yann"); a given name or initial and a surname. A UserInputError names what is wrong in one line.
 */
export function checkAuthorName(raw: string): string {
  const name = tidy(raw);
  if (!name) throw new UserInputError('an author name is missing: expected e.g. "Yann LeCun" or "Y. LeCun"');
  if (name.length > MAX_NAME_CHARS)
    throw new UserInputError(
      `the author name is ${name.length} characters long: expected at most ${MAX_NAME_CHARS}, e.g. "Yann LeCun"`,
    );
  if (!/^[\p{L}\p{M}][\p{L}\p{M} .'’,‐-]*$/u.test(name) || (name.match(/,/g)?.length ?? 0) > 1)
    throw new UserInputError(
      `"${name}" is not an author name: expected letters, spaces, dots and hyphens, e.g. "Yann LeCun" or "LeCun, Yann"`,
    );
  const parsed = parseName(name);
  if (!parsed?.surname || parsed.given.length === 0)
    throw new UserInputError(
      `"${name}" names no one in particular: give a first name or initial and a surname, e.g. "Yann LeCun" or "Y. LeCun"`,
    );
  return name;
}

/** A followed topic checked: a few words the digest's first pass can read. */
export function checkTopic(raw: string): string {
  const topic = tidy(raw);
  if (!topic) throw new UserInputError('a topic is missing: expected a few words, e.g. "diffusion models"');
  if (topic.length > MAX_TOPIC_CHARS)
    throw new UserInputError(
      `the topic is ${topic.length} characters long: expected at most ${MAX_TOPIC_CHARS}, e.g. "diffusion models"`,
    );
  if (/<[@#!]|https?:\/\//i.test(topic))
    throw new UserInputError(`"${topic}" is not a topic: expected a few plain words, e.g. "diffusion models"`);
  const words = [...new Set(rankTokens(topic))];
  if (words.length === 0)
    throw new UserInputError(`"${topic}" has no word to match papers by: expected e.g. "diffusion models"`);
  if (words.length > MAX_TOPIC_WORDS)
    throw new UserInputError(
      `"${topic}" has ${words.length} words to match: expected at most ${MAX_TOPIC_WORDS}, e.g. "diffusion models"`,
    );
  return topic;
}

export type FollowOutcome =
  | { status: 'added'; value: string; total: number }
  | { status: 'already'; value: string; total: number }
  | { status: 'full'; total: number };

/** Adds one follow of the member (checked first); at most MAX_FOLLOWS. */
export async function follow(
  store: Store,
  scope: Scope,
  userId: string,
  kind: FollowKind,
  raw: string,
): Promise<FollowOutcome> {
  const value = kind === 'author' ? checkAuthorName(raw) : checkTopic(raw);
  return change<FollowOutcome>(store, scope, userId, (mine) => {
    const list = kind === 'author' ? mine.authors : mine.topics;
    const key = kind === 'author' ? nameKey : topicKey;
    const total = mine.authors.length + mine.topics.length;
    const existing = list.find((v) => key(v) === key(value));
    if (existing) return { outcome: { status: 'already', value: existing, total } };
    if (total >= MAX_FOLLOWS) return { outcome: { status: 'full', total } };
    list.push(value);
    return { outcome: { status: 'added', value, total: total + 1 }, changed: true };
  });
}

export type UnfollowOutcome = { status: 'removed'; value: string; total: number } | { status: 'absent'; total: number };

/** Removes one follow: the same name or topic, else the one followed author the name matches. */
export async function unfollow(
  store: Store,
  scope: Scope,
  userId: string,
  kind: FollowKind,
  raw: string,
): Promise<UnfollowOutcome> {
  const value = tidy(raw);
  if (!value)
    throw new UserInputError(`which ${kind}? expected e.g. "${kind === 'author' ? 'Yann LeCun' : 'diffusion models'}"`);
  return change<UnfollowOutcome>(store, scope, userId, (mine) => {
    const list = kind === 'author' ? mine.authors : mine.topics;
    const key = kind === 'author' ? nameKey : topicKey;
    let at = list.findIndex((v) => key(v) === key(value));
    if (at < 0 && kind === 'author') {
      const like = list.map((v, i) => (sameAuthor(v, value) ? i : -1)).filter((i) => i >= 0);
      if (like.length === 1) at = like[0] ?? -1;
    }
    const total = mine.authors.length + mine.topics.length;
    if (at < 0) return { outcome: { status: 'absent', total } };
    const [removed] = list.splice(at, 1);
    return { outcome: { status: 'removed', value: removed ?? value, total: total - 1 }, changed: true };
  });
}

async function change<T>(
  store: Store,
  scope: Scope,
  userId: string,
  fn: (mine: MemberFollows) => { outcome: T; changed?: boolean },
): Promise<T> {
  return exclusive(store, locks.followsRecord(scope.platform, scope.workspace), async () => {
    const record = await readFollows(store, scope);
    const mine = record.members[userId] ?? { authors: [], topics: [] };
    const { outcome, changed } = fn(mine);
    if (changed) {
      if (mine.authors.length + mine.topics.length === 0) delete record.members[userId];
      else record.members[userId] = mine;
      await FOLLOWS.set(store, keys.follows(scope.platform, scope.workspace), record);
    }
    return outcome;
  });
}
