/**
 * A card's followers and "Also from people you follow" as Discord bodies: the mentions in the content (embeds do not
 * ping), allowed_mentions listing exactly those users, within the card's 1,500 characters.
 */
import { seedDigest, validateMessage } from '../../test/fakes/discord-server';
import { CHAT_LAYOUT } from '../../src/chat/layout';
import type { FollowMention } from '../../src/chat/types';
import { embedLength, renderDiscord } from './render';

const digest = seedDigest({ mentionPaper: 0 });
const paper = digest.selected[0]!;
const A = '1600000000000000101';
const B = '1600000000000000102';

it('a card pings exactly its followers: content mentions, allowed_mentions.users, the "Followed" field', () => {
  const followers: FollowMention[] = [
    { userId: A, authors: [paper.authors[0]!], topics: [] },
    { userId: B, authors: [], topics: ['reasoning'] },
    { userId: 'not-an-id @everyone', authors: ['X Y'], topics: [] },
  ];
  const [card] = renderDiscord({ kind: 'paper', digest, paper, index: 0, voteEmoji: '👍', followers });
  expect(card!.content).toBe(`<@${A}> <@${B}>`);
  expect(card!.allowed_mentions).toEqual({ parse: [], users: [A, B] });
  const field = card!.embeds![0]!.fields!.find((f) => f.name === 'Followed')!;
  expect(field.value).toBe(`<@${A}> you follow ${paper.authors[0]}\n<@${B}> you follow the topic “reasoning”`);
  expect(validateMessage(card!)).toBeUndefined();
  // Every other part of the paper: no user may ping.
  for (const part of renderDiscord({ kind: 'paper', digest, paper, index: 0, voteEmoji: '👍', followers }).slice(1))
    expect(part.allowed_mentions).toEqual({ parse: [] });
  const [plain] = renderDiscord({ kind: 'paper', digest, paper, index: 0, voteEmoji: '👍' });
  expect(plain!.allowed_mentions).toEqual({ parse: [] });
  expect(plain!.content).toBeUndefined();
});

it('a crowded card stays within its 1,500 characters; it pings only the followers it names', () => {
  const followers: FollowMention[] = Array.from({ length: 40 }, (_, i) => ({
    userId: `16000000000000${String(1000 + i)}`,
    authors: ['Caiming Xiong', 'Silvio Savarese', 'Yingbo Zhou'],
    topics: [`reinforcement learning from human feedback for long reasoning chains ${i}`],
  }));
  const [card] = renderDiscord({ kind: 'paper', digest, paper, index: 0, voteEmoji: '👍', followers });
  expect(embedLength(card!.embeds![0]!)).toBeLessThanOrEqual(CHAT_LAYOUT.cardVisible);
  const users = card!.allowed_mentions.users ?? [];
  expect(users.length).toBeGreaterThan(0);
  expect(users).toEqual(followers.slice(0, users.length).map((f) => f.userId));
  expect(card!.content).toBe(users.map((id) => `<@${id}>`).join(' '));
  expect(JSON.stringify(card!.embeds)).toContain(`and ${40 - users.length} more follow it`);
  expect(validateMessage(card!)).toBeUndefined();
});

it('"Also from people you follow": one content message, its followers allowed, paper text disarmed', () => {
  const parts = renderDiscord({
    kind: 'followed',
    papers: digest.selected.slice(1, 4).map((p, i) => ({
      paper: { id: p.id, version: p.version, title: `${p.title} @everyone <@123456789012345678>` },
      authors: [`${p.authors[0]} <@&223456789012345678>`],
      followers: i === 0 ? [A, B] : [B],
    })),
    more: 3,
  });
  expect(parts).toHaveLength(1);
  const part = parts[0]!;
  expect(part.allowed_mentions).toEqual({ parse: [], users: [A, B] });
  expect(part.content).toMatch(/^\*\*Also from people you follow\*\* \(not in today's digest\)\n- \[/);
  expect([...part.content!.matchAll(/<@(\d+)>/g)].map((m) => m[1])).toEqual([A, B, B, B]);
  expect(part.content).not.toMatch(/(^|[^\u200B])@everyone|<@123456789012345678>|<@&\d/);
  expect(part.content).toContain('… and 3 more');
  expect(validateMessage(part)).toBeUndefined();
});
