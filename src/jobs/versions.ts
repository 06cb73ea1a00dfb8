/**
 * New versions of papers the channel cared about (issue 14, part 2). Every paper of a posted digest is watched in
 * that digest's thread, and so is a paper members `/vote` for outside the digest (src/versions/watch.ts). When a
 * later listing that a digest reads announces a replacement (`replace`/`replace-cross`) of a watched paper, one
 * reply goes into each thread that saw an older version: "v3 is out (date)", its comments, the abstract's word diff
 * and, with an LLM, a two-sentence note on the changes (one call per paper and pair of versions, cached across
 * channels and runs), or that the version withdraws the paper (no LLM call). Each reply is a part of the thread's
 * exactly-once post records (src/jobs/post.ts, part `new-version:IDvN`), so a re-run, a restart or a second
 * instance never posts it twice. Only the listings the bot reads are seen: a replacement announced only in a
 * category no digest reads is not.
 */
import type { ChatAdapter, NewVersionNotice } from '../chat/types';
import type { DigestConfig } from '../config/schema';
import { modelFor } from '../config/load';
import { BudgetExceededError, LlmBadAnswerError, LlmRequestError, oneLine } from '../app/errors';
import { isStopRequested } from '../app/scope';
import { type Digest, emptyUsage, type LlmUsage, type Paper } from '../app/types';
import { withdrawalOf } from '../arxiv/withdrawn';
import { parts } from '../store/keys';
import { abstractDiff } from '../versions/diff';
import { versionNote } from '../versions/note';
import { markAnnounced, threadKey, type WatchingThread, watchedPapers, watchPaper } from '../versions/watch';
import type { Assembly } from './assembly';
import { type DigestThread, type PostedDigest, type PostOptions, postedInThread, postInThread } from './post';

/** Watches every paper of a digest posted (or already posted) in one channel, in that channel's digest thread. */
export async function watchPosted(app: Assembly, digest: Digest, posted: PostedDigest): Promise<void> {
  for (const paper of digest.selected) {
    if (posted.papers[paper.id]) await watchIn(app, posted, paper, 'digest');
  }
}

/**
 * Watches a paper a member voted for in a posted digest's thread, when the digest did not show it (the digest's
 * own papers are watched already). Its metadata comes from the store, else the export API (one request).
 */
export async function watchVoted(
  app: Assembly,
  posted: PostedDigest,
  ref: { id: string; version?: number },
): Promise<void> {
  if (posted.papers[ref.id]) return;
  const paper = await app.services.arxiv.getPaper(ref.version ? { id: ref.id, version: ref.version } : { id: ref.id });
  await watchIn(app, posted, paper, 'vote');
}

/** Watches one paper, as it is now, in a posted digest's thread. */
function watchIn(app: Assembly, posted: PostedDigest, paper: Paper, via: 'digest' | 'vote'): Promise<void> {
  return watchPaper(app.ctx.store, seen(paper), {
    platform: posted.platform,
    channelId: posted.channelId,
    digest: posted.name,
    date: posted.date,
    thread: posted.thread,
    via,
  });
}

export interface AnnouncedVersion {
  paperId: string;
  version: number;
  platform: string;
  channelId: string;
  /** The day of the digest whose thread got the reply. */
  threadDate: string;
  withdrawn: boolean;
}

export interface VersionsReport {
  /** Replies sent by this run. */
  announced: AnnouncedVersion[];
  /** Threads whose reply could not be sent (retried by the next run of the day). */
  failed: Array<{ platform: string; channelId: string; paperId: string; version: number; err: unknown }>;
  /** The LLM notes' calls (a re-run: none). */
  usage: LlmUsage;
}

interface Due {
  /** The version the listing announced. */
  version: number;
  title: string;
  abstracts: Record<string, string>;
  comments: Record<string, string>;
  threads: WatchingThread[];
}

function threadOf(t: WatchingThread): DigestThread {
  return { platform: t.platform, channelId: t.channelId, name: t.digest, date: t.date, thread: t.thread };
}

/** Errors that cost the reply its note, not the reply: the budget, an unusable or unreachable LLM. */
function noteFailure(err: unknown): boolean {
  return err instanceof BudgetExceededError || err instanceof LlmBadAnswerError || err instanceof LlmRequestError;
}

/** A reply to send: a paper's new version, for the threads that saw one same earlier version. */
interface Reply {
  paper: Paper;
  previous: number;
  d: Due;
  withdrawn: string | undefined;
  pending: WatchingThread[];
}

/**
 * Announces the replacements that the day's listing of `digest` announced, in the threads of this digest that saw
 * an older version of the paper, in the channels the digest still posts to. Threads already told (a re-run, a
 * restart) are skipped before anything is fetched or asked.
 */
export async function announceNewVersions(
  app: Assembly,
  digest: DigestConfig,
  date: string,
  options: PostOptions = {},
): Promise<VersionsReport> {
  const report: VersionsReport = { announced: [], failed: [], usage: emptyUsage() };
  const due = await dueReplacements(app, digest, date);
  if (due.size === 0) return report;
  // The new versions' metadata (their abstracts and comments): the store's copy or one export API request.
  const latest = await app.services.arxiv.paperVersions([...due].map(([id, d]) => ({ id, version: d.version })));
  const replies = await repliesToSend(app, due, latest);
  const model = modelFor(app.ctx.config, app.ctx.settings, digest);
  // The notes are asked for side by side (the LLM client's concurrency bounds them), then the replies are sent.
  // Every note is waited for, also when one fails: nothing the run starts outlives it.
  const settled = await Promise.allSettled(
    replies.map((r) => noticeFor(app, digest, model, { ...r, date }, report.usage)),
  );
  const notices = settled.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });
  for (const [i, reply] of replies.entries())
    await sendReply(app, reply, notices[i] as NewVersionNotice, report, options);
  return report;
}

/** The watched papers the day's listing replaced, with this digest's threads (in its channels) that saw older. */
async function dueReplacements(app: Assembly, digest: DigestConfig, date: string): Promise<Map<string, Due>> {
  const due = new Map<string, Due>();
  const replaced = await app.services.arxiv.replacementsOn(digest.categories, date);
  if (replaced.length === 0) return due;
  const channels = new Set(
    digest.channels.flatMap((entry) => Object.entries(entry).map(([platform, id]) => `${platform}:${id}`)),
  );
  const watched = await watchedPapers(
    app.ctx.store,
    replaced.map((r) => r.id),
  );
  for (const r of replaced) {
    const record = watched.get(r.id);
    if (!record) continue;
    const threads = record.threads.filter(
      (t) =>
        t.digest === digest.name &&
        t.date < date &&
        t.version < r.version &&
        channels.has(`${t.platform}:${t.channelId}`) &&
        app.adapters[t.platform] !== undefined,
    );
    if (threads.length === 0) continue;
    due.set(r.id, {
      version: r.version,
      title: record.title,
      abstracts: record.abstracts,
      comments: record.comments ?? {},
      threads,
    });
  }
  return due;
}

/** One reply per paper and earlier version seen; threads an earlier run told (unrecorded) are recorded now. */
async function repliesToSend(app: Assembly, due: Map<string, Due>, latest: Map<string, Paper>): Promise<Reply[]> {
  const { store, log } = app.ctx;
  const replies: Reply[] = [];
  for (const [id, d] of due) {
    const paper = latest.get(id);
    if (!paper) {
      log.warn({ paper: id, version: d.version }, 'new version not found at the arXiv API: not announced');
      continue;
    }
    const withdrawn = withdrawalOf(paper);
    // Threads that saw the same version get the same reply (one diff, one note).
    const byPrevious = new Map<number, WatchingThread[]>();
    for (const t of d.threads) byPrevious.set(t.version, [...(byPrevious.get(t.version) ?? []), t]);
    for (const [previous, threads] of byPrevious) {
      const pending: WatchingThread[] = [];
      for (const t of threads) {
        // Told by an earlier run that stopped before recording it: recorded now, nothing sent.
        if (await postedInThread(store, threadOf(t), parts.newVersion(id, paper.version)))
          await markAnnounced(store, seen(paper), threadKey(t));
        else pending.push(t);
      }
      if (pending.length) replies.push({ paper, previous, d, withdrawn, pending });
    }
  }
  return replies;
}

/** Sends one reply into each of its threads (exactly once), recording and reporting each thread's outcome. */
async function sendReply(
  app: Assembly,
  { paper, withdrawn, pending }: Reply,
  notice: NewVersionNotice,
  report: VersionsReport,
  options: PostOptions,
): Promise<void> {
  const { store, log } = app.ctx;
  const id = paper.id;
  const part = parts.newVersion(id, paper.version);
  for (const t of pending) {
    const adapter = app.adapters[t.platform] as ChatAdapter;
    try {
      await postInThread(store, adapter, threadOf(t), part, { kind: 'new-version', notice }, options);
      await markAnnounced(store, seen(paper), threadKey(t));
      report.announced.push({
        paperId: id,
        version: paper.version,
        platform: t.platform,
        channelId: t.channelId,
        threadDate: t.date,
        withdrawn: withdrawn !== undefined,
      });
      log.info(
        { paper: id, version: paper.version, platform: t.platform, channel: t.channelId, thread: t.date },
        withdrawn ? 'withdrawal announced in the paper’s thread' : 'new version announced in the paper’s thread',
      );
    } catch (err) {
      if (isStopRequested(err)) throw err;
      log.error(
        { paper: id, version: paper.version, platform: t.platform, channel: t.channelId, err: oneLine(err) },
        'new version not announced in this thread',
      );
      report.failed.push({ platform: t.platform, channelId: t.channelId, paperId: id, version: paper.version, err });
    }
  }
}

/** What a thread is told it saw of a paper: the version, and its title, abstract and comments to diff against. */
function seen(paper: Paper) {
  return {
    id: paper.id,
    version: paper.version,
    title: paper.title,
    abstract: paper.abstract,
    ...(paper.comments ? { comments: paper.comments } : {}),
  };
}

/** The reply for threads that saw `previous`: the diff and, with an LLM and unless withdrawn, the note. */
async function noticeFor(
  app: Assembly,
  digest: DigestConfig,
  model: string,
  what: { paper: Paper; date: string; previous: number; d: Due; withdrawn: string | undefined },
  usage: LlmUsage,
): Promise<NewVersionNotice> {
  const { paper, date, previous, d, withdrawn } = what;
  const notice: NewVersionNotice = {
    paper: { id: paper.id, version: paper.version, title: paper.title || d.title },
    previousVersion: previous,
    // The announcement day: when the channel could first read the new version.
    date,
    ...(paper.comments?.trim() ? { comments: paper.comments } : {}),
  };
  if (withdrawn) return { ...notice, withdrawn };
  const before = d.abstracts[String(previous)];
  if (before === undefined) return notice;
  notice.diff = abstractDiff(before, paper.abstract);
  const llm = app.services.llm;
  if (!llm) return notice;
  const beforeComments = d.comments[String(previous)];
  try {
    const { note } = await versionNote(
      llm,
      {
        paper: { id: paper.id, title: paper.title || d.title },
        from: { version: previous, abstract: before, ...(beforeComments ? { comments: beforeComments } : {}) },
        to: {
          version: paper.version,
          abstract: paper.abstract,
          ...(paper.comments ? { comments: paper.comments } : {}),
        },
        diff: notice.diff,
        model,
        language: digest.language,
      },
      usage,
    );
    if (note) notice.note = note;
  } catch (err) {
    if (!noteFailure(err)) throw err;
    app.ctx.log.warn(
      { paper: paper.id, version: paper.version, err: oneLine(err) },
      'the note on the new version could not be written: the reply goes without it',
    );
  }
  return notice;
}
