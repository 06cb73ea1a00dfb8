import { checkBlocks } from '../../test/fakes/slack-server';
import { splitMrkdwn, toMrkdwn } from './mrkdwn';
import { renderSlack, SLACK_LIMITS, type SlackMessagePart, slackEmoji } from './render';
import { longMarkdown, seedDigest, seedPapers, selected } from '../../test/fakes/slack-support';

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
      '*Key Results*\n*Bold* and _italic_ and ~gone~.\n• one\n• two\nSee <https://arxiv.org/abs/2510.26143v1|the paper> &amp; <https://example.org/x|https://example.org/x>.',
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
    expect(out.match(/</g)).toHaveLength(1);
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
    });
    expect(parts).toHaveLength(1);
    const part = parts[0]!;
    expect(part.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    expect(part.text).toContain("Today's research landscape");
    expect(part.text).toContain('*TL;DR*');
    expect(part.text).toContain('Total papers: 58, Selected papers: 5');
    expect(part.text).toContain('Built without an LLM');
    expectWithinLimits(parts);
  });

  it('keeps even an enormous digest to one valid message', () => {
    const parts = render({
      kind: 'digest',
      digest: { ...digest, intro: longMarkdown(9_000, 'Intro'), tldr: longMarkdown(30_000, 'Theme') },
    });
    expect(parts).toHaveLength(1);
    expectWithinLimits(parts);
    expect(parts[0]!.text).toContain('Total papers: 58, Selected papers: 5');
  });

  it('says so when the day had no announcements', () => {
    const parts = render({
      kind: 'digest',
      digest: { ...digest, selected: [], totalPapers: 0, empty: true, tldr: '', intro: '' },
    });
    expect(parts[0]!.text).toContain('arXiv announced no new papers in cs.CL on 2025-10-30');
  });

  it('renders a paper with its title link, authors, keywords, summary, critique and the vote invitation', () => {
    const parts = render({ kind: 'paper', digest, paper, index: 0, voteEmoji: '👍' });
    expect(parts).toHaveLength(1);
    const text = parts[0]!.text;
    expect(text).toContain(
      '<http://arxiv.org/abs/2510.26143v1|1. Reasoning Curriculum: Bootstrapping Broad LLM Reasoning from Math>',
    );
    expect(text).toContain('*Authors:* Bo Pang, Deqian Kong, Silvio Savarese, Caiming Xiong, Yingbo Zhou');
    expect(text).toContain('*Keywords:* reinforcement learning, large language models, reasoning');
    expect(text).toContain('*Summary*\n*Key Contributions:*');
    expect(text).toContain('*Critique*\n*Strengths*');
    expect(text).toContain('React with :+1: to vote for this paper');
    expectWithinLimits(parts);
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
    // Votes are read on a paper's first message, so the invitation is there, once.
    expect(parts[0]!.text).toContain('React with :+1: to vote');
    expect(parts.slice(1).some((p) => p.text.includes('React with'))).toBe(false);
    expect(parts[1]!.text).toContain(`(continued, 2/${parts.length})`);
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
    expect(parts[0]!.text).toContain('et al. (3000 authors)');
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
    expect(parts[0]!.text).toContain('&lt;!channel&gt;');
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
