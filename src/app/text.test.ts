import { disarmMentions, outsideText, splitText, stripPreamble, truncate } from './text';

describe('mention safety', () => {
  it('disarms every form for neutral text', () => {
    const out = disarmMentions('<!channel> <!here> <@U1ABC> <@123> @channel <!subteam^S1>');
    expect(out).not.toMatch(/<!channel>|<!here>|<@U1|<@1|@channel\b|<!subteam/);
  });
});

describe('text helpers', () => {
  it('strips chat preambles', () => {
    expect(
      stripPreamble('Of course. Here is a critique of the paper "X", focusing on strengths.\n\n### Strengths\nGood.'),
    ).toBe('### Strengths\nGood.');
    expect(stripPreamble('Based on the provided paper, here is a summary of its key contributions.\n\n**Key**')).toBe(
      '**Key**',
    );
    expect(stripPreamble('### Strengths\nHere is fine.')).toBe('### Strengths\nHere is fine.');
  });
  it('strips a preamble that ends inside quotes or emphasis', () => {
    expect(stripPreamble('Here is a summary of the paper "X."\n\nThe paper proposes Y.')).toBe('The paper proposes Y.');
    expect(stripPreamble("Here's the summary of \u201cX.\u201d\nY works.")).toBe('Y works.');
    expect(stripPreamble('Sure! Here is my review of *X.*\n\n1. **Novel**')).toBe('1. **Novel**');
  });
  it('splits at boundaries within the limit', () => {
    const text = Array.from({ length: 50 }, (_, i) => `Paragraph ${i} ${'word '.repeat(20)}`).join('\n\n');
    const parts = splitText(text, 500);
    expect(parts.every((p) => p.length <= 500 && p.length > 0)).toBe(true);
    expect(parts.join(' ').replace(/\s+/g, ' ')).toBe(text.replace(/\s+/g, ' ').trim());
  });
  it('truncates with a marker', () => {
    expect(truncate('a b c d e f g', 6)).toMatch(/…$/);
    expect(truncate('a b c d e f g', 6).length).toBeLessThanOrEqual(6);
  });
});

describe('mention forms glued to other text', () => {
  const glued = ['@everyone_team', '@heretofore', 'x@everyoneX', '@Here123'];
  it.each(glued)('breaks %s', (text) => {
    expect(disarmMentions(text)).not.toMatch(/@(everyone|here)/i);
  });
  it('breaks @channel glued to a word', () => {
    expect(disarmMentions('see @channels')).not.toMatch(/@channel/);
  });
  it('breaks user-group, workspace-user and bot mentions in neutral text', () => {
    const out = disarmMentions('<!subteam^S012AB3CD|@ml-team> <@W0123ABC> <@B0999> <!everyone>');
    expect(out).not.toMatch(/<!subteam\^|<@[UWB]|<!everyone>/);
  });
});

describe('outsideText: outside text made fit for chat', () => {
  it('reduces a foreign Markdown or Slack link to its label and real domain', () => {
    expect(outsideText('[arxiv.org/abs/2510.26707](http://evil.example/phish)')).toBe(
      'arxiv.org/abs/2510.26707 (link to evil.example)',
    );
    expect(outsideText('<http://evil.example/x|arxiv.org/abs/1>')).toBe('arxiv.org/abs/1 (link to evil.example)');
    expect(outsideText('[a](<https://evil.example/a b>) and [b](https://evil.example/p_(x) "t")')).not.toMatch(
      /\]\(|https?:\/\//,
    );
  });

  it('keeps arXiv links live, rebuilt from their id; bare foreign URLs become inline code', () => {
    expect(outsideText('[the paper](http://www.arxiv.org/abs/2510.26143v1)')).toBe(
      'the paper (https://arxiv.org/abs/2510.26143v1)',
    );
    expect(outsideText('see https://arxiv.org/pdf/hep-th/9901001v2.pdf.')).toBe(
      'see https://arxiv.org/pdf/hep-th/9901001v2.',
    );
    expect(outsideText('Code: https://github.com/org/repo.')).toBe('Code: `github.com/org/repo`.');
    expect(outsideText('<https://evil.example>')).toBe('`evil.example`');
  });

  it('removes direction overrides and zero-width characters; quotes a forged counts line', () => {
    expect(outsideText('a\u202Etxt.exe\u200B\u2066b\uFEFF')).toBe('atxt.exeb');
    expect(outsideText('Total papers: 999 , Selected papers: 999')).toBe('“Total papers: 999 , Selected papers: 999”');
  });

  it('leaves ordinary prose alone', () => {
    const prose = 'We improve **reasoning** by 3.2 points (p < 0.05) on GSM8K; see Sec. 4.';
    expect(outsideText(prose)).toBe(prose);
  });
});
