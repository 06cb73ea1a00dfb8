/**
 * Every store key and lock name, built in one place. Stored data outlives a release (papers for 60 days, LLM answers
 * for 90, profiles and scheduler state for ever), so these formats are part of the stored data's shape: changing one
 * orphans what was stored under it. `keys.test.ts` pins each format; change one only with a migration.
 *
 * Keys are per namespace (see `Namespace` in ./index; each group below names its own): the same string in two namespaces names two values.
 */
import { createHash } from 'node:crypto';
/** Prefixes whose values never expire or expire on their own clock (see `defaultTtlMs`). */
export const LATEST_POSTED_PREFIX = 'latest:';
export const DIGEST_BUILD_PREFIX = 'digest-build:';

/** A category set in a key: as is, or hashed when long (many digests' categories at once; SQL keys are short). */
function categorySetName(categories: readonly string[]): string {
  const set = [...categories].sort().join('+');
  return set.length <= 100 ? set : `sha1-${createHash('sha1').update(set).digest('hex').slice(0, 20)}`;
}

export const keys = {
  // 'papers': arXiv metadata by bare id (newest version wins), when it was last re-checked, its full text by version.
  paper: (id: string) => id,
  paperChecked: (id: string) => `checked:${id}`,
  /** v2: tables kept, sections and pages apart (texts cached before were cut differently and lack the tables). */
  fullText: (id: string, version: number) => `fulltext:v2:${id}v${version}`,

  // 'days': a day's listing for a set of categories (in any order).
  day: (categories: readonly string[], date: string) => `${[...categories].sort().join('+')}:${date}`,
  /** 'days': one category set's feed as read for one announcement (src/arxiv/client.ts latestFeed). */
  feedRead: (categories: readonly string[], cycle: string) => `feed:${categorySetName(categories)}:${cycle}`,

  // 'digests' and 'ranking': a built digest and what its ranker saw, by digest name and announcement day.
  digest: (name: string, date: string) => `${name}:${date}`,
  ranking: (name: string, date: string) => `${name}:${date}`,

  // 'meta': how a stored digest was built; the scheduler's state per digest; a closed or failing vote.
  digestBuild: (name: string, date: string) => `${DIGEST_BUILD_PREFIX}${name}:${date}`,
  schedule: (name: string) => `schedule:${name}`,
  tallied: (name: string, date: string) => `tallied:${name}:${date}`,
  tallyFailure: (name: string, date: string) => `tally-failure:${name}:${date}`,
  /** The runs started and not finished (src/jobs/unfinished.ts): one small record, changed under its mutex. */
  unfinishedRuns: 'unfinished-runs',
  /** Digests posted while the model was down, whose summaries and critiques are still to come (src/jobs/model-down.ts). */
  fillPending: 'fill-pending',

  // 'posts': one digest posted in one channel, each rendered part of it, the write-ahead mark of a part being sent,
  // the digest's thread, and the newest day posted per digest and channel.
  posting: (platform: string, channelId: string, name: string, date: string) =>
    `${name}:${date}:${platform}:${channelId}`,
  /** Part `index` of one logical message (`parts` below) of a posting: a long message is several parts. */
  postedPart: (posting: string, part: string, index: number) => `${posting}:${part}#${index}`,
  sending: (partKey: string) => `${partKey}:sending`,
  postThread: (posting: string) => `${posting}:thread`,
  latestPosted: (platform: string, channelId: string, name: string) =>
    `${LATEST_POSTED_PREFIX}${name}:${platform}:${channelId}`,

  // 'messages': a posted platform message back to its digest paper (reactions on it are votes).
  message: (platform: string, channelId: string, messageId: string) => `${platform}:${channelId}:${messageId}`,

  // 'votes': the ballots per paper, the papers voted on per day, and a closed vote's result.
  votePaper: (digest: string, date: string, paperId: string) => `${digest}:${date}:paper:${paperId}`,
  voteIndex: (digest: string, date: string) => `${digest}:${date}:index`,
  voteResult: (name: string, date: string) => `result:${name}:${date}`,
  /** /critique (and /ask) requests during a day's vote: weaker signals the profile learns from. */
  voteSignals: (digest: string, date: string) => `${digest}:${date}:signals`,
  /** A member inside a paper's ballot record (not a key of its own: one platform user votes once). */
  voter: (platform: string, userId: string) => `${platform}:${userId}`,

  // 'profiles': the learned ranking profile per digest.
  profile: (digest: string) => `digest:${digest}`,

  // 'budget': the day's token spend, by UTC day.
  budget: (utcDay: string) => utcDay,
  /** The day's reservations of LLM calls in flight, across instances (src/llm/reservations.ts). */
  budgetReservations: (utcDay: string) => `reservations:${utcDay}`,

  // 'ratelimit': a member's /critique uses in one hourly window.
  critiqueUses: (platform: string, userId: string, hourWindow: number) =>
    `critique:${platform}:${userId}:${hourWindow}`,
  /** A member's questions to papers (/ask, a mention in a digest's thread) in one hourly window. */
  askUses: (platform: string, userId: string, hourWindow: number) => `ask:${platform}:${userId}:${hourWindow}`,
  /** A question message already taken (a platform may deliver one event twice): answered once. */
  askTaken: (platform: string, channelId: string, messageId: string) =>
    `ask-taken:${platform}:${channelId}:${messageId}`,
  /**
   * A member's click on a card (Critique, Ask's form, Not for us) already taken: a double click, or Slack's and
   * Discord's redelivery, is one action. `subject` is the paper (and for a form, a hash of what was typed).
   */
  actionTaken: (platform: string, userId: string, action: string, subject: string) =>
    `action:${platform}:${userId}:${action}:${subject}`,
  /** A member's settings from their own page: where their critiques go (`{ critiques: 'private' }`). */
  memberPrefs: (platform: string, userId: string) => `prefs:${platform}:${userId}`,
  /** A member's recent activity (papers voted for, asked about) for their own page (App Home, /digest me). */
  memberActivity: (platform: string, userId: string) => `activity:${platform}:${userId}`,

  /** A signed chat request already acted on (src/chat/replay.ts): its copies within the signature's window do not. */
  seenRequest: (platform: string, requestId: string) => `seen:${platform}:${requestId}`,

  // 'follows': every member's followed authors and topics in one workspace (Slack team, Discord guild).
  follows: (platform: string, workspace: string) => `${platform}:${workspace}`,

  // 'embeddings': a paper's vector by model and version; a free text's (the interests) by model and hash.
  embedding: (model: string, id: string, version: number) => `${model}:${id}v${version}`,
  embeddingText: (model: string, hash: string) => `${model}:text:${hash}`,

  // 'versions': a paper the channels cared about (in a posted digest, or voted for), by bare id: the threads that
  // showed it and the version each saw, so a replacement is announced there once (src/versions/watch.ts).
  watchedPaper: (id: string) => id,

  // 'llm': answers by the sha256 of what identifies them (src/llm/client.ts `cacheKey`).
  llmAnswer: (hash: string) => hash,
} as const;

/** The logical messages of a posting, as they appear in `keys.postedPart`. */
export const parts = {
  parent: 'parent',
  paper: (paperId: string) => `paper:${paperId}`,
  tally: 'tally',
  deepDive: (paperId: string) => `deep-dive:${paperId}`,
  /** "Also from people you follow": the followed authors' papers that did not make the digest. */
  followed: 'followed',
  /** A paper's new version announced in the digest's thread: once per version and thread. */
  newVersion: (paperId: string, version: number) => `new-version:${paperId}v${version}`,
  /** A paper's summary and critique, added to its thread when the model answers again after a model-down post. */
  fill: (paperId: string) => `fill:${paperId}`,
} as const;

/** Names of store locks (`acquireLock`, `withLock`, `exclusive`): one namespace of their own. */
export const locks = {
  /** Posting one digest in one channel: one writer at a time. */
  posting: (posting: string) => `post:${posting}`,
  /** Fixing one digest's day (src/pipeline/digest.ts fixDigest): the first writer's digest is the day's. */
  fix: (name: string, date: string) => `fix:${name}:${date}`,
  /** Closing one digest's vote for one day. */
  tally: (name: string, date: string) => `tally:${name}:${date}`,
  /** The scheduler's slot of one digest. */
  digestSlot: (name: string) => `digest:${name}`,
  /** arXiv's 3 s spacing, shared by every instance on the store. */
  arxivApiSlot: 'arxiv-api-slot',
  /** The short mutex `exclusive(name)` takes around a read-modify-write. */
  mutex: (name: string) => `mutex:${name}`,
  /** `exclusive` names: a member's rate-limit record, the day's token spend, a day's ballots. */
  rateLimitRecord: (platform: string, userId: string) => `ratelimit:${platform}:${userId}`,
  /** Taking one question message (`keys.askTaken`): the first delivery answers it. */
  askTakenRecord: (platform: string, channelId: string, messageId: string) =>
    `ask-taken:${platform}:${channelId}:${messageId}`,
  /** Taking one card click (`keys.actionTaken`) and a member's activity record. */
  actionRecord: (platform: string, userId: string) => `action:${platform}:${userId}`,
  budgetRecord: (utcDay: string) => `budget:${utcDay}`,
  budgetReservations: (utcDay: string) => `budget-reservations:${utcDay}`,
  votesRecord: (digest: string, date: string) => `votes:${digest}:${date}`,
  /** `exclusive` name: one workspace's follows record. */
  followsRecord: (platform: string, workspace: string) => `follows:${platform}:${workspace}`,
  /** A watched paper's record (src/versions/watch.ts): threads added by posts and votes, versions announced. */
  watchRecord: (paperId: string) => `watch:${paperId}`,
  /** Single flight (src/store/flight.ts): one worker for one result across instances. */
  flight: (name: string) => `flight:${name}`,
  /** Single-flight names: one LLM answer, one paper's metadata, one paper version's full text at a budget. */
  llmFlight: (hash: string) => `llm:${hash}`,
  paperFlight: (idAndVersion: string) => `paper:${idAndVersion}`,
  /** Single-flight name: one category set's feed read for one announcement. */
  feedFlight: (feedKey: string) => `feed:${feedKey}`,
  fullTextFlight: (id: string, version: number, maxChars: number) => `fulltext:${id}v${version}:${maxChars}`,
  /** The record of runs started and not finished. */
  unfinishedRuns: 'unfinished-runs',
  /** The record of digests waiting for their summaries (`keys.fillPending`). */
  fillPending: 'fill-pending',
} as const;
