/**
 * One digest run: build the digest for a day, then post it to every configured channel exactly once (and write the
 * archive file when the digest has an archiveDir). Shared by `arxiv-digest digest`, the scheduler and `tally`.
 */
import { writeArchive } from '../archive/write';
import type { Platform } from '../chat/types';
import type { DigestConfig } from '../config/schema';
import { ArxivDigestError, ErrorCode, StoreReopenedError, oneLine } from '../app/errors';
import { fixDigest } from '../pipeline/digest';
import { buildForRun, notePendingFill } from './model-down';
import type { Digest } from '../app/types';
import type { Assembly } from './assembly';
import { POSTS, type PostedDigest, postDigest } from './post';
import { markFinished, markStarted } from './unfinished';
import { isStopRequested } from '../app/scope';
import { keys } from '../store/keys';
import { followsToPost, loadFollows, targetKey, withFollowedAuthors } from './follows';
import { announceNewVersions, type VersionsReport, watchPosted } from './versions';
import { metrics } from '../app/metrics';
import { roundUsd } from '../llm/pricing';

export interface ChannelTarget {
  platform: Platform;
  channelId: string;
}

/** The digest's channels: each config entry is `{ [platform id]: channel id }`. */
export function channelsOf(digest: DigestConfig): ChannelTarget[] {
  return digest.channels.flatMap((entry) =>
    Object.entries(entry).map(([platform, channelId]) => ({ platform, channelId })),
  );
}

export interface RunResult {
  digest: Digest;
  posted: PostedDigest[];
  /** Channels whose post of this day was complete before this run: nothing was sent to them now. */
  alreadyPosted?: PostedDigest[];
  archiveFile?: string;
  /** New versions of papers posted earlier, announced in their threads by this run (a re-run: none). */
  versions?: VersionsReport;
}

/** Checks that every configured channel has an adapter, before anything is built or posted. */
export function checkAdapters(app: Assembly, digest: DigestConfig): void {
  for (const target of channelsOf(digest)) {
    if (!app.adapters[target.platform]) {
      const enable =
        app.platforms?.find((p) => p.id === target.platform)?.enable ?? `configure the ${target.platform} adapter`;
      throw new ArxivDigestError(
        ErrorCode.ChatError,
        `digest "${digest.name}" posts to ${target.platform} channel ${target.channelId}, but ${target.platform} is off: ${enable} (or use --dry-run)`,
        { exitCode: 2 },
      );
    }
  }
}

/**
 * Every channel the digest goes to is asked, before anything is built, whether the bot can post there: a wrong
 * channel id or a bot not invited is found before any LLM token is spent (contract §Errors), with the fix.
 */
export async function checkChannels(app: Assembly, digest: DigestConfig): Promise<void> {
  for (const target of channelsOf(digest)) {
    const adapter = app.adapters[target.platform];
    if (!adapter?.checkChannel) continue;
    try {
      await adapter.checkChannel(target.channelId);
    } catch (err) {
      throw new ArxivDigestError(ErrorCode.ChatError, `digest "${digest.name}": ${oneLine(err)}; nothing was built`, {
        cause: err,
      });
    }
  }
}

export async function runDigest(
  app: Assembly,
  digest: DigestConfig,
  opts: { date?: string; post?: boolean; slot?: number; noLlm?: boolean } = {},
): Promise<RunResult> {
  const post = opts.post ?? true;
  if (post) {
    checkAdapters(app, digest);
    await checkChannels(app, digest);
  }
  // Members' follows (src/follows) apply to a digest that is posted: their authors' papers are kept by the first
  // pass, and each channel's cards mention that workspace's followers.
  const follows = post ? await loadFollows(app, digest, channelsOf(digest)) : new Map();
  // The model down (after the retries): built without it, posted on time, its text added later (./model-down.ts).
  let built = await buildForRun(app, withFollowedAuthors(digest, follows), {
    ...(opts.date ? { date: opts.date } : {}),
    ...(opts.noLlm ? { noLlm: true } : {}),
  }).catch((err: unknown) => {
    // Failed before any channel (arXiv unreachable…): counted as platform "none".
    if (post && !isStopRequested(err)) metrics.digestFailed(digest.name, 'none');
    throw err;
  });
  // Fixed before the first message goes out: every channel, and every resume after a crash, posts this digest.
  if (post && !built.empty && channelsOf(digest).length > 0) {
    built = await fixDigest(app.ctx.store, built);
    await notePendingFill(app.ctx.store, built, app.ctx.clock.now());
  }
  const result: RunResult = { digest: built, posted: [], alreadyPosted: [] };
  if (built.empty) return emptyDay(app, digest, post, result);
  writeArchiveOf(app, digest, result);
  if (!post) return result;
  // Recorded before the first message: a run stopped mid-way (killed, or a channel down) is finished by the next
  // `start` at once, whatever the schedule says (src/jobs/unfinished.ts).
  const run = { kind: 'digest', name: digest.name, date: built.date } as const;
  await markStarted(
    app.ctx.store,
    { ...run, ...(opts.slot !== undefined ? { slot: opts.slot } : {}) },
    app.ctx.clock.now(),
  );
  const onWait = (line: string) => {
    app.ctx.log.info({ digest: digest.name, date: built.date }, line);
    app.ctx.progress.note(`${digest.name}: ${line}`);
  };
  const toPost = await followsToPost(app, digest, built, follows);
  const failed = await postChannels(app, digest, built, { toPost, onWait, result });
  // The day's papers are watched in each channel's thread; the day's replacements of papers watched earlier are
  // announced in theirs (src/jobs/versions.ts), exactly once, before the run counts as finished.
  for (const posted of [...result.posted, ...(result.alreadyPosted ?? [])]) await watchPosted(app, built, posted);
  result.versions = await announceNewVersions(app, digest, built.date, { onWait });
  if (failed.length === 0 && result.versions.failed.length === 0) await markFinished(app.ctx.store, run);
  throwIfIncomplete(digest, result, failed);
  return result;
}

/** A day without announcements: nothing posted, but a day of replacements only still announces them. */
async function emptyDay(app: Assembly, digest: DigestConfig, post: boolean, result: RunResult): Promise<RunResult> {
  const built = result.digest;
  app.ctx.log.info({ digest: digest.name }, 'no announcements today: nothing posted');
  // A day of replacements only still announces them in the threads of papers posted earlier.
  if (post && built.date) {
    result.versions = await announceNewVersions(app, digest, built.date);
    const [missed] = result.versions.failed;
    if (missed)
      throw new ArxivDigestError(
        ErrorCode.ChatError,
        `digest "${digest.name}" ${built.date}: the new-version replies were not all posted: ${oneLine(missed.err)}`,
        { cause: missed.err },
      );
  }
  return result;
}

/** The archive file, when the digest has an archiveDir: a copy, so its failure is logged, never fatal. */
function writeArchiveOf(app: Assembly, digest: DigestConfig, result: RunResult): void {
  if (!digest.archiveDir) return;
  const built = result.digest;
  try {
    result.archiveFile = writeArchive(built, { dir: digest.archiveDir }, app.ctx.config);
  } catch (err) {
    // The archive is a copy; the team's digest is the post. An unwritable archiveDir (a read-only or root-owned
    // directory in a container) must not keep the digest from being posted, day after day.
    app.ctx.log.error(
      { digest: digest.name, date: built.date, dir: digest.archiveDir, err: oneLine(err) },
      'archive file could not be written; posting the digest anyway',
    );
  }
}

type ChannelFailure = { target: ChannelTarget; err: unknown };

/** The log fields that name one channel's post of a digest. */
function channelFields(digest: DigestConfig, built: Digest, target: ChannelTarget) {
  return { digest: digest.name, date: built.date, platform: target.platform, channel: target.channelId };
}

/** What posting one built digest carries to each of its channels. */
interface DigestPosting {
  toPost: Awaited<ReturnType<typeof followsToPost>>;
  onWait: (line: string) => void;
  result: RunResult;
}

/**
 * Posts the digest to each channel on its own: one platform being down must not keep the digest from the others.
 * A channel that failed is returned (and named in the run's error); a re-run or the scheduler's retry finishes it,
 * exactly once. A store that reopened itself under the post (its SQLite file deleted) is posted to again at once:
 * the new store knows nothing, so what the platform already has is adopted.
 */
async function postChannels(
  app: Assembly,
  digest: DigestConfig,
  built: Digest,
  run: DigestPosting,
): Promise<ChannelFailure[]> {
  const failed: ChannelFailure[] = [];
  for (const target of channelsOf(digest)) {
    const adapter = app.adapters[target.platform];
    if (!adapter) continue;
    for (let attempt = 0; ; attempt++) {
      try {
        await postChannel(app, digest, built, { ...run, target, adapter });
        break;
      } catch (err) {
        if (isStopRequested(err)) throw err;
        if (err instanceof StoreReopenedError && attempt === 0) continue;
        metrics.digestFailed(digest.name, target.platform);
        app.ctx.log.error(
          { ...channelFields(digest, built, target), err: oneLine(err) },
          'digest not posted to this channel',
        );
        failed.push({ target, err });
        break;
      }
    }
  }
  return failed;
}

async function postChannel(
  app: Assembly,
  digest: DigestConfig,
  built: Digest,
  run: DigestPosting & { target: ChannelTarget; adapter: NonNullable<Assembly['adapters'][Platform]> },
): Promise<void> {
  const { target, adapter, result } = run;
  const before = await POSTS.digest.get(
    app.ctx.store,
    keys.posting(target.platform, target.channelId, built.name, built.date),
  );
  if (before?.complete) {
    result.alreadyPosted = [...(result.alreadyPosted ?? []), before];
    return;
  }
  const followed = run.toPost.get(targetKey(target));
  const posted = await postDigest(app.ctx.store, adapter, target.channelId, built, digest.votes.emoji, {
    onWait: run.onWait,
    ...(followed ? { follows: followed } : {}),
  });
  if (posted.postedByOther) {
    // Another run (a second `digest`, another instance) posted it while this one waited for the lock.
    result.alreadyPosted = [...(result.alreadyPosted ?? []), posted];
    return;
  }
  metrics.digestPosted(digest.name, target.platform);
  app.ctx.log.info(
    {
      ...channelFields(digest, built, target),
      usage: built.usage,
      estimatedCostUsd: roundUsd(built.usage.estimatedCostUsd ?? 0),
    },
    posted.adopted ? 'digest found in the channel and adopted (the store had no record of it)' : 'digest posted',
  );
  result.posted.push(posted);
}

/** A run that left a channel or a new-version reply unsent ends in an error naming what, after all was tried. */
function throwIfIncomplete(digest: DigestConfig, result: RunResult, failed: ChannelFailure[]): void {
  const built = result.digest;
  const [first] = failed;
  const [missed] = result.versions?.failed ?? [];
  if (!first && missed) {
    const where = (result.versions?.failed ?? [])
      .map((f) => `v${f.version} of ${f.paperId} in ${f.platform} ${f.channelId}`)
      .join(', ');
    throw new ArxivDigestError(
      ErrorCode.ChatError,
      `digest "${digest.name}" ${built.date} was posted, but the new-version replies were not (${where}): ${oneLine(missed.err)}`,
      { cause: missed.err },
    );
  }
  if (first) {
    if (failed.length === 1 && result.posted.length === 0) throw first.err;
    const where = failed.map((f) => `${f.target.platform} ${f.target.channelId}`).join(', ');
    throw new ArxivDigestError(
      ErrorCode.ChatError,
      `digest "${digest.name}" ${built.date} was not posted to ${where}${result.posted.length ? ` (posted to the other channels)` : ''}: ${oneLine(first.err)}`,
      { cause: first.err },
    );
  }
}
