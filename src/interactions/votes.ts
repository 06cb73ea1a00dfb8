/**
 * Votes, the same for every platform and every way of voting: `/vote <id>`, the vote emoji on a card, and a card's
 * Vote button. All three are one ballot per member and paper (src/votes/book.ts): the button and /vote are the
 * `command` source, the emoji the `reaction` source, so the tally counts a member once whichever they used. A
 * button click toggles: the second click takes the vote back.
 */
import { oneLine } from '../app/errors';
import { commandExample, usageLine } from '../commands/usage';
import type { ActionEvent } from '../chat/types';
import { watchVoted } from '../jobs/versions';
import { keys } from '../store/keys';
import { PAPER_RECORD } from '../arxiv/records';
import { type VoteChange, type VoteSource, addVote, readPaperVotes, removeVote } from '../votes/book';
import { voteClosed } from '../jobs/tally';
import { isVoteEmoji, resolveVoteEmoji } from '../votes/emoji';
import type { CardRef, InteractionRegistry } from './registry';
import { paperArgument } from './options';
import { digestHere, onCard, voteOpen } from './limits';
import { noteActivity } from './signals';

export function registerVotes(registry: InteractionRegistry): void {
  registerVoteCommand(registry);
  registerVoteReaction(registry);
  registerVoteButton(registry);
}

/** `/vote <id>`: a vote for a paper of the channel's current digest (or outside it, then watched). */
function registerVoteCommand(registry: InteractionRegistry): void {
  registry.command('vote', {
    options: paperArgument,
    usage: (ix) => usageLine(commandExample(ix.app.adapters[ix.platform], 'vote')),
    limits: [digestHere, voteOpen],
    async handle(ix, { argument: parsed }) {
      const current = ix.current;
      if (!current) return;
      const { digest, date } = current;
      const { isNew } = await addVote(ix.app.ctx.store, {
        digest: digest.name,
        date,
        paper: { id: parsed.id, ...(parsed.version ? { version: parsed.version } : {}) },
        member: ix.member.voter,
        source: 'command',
      });
      const inDigest = current.posted?.papers[parsed.id] ? '' : ' (a paper outside the digest)';
      await ix.replyPrivately(
        isNew
          ? `Your vote for ${parsed.id}${inDigest} counts in the ${digest.name} digest of ${date}.`
          : `You have already voted for ${parsed.id} in the ${digest.name} digest of ${date}; one vote per member.`,
      );
      if (isNew) {
        // Its title from the stored metadata when arXiv was asked already (the page links it by title).
        const known = await PAPER_RECORD.get(ix.app.ctx.store, keys.paper(parsed.id)).catch(() => undefined);
        await noteActivity(ix.app, ix.event as { platform: string; userId: string }, {
          paper: { id: parsed.id, version: parsed.version ?? known?.version ?? 1, title: known?.title ?? parsed.id },
          what: 'voted',
        });
      }
      // A paper voted for outside the digest is watched in the digest's thread: its new versions are announced there.
      if (current.posted && !current.posted.papers[parsed.id])
        await watchVoted(ix.app, current.posted, parsed).catch((err) =>
          ix.log.warn({ paper: parsed.id, err: oneLine(err) }, 'voted-for paper not watched for new versions'),
        );
    },
  });
}

/** The vote emoji on a card: added or removed, the `reaction` source of the member's ballot. */
function registerVoteReaction(registry: InteractionRegistry): void {
  registry.reaction({
    async handle(ix) {
      const event = ix.event;
      const ref = ix.card;
      if (event.type !== 'reaction' || !ref) return;
      const digest = ix.app.ctx.config.digests.find((d) => d.name === ref.digest);
      if (!digest || !isVoteEmoji(event.emoji, resolveVoteEmoji(digest.votes.emoji))) return;
      if (await voteClosed(ix.app.ctx.store, ref.digest, ref.date)) return; // closed: the result stands
      const change = cardVote(ref, ix.member.voter, 'reaction');
      const record = event.added
        ? (await addVote(ix.app.ctx.store, change)).record
        : await removeVote(ix.app.ctx.store, change);
      const paper = { id: ref.paperId, version: ref.version, title: ref.title };
      await noteActivity(ix.app, event, { paper, what: 'voted' }, !record?.members[ix.member.voter]);
      ix.log.debug(
        { digest: ref.digest, date: ref.date, paper: ref.paperId, count: record?.count ?? 0 },
        'vote counted',
      );
    },
  });
}

/** The card's Vote button: toggles the `command` source of the member's ballot, and shows the count. */
function registerVoteButton(registry: InteractionRegistry): void {
  registry.action('vote', {
    limits: [onCard],
    async handle(ix) {
      const ref = ix.card;
      if (!ref) return;
      const store = ix.app.ctx.store;
      if (await voteClosed(store, ref.digest, ref.date)) {
        await ix.replyPrivately(
          `The vote on the ${ref.digest} digest of ${ref.date} is closed; vote again on the next digest.`,
        );
        return;
      }
      const change = cardVote(ref, ix.member.voter, 'command');
      const before = await readPaperVotes(store, ref.digest, ref.date, ref.paperId);
      const had = before?.members[ix.member.voter] ?? [];
      const takeBack = had.includes('command');
      const record = takeBack ? await removeVote(store, change) : (await addVote(store, change)).record;
      const still = record?.members[ix.member.voter]?.length ?? 0;
      // The card's count first: on Discord it is the click's own answer (the card updated in place).
      await (ix.event as ActionEvent)
        .showVoteCount?.(record?.count ?? 0)
        .catch((err: unknown) =>
          ix.log.warn({ paper: ref.paperId, err: oneLine(err) }, 'the card\u2019s vote count was not updated'),
        );
      await ix.replyPrivately(
        takeBack
          ? still
            ? `Your button vote for ${ref.paperId} is taken back; your emoji vote still counts (one vote per member).`
            : `Your vote for ${ref.paperId} is taken back.`
          : had.length
            ? `You have already voted for ${ref.paperId} with the emoji; it counts once (one vote per member).`
            : `Your vote for ${ref.paperId} counts in the ${ref.digest} digest of ${ref.date}.`,
      );
      const paper = { id: ref.paperId, version: ref.version, title: ref.title };
      await noteActivity(ix.app, ix.event as ActionEvent, { paper, what: 'voted' }, !still);
    },
  });
}

/** A member's ballot change for the paper of the card they acted on. */
function cardVote(ref: CardRef, member: string, source: VoteSource): VoteChange {
  return {
    digest: ref.digest,
    date: ref.date,
    paper: { id: ref.paperId, version: ref.version, title: ref.title },
    member,
    source,
  };
}
