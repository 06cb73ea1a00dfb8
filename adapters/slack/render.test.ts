import { checkBlocks } from '../../test/fakes/slack-server';
import { splitMrkdwn, toMrkdwn } from './mrkdwn';
import { renderSlack, SLACK_LIMITS, type SlackMessagePart, slackEmoji, visibleLength } from './render';
import { longMarkdown, seedDigest, seedPapers, selected } from '../../test/fakes/slack-support';
import { seedChatDigest } from '../../test/fakes/seed-digest';
import { CHAT_LAYOUT } from '../../src/chat/layout';

function render(message: Parameters<typeof renderSlack>[0]): SlackMessagePart[] {
  return renderSlack(message);
}

/** Every part as Slack would judge it: blocks valid and within limits, text within 40,000. */
function expectWithinLimits(parts: SlackMessagePart[]): void {
  for (const part of parts) {
    expect(checkBlocks(part.blocks as unknown as Array<Record<string, unknown>>)).toBeUndefined();
    expect(part.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
    expect(part.text.length).toBeGreaterThan(0);
    expect(part.text.length).toBeLessThanOrEqual(SLACK_LIMITS.messageText);
  }
}

const LIVE_MENTION = /<!(channel|here|everyone|subteam)|<@[UW]|(^|[^\u200B])@(channel|here|everyone)\b/;

describe('toMrkdwn', () => {
  it('converts headings, bold, italic, links and lists to Slack mrkdwn', () => {
    const out = toMrkdwn(
      '## Key Results\n**Bold** and *italic* and ~~gone~~.\n- one\n* two\nSee [the paper](https://arxiv.org/abs/2510.26143v1) & <https://example.org/x>.',
    );
    expect(out).toBe(
      '*Key Results*\n*Bold* and _italic_ and ~gone~.\n• one\n• two\nSee the paper (https://arxiv.org/abs/2510.26143v1) &amp; `example.org/x`.',
    );
  });

  it('escapes every mention form so none reaches Slack live', () => {
    const out = toMrkdwn('Ping <!channel> and <!here|here> and <@U123ABC> and <!subteam^S1|team> @everyone @here');
    expect(out).not.toMatch(LIVE_MENTION);
    expect(out).toContain('&lt;!channel&gt;');
    expect(out).toContain('&lt;@U123ABC&gt;');
  });

  it('does not let a link label or URL smuggle a mention or break the link', () => {
    const out = toMrkdwn('[<!channel> click](https://evil.example/a|b>c)');
    expect(out).not.toMatch(LIVE_MENTION);
    // Outside text makes no live link but arXiv's: the label stays, with the domain it really goes to.
    expect(out).not.toMatch(/</);
    expect(out).toContain('(link to evil.example)');
  });

  it('keeps code spans literal but escaped', () => {
    expect(toMrkdwn('Use `a<b> **x**` here')).toBe('Use `a&lt;b&gt; **x**` here');
  });
});

describe('splitMrkdwn', () => {
  it('splits long text within the limit and never inside a link', () => {
    const text = toMrkdwn(longMarkdown(20_000));
    const chunks = splitMrkdwn(text, 1000);
    expect(chunks.length).toBeGreaterThan(15);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(1000);
      expect((c.match(/</g) ?? []).length).toBe((c.match(/>/g) ?? []).length);
    }
    expect(chunks.join(' ').replace(/\s+/g, ' ')).toBe(text.replace(/\s+/g, ' '));
  });

  it('cuts a text without spaces before an entity rather than through it', () => {
    const chunks = splitMrkdwn(`${'x'.repeat(97)}&amp;${'y'.repeat(50)}`, 100);
    expect(chunks[0]).toBe('x'.repeat(97));
    expect(chunks[1]?.startsWith('&amp;')).toBe(true);
  });
});

describe('renderSlack', () => {
  const digest = seedDigest();
  const paper = digest.selected[0]!;

  it('renders the digest as one top-level message with the opening, the TL;DR and the counts', () => {
    const parts = render({
      kind: 'digest',
      digest: { ...digest, notices: ['Built without an LLM: OPENAI_API_KEY is not set.'] },
      voteEmoji: '👍',
    });
    expect(parts).toHaveLength(1);
    const part = parts[0]!;
    expect(part.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    expect(part.text).toContain("Today's research landscape");
    // The label once, not "TL;DR" over "TL;DR: …".
    expect(part.text).toContain('*TL;DR:* Recent papers focus on improving LLM reasoning and alignment.');
    expect(part.text.match(/TL;DR/g)).toHaveLength(1);
    expect(part.text).toContain('Total papers: 58 · Selected papers: 5');
    expect(part.text).toContain('react with :+1: on a card to vote (or `/vote &lt;arXiv id&gt;`)');
    expect(part.text).toContain('Built without an LLM');
    expectWithinLimits(parts);
  });

  it('lays the seed day out on one screen: opening in a few sentences, themes with their papers linked', () => {
    const seed = seedChatDigest();
    const [part, ...more] = render({ kind: 'digest', digest: seed, voteEmoji: '+1' });
    expect(more).toHaveLength(0);
    expect(visibleLength(part!.blocks)).toBeLessThanOrEqual(CHAT_LAYOUT.parentVisible);
    // The seed's five-sentence opening is cut at a sentence, marked with "…".
    expect(part!.text).toContain('for improved efficiency. …');
    expect(part!.text).not.toContain('Simultaneously, other studies');
    // Theme entries are real links to the papers, not raw URLs in parentheses.
    expect(part!.text).toContain(
      '• <http://arxiv.org/abs/2510.26143v1|Reasoning Curriculum> _(#1)_ proposes math-first',
    );
    expect(part!.text).toContain('*3. Fundamental Optimization Issues*');
    expect(part!.text).not.toMatch(/\(https?:/);
    // Slack must not fold any of it behind "See more".
    for (const b of part!.blocks) if (b.type === 'section') expect(b.expand).toBe(true);
    expectWithinLimits([part!]);
  });

  it('keeps even an enormous digest to one message of at most 3,000 visible characters', () => {
    const many = Array.from({ length: 40 }, (_, i) => selected({ ...seedPapers()[i % 5]!, id: `2510.${26000 + i}` }));
    const overview = {
      tldr: 'Long. '.repeat(200),
      themes: [
        {
          title: 'Everything',
          papers: many.map((p) => ({
            id: p.id,
            shortName: `Paper ${p.id} ${'x'.repeat(100)}`,
            insight: 'y '.repeat(300),
          })),
        },
      ],
      commonInsights: 'Common. '.repeat(100),
    };
    const parts = render({
      kind: 'digest',
      digest: {
        ...digest,
        selected: many,
        intro: longMarkdown(9_000, 'Intro'),
        tldr: longMarkdown(30_000, 'Theme'),
        overview,
      },
    });
    expect(parts).toHaveLength(1);
    expectWithinLimits(parts);
    expect(visibleLength(parts[0]!.blocks)).toBeLessThanOrEqual(CHAT_LAYOUT.parentVisible);
    expect(parts[0]!.text).toContain('Total papers: 58 · Selected papers: 40');
    expect(parts[0]!.text).toContain('more in the thread');
  });

  it('says so when the day had no announcements', () => {
    const parts = render({
      kind: 'digest',
      digest: { ...digest, selected: [], totalPapers: 0, empty: true, tldr: '', intro: '' },
    });
    expect(parts[0]!.text).toContain('arXiv announced no new papers in cs.CL on 2025-10-30');
  });

  it('marks the exploration slot on the card with the papers the team voted for, escaped', () => {
    const because = [{ id: '2510.11111', title: 'Video <b>diffusion</b> & @channel' }];
    const [card] = render({ kind: 'paper', digest, paper, index: 4, voteEmoji: '👍', because });
    const text = JSON.stringify(card!.blocks);
    expect(text).toContain('Exploring: because you voted for “Video &lt;b&gt;diffusion&lt;/b&gt; &amp;');
    expect(text).not.toMatch(/<!channel>/);
  });

  it('renders a paper as its card (the vote in sight), then the abstract, summary and critique', () => {
    const parts = render({ kind: 'paper', digest, paper, index: 0, voteEmoji: '👍' });
    expect(parts.length).toBeGreaterThanOrEqual(2);
    const card = parts[0]!;
    expect(card.text).toContain(
      '<http://arxiv.org/abs/2510.26143v1|1. Reasoning Curriculum: Bootstrapping Broad LLM Reasoning from Math>',
    );
    expect(card.text).toContain('*Authors:* Bo Pang, Deqian Kong, Silvio Savarese, Caiming Xiong, Yingbo Zhou');
    expect(card.text).toContain('*Keywords:* reinforcement learning, large language models, reasoning');
    expect(card.text).toContain('arXiv:2510.26143v1 · cs.CL');
    expect(card.text).toContain('*TL;DR:* This paper introduces a two-stage training framework');
    expect(card.text).toContain(':+1: *Vote:* react with :+1: on this message, or `/vote 2510.26143`');
    expect(visibleLength(card.blocks)).toBeLessThanOrEqual(CHAT_LAYOUT.cardVisible);
    // The card is shown whole (no "See more" over the TL;DR or the vote hint); the long text may fold.
    for (const b of card.blocks) if (b.type === 'section') expect(b.expand).toBe(true);
    // The long text is the next reply, and it does not invite votes (they are read on the card).
    const details = parts
      .slice(1)
      .map((p) => p.text)
      .join('\n');
    expect(details).toContain('*Abstract*\nReinforcement learning (RL) can elicit strong reasoning');
    expect(details).toContain('*Summary*\n*Key Contributions:*');
    expect(details).toContain('*Critique*\n*Strengths*');
    expect(details).not.toContain('Vote:');
    expectWithinLimits(parts);
  });

  it("puts the model's TL;DR on the card and cuts an overrun at a sentence", () => {
    const tldr = `${'A first sentence on the method. '.repeat(3)}A fourth sentence that is one too many.`;
    const [card] = render({ kind: 'paper', digest, paper: { ...paper, tldr }, index: 0, voteEmoji: '👍' });
    expect(card!.text).toContain(
      '*TL;DR:* A first sentence on the method. A first sentence on the method. A first sentence on the method. …',
    );
    expect(card!.text).not.toContain('one too many');
  });

  it('keeps every card of seed-length papers within 1,500 visible characters', () => {
    const seed = seedChatDigest();
    for (const [index, p] of seed.selected.entries()) {
      const parts = render({ kind: 'paper', digest: seed, paper: p, index, voteEmoji: '👍' });
      expect(visibleLength(parts[0]!.blocks)).toBeLessThanOrEqual(CHAT_LAYOUT.cardVisible);
      expect(parts[0]!.text).toContain('*Vote:*');
      expectWithinLimits(parts);
    }
  });

  it('shows a configured custom emoji by its Slack name', () => {
    expect(slackEmoji('arxiv-upvote')).toBe(':arxiv-upvote:');
    expect(slackEmoji('🔥')).toBe(':fire:');
  });

  it('splits a very long summary and critique into several messages, each within Slack limits', () => {
    const long = selected(seedPapers()[1]!, {
      summary: longMarkdown(14_000, 'Result'),
      critique: longMarkdown(16_000),
    });
    const parts = render({ kind: 'paper', digest, paper: long, index: 1, voteEmoji: '👍' });
    expect(parts.length).toBeGreaterThanOrEqual(3);
    expectWithinLimits(parts);
    // Votes are read on a paper's card, so the invitation is there, once.
    expect(parts[0]!.text).toContain(':+1: *Vote:*');
    expect(parts.slice(1).some((p) => p.text.includes('Vote:'))).toBe(false);
    expect(visibleLength(parts[0]!.blocks)).toBeLessThanOrEqual(CHAT_LAYOUT.cardVisible);
    expect(parts[2]!.text).toContain(`(continued, 2/${parts.length - 1})`);
    const all = parts.map((p) => p.text).join('\n');
    expect(all).toContain('Result 1');
    expect(all).toContain('Weakness 1');
  });

  it('shortens a huge author list and still fits the limits', () => {
    const authors = Array.from({ length: 3000 }, (_, i) => `Author Number${i}`);
    const critique = Array.from({ length: 120 }, (_, i) => `Point ${i}.`).join('\n\n');
    const paperMany = selected(seedPapers()[2]!, { authors, critique: `${critique}\n\n${longMarkdown(40_000)}` });
    const parts = render({ kind: 'paper', digest, paper: paperMany, index: 2, voteEmoji: '+1' });
    expectWithinLimits(parts);
    expect(parts[0]!.text).toContain(
      '*Authors:* Author Number0, Author Number1, Author Number2, Author Number3, Author Number4, … and 2995 others',
    );
    expect(visibleLength(parts[0]!.blocks)).toBeLessThanOrEqual(CHAT_LAYOUT.cardVisible);
  });

  it('escapes mentions in a critique, a title and authors', () => {
    const evil = selected(seedPapers()[0]!, {
      title: 'Attention <!here> is all you need',
      authors: ['<@U123> Mallory', '@channel Eve'],
      critique: 'Hey <!channel>, and <@U123>: read this. @everyone',
    });
    const parts = render({ kind: 'paper', digest, paper: evil, index: 0, voteEmoji: '👍' });
    const json = JSON.stringify(parts);
    expect(json).not.toMatch(LIVE_MENTION);
    expect(parts[0]!.text).toContain('1. Attention &lt;!here&gt; is all you need');
    expect(parts[1]!.text).toContain('&lt;!channel&gt;');
  });

  it('renders a critique answer, naming who asked', () => {
    const parts = render({
      kind: 'critique',
      paper,
      critique: CRITIQUE_WITH_MENTION,
      cached: true,
      requestedBy: 'U0MEMBER01',
    });
    expect(parts[0]!.text).toContain('*Critique of <http://arxiv.org/abs/2510.26143v1|Reasoning Curriculum');
    expect(parts[0]!.text).toContain('requested by <@U0MEMBER01>');
    expect(parts[0]!.text).toContain('from cache');
    expect(parts[0]!.text.replace('<@U0MEMBER01>', '')).not.toMatch(LIVE_MENTION);
  });

  it('renders a tally with papers by votes, counts and winners marked', () => {
    const [a, b, c] = seedPapers();
    const parts = render({
      kind: 'tally',
      name: 'nlp',
      date: '2025-10-30',
      totalVoters: 7,
      lines: [
        { paper: a!, votes: 2, winner: false },
        { paper: b!, votes: 5, winner: true },
        { paper: c!, votes: 1, winner: false },
      ],
    });
    const text = parts[0]!.text;
    expect(text).toMatch(/:trophy: 1\. <http:\/\/arxiv\.org\/abs\/2510\.26352v1\|[^>]+> — \*5 votes\*/);
    expect(text).toMatch(/2\. <http:\/\/arxiv\.org\/abs\/2510\.26143v1\|[^>]+> — 2 votes/);
    expect(text).toMatch(/3\. .* — 1 vote$/m);
    expect(text).toContain('7 members voted.');
  });

  it('renders a deep-dive and plain bot text within limits', () => {
    const dive = render({ kind: 'deep-dive', paper, text: longMarkdown(25_000, 'Section') });
    expect(dive.length).toBeGreaterThan(1);
    expect(dive[0]!.text).toContain('*Deep dive: <http://arxiv.org/abs/2510.26143v1|');
    expectWithinLimits(dive);
    const plain = render({ kind: 'text', text: 'Vote closed.' });
    expect(plain).toEqual([
      { text: 'Vote closed.', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Vote closed.' } }] },
    ]);
  });
});

const CRITIQUE_WITH_MENTION = '**Overall:** solid. <!channel> <@U999> should read it.';
