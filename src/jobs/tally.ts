/**
 * Closing a digest's vote: read the reactions back from each platform (so votes cast while the bot was down
 * count), union them with the /vote votes, post the result in the digest's thread and a deep-dive critique of the
 * winners, exactly once, and let the digest's profile learn from the outcome. A second tally posts nothing new.
 */
import type { ChatAdapter, PostedMessage, TallyLine } from '../chat/types';
import { critiquePaper } from '../commands/critique';
import type { DigestConfig } from '../config/schema';
import { ArxivDigestError, ErrorCode, UserInputError, oneLine } from '../app/errors';
import { RANKING, type RankingRecord, readBuiltDigest } from '../pipeline/digest';
import { PAPER_RECORD } from '../arxiv/records';
import type { PaperVectors } from '../pipeline/services';
import { type DayEvidence, type VotedDoc, WEAK, learnFromDay } from '../profile/profile';
import type { Doc } from '../profile/terms';
import { type Digest, PAPER_SCHEMA, type Paper } from '../app/types';
import { z } from 'zod';
import type { Store } from '../store';
import { recordKind } from '../store/records';
import { type HeldLock, LOCK_TTL_MS, describeHolder, withLock } from '../store/lock';
import { currentScope, throwIfStopping } from '../app/scope';
import { markFinished, markStarted } from './unfinished';
import { readSignals, readVotes } from '../votes/book';
import { recentDates } from './current';
import { resolveVoteEmoji } from '../votes/emoji';
import type { Assembly } from './assembly';
import { POSTS, type PostedDigest, getPostedDigest, postInThread } from './post';
import { keys, locks, parts } from '../store/keys';
import { channelsOf } from './run';

export interface TallyOutcomeLine {
  id: string;
  version: number;
  title: string;
  votes: number;
  /** Ranking score of the day (ties are broken by it); 0 for a paper outside the digest. */
  score: number;
  winner: boolean;
}

export interface TallyOutcome {
  name: string;
  date: string;
  closedAt: string;
  lines: TallyOutcomeLine[];
  totalVoters: number;
  winners: string[];
  /** Deep-dive critiques of the winners, kept so a resumed tally posts the same text without a new LLM call. */
  deepDives: Record<string, { paper: Paper; text: string }>;
}

/** The closed vote of a digest's day ('votes', keys.voteResult), declared once: its presence means the vote is closed. */
export const VOTE_RESULT = recordKind<TallyOutcome>(
  'votes',
  z.looseObject({
    name: z.string(),
    date: z.string(),
    closedAt: z.string(),
    lines: z.array(
      z.looseObject({
        id: z.string(),
        version: z.number(),
        title: z.string(),
        votes: z.number(),
        score: z.number(),
        winner: z.boolean(),
      }),
    ),
    totalVoters: z.number(),
    winners: z.array(z.string()),
    deepDives: z.record(z.string(), z.looseObject({ paper: PAPER_SCHEMA, text: z.string() })),
  }),
);

/** Whether the vote of a digest's day is closed (its result stored). */
export async function voteClosed(store: Store, digest: string, date: string): Promise<boolean> {
  return (await VOTE_RESULT.get(store, keys.voteResult(digest, date))) !== undefined;
}

export interface TallyResult {
  status: 'closed' | 'busy';
  outcome?: TallyOutcome;
  /** Messages sent by this call (empty on a repeated tally). */
  sent: PostedMessage[];
}

interface Posting {
  adapter: ChatAdapter;
  posted: PostedDigest;
}

async function postingsOf(app: Assembly, digest: DigestConfig, date: string): Promise<Posting[]> {
  const out: Posting[] = [];
  for (const target of channelsOf(digest)) {
    const adapter = app.adapters[target.platform];
    if (!adapter) continue;
    const posted = await getPostedDigest(app.ctx.store, target.platform, target.channelId, digest.name, date);
    if (posted) out.push({ adapter, posted });
  }
  return out;
}

/** The newest announcement day this digest was posted for (the posting's record, else the last week's posts). */
export async function latestPostedDate(app: Assembly, digest: DigestConfig): Promise<string | undefined> {
  let latest: string | undefined;
  for (const target of channelsOf(digest)) {
    const recorded = await POSTS.latest.get(
      app.ctx.store,
      keys.latestPosted(target.platform, target.channelId, digest.name),
    );
    if (recorded) {
      if (!latest || recorded > latest) latest = recorded;
      continue;
    }
    for (const date of recentDates(app.ctx.clock.now(), digest.timezone)) {
      if (await getPostedDigest(app.ctx.store, target.platform, target.channelId, digest.name, date)) {
        if (!latest || date > latest) latest = date;
        break;
      }
    }
  }
  return latest;
}

/** Members who voted for each paper: reactions read back from the platforms ∪ /vote votes. */
async function countVotes(app: Assembly, digest: DigestConfig, date: string, postings: Posting[]) {
  const members = new Map<string, Set<string>>();
  const add = (paperId: string, member: string) => {
    const set = members.get(paperId) ?? new Set<string>();
    set.add(member);
    members.set(paperId, set);
  };
  const emoji = resolveVoteEmoji(digest.votes.emoji);
  const unreadable = new Set<string>();
  for (const { adapter, posted } of postings) {
    for (const [paperId, message] of Object.entries(posted.papers)) {
      try {
        const users = await adapter.readReactions(message, emoji);
        for (const user of users) add(paperId, `${adapter.platform}:${user}`);
      } catch (err) {
        // The platform did not answer: fall back to the live count kept from reaction events.
        unreadable.add(adapter.platform);
        app.ctx.log.warn(
          { digest: digest.name, date, platform: adapter.platform, paper: paperId, err: oneLine(err) },
          'reactions could not be read back; using the live count',
        );
      }
    }
  }
  const readBack = new Set(postings.map((p) => p.adapter.platform).filter((p) => !unreadable.has(p)));
  const records = await readVotes(app.ctx.store, digest.name, date);
  for (const record of records) {
    for (const [member, sources] of Object.entries(record.members)) {
      const platform = member.split(':')[0] ?? '';
      if (sources.includes('command') || !readBack.has(platform as ChatAdapter['platform']))
        add(record.paperId, member);
    }
  }
  return { members, records };
}

async function paperText(
  app: Assembly,
  id: string,
  known: Map<string, Doc & { version: number }>,
): Promise<Paper | undefined> {
  const k = known.get(id);
  // A candidate whose text was not found (its paper no longer stored) is read like any other paper.
  if (k?.title) return { id, version: k.version, title: k.title, abstract: k.abstract, authors: [], categories: [] };
  const stored = await PAPER_RECORD.get(app.ctx.store, keys.paper(id));
  if (stored?.title) return stored;
  try {
    return await app.services.arxiv.getPaper({ id });
  } catch (err) {
    app.ctx.log.warn({ paper: id, err: oneLine(err) }, 'paper voted for could not be read');
    return undefined;
  }
}

/**
 * The title and abstract of each candidate the ranker saw. A ranking record holds only ids and scores (a 5,000-paper
 * day's texts made its write the day's memory peak): the texts are read from the stored papers, in one getMany.
 * A record written before that holds them itself. A paper no longer stored is left out.
 */
async function candidateTexts(
  store: Assembly['ctx']['store'],
  ranking: RankingRecord | undefined,
): Promise<Map<string, { title: string; abstract: string }>> {
  const texts = new Map<string, { title: string; abstract: string }>();
  const missing: string[] = [];
  for (const c of ranking?.candidates ?? []) {
    if (c.title !== undefined && c.abstract !== undefined) texts.set(c.id, { title: c.title, abstract: c.abstract });
    else missing.push(c.id);
  }
  const stored = await PAPER_RECORD.getMany(
    store,
    missing.map((id) => keys.paper(id)),
  );
  missing.forEach((id, i) => {
    const p = stored[i];
    if (p?.title !== undefined) texts.set(id, { title: p.title, abstract: p.abstract ?? '' });
  });
  return texts;
}

/** A paper the tally knows the text and the day's score of. */
type KnownPaper = Doc & { version: number; score: number };

async function computeOutcome(
  app: Assembly,
  digest: DigestConfig,
  date: string,
  postings: Posting[],
): Promise<TallyOutcome> {
  const store = app.ctx.store;
  const built = await readBuiltDigest(store, digest.name, date);
  const ranking = await RANKING.get(store, keys.ranking(digest.name, date));
  const { members, records } = await countVotes(app, digest, date, postings);

  const texts = await candidateTexts(store, ranking);
  const known = knownPapers(ranking, texts, built);
  const shownIds = shownPaperIds(built, postings);
  const ids = [...shownIds, ...[...members.keys()].filter((id) => !shownIds.includes(id))];

  const { lines, voted } = await tallyLines(app, ids, { members, records, known });
  // Most votes first; ties broken by the day's ranking score, then by id for a stable order.
  lines.sort((a, b) => b.votes - a.votes || b.score - a.score || a.id.localeCompare(b.id));
  const winners = lines.filter((l) => l.votes > 0).slice(0, digest.votes.winners);
  for (const w of winners) w.winner = true;
  const voters = new Set<string>();
  for (const set of members.values()) for (const m of set) voters.add(m);

  await learnFromTally(app, digest, date, { ranking, texts, known, shownIds, voted, voters: voters.size });

  return {
    name: digest.name,
    date,
    closedAt: new Date(app.ctx.clock.now()).toISOString(),
    lines,
    totalVoters: voters.size,
    winners: winners.map((w) => w.id),
    deepDives: {},
  };
}

/** Every paper of the day the tally knows: the ranker's candidates, then the digest's own selection over them. */
function knownPapers(
  ranking: RankingRecord | undefined,
  texts: Map<string, { title: string; abstract: string }>,
  built: Digest | undefined,
): Map<string, KnownPaper> {
  const known = new Map<string, KnownPaper>();
  for (const c of ranking?.candidates ?? []) {
    const text = texts.get(c.id);
    known.set(c.id, {
      id: c.id,
      version: c.version,
      title: text?.title ?? '',
      abstract: text?.abstract ?? '',
      score: c.llmScore ?? c.firstPass,
    });
  }
  for (const p of built?.selected ?? [])
    known.set(p.id, { id: p.id, version: p.version, title: p.title, abstract: p.abstract, score: p.score });
  return known;
}

/** The papers shown: the digest's selection, then any other paper a channel's post carried. */
function shownPaperIds(built: Digest | undefined, postings: Posting[]): string[] {
  const shownIds = built?.selected.map((p) => p.id) ?? [];
  for (const { posted } of postings)
    for (const id of Object.keys(posted.papers)) if (!shownIds.includes(id)) shownIds.push(id);
  return shownIds;
}

/** One line per paper with its votes (unsorted), and the voted-for papers whose text is known, for learning. */
async function tallyLines(
  app: Assembly,
  ids: string[],
  day: {
    members: Awaited<ReturnType<typeof countVotes>>['members'];
    records: Awaited<ReturnType<typeof countVotes>>['records'];
    known: Map<string, KnownPaper>;
  },
): Promise<{ lines: TallyOutcomeLine[]; voted: Doc[] }> {
  const { members, records, known } = day;
  const lines: TallyOutcomeLine[] = [];
  const voted: Doc[] = [];
  for (const id of ids) {
    const votes = members.get(id)?.size ?? 0;
    const record = records.find((r) => r.paperId === id);
    let info = known.get(id);
    let paper: Paper | undefined;
    if (!info || (votes > 0 && !info.abstract)) {
      paper = await paperText(app, id, known);
      if (paper)
        info = { id, version: paper.version, title: paper.title, abstract: paper.abstract, score: info?.score ?? 0 };
    }
    lines.push({
      id,
      version: info?.version ?? record?.version ?? 1,
      title: info?.title ?? record?.title ?? id,
      votes,
      score: info?.score ?? 0,
      winner: false,
    });
    if (votes > 0 && info?.abstract) voted.push(info);
  }
  return { lines, voted };
}

/** Learning: what was shown, what was voted for (and, weaker, asked about), and every candidate the ranker saw. */
async function learnFromTally(
  app: Assembly,
  digest: DigestConfig,
  date: string,
  day: {
    ranking: RankingRecord | undefined;
    texts: Map<string, { title: string; abstract: string }>;
    known: Map<string, KnownPaper>;
    shownIds: string[];
    voted: Doc[];
    voters: number;
  },
): Promise<void> {
  const { ranking, texts, known } = day;
  const store = app.ctx.store;
  const shown = day.shownIds.map((id) => known.get(id)).filter((d): d is KnownPaper => !!d);
  const learnedFrom: VotedDoc[] = [...day.voted];
  const rejected: Doc[] = [];
  for (const signal of await readSignals(store, digest.name, date)) {
    if (signal.kind === 'not-for-us') {
      const info = known.get(signal.paperId);
      if (info?.abstract && !rejected.some((d) => d.id === info.id)) rejected.push(info);
      continue;
    }
    if (learnedFrom.some((d) => d.id === signal.paperId)) continue;
    const info = known.get(signal.paperId);
    if (info?.abstract) learnedFrom.push({ ...info, strength: WEAK });
  }
  const candidates = ranking
    ? ranking.candidates.flatMap((c) => {
        const text = texts.get(c.id);
        return text ? [{ id: c.id, ...text }] : [];
      })
    : shown;
  const vectors = await dayVectors(app, [...candidates, ...learnedFrom], known);
  const evidence: DayEvidence = {
    date,
    candidates,
    shown,
    voted: learnedFrom,
    ...(rejected.length ? { rejected } : {}),
    voters: day.voters,
    ...(vectors ? { vectors } : {}),
  };
  await learnFromDay(store, digest.name, evidence);
}

/** The embeddings of the day's papers for learning (cached since the digest was built), when a model is set. */
async function dayVectors(
  app: Assembly,
  docs: Doc[],
  known: Map<string, Doc & { version: number }>,
): Promise<PaperVectors | undefined> {
  const embedder = app.services.embedder;
  if (!embedder) return undefined;
  const papers = [...new Map(docs.map((d) => [d.id, d])).values()].map((d) => ({
    ...d,
    version: known.get(d.id)?.version ?? 1,
  }));
  try {
    return { model: embedder.model, of: await embedder.embedPapers(papers) };
  } catch (err) {
    app.ctx.log.warn({ err: oneLine(err) }, 'embeddings unavailable at the tally: the profile learns from words only');
    return undefined;
  }
}

/**
 * Closes the vote of `digest` for announcement day `date` (default: the newest posted in the last week). Runs under
 * a store lock, so with several instances only one tallies; `busy` when another holds it.
 */
export async function tallyDigest(
  app: Assembly,
  digest: DigestConfig,
  date?: string,
  opts: { owner?: string; waitMs?: number; onWait?: (line: string) => void } = {},
): Promise<TallyResult> {
  const store = app.ctx.store;
  const day = date ?? (await latestPostedDate(app, digest));
  if (!day)
    throw new UserInputError(
      `digest "${digest.name}" was not posted in the last week, so there is no vote to close (pass --date YYYY-MM-DD)`,
    );
  const instance = opts.owner ?? currentScope().instance;
  const lockName = locks.tally(digest.name, day);
  const deadline = Date.now() + (opts.waitMs ?? 0);
  const run = { kind: 'tally', name: digest.name, date: day } as const;
  // Renewed while the tally runs (a heartbeat every few seconds): the winners' deep-dives (full text, LLM, retries)
  // can outlast any fixed expiry, and an expired lock would let another instance close the same vote and post its
  // deep-dive again. A dead holder's lock is taken over at once (same host) or expires seconds after it stopped.
  const body = async (lock: HeldLock): Promise<TallyResult> => {
    await markStarted(store, run, app.ctx.clock.now());
    const postings = await postingsOf(app, digest, day);
    let outcome = await VOTE_RESULT.get(store, keys.voteResult(digest.name, day));
    if (!outcome) {
      outcome = await computeOutcome(app, digest, day, postings);
      await VOTE_RESULT.set(store, keys.voteResult(digest.name, day), outcome);
      app.ctx.log.info(
        { digest: digest.name, date: day, voters: outcome.totalVoters, winners: outcome.winners },
        'vote closed',
      );
    }
    const sent: PostedMessage[] = [];
    const lines: TallyLine[] = outcome.lines.map((l) => ({
      paper: { id: l.id, version: l.version, title: l.title },
      votes: l.votes,
      winner: l.winner,
    }));
    for (const p of postings) {
      sent.push(
        ...(await sendNew(app, p, parts.tally, {
          kind: 'tally',
          name: digest.name,
          date: day,
          lines,
          totalVoters: outcome.totalVoters,
        })),
      );
    }
    for (const id of outcome.winners) {
      const dive = await deepDive(app, outcome, id);
      for (const p of postings) {
        sent.push(
          ...(await sendNew(
            app,
            p,
            parts.deepDive(id),
            dive
              ? { kind: 'deep-dive', paper: dive.paper, text: dive.text }
              : {
                  kind: 'text',
                  text: `No deep-dive for the winner ${id}: no LLM is configured (set OPENAI_API_KEY for deep-dive critiques).`,
                },
          )),
        );
      }
    }
    await lock.check();
    await markFinished(store, run);
    return { status: 'closed', outcome, sent };
  };
  // Polled until the holder finishes or its lock expires (a few heartbeats after it stopped), up to `waitMs`.
  let told = false;
  for (;;) {
    const locked = await withLock(store, lockName, instance, LOCK_TTL_MS, body);
    if (locked.held) return locked.value;
    if (Date.now() >= deadline || !locked.holding) return { status: 'busy', sent: [] };
    if (!told) {
      told = true;
      opts.onWait?.(
        `waiting for the vote of ${digest.name} ${day}, being closed by ${describeHolder(locked.holding.owner)}, up to ${Math.ceil((deadline - Date.now()) / 1000)} s`,
      );
    }
    throwIfStopping();
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Posts a part in the thread unless it was posted; returns only the messages sent now. */
async function sendNew(
  app: Assembly,
  p: Posting,
  part: string,
  message: Parameters<typeof postInThread>[4],
): Promise<PostedMessage[]> {
  const base = keys.posting(p.posted.platform, p.posted.channelId, p.posted.name, p.posted.date);
  const before = new Set<string>();
  for (let k = 0; ; k++) {
    const m = await POSTS.part.get(app.ctx.store, keys.postedPart(base, part, k));
    if (!m) break;
    before.add(m.messageId);
  }
  const posted = await postInThread(app.ctx.store, p.adapter, p.posted, part, message);
  return posted.filter((m) => !before.has(m.messageId));
}

/** The winner's deep-dive, computed once and kept in the outcome; undefined without an LLM. */
async function deepDive(
  app: Assembly,
  outcome: TallyOutcome,
  id: string,
): Promise<{ paper: Paper; text: string } | undefined> {
  const kept = outcome.deepDives[id];
  if (kept) return kept;
  if (!app.services.llm) return undefined;
  try {
    const language = app.ctx.config.digests.find((d) => d.name === outcome.name)?.language;
    const result = await critiquePaper(app.ctx, app.services, id, { deep: true, ...(language ? { language } : {}) });
    const dive = { paper: result.paper, text: result.critique };
    outcome.deepDives[id] = dive;
    await VOTE_RESULT.set(app.ctx.store, keys.voteResult(outcome.name, outcome.date), outcome);
    return dive;
  } catch (err) {
    throw new ArxivDigestError(ErrorCode.LlmError, `the deep-dive of ${id} failed: ${oneLine(err)}`, { cause: err });
  }
}
