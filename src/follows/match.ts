/**
 * Follows meet a digest: which members follow something on each selected paper (an author of it, or a topic it
 * matches), and which papers of the day by followed authors did not make the digest. Pure functions over the
 * workspace's follows record and the day's papers.
 */
import type { FollowMention, FollowedPaper } from '../chat/types';
import type { Paper } from '../app/types';
import type { WorkspaceFollows } from './book';
import { authorMatcher } from './names';
import { topicMatcher } from './topics';

/** Papers listed in "Also from people you follow", at most. */
export const MAX_ALSO_PAPERS = 15;

/** Every author any member of these records follows, once each (the digest's first pass keeps their papers). */
export function followedAuthors(records: WorkspaceFollows[]): string[] {
  const out: string[] = [];
  for (const record of records)
    for (const member of Object.values(record.members))
      for (const a of member.authors) if (!out.some((o) => o.toLowerCase() === a.toLowerCase())) out.push(a);
  return out;
}

export interface FollowMarks {
  /** By arXiv id of a selected paper: the members who follow something on it, in the order they are in the record. */
  cards: Record<string, FollowMention[]>;
  /** Followed authors' papers of the day that are not in the digest. */
  also: FollowedPaper[];
}

/**
 * The marks of one workspace on a digest: `selected` are the digest's papers, `day` the day's listing (topics are
 * scored over it, as the first pass scores the interests; without it over the selected papers).
 */
export function followMarks(record: WorkspaceFollows, selected: Paper[], day: Paper[]): FollowMarks {
  const members = Object.entries(record.members).filter(([, m]) => m.authors.length + m.topics.length > 0);
  const cards: Record<string, FollowMention[]> = {};
  if (members.length === 0) return { cards, also: [] };
  const pool = day.length ? day : selected;
  // Every member's followed names in one matcher (each name and each author parsed once), then per member.
  const matcher = authorMatcher(members.flatMap(([, m]) => m.authors));
  const followedOn = (paper: Pick<Paper, 'authors'>, followed: string[]) =>
    paper.authors.filter((a) => matcher(a).some((name) => followed.includes(name)));
  const topics = [...new Set(members.flatMap(([, m]) => m.topics))];
  const match = topics.length ? topicMatcher(pool) : undefined;
  const matchedBy = new Map(topics.map((t) => [t, match ? match(t) : new Map<string, number>()]));
  for (const paper of selected) {
    const followers: FollowMention[] = [];
    for (const [userId, m] of members) {
      const authors = followedOn(paper, m.authors);
      const onTopics = m.topics.filter((t) => matchedBy.get(t)?.has(paper.id));
      if (authors.length || onTopics.length) followers.push({ userId, authors, topics: onTopics });
    }
    if (followers.length) cards[paper.id] = followers;
  }
  const inDigest = new Set(selected.map((p) => p.id));
  const also: FollowedPaper[] = [];
  for (const paper of day) {
    if (inDigest.has(paper.id)) continue;
    const authors = new Set<string>();
    const followers: string[] = [];
    for (const [userId, m] of members) {
      const on = followedOn(paper, m.authors);
      if (on.length === 0) continue;
      for (const a of on) authors.add(a);
      followers.push(userId);
    }
    if (followers.length)
      also.push({
        paper: { id: paper.id, version: paper.version, title: paper.title },
        authors: [...authors],
        followers,
      });
  }
  return { cards, also };
}
