/** A card's followers and "Also from people you follow" in Block Kit: mentions from stored ids only, within limits. */
import { checkBlocks } from '../../test/fakes/slack-server';
import { seedDigest, seedPapers } from '../../test/fakes/slack-support';
import { CHAT_LAYOUT } from '../../src/chat/layout';
import type { FollowMention } from '../../src/chat/types';
import { renderSlack, visibleLength } from './render';

const digest = seedDigest();
const paper = digest.selected[0]!;
const mentions = (text: string) => [...text.matchAll(/<@([A-Z0-9]+)>/g)].map((m) => m[1]);

it('a card says who follows what on it and mentions exactly those members', () => {
  const followers: FollowMention[] = [
    { userId: 'U0FOLLOW01', authors: ['Caiming Xiong'], topics: [] },
    { userId: 'U0FOLLOW02', authors: [], topics: ['reasoning curriculum'] },
    // Not a Slack user id: never mentioned.
    { userId: '<!channel>', authors: ['Bo Pang'], topics: [] },
  ];
  const [card] = renderSlack({ kind: 'paper', digest, paper, index: 0, voteEmoji: '👍', followers });
  expect(card!.text).toContain(
    ':bust_in_silhouette: <@U0FOLLOW01> you follow Caiming Xiong · <@U0FOLLOW02> you follow the topic “reasoning curriculum”',
  );
  expect(mentions(card!.text)).toEqual(['U0FOLLOW01', 'U0FOLLOW02']);
  expect(JSON.stringify(card!.blocks)).not.toContain('<!channel>');
  // Without followers, no mention at all.
  const [plain] = renderSlack({ kind: 'paper', digest, paper, index: 0, voteEmoji: '👍' });
  expect(mentions(plain!.text)).toEqual([]);
});

it('a crowded card stays within its 1,500 visible characters: followers past the line are counted, not mentioned', () => {
  const long = 'a very long topic name about reinforcement learning from human feedback for reasoning';
  const followers: FollowMention[] = Array.from({ length: 30 }, (_, i) => ({
    userId: `U0FAN${String(i).padStart(5, '0')}`,
    authors: ['Caiming Xiong', 'Silvio Savarese', 'Yingbo Zhou'],
    topics: [`${long} ${i}`, `${long} again`],
  }));
  const [card] = renderSlack({ kind: 'paper', digest, paper, index: 0, voteEmoji: '👍', followers });
  expect(visibleLength(card!.blocks)).toBeLessThanOrEqual(CHAT_LAYOUT.cardVisible);
  expect(checkBlocks(card!.blocks as unknown as Array<Record<string, unknown>>)).toBeUndefined();
  const named = mentions(card!.text);
  expect(named.length).toBeGreaterThan(0);
  expect(named).toEqual(followers.slice(0, named.length).map((f) => f.userId));
  expect(card!.text).toContain(`and ${30 - named.length} more follow it`);
});

it('"Also from people you follow": title links, the followed authors, their followers; paper text pings nobody', () => {
  const papers = seedPapers().slice(0, 3);
  const parts = renderSlack({
    kind: 'followed',
    papers: papers.map((p, i) => ({
      paper: { ...p, title: `${p.title} <!channel> <@U0EVIL0001>` },
      authors: [`${p.authors[0]} @here`],
      followers: i === 0 ? ['U0FOLLOW01', 'U0FOLLOW02'] : ['U0FOLLOW02'],
    })),
    more: 2,
  });
  expect(parts).toHaveLength(1);
  const text = parts[0]!.text;
  expect(text).toContain(":bust_in_silhouette: *Also from people you follow* (not in today's digest)");
  expect(text).toContain(`<http://arxiv.org/abs/${papers[0]!.id}v${papers[0]!.version}|`);
  expect(mentions(text)).toEqual(['U0FOLLOW01', 'U0FOLLOW02', 'U0FOLLOW02', 'U0FOLLOW02']);
  expect(text).not.toMatch(/<!channel>|<@U0EVIL|(^|[^\u200B])@here/);
  expect(text).toContain('_… and 2 more_');
  expect(checkBlocks(parts[0]!.blocks as unknown as Array<Record<string, unknown>>)).toBeUndefined();
});
