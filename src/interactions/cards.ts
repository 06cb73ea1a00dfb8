/**
 * The card's own buttons besides Vote, Critique and Ask… (src/interactions/votes.ts, critique.ts, ask.ts): Not
 * for us (a negative signal the profile learns from, acknowledged privately), Why? (one line naming what lifted
 * the paper), and the Follow an author menu (the card's authors, picked by their index on the card).
 */
import { z } from 'zod';
import { MENU_AUTHORS } from '../chat/actions';
import type { Paper, SelectedPaper } from '../app/types';
import type { Assembly } from '../jobs/assembly';
import { RANKING, readBuiltDigest } from '../pipeline/digest';
import { type FollowOutcome, MAX_FOLLOWS, follow, readFollows } from '../follows/book';
import { followMarks } from '../follows/match';
import { isArxivDigestError, oneLine } from '../app/errors';
import { libraryDocs } from '../library/papers';
import { type LibraryDocs, libraryLike } from '../profile/profile';
import { keys } from '../store/keys';
import type { CardRef, InteractionRegistry } from './registry';
import { onCard, once } from './limits';
import { recordInterest } from './signals';

/** The card's paper as the digest selected it (its score, reason, authors); arXiv's record when the digest is gone. */
export async function paperOfCard(app: Assembly, card: CardRef): Promise<SelectedPaper | Paper> {
  const built = await readBuiltDigest(app.ctx.store, card.digest, card.date);
  const selected = built?.selected?.find((p) => p.id === card.paperId);
  return selected ?? (await app.services.arxiv.getPaper({ id: card.paperId, version: card.version }));
}

const quote = (text: string, max = 80) => `“${text.length > max ? `${text.slice(0, max - 1)}…` : text}”`;

/**
 * One line: the interests, the model's reason, the team's votes, the reading-list entries and the follows that
 * lifted the paper.
 */
export async function whyLine(
  app: Assembly,
  card: CardRef,
  workspace?: { platform: string; workspace: string },
): Promise<string> {
  const paper = await paperOfCard(app, card);
  const ranking = await RANKING.get(app.ctx.store, keys.ranking(card.digest, card.date));
  const seen = ranking?.candidates.find((c) => c.id === card.paperId);
  const reasons: string[] = [];
  if (seen) reasons.push(`it matches the digest's interests (first pass ${seen.firstPass.toFixed(2)} of 1)`);
  const reason = 'reason' in paper ? paper.reason : seen?.reason;
  if (seen?.llmScore !== undefined || reason)
    reasons.push(
      `the model rated it ${seen?.llmScore !== undefined ? `${seen.llmScore.toFixed(2)} of 1` : 'relevant'}${reason ? `: ${quote(reason)}` : ''}`,
    );
  const because = 'explore' in paper ? paper.explore?.because : undefined;
  // The learned boost is the votes' and the reading list's (`library:`) together: the list's entries it is like.
  const like = seen?.boost && seen.boost > 0 ? await readingListLike(app, card.digest, paper) : [];
  if (because?.length)
    reasons.push(`the team voted for papers like it (${because.map((b) => quote(b.title, 50)).join(', ')})`);
  else if (seen?.boost && seen.boost > 0)
    reasons.push(
      `the team's ${like.length ? 'votes and reading list' : 'votes'} lifted it (+${seen.boost.toFixed(2)})`,
    );
  if (like.length) reasons.push(`it is like your reading list's ${like.map((d) => quote(d.title, 50)).join(', ')}`);
  if (workspace) {
    const record = await readFollows(app.ctx.store, workspace);
    const mentions = followMarks(record, [paper], []).cards[paper.id] ?? [];
    if (mentions.length)
      reasons.push(`${mentions.length} member${mentions.length === 1 ? ' follows' : 's follow'} its authors or topics`);
  }
  if (!reasons.length) return `Why ${card.paperId}: it ranked among the best of the ${card.digest} digest's day.`;
  return `Why ${card.paperId}: ${reasons.join('; ')}.`;
}

/** The entries of the digest's reading list (`library:`) the paper is most like; none without one. */
async function readingListLike(app: Assembly, digestName: string, paper: Paper): Promise<LibraryDocs> {
  const digest = app.ctx.config.digests.find((d) => d.name === digestName);
  if (!digest?.library?.length) return [];
  try {
    return libraryLike(await libraryDocs(app.ctx, app.services.arxiv, digest), paper);
  } catch (err) {
    // A list that cannot be read now (moved, being rewritten) leaves the line without it.
    app.ctx.log.debug({ digest: digestName, err: oneLine(err) }, 'reading list not read for Why?');
    return [];
  }
}

export function registerCardActions(registry: InteractionRegistry): void {
  registry.action('not-for-us', {
    limits: [onCard, once('not-for-us', (ix) => `${ix.card?.paperId}`)],
    async handle(ix) {
      const card = ix.card;
      if (!card) return;
      await recordInterest(
        ix.app,
        { platform: ix.platform, channelId: ix.channelId, userId: ix.member.userId, card },
        card.paperId,
        'not-for-us',
      );
      await ix.replyPrivately(
        `Noted: ${card.paperId} is not for us. The ${card.digest} digest learns from it when the vote closes, and ranks papers like it lower.`,
      );
    },
  });

  registry.action('why', {
    limits: [onCard],
    async handle(ix) {
      if (!ix.card) return;
      const workspace = ix.member.workspaceId ? { platform: ix.platform, workspace: ix.member.workspaceId } : undefined;
      await ix.replyPrivately(await whyLine(ix.app, ix.card, workspace));
    },
  });

  registry.action('follow-author', {
    options: z.object({
      value: z
        .string()
        .regex(/^\d{1,2}$/)
        .transform(Number),
    }),
    usage: () => 'Pick an author from the card\u2019s menu.',
    limits: [onCard],
    async handle(ix, { value }: { value: number }) {
      const card = ix.card;
      if (!card) return;
      if (!ix.member.workspaceId) {
        await ix.replyPrivately(
          'Follows belong to a workspace: use the menu in a channel of your workspace or server.',
        );
        return;
      }
      const paper = await paperOfCard(ix.app, card);
      const author = paper.authors.slice(0, MENU_AUTHORS)[value];
      if (!author) {
        await ix.replyPrivately('That author is not on the card any more; nothing was followed.');
        return;
      }
      const scope = { platform: ix.platform, workspace: ix.member.workspaceId };
      let out: FollowOutcome;
      try {
        out = await follow(ix.app.ctx.store, scope, ix.member.userId, 'author', author);
      } catch (err) {
        if (isArxivDigestError(err) && err.exitCode === 2) {
          // The refusal quotes the name (a paper's text): the member gets the bot's own words only.
          await ix.replyPrivately(
            `That author's name, as arXiv writes it, cannot be followed; try ${ix.example('follow', 'author <name>')}.`,
          );
          return;
        }
        throw err;
      }
      await ix.replyPrivately(
        out.status === 'added'
          ? `You now follow the author ${out.value}: their new papers are always considered for the digest, and a card of theirs mentions you (${out.total} of ${MAX_FOLLOWS} follows).`
          : out.status === 'already'
            ? `You already follow the author ${out.value} (${out.total} of ${MAX_FOLLOWS} follows).`
            : `You already follow ${MAX_FOLLOWS} authors and topics, the most a member may; remove one on your page first.`,
      );
    },
  });
}
