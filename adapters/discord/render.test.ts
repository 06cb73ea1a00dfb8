/** Rendering for Discord: every part within Discord's limits whatever the input, Markdown converted, mentions dead. */
import { seedDigest, validateMessage } from '../../test/fakes/discord-server';
import type { OutgoingMessage } from '../../src/chat/types';
import { contentMarkdown, embedLength, embedMarkdown, LIMITS, renderDiscord } from './render';
import { seedChatDigest } from '../../test/fakes/seed-digest';
import { CHAT_LAYOUT } from '../../src/chat/layout';

const digest = seedDigest();
const paper = digest.selected[0]!;

function expectValid(message: OutgoingMessage) {
  const parts = renderDiscord(message);
  expect(parts.length).toBeGreaterThan(0);
  for (const part of parts) {
    expect(part.allowed_mentions).toEqual({ parse: [] });
    expect(validateMessage(part)).toBeUndefined();
    expect((part.content ?? '').length).toBeLessThanOrEqual(LIMITS.content);
    const embeds = part.embeds ?? [];
    expect(embeds.length).toBeLessThanOrEqual(LIMITS.embedsPerMessage);
    const total = embeds.reduce((n, e) => n + embedLength(e), 0) + (part.content?.length ?? 0);
    expect(total).toBeLessThanOrEqual(LIMITS.messageTotal);
  }
  return parts;
}

describe('renderDiscord', () => {
  it('renders the seed day as one message: title and opening in the content, the TL;DR in one embed', () => {
    const seed = seedChatDigest();
    const parts = expectValid({ kind: 'digest', digest: seed, voteEmoji: '👍' });
    expect(parts).toHaveLength(1);
    const [part] = parts;
    expect(part!.content).toMatch(/^# ArXiv Daily Digest on 2025-10-30\n-# nlp · cs\.CL\n\nToday's research landscape/);
    // The opening is cut at a sentence with "…".
    expect(part!.content).toMatch(/for improved efficiency\. …$/);
    const tldr = part!.embeds![0]!;
    expect(tldr.description).toMatch(/^\*\*TL;DR:\*\* Recent papers focus/);
    expect(tldr.description!.match(/TL;DR/g)).toHaveLength(1);
    expect(tldr.description).toContain('- [Reasoning Curriculum](https://arxiv.org/abs/2510.26143v1) (#1) proposes');
    expect(tldr.footer!.text).toContain('Total papers: 58 · Selected papers: 5');
    expect(tldr.footer!.text).toContain('react with 👍 on a card to vote, or /vote paper:<id>');
  });

  it('keeps a digest of very many papers to one channel message; the rest is for the thread', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ ...paper, id: `2510.${26000 + i}` }));
    const overview = {
      tldr: 'One sentence.',
      themes: [
        {
          title: 'All',
          papers: many.map((p) => ({
            id: p.id,
            shortName: `Paper ${p.id}`,
            insight: 'does something notable. '.repeat(6),
          })),
        },
      ],
      commonInsights: 'Shared.',
    };
    const long = { ...digest, selected: many, overview, intro: `${'An opening paragraph sentence. '.repeat(120)}` };
    const parts = expectValid({ kind: 'digest', digest: long });
    expect(parts.length).toBeGreaterThan(1);
    expect(parts[0]!.content).toMatch(/^# ArXiv Daily Digest on 2025-10-30/);
    expect(parts[0]!.embeds![0]!.description).toMatch(/continued in the thread$/);
    // Only the first part is the channel message (the core sends the others into its thread).
    expect(parts.slice(1).every((p) => !p.content && p.embeds?.[0]?.title?.startsWith('TL;DR (continued)'))).toBe(true);
    const all = JSON.stringify(parts);
    for (const p of many) expect(all).toContain(`[Paper ${p.id}]`);
  });

  it('says so when the day had no announcements, and shows the notices', () => {
    const empty = {
      ...digest,
      empty: true,
      selected: [],
      notices: ['Built without an LLM: OPENAI_API_KEY is not set.'],
    };
    const [part] = expectValid({ kind: 'digest', digest: empty });
    expect(part!.content).toContain('No new arXiv announcements in cs.CL for 2025-10-30.');
    expect(part!.content).toContain('-# Built without an LLM');
    expect(part!.content).not.toContain('TL;DR');
  });

  it('keeps an oversized paper within every embed limit, its title card first', () => {
    const huge = {
      ...paper,
      title: `A ${'very '.repeat(80)}long title`,
      authors: Array.from({ length: 400 }, (_, i) => `Author Number${i}`),
      keywords: Array.from({ length: 300 }, (_, i) => `keyword ${i}`),
      comments: 'c'.repeat(3000),
      summary: `# Summary heading\n\n${'word '.repeat(9000)}`,
      critique: Array.from({ length: 40 }, (_, i) => `### Point ${i}\n\n${'x'.repeat(900)}`).join('\n\n'),
    };
    const parts = expectValid({ kind: 'paper', digest, paper: huge, index: 0, voteEmoji: '👍' });
    expect(parts.length).toBeGreaterThan(3);
    const card = parts[0]!.embeds![0]!;
    expect(parts[0]!.embeds).toHaveLength(1);
    expect(embedLength(card)).toBeLessThanOrEqual(CHAT_LAYOUT.cardVisible);
    expect(card.fields![0]!.value).toMatch(/, … and 395 others$/);
    expect(card.title!.length).toBeLessThanOrEqual(LIMITS.embedTitle);
    expect(card.title!.endsWith('…')).toBe(true);
    expect(card.url).toBe(`https://arxiv.org/abs/${paper.id}v${paper.version}`);
    for (const f of card.fields ?? []) expect(f.value.length).toBeLessThanOrEqual(LIMITS.fieldValue);
    // No Markdown heading survives inside an embed.
    const text = JSON.stringify(parts);
    expect(text).not.toMatch(/(^|\\n)#+ /);
    expect(text).toContain('**Point 39**');
  });

  it('marks the exploration slot on the card', () => {
    const because = [{ id: '2510.11111', title: 'Video diffusion for everyone' }];
    const [card] = expectValid({ kind: 'paper', digest, paper, index: 4, voteEmoji: '👍', because });
    const field = card!.embeds![0]!.fields!.find((f) => f.name === 'Why this paper');
    expect(field?.value).toBe('Exploring: because you voted for “Video diffusion for everyone”');
  });

  it('renders a paper without an LLM (no critique, no keywords) as its card, then the abstract and summary', () => {
    const plain = { ...paper, critique: '', keywords: [], comments: undefined, reason: undefined };
    const [card, details] = expectValid({ kind: 'paper', digest, paper: plain, index: 4, voteEmoji: '🔥' });
    expect(card!.embeds!.map((e) => e.title)).toEqual([`5. ${paper.title}`]);
    expect(card!.embeds![0]!.fields!.map((f) => f.name)).toEqual(['Authors', 'Paper']);
    expect(card!.embeds![0]!.footer!.text).toBe(
      `🔥 Vote: react with 🔥 on this message, or /vote paper:${paper.id} · abstract, summary and critique below`,
    );
    expect(details!.embeds!.map((e) => e.title)).toEqual(['Abstract', 'Summary']);
  });

  it('keeps every card of seed-length papers within 1,500 characters, the vote hint in its footer', () => {
    const seed = seedChatDigest();
    for (const [index, p] of seed.selected.entries()) {
      const parts = expectValid({ kind: 'paper', digest: seed, paper: p, index, voteEmoji: '👍' });
      const card = parts[0]!;
      expect(card.embeds).toHaveLength(1);
      expect(embedLength(card.embeds![0]!) + (card.content?.length ?? 0)).toBeLessThanOrEqual(CHAT_LAYOUT.cardVisible);
      expect(card.embeds![0]!.footer!.text).toContain('👍 Vote: react with 👍 on this message');
      expect(card.embeds![0]!.description).toMatch(/^\*\*TL;DR:\*\* /);
      expect(parts.length).toBeGreaterThan(1);
    }
  });

  it('renders a /critique answer with the paper link, the cache note and the member who asked', () => {
    const parts = expectValid({
      kind: 'critique',
      paper,
      critique: '### Strengths\n\nGood.\n\n### Weaknesses\n\n@everyone <@&1234567890123456>',
      cached: true,
      requestedBy: '123456789012345678',
    });
    expect(parts).toHaveLength(1);
    const [part] = parts;
    expect(part!.content).toBe('Requested by <@123456789012345678>');
    expect(part!.embeds![0]!.title).toBe(`Critique: ${paper.title}`);
    expect(part!.embeds![0]!.description).toContain('**Strengths**');
    expect(part!.embeds![0]!.description).toContain('@\u200Beveryone <@&\u200B1234567890123456>');
    expect(part!.embeds![0]!.footer!.text).toContain('from the cache');
  });

  it('renders a long deep-dive across messages and a tally as one content message', () => {
    const parts = expectValid({ kind: 'deep-dive', paper, text: `## Deep\n\n${'Analysis sentence. '.repeat(1500)}` });
    expect(parts.length).toBeGreaterThan(1);
    const [tally] = expectValid({
      kind: 'tally',
      name: 'nlp',
      date: '2025-10-30',
      totalVoters: 1,
      lines: [{ paper: { ...paper, title: 'Ping @here [now]' }, votes: 1, winner: true }],
    });
    expect(tally!.content).toContain('1 member voted.');
    expect(tally!.content).toContain(`1. [Ping @\u200Bhere now](<https://arxiv.org/abs/${paper.id}v1>) — 1 vote 🏆`);
    const [none] = expectValid({ kind: 'tally', name: 'nlp', date: '2025-10-30', totalVoters: 0, lines: [] });
    expect(none!.content).toContain('No votes were cast this time.');
  });

  it('splits plain text to 2,000 characters and never sends an empty message', () => {
    expect(expectValid({ kind: 'text', text: 'a '.repeat(1500) }).length).toBe(2);
    expect(expectValid({ kind: 'text', text: '' })).toHaveLength(1);
  });
});

describe('Markdown for Discord', () => {
  it('keeps #..### in content, makes deeper headings bold and drops horizontal rules', () => {
    expect(contentMarkdown('# A\n## B\n### C\n#### D\n---\ntext')).toBe('# A\n## B\n### C\n**D**\n\ntext');
  });

  it('makes every heading bold in embeds', () => {
    expect(embedMarkdown('# A\n\n### B ###\nbody')).toBe('**A**\n\n**B**\nbody');
  });
});
