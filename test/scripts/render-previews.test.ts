/**
 * The README's pictures come from scripts/render-previews.ts: the HTML it screenshots is built here from the seed
 * day by the real renderers (Chromium itself is not needed by the tests).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  discordMarkdownToHtml,
  discordPreviewHtml,
  mrkdwnToHtml,
  slackHomePreviewHtml,
  slackPreviewHtml,
} from '../../scripts/render-previews';
import { seedChatDigest } from '../fakes/seed-digest';

const root = path.resolve(__dirname, '../..');

describe('the preview pictures', () => {
  const digest = seedChatDigest();

  it('lays out the Slack parent and the thread with the first cards, links live and the vote hint in sight', () => {
    const html = slackPreviewHtml(digest);
    expect(html).toContain('<div class="s-header">ArXiv Daily Digest on 2025-10-30 · nlp</div>');
    expect(html).toContain('<a href="http://arxiv.org/abs/2510.26143v1">Reasoning Curriculum</a>');
    expect(html).toContain('<b>TL;DR:</b> Recent papers focus on improving LLM reasoning');
    expect(html).toContain('👍 <b>Vote:</b> react with 👍 on this message, or <code>/vote 2510.26143</code>');
    expect(html).toContain('Abstract, summary and critique of');
    expect(html).not.toMatch(/<script/i);
  });

  it('lays out the one Discord channel message and the thread with its cards', () => {
    const html = discordPreviewHtml(digest);
    expect(html).toContain('<div class="d-h1">ArXiv Daily Digest on 2025-10-30</div>');
    expect(html).toContain('<a href="https://arxiv.org/abs/2510.26352v1">Geometry of Dialogue</a>');
    expect(html).toContain('👍 Vote: react with 👍 on this message, or /vote paper:2510.26143');
    expect(html.match(/class="d-msg"/g)).toHaveLength(2); // the channel message and the first card, with avatars
    expect(html).not.toMatch(/<script/i);
  });

  it("draws each card's buttons, and a member's App Home with the Ask… form over a card", () => {
    expect(slackPreviewHtml(digest)).toContain('<span class="s-button s-primary">👍 Vote</span>');
    expect(slackPreviewHtml(digest)).toContain('Follow an author ▾');
    expect(discordPreviewHtml(digest)).toContain('<span class="d-button d-primary">👍 Vote</span>');
    const home = slackHomePreviewHtml(digest);
    expect(home).toContain('<div class="s-header">Your arXiv digest</div>');
    expect(home.match(/>Remove</g)).toHaveLength(2);
    expect(home).toContain('What the team’s votes taught the digest');
    expect(home).toContain('<div class="m-title">Ask the paper</div>');
    expect(home).toContain('👍 Vote · 4');
    expect(home).not.toMatch(/<script/i);
  });

  it('converts Slack mrkdwn and Discord Markdown as the platforms show them, escaping everything else', () => {
    expect(mrkdwnToHtml('*Bold* _it_ <https://a.example/x|label> &lt;b&gt; :+1: `code`')).toBe(
      '<b>Bold</b> <i>it</i> <a href="https://a.example/x">label</a> &lt;b&gt; 👍 <code>code</code>',
    );
    expect(discordMarkdownToHtml('# Title\n-# small\n- **a** [b](https://c.example) <img>')).toBe(
      '<div class="d-h1">Title</div><div class="d-sub">small</div><div class="d-li">•&nbsp;<b>a</b> <a href="https://c.example">b</a> &lt;img&gt;</div>',
    );
  });

  it('are in the repo and shown in the README', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    for (const png of ['docs/slack-digest.png', 'docs/discord-digest.png']) {
      expect(existsSync(path.join(root, png))).toBe(true);
      expect(readme).toContain(`](${png})`);
    }
    expect(readme).toContain('scripts/render-previews.ts');
  });
});
