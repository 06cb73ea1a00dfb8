/**
 * Vote records in the store, one per digest, announcement day and paper, each holding the members who voted and
 * how (a reaction, a /vote or both). A member is `platform:userId`, so a team on Slack and Discord is counted once
 * per person per platform. Reaction votes here are only the live running count: when the vote closes, the tally
 * reads the reactions back from the platform and keeps the /vote ones from here.
 */
import { z } from 'zod';
import type { Store } from '../store';
import { exclusive } from '../store/lock';
import { keys, locks } from '../store/keys';
import { recordKind } from '../store/records';

export type VoteSource = 'reaction' | 'command';

export interface PaperVotes {
  paperId: string;
  version?: number;
  title?: string;
  /** member (`platform:userId`) → how they voted. */
  members: Record<string, VoteSource[]>;
  /** Running count (members with any source). */
  count: number;
}

export interface VoteIndex {
  /** Papers with a vote record for this digest and day, in the order first voted. */
  paperIds: string[];
}

const VOTE_SOURCE = z.enum(['reaction', 'command']);

/** A paper's ballots of a digest's day ('votes', keys.votePaper). */
const PAPER_VOTES = recordKind<PaperVotes>(
  'votes',
  z.looseObject({
    paperId: z.string(),
    version: z.number().optional(),
    title: z.string().optional(),
    members: z.record(z.string(), z.array(VOTE_SOURCE)),
    count: z.number(),
  }),
);

/** The papers voted on in a digest's day ('votes', keys.voteIndex). */
const VOTE_INDEX = recordKind<VoteIndex>('votes', z.looseObject({ paperIds: z.array(z.string()) }));

/** A paper's ballots of a digest's day, when anyone voted for it. */
export function readPaperVotes(store: Store, digest: string, date: string, paperId: string) {
  return PAPER_VOTES.get(store, keys.votePaper(digest, date, paperId));
}

export interface VoteChange {
  digest: string;
  date: string;
  paper: { id: string; version?: number; title?: string };
  member: string;
  source: VoteSource;
}

/** Adds a member's vote; returns the record and whether the vote is new for that member. */
export async function addVote(store: Store, change: VoteChange): Promise<{ record: PaperVotes; isNew: boolean }> {
  const { digest, date, paper, member, source } = change;
  return exclusive(store, locks.votesRecord(digest, date), async () => {
    const key = keys.votePaper(digest, date, paper.id);
    const record = (await PAPER_VOTES.get(store, key)) ?? { paperId: paper.id, members: {}, count: 0 };
    if (paper.version !== undefined) record.version = paper.version;
    if (paper.title !== undefined) record.title = paper.title;
    const sources = record.members[member] ?? [];
    const isNew = sources.length === 0;
    if (!sources.includes(source)) sources.push(source);
    record.members[member] = sources;
    record.count = Object.keys(record.members).length;
    await PAPER_VOTES.set(store, key, record);
    const index = (await VOTE_INDEX.get(store, keys.voteIndex(digest, date))) ?? { paperIds: [] };
    if (!index.paperIds.includes(paper.id)) {
      index.paperIds.push(paper.id);
      await VOTE_INDEX.set(store, keys.voteIndex(digest, date), index);
    }
    return { record, isNew };
  });
}

/** Removes one source of a member's vote (a removed reaction); the vote goes when no source is left. */
export async function removeVote(store: Store, change: VoteChange): Promise<PaperVotes | undefined> {
  const { digest, date, paper, member, source } = change;
  return exclusive(store, locks.votesRecord(digest, date), async () => {
    const key = keys.votePaper(digest, date, paper.id);
    const record = await PAPER_VOTES.get(store, key);
    if (!record?.members[member]) return record;
    const left = record.members[member].filter((s) => s !== source);
    if (left.length) record.members[member] = left;
    else delete record.members[member];
    record.count = Object.keys(record.members).length;
    await PAPER_VOTES.set(store, key, record);
    return record;
  });
}

/** Every vote record of a digest's day. */
export async function readVotes(store: Store, digest: string, date: string): Promise<PaperVotes[]> {
  const index = await VOTE_INDEX.get(store, keys.voteIndex(digest, date));
  const out: PaperVotes[] = [];
  for (const id of index?.paperIds ?? []) {
    const record = await PAPER_VOTES.get(store, keys.votePaper(digest, date, id));
    if (record) out.push(record);
  }
  return out;
}

/**
 * Weaker signals of interest than a vote: a member asked for a paper's critique (/critique) or asked about it
 * (/ask). They never count in the tally; the vote profile learns from them at half a vote's strength. `not-for-us`
 * (a card's Not for us button) is the opposite: the profile learns it as a paper the team turned away.
 */
const SIGNAL_KINDS = z.enum(['critique', 'ask', 'not-for-us']);
export type SignalKind = z.infer<typeof SIGNAL_KINDS>;

export interface PaperSignal {
  paperId: string;
  member: string;
  kind: SignalKind;
}

/** The weaker signals of a digest's day ('votes', keys.voteSignals). */
const SIGNALS = recordKind<PaperSignal[]>(
  'votes',
  z.array(z.looseObject({ paperId: z.string(), member: z.string(), kind: SIGNAL_KINDS })),
);

const MAX_SIGNALS = 500;

/** Records that `member` asked about `paperId` during the vote of a digest's day (once per member, paper, kind). */
export async function addSignal(store: Store, digest: string, date: string, signal: PaperSignal): Promise<void> {
  await exclusive(store, locks.votesRecord(digest, date), async () => {
    const list = (await SIGNALS.get(store, keys.voteSignals(digest, date))) ?? [];
    if (list.some((x) => x.paperId === signal.paperId && x.member === signal.member && x.kind === signal.kind)) return;
    if (list.length >= MAX_SIGNALS) return;
    list.push(signal);
    await SIGNALS.set(store, keys.voteSignals(digest, date), list);
  });
}

export async function readSignals(store: Store, digest: string, date: string): Promise<PaperSignal[]> {
  return (await SIGNALS.get(store, keys.voteSignals(digest, date))) ?? [];
}
