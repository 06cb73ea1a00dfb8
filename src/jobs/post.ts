/**
 * Exactly-once posting of a digest, in one place for every platform. Each platform message is recorded in the
 * store before the next is sent, keyed by digest, day, platform, channel and part, so a re-run, a restart or a
 * crash mid-digest continues where it stopped and never posts twice. (The one window left is a crash between the
 * platform accepting a message and the record being written; Discord's enforced nonce closes it there.) A top-level
 * message without a thread on the platform (killed between the two) gets its thread started when the run resumes.
 *
 * Posting into one channel's digest holds a store lock (`post:…`, src/store/lock.ts: it names its holder and lives on
 * a heartbeat), so two writers never interleave: the scheduler of two instances, or `arxiv-digest digest` run by
 * hand while the bot posts the same day. The second waits (and says for whom) and then finds the parts recorded; a
 * dead writer's lock is taken over at once. Each part is sent only after renewing that lock, so a process that
 * stalled past the lock's expiry (and was taken over) stops instead of sending parts the other is sending too, and
 * an instance told to stop at once (a second SIGTERM) stops there too: after the previous part was recorded.
 */
import type {
  ChatAdapter,
  FollowMention,
  FollowedPaper,
  OutgoingMessage,
  PostedMessage,
  RenderedPart,
  ThreadRef,
} from '../chat/types';
import { z } from 'zod';
import { ArxivDigestError, ErrorCode } from '../app/errors';
import { recordKind } from '../store/records';
import { keys, locks, parts } from '../store/keys';
import type { Store } from '../store';
import { type HeldLock, LOCK_TTL_MS, describeHolder, withLock } from '../store/lock';
import { currentScope, throwIfStopping } from '../app/scope';
import type { Digest } from '../app/types';
import { displayEmoji } from '../votes/emoji';
import { metrics } from '../app/metrics';
import { boundedParts } from '../chat/layout';

/** The posting lock's expiry without a heartbeat; renewed every few seconds and before each part while posting. */
export const POST_LOCK_TTL_MS = LOCK_TTL_MS;
/** How long a writer waits for another live one posting the same digest (a slow post waits out rate limits). */
const POST_LOCK_WAIT_MS = 15 * 60_000;
const POST_LOCK_POLL_MS = 250;

export interface PostOptions {
  /** Told, once, what this writer waits for (another instance posting the same digest), in one line. */
  onWait?: (line: string) => void;
}

/** The members' follows on a digest in one channel's workspace (src/follows/match.ts `followMarks`). */
export interface PostFollows {
  /** By arXiv id: the followers a paper's card mentions. */
  cards: Record<string, FollowMention[]>;
  /** "Also from people you follow": followed authors' papers not in the digest (nothing sent when empty). */
  also: FollowedPaper[];
  /** Papers left out of a long "Also from" list. */
  more?: number;
}

/**
 * Runs `fn` holding the posting lock of `base`, waiting while another live writer holds it. A lock left by a dead
 * writer is taken over at once (same host) or expires a few seconds after its heartbeat stopped.
 */
async function underPostLock<T>(
  store: Store,
  base: string,
  fn: (lock: HeldLock) => Promise<T>,
  options: PostOptions = {},
): Promise<T> {
  const instance = currentScope().instance;
  const deadline = Date.now() + POST_LOCK_WAIT_MS;
  let told = false;
  for (;;) {
    const got = await withLock(store, locks.posting(base), instance, POST_LOCK_TTL_MS, fn, {
      onTakeOver: (from) =>
        options.onWait?.(`took over the posting lock of ${base} from ${describeHolder(from)}, which is gone`),
    });
    if (got.held) return got.value;
    if (!told && got.holding) {
      told = true;
      options.onWait?.(
        `waiting for the posting lock of ${base} held by ${describeHolder(got.holding.owner)}, up to ${POST_LOCK_WAIT_MS / 1000} s (its lock expires in ${Math.ceil(got.holding.expiresInMs / 1000)} s unless its holder renews it)`,
      );
    }
    if (Date.now() > deadline)
      throw new ArxivDigestError(
        ErrorCode.ChatError,
        `another process has been posting ${base} for over ${POST_LOCK_WAIT_MS / 60_000} minutes; try again later`,
      );
    throwIfStopping();
    await new Promise((resolve) => setTimeout(resolve, POST_LOCK_POLL_MS));
  }
}

export interface PaperMessageRef {
  digest: string;
  date: string;
  paperId: string;
  version: number;
  title: string;
}

/** A posted card back to its digest paper ('messages', keys.message), declared once: reactions on it are votes. */
export const MESSAGES = recordKind<PaperMessageRef>(
  'messages',
  z.looseObject({ digest: z.string(), date: z.string(), paperId: z.string(), version: z.number(), title: z.string() }),
);

export interface PostedDigest {
  platform: ChatAdapter['platform'];
  channelId: string;
  name: string;
  date: string;
  parent: PostedMessage;
  thread: ThreadRef;
  /** The first platform message of each paper, by arXiv id: where its votes are. */
  papers: Record<string, PostedMessage>;
  /** Set when every part was sent. */
  complete: boolean;
  /** Set (by the run that did it, not stored) when the digest was found on the platform and adopted. */
  adopted?: boolean;
  /** Set (not stored) when another writer finished the digest while this one waited for the posting lock. */
  postedByOther?: boolean;
}

/** A platform message as the store records it ('posts', keys.postedPart; a digest's parent and its papers). */
const POSTED_MESSAGE = z.looseObject({
  platform: z.string(),
  channelId: z.string(),
  messageId: z.string(),
  threadId: z.string().optional(),
});
const THREAD_REF = z.looseObject({ platform: z.string(), channelId: z.string(), threadId: z.string() });

/**
 * The records of the 'posts' namespace, each kind declared once (keys: src/store/keys.ts, their TTL the
 * namespace's): a digest posted in a channel, each sent part, the write-ahead mark of a part being sent, the
 * digest's thread, and the newest day posted per digest and channel.
 */
export const POSTS = {
  digest: recordKind<PostedDigest>(
    'posts',
    z.looseObject({
      platform: z.string(),
      channelId: z.string(),
      name: z.string(),
      date: z.string(),
      parent: POSTED_MESSAGE,
      thread: THREAD_REF,
      papers: z.record(z.string(), POSTED_MESSAGE),
      complete: z.boolean(),
      adopted: z.boolean().optional(),
      postedByOther: z.boolean().optional(),
    }),
  ),
  part: recordKind<PostedMessage>('posts', POSTED_MESSAGE),
  sending: recordKind<boolean>('posts', z.boolean()),
  thread: recordKind<ThreadRef>('posts', THREAD_REF),
  latest: recordKind<string>('posts', z.string()),
};

/** What every send of one post shares: where the parts go, under which lock, and what was adopted. */
interface PostTarget {
  store: Store;
  lock: HeldLock;
  adapter: ChatAdapter;
  /** The posting key of the digest in this channel (keys.posting). */
  base: string;
  channelId: string;
  /** Where the parts go; none for the top-level message. */
  thread?: ThreadRef;
  /** Parts of a digest adopted from the platform, by nonce. */
  adopted?: Map<string, PostedMessage>;
}

/** Sends the rendered parts of one logical message, skipping the parts already recorded. */
async function sendOnce(to: PostTarget, part: string, message: OutgoingMessage): Promise<PostedMessage[]> {
  const rendered = boundedParts(message.kind, to.adapter.render(message));
  const posted: PostedMessage[] = [];
  for (const [k, payload] of rendered.entries())
    posted.push(await sendPart(to, keys.postedPart(to.base, part, k), payload));
  return posted;
}

/** Sends one rendered part under its key, exactly once: a recorded part is returned as it was recorded. */
async function sendPart(to: PostTarget, key: string, payload: RenderedPart): Promise<PostedMessage> {
  const { store, adapter } = to;
  const done = await POSTS.part.get(store, key);
  if (done) return done;
  await to.lock.check();
  const nonce = nonceFor(key, to.adapter.nonceLength);
  // A part of a digest adopted from the platform (the store had lost it), recognised by its nonce.
  const known = to.adopted?.get(nonce);
  if (known) {
    await POSTS.part.set(store, key, known);
    return known;
  }
  // Write-ahead: a crash between the platform accepting the message and the record below leaves this mark, and
  // the resumed run asks the platform for the message by its nonce before sending it again.
  const sendingKey = keys.sending(key);
  const found = (await POSTS.sending.get(store, sendingKey))
    ? await findEarlier(adapter, to.channelId, nonce, to.thread)
    : undefined;
  if (found) {
    await POSTS.part.set(store, key, found);
    return found;
  }
  await POSTS.sending.set(store, sendingKey, true);
  const msg = await adapter.send(to.channelId, payload, to.thread, { nonce });
  metrics.messageSent(adapter.platform);
  await POSTS.part.set(store, key, msg);
  return msg;
}

/** The message an interrupted run sent with `nonce`, when the adapter can look it up; a failed lookup means send. */
async function findEarlier(
  adapter: ChatAdapter,
  channelId: string,
  nonce: string,
  thread: ThreadRef | undefined,
): Promise<PostedMessage | undefined> {
  if (!adapter.findPosted) return undefined;
  try {
    return await adapter.findPosted(channelId, nonce, thread);
  } catch {
    return undefined;
  }
}

/** A stable nonce for a part, at most the platform's `nonceLength` characters, so a resent part is recognised. */
export function nonceFor(key: string, maxLength: number): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return `ad${h1.toString(36)}${h2.toString(36)}`.slice(0, maxLength);
}

/**
 * Posts a digest to one channel, exactly once: the top-level message, its thread (with whatever of the top-level
 * message did not fit it), then per paper its card and its long text. Every part has its own key
 * (`…:parent#k`, `…:paper:ID#k`; `#0` of a paper is its card, where its votes are read).
 */
export async function postDigest(
  store: Store,
  adapter: ChatAdapter,
  channelId: string,
  digest: Digest,
  voteEmoji: string[],
  options: PostOptions & { follows?: PostFollows } = {},
): Promise<PostedDigest> {
  const base = keys.posting(adapter.platform, channelId, digest.name, digest.date);
  const posted = await POSTS.digest.get(store, base);
  if (posted?.complete) return posted;
  return underPostLock(
    store,
    base,
    (lock) =>
      postDigestLocked({
        to: { store, lock, adapter, base, channelId },
        digest,
        voteEmoji,
        ...(options.follows ? { follows: options.follows } : {}),
      }),
    options,
  );
}

/**
 * Looks for this day's digest on the platform when the store has no record of it. When found, its top-level
 * message and thread are recorded, the thread's parts are matched to their keys (by nonce where the platform keeps
 * it, else a card by its paper and the details after it by their order), and the digest to resume is cut to the
 * papers the posted one names: nothing the channel has is posted again, nothing it does not name is added.
 */
async function adopt(
  store: Store,
  adapter: ChatAdapter,
  channelId: string,
  base: string,
  digest: Digest,
): Promise<{ digest: Digest; byNonce: Map<string, PostedMessage> } | undefined> {
  const parentKey = keys.postedPart(base, parts.parent, 0);
  if (!adapter.findDigest || (await POSTS.part.get(store, parentKey))) return undefined;
  const found = await adapter.findDigest(channelId, {
    name: digest.name,
    date: digest.date,
    nonce: nonceFor(parentKey, adapter.nonceLength),
  });
  if (!found) return undefined;
  await POSTS.part.set(store, parentKey, found.parent);
  if (found.thread) await POSTS.thread.set(store, keys.postThread(base), found.thread);
  const byNonce = new Map<string, PostedMessage>();
  // Parts without a nonce: the messages before the first card continue the top-level message; a card and the
  // messages after it, up to the next card, are that paper's parts in order.
  let part: string = parts.parent;
  let k = 0;
  for (const reply of found.replies) {
    if (reply.nonce) {
      byNonce.set(reply.nonce, reply.message);
      continue;
    }
    if (reply.cardOf) {
      part = parts.paper(reply.cardOf);
      k = 0;
    } else k += 1;
    byNonce.set(nonceFor(keys.postedPart(base, part, k), adapter.nonceLength), reply.message);
  }
  const named = new Set(found.named);
  const selected = named.size ? digest.selected.filter((p) => named.has(p.id)) : digest.selected;
  return { digest: { ...digest, selected }, byNonce };
}

/** One digest to post in one channel, under the posting lock (`to` without a thread yet). */
interface DigestPost {
  to: PostTarget;
  digest: Digest;
  voteEmoji: string[];
  follows?: PostFollows;
}

async function postDigestLocked(post: DigestPost): Promise<PostedDigest> {
  const { store, adapter, base, channelId } = post.to;
  // Read again under the lock: the writer we waited for may have finished it.
  const existing = await POSTS.digest.get(store, base);
  if (existing?.complete) return { ...existing, postedByOther: true };

  // No record at all of this day in this channel: the store may have been lost after (part of) a post. The
  // platform is then the truth: a digest found there is adopted and resumed, never posted a second time.
  const adoption = existing ? undefined : await adopt(store, adapter, channelId, base, post.digest);
  const digest = adoption?.digest ?? post.digest;
  const emoji = displayEmoji(post.voteEmoji);
  const top = { ...post.to, ...(adoption ? { adopted: adoption.byNonce } : {}) };
  const { parent, overflow } = await postParent(top, digest, emoji);
  const thread = await threadOf(top, parent, existing, `arXiv digest ${digest.name} ${digest.date}`);
  const to: PostTarget = { ...top, thread };
  for (const [i, payload] of overflow.entries())
    await sendPart(to, keys.postedPart(base, parts.parent, i + 1), payload);
  const record: PostedDigest = {
    platform: adapter.platform,
    channelId,
    name: digest.name,
    date: digest.date,
    parent,
    thread,
    papers: existing?.thread?.threadId === thread.threadId ? existing.papers : {},
    complete: false,
  };
  await postPapers(to, { digest, emoji, record, ...(post.follows ? { follows: post.follows } : {}) });
  // The followed authors' papers that did not make it: one message after the cards, exactly once like every part.
  const also = post.follows?.also ?? [];
  if (also.length)
    await sendOnce(to, parts.followed, {
      kind: 'followed',
      papers: also,
      ...(post.follows?.more ? { more: post.follows.more } : {}),
    });
  await finish(store, record);
  // Said by this run only (not stored): it found the digest on the platform.
  return adoption ? { ...record, adopted: true } : record;
}

/**
 * The digest's top-level message: its first rendered part, in the channel. Any further part (what did not fit one
 * message) is returned to be the first message of its thread, never a second message in the channel.
 */
async function postParent(
  to: PostTarget,
  digest: Digest,
  voteEmoji: string,
): Promise<{ parent: PostedMessage; overflow: RenderedPart[] }> {
  const [first, ...overflow] = to.adapter.render({ kind: 'digest', digest, voteEmoji });
  if (!first) {
    throw new ArxivDigestError(ErrorCode.Internal, `adapter ${to.adapter.platform} rendered no message for the digest`);
  }
  const parent = await sendPart(to, keys.postedPart(to.base, parts.parent, 0), first);
  return { parent, overflow };
}

/**
 * The thread of the top-level message: the one recorded, while the platform still has it; else started now from
 * that message and recorded. A run killed after the platform accepted the message and before the thread was
 * started (or recorded) resumes here: the adapter starts the thread, or finds the one the platform already has.
 */
async function threadOf(
  to: PostTarget,
  parent: PostedMessage,
  existing: PostedDigest | undefined,
  name: string,
): Promise<ThreadRef> {
  const key = keys.postThread(to.base);
  const recorded = existing?.thread ?? (await POSTS.thread.get(to.store, key));
  if (recorded && (await threadStillThere(to.adapter, recorded))) return recorded;
  await to.lock.check();
  const thread = await to.adapter.openThread(parent, name);
  await POSTS.thread.set(to.store, key, thread);
  return thread;
}

/** False only when the platform says the recorded thread does not exist; a failed question means it does. */
async function threadStillThere(adapter: ChatAdapter, thread: ThreadRef): Promise<boolean> {
  if (!adapter.threadExists) return true;
  try {
    return await adapter.threadExists(thread);
  } catch {
    return true;
  }
}

/** Each paper's card and long text, in the thread; the first message of each recorded where its votes are read. */
async function postPapers(
  to: PostTarget,
  run: { digest: Digest; emoji: string; record: PostedDigest; follows?: PostFollows },
): Promise<void> {
  const { digest, record } = run;
  for (const [index, paper] of digest.selected.entries()) {
    const followers = run.follows?.cards[paper.id];
    const msgs = await sendOnce(to, parts.paper(paper.id), {
      kind: 'paper',
      digest,
      paper,
      index,
      voteEmoji: run.emoji,
      ...(paper.explore ? { because: paper.explore.because } : {}),
      ...(followers?.length ? { followers } : {}),
    });
    const first = msgs[0];
    if (!first || record.papers[paper.id]) continue;
    record.papers[paper.id] = first;
    const ref: PaperMessageRef = {
      digest: digest.name,
      date: digest.date,
      paperId: paper.id,
      version: paper.version,
      title: paper.title,
    };
    await MESSAGES.set(to.store, keys.message(first.platform, first.channelId, first.messageId), ref);
    if (first.threadId)
      await MESSAGES.set(to.store, keys.message(first.platform, first.threadId, first.messageId), ref);
    await POSTS.digest.set(to.store, keys.posting(record.platform, record.channelId, record.name, record.date), record);
  }
}

/** Marks the digest complete and the channel's latest posted day. */
async function finish(store: Store, record: PostedDigest): Promise<void> {
  record.complete = true;
  await POSTS.digest.set(store, keys.posting(record.platform, record.channelId, record.name, record.date), record);
  const latestKey = keys.latestPosted(record.platform, record.channelId, record.name);
  const latest = await POSTS.latest.get(store, latestKey);
  if (!latest || latest < record.date) await POSTS.latest.set(store, latestKey, record.date);
}

/** Where a follow-up goes: a posted digest's identity and thread. */
export type DigestThread = Pick<PostedDigest, 'platform' | 'channelId' | 'name' | 'date' | 'thread'>;

/** Posts a follow-up (tally, deep-dive, a new version) into a posted digest's thread, exactly once per `part`. */
export async function postInThread(
  store: Store,
  adapter: ChatAdapter,
  posted: DigestThread,
  part: string,
  message: OutgoingMessage,
  options: PostOptions = {},
): Promise<PostedMessage[]> {
  const base = keys.posting(posted.platform, posted.channelId, posted.name, posted.date);
  return underPostLock(
    store,
    base,
    (lock) =>
      sendOnce({ store, lock, adapter, base, channelId: posted.channelId, thread: posted.thread }, part, message),
    options,
  );
}

/** Whether the first part of `part` was recorded as sent in the digest's thread (nothing is sent or locked). */
export async function postedInThread(store: Store, posted: DigestThread, part: string): Promise<boolean> {
  const base = keys.posting(posted.platform, posted.channelId, posted.name, posted.date);
  return (await POSTS.part.get(store, keys.postedPart(base, part, 0))) !== undefined;
}

export function getPostedDigest(store: Store, platform: string, channelId: string, name: string, date: string) {
  return POSTS.digest.get(store, keys.posting(platform, channelId, name, date));
}
