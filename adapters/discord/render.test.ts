/** Rendering for Discord: every part within Discord's limits whatever the input, Markdown converted, mentions dead. */
import { seedDigest, validateMessage } from '../../test/fakes/discord-server';
import type { OutgoingMessage } from '../../src/chat/types';
import { contentMarkdown, embedLength, embedMarkdown, LIMITS, renderDiscord, SUPPRESS_EMBEDS } from './render';

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
  it('splits a digest whose text passes 2,000 characters into several content messages', () => {
    const long = { ...digest, intro: `${'An opening paragraph sentence. '.repeat(120)}\n\n${'More. '.repeat(300)}` };
    const parts = expectValid({ kind: 'digest', digest: long });
    expect(parts.length).toBeGreaterThan(1);
    expect(parts[0]!.content).toMatch(/^# ArXiv Daily Digest on 2025-10-30/);
    expect(parts.map((p) => p.content).join('\n')).toContain('Total papers: 58 , Selected papers: 5');
    // Link previews of the TL;DR's many links are suppressed.
    expect(parts.every((p) => p.flags === SUPPRESS_EMBEDS)).toBe(true);
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
    expect(card.title!.length).toBeLessThanOrEqual(LIMITS.embedTitle);
    expect(card.title!.endsWith('…')).toBe(true);
    expect(card.url).toBe(`https://arxiv.org/abs/${paper.id}v${paper.version}`);
    for (const f of card.fields ?? []) expect(f.value.length).toBeLessThanOrEqual(LIMITS.fieldValue);
    // No Markdown heading survives inside an embed.
    const text = JSON.stringify(parts);
    expect(text).not.toMatch(/(^|\\n)#+ /);
    expect(text).toContain('**Point 39**');
  });

  it('renders a paper without an LLM (no critique, no keywords) as its card and summary', () => {
    const plain = { ...paper, critique: '', keywords: [], comments: undefined, reason: undefined };
    const [part] = expectValid({ kind: 'paper', digest, paper: plain, index: 4, voteEmoji: '🔥' });
    expect(part!.embeds!.map((e) => e.title)).toEqual([`5. ${paper.title}`, 'Summary']);
    expect(part!.embeds![0]!.fields!.map((f) => f.name)).toEqual(['Authors']);
    expect(part!.embeds![0]!.footer!.text).toBe(`arXiv:${paper.id}v${paper.version} · React with 🔥 to vote`);
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
