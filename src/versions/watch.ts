/**
 * The papers a channel cared about, so that their new versions can be announced where the channel saw them: every
 * paper of a posted digest, and every paper members voted for there (`/vote`, also outside the digest). One record
 * per paper (store namespace 'versions', by bare arXiv id) lists the threads that showed it, the version each saw
 * last, and the abstracts of those versions (what a new version's abstract is diffed against: the paper store keeps
 * only the newest). Changed under a store mutex per paper: posts and votes of several instances add to it at once.
 */
import { z } from 'zod';
import type { ThreadRef } from '../chat/types';
import type { Store } from '../store';
import { exclusive } from '../store/lock';
import { keys, locks } from '../store/keys';
import { recordKind } from '../store/records';

/** A digest thread that showed a paper. */
export interface WatchingThread {
  platform: string;
  channelId: string;
  /** The digest and announcement day whose thread it is (its post records: src/jobs/post.ts). */
  digest: string;
  date: string;
  thread: ThreadRef;
  /** The version this thread saw last: the one shown or voted for, then the one last announced there. */
  version: number;
  /** Why the thread watches it: the paper was in the digest, or members voted for it there. */
  via: 'digest' | 'vote';
}

export interface WatchedPaper {
  id: string;
  title: string;
  /** The abstract of each version a thread saw, by version number. */
  abstracts: Record<string, string>;
  /** The comments of each version a thread saw, when arXiv had some. */
  comments?: Record<string, string>;
  threads: WatchingThread[];
}

const THREAD_REF: z.ZodType<ThreadRef> = z.looseObject({
  platform: z.string(),
  channelId: z.string(),
  threadId: z.string(),
});

/** The 'versions' record of a paper, by bare arXiv id (keys.watchedPaper); its TTL is the namespace's. */
const WATCHED = recordKind<WatchedPaper>(
  'versions',
  z.looseObject({
    id: z.string(),
    title: z.string(),
    abstracts: z.record(z.string(), z.string()),
    comments: z.record(z.string(), z.string()).optional(),
    threads: z.array(
      z.looseObject({
        platform: z.string(),
        channelId: z.string(),
        digest: z.string(),
        date: z.string(),
        thread: THREAD_REF,
        version: z.number(),
        via: z.enum(['digest', 'vote']),
      }),
    ),
  }),
);

/** What a thread saw of a paper when it started watching it. */
export interface SeenPaper {
  id: string;
  version: number;
  title: string;
  abstract: string;
  comments?: string;
}

/** The most threads kept per paper (the oldest go first): a paper in every digest for a year stays small. */
const MAX_THREADS = 50;

/** A thread's identity in a record: one digest's day in one channel. */
export function threadKey(t: Pick<WatchingThread, 'platform' | 'channelId' | 'digest' | 'date'>): string {
  return `${t.digest}:${t.date}:${t.platform}:${t.channelId}`;
}

/** Keeps only the abstracts (and comments) of versions some thread still compares against. */
function prune(record: WatchedPaper): void {
  const used = new Set(record.threads.map((t) => String(t.version)));
  for (const v of Object.keys(record.abstracts)) if (!used.has(v)) delete record.abstracts[v];
  if (record.comments) for (const v of Object.keys(record.comments)) if (!used.has(v)) delete record.comments[v];
}

/**
 * Records that `thread` showed `paper` (at `paper.version`). A thread already watching the paper keeps what it
 * saw (a re-run of a posted digest changes nothing).
 */
export async function watchPaper(
  store: Store,
  paper: SeenPaper,
  thread: Omit<WatchingThread, 'version'>,
): Promise<void> {
  await exclusive(store, locks.watchRecord(paper.id), async () => {
    const key = keys.watchedPaper(paper.id);
    const record = (await WATCHED.get(store, key)) ?? {
      id: paper.id,
      title: paper.title,
      abstracts: {},
      threads: [],
    };
    const id = threadKey(thread);
    if (record.threads.some((t) => threadKey(t) === id)) return;
    record.threads.push({ ...thread, version: paper.version });
    if (record.threads.length > MAX_THREADS) record.threads.splice(0, record.threads.length - MAX_THREADS);
    record.abstracts[String(paper.version)] ??= paper.abstract;
    if (paper.comments?.trim()) {
      record.comments ??= {};
      record.comments[String(paper.version)] ??= paper.comments;
    }
    prune(record);
    await WATCHED.set(store, key, record);
  });
}

/** The watch records of `ids` (one batched read); ids nobody watches are absent. */
export async function watchedPapers(store: Store, ids: string[]): Promise<Map<string, WatchedPaper>> {
  const unique = [...new Set(ids)];
  const got = await WATCHED.getMany(
    store,
    unique.map((id) => keys.watchedPaper(id)),
  );
  const out = new Map<string, WatchedPaper>();
  unique.forEach((id, i) => {
    const record = got[i];
    if (record) out.set(id, record);
  });
  return out;
}

/**
 * Records that `version` of the paper was announced in the thread `key`: later versions are diffed against it. The
 * record is renewed (its expiry starts again).
 */
export async function markAnnounced(store: Store, paper: SeenPaper, key: string): Promise<void> {
  await exclusive(store, locks.watchRecord(paper.id), async () => {
    const storeKey = keys.watchedPaper(paper.id);
    const record = await WATCHED.get(store, storeKey);
    const thread = record?.threads.find((t) => threadKey(t) === key);
    if (!record || !thread || thread.version >= paper.version) return;
    thread.version = paper.version;
    record.title = paper.title || record.title;
    record.abstracts[String(paper.version)] = paper.abstract;
    if (paper.comments?.trim()) {
      record.comments ??= {};
      record.comments[String(paper.version)] = paper.comments;
    }
    prune(record);
    await WATCHED.set(store, storeKey, record);
  });
}
