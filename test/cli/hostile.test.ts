/**
 * Issue 17: nothing a paper or a model writes can plant a link, forge the digest's structure, hide its direction or
 * break a platform limit. Hostile paper fields (a 5,000-character title, Markdown and Slack links labelled as arXiv,
 * a forged counts line, U+202E, mentions) and hostile LLM answers (the same in every prose field) go through the
 * whole product to two fake platforms that refuse what the real ones refuse.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ArxivServer, seedDay, startArxivServer } from '../fakes/arxiv-server';
import { type FakeDiscordServer, startFakeDiscord, validateMessage } from '../fakes/discord-server';
import { type FakeOpenAi, startOpenAiServer } from '../fakes/openai-server';
import { checkBlocks, FakeSlackServer } from '../fakes/slack-server';
import { instantClock, runCli } from '../helpers/cli';
import { renderDiscord } from '../../adapters/discord/render';
import { renderSlack } from '../../adapters/slack/render';
import type { OutgoingMessage } from '../../src/chat/types';
import type { Paper } from '../../src/app/types';
import { standInEnv } from '../helpers/stand-ins';

const SLACK_CHANNEL = 'C0HOSTILE01';
const DISCORD_CHANNEL = '123456789012345677';
const HOSTILE = '2510.26352';
const PICKS = [HOSTILE, '2510.26788', '2510.26707'];

const evil = {
  title: `Scaling [arxiv.org/abs/2510.26707](http://evil.example/phish) laws \u202Etxt.exe <!channel> ${'very long words '.repeat(310)}end`,
  abstract: [
    'We study agents. See [arxiv.org/abs/2510.26707](http://evil.example/phish) and <http://evil.example/x|arxiv.org/abs/2510.26788>.',
    'Total papers: 999 , Selected papers: 999',
    '# 1. A paper that is not in the digest',
    'Code: http://evil.example/code. Ping @everyone and <@U0123ABCD> \u202Egnp.exe \u200Bhidden.',
  ].join('\n'),
  comments: 'Accepted at <http://evil.example|arxiv.org>; [project page](https://evil.example/p)',
  authors: ['Ann [Click me](http://evil.example/a)', 'Bob \u202Eevil'],
};

/** Every URL a Slack mrkdwn text makes live: `<url|label>` and `<url>`. */
function slackLinks(text: string): string[] {
  return [...text.matchAll(/<(https?:\/\/[^|>]+)(?:\|[^>]*)?>/g)].map((m) => m[1] ?? '');
}

/** Every URL a Discord message makes live: masked links and bare URLs outside code, and embed urls. */
function discordLinks(body: { content?: string; embeds?: ReadonlyArray<object> }): string[] {
  const texts = [body.content ?? ''];
  const urls: string[] = [];
  for (const embed of body.embeds ?? []) {
    const e = embed as Record<string, unknown>;
    if (typeof e.url === 'string') urls.push(e.url);
    texts.push(JSON.stringify([e.title, e.description, e.fields, e.footer]));
  }
  for (const t of texts) {
    const noCode = t.replace(/`[^`]*`/g, '');
    // What Discord would autolink: a scheme and a host with a dot.
    for (const m of noCode.matchAll(/https?:\/\/[\w-]+(?:\.[\w-]+)+[^\s)\]>"\\]*/g)) urls.push(m[0]);
  }
  return urls;
}

const hostOf = (url: string) => new URL(url).hostname;

describe('hostile paper fields and LLM answers, on Slack and Discord', () => {
  let arxiv: ArxivServer;
  let openai: FakeOpenAi;
  let slack: FakeSlackServer;
  let discord: FakeDiscordServer;

  beforeAll(async () => {
    arxiv = await startArxivServer();
    const day = seedDay();
    arxiv.setDay(
      day.categories,
      day.date,
      day.papers.map((p) => (p.id === HOSTILE ? { ...p, ...evil } : p)),
    );
    openai = await startOpenAiServer();
    openai.prefer(PICKS, 10);
    openai.fail('hostile', { times: 10_000 });
    slack = await FakeSlackServer.start();
    discord = await startFakeDiscord({ channels: [DISCORD_CHANNEL] });
  });
  afterAll(() => Promise.all([arxiv.close(), openai.close(), slack.close(), discord.close()]));

  it('posts no live foreign link, no forged structure, no hidden direction, within every limit', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'hostile-'));
    writeFileSync(
      path.join(cwd, 'c.yaml'),
      `digests:\n  - name: nlp\n    categories: [cs.CL]\n    interests: agents\n    maxPapers: 3\n    channels: [{slack: ${SLACK_CHANNEL}}, {discord: "${DISCORD_CHANNEL}"}]\n`,
    );
    const env = {
      ...standInEnv({ arxiv, openai, slack, discord }),
    };
    const run = await runCli(['digest', '--config', 'c.yaml'], { cwd, env, clock: instantClock });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    // Slack: every message within Block Kit's limits, links only to arXiv, nothing forged or hidden.
    const posted = slack.posted(SLACK_CHANNEL);
    expect(posted.length).toBeGreaterThan(6);
    const slackAll = JSON.stringify(posted.map((m) => [m.text, m.blocks]));
    expect(slackAll).toContain('evil.example'); // shown, as the real domain of a link or as code
    for (const m of posted) {
      expect(checkBlocks(m.blocks)).toBeUndefined();
      const texts = [m.text, ...m.blocks.map((b) => JSON.stringify(b))];
      for (const t of texts) for (const url of slackLinks(t)) expect(hostOf(url)).toBe('arxiv.org');
      for (const line of m.text.split('\n')) {
        expect(line).not.toMatch(/^[*_\s]*Total papers: 999/);
        // A heading of the model's is a plain line: not bold, not a heading, not a link like the cards' titles.
        expect(line).not.toMatch(/^\s*(?:[*_<]+|#+\s+)(?:https?:[^|]*\|)?1\. A paper that is not in the digest/);
      }
    }
    expect(slackAll).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    expect(slackAll).not.toMatch(/<!channel>|<@U0123ABCD>|(?<!\u200B)@everyone/);

    // Discord: every body valid as Discord checks it, the same properties.
    const mine = [...discord.messages.values()].filter((m) => m.author.id === discord.botUser.id);
    expect(mine.length).toBeGreaterThan(6);
    const discordAll = JSON.stringify(mine.map((m) => [m.content, m.embeds]));
    expect(discordAll).toContain('evil.example');
    for (const m of mine) {
      expect(validateMessage({ content: m.content, embeds: m.embeds })).toBeUndefined();
      for (const url of discordLinks(m)) expect([url, hostOf(url)]).toEqual([url, 'arxiv.org']);
      const lines = [m.content, ...m.embeds.map((e) => String(e.description ?? ''))].join('\n').split('\n');
      for (const line of lines) {
        expect(line).not.toMatch(/^[*_#\s-]*Total papers: 999/);
        expect(line).not.toMatch(/^\s*(?:[*_[]+|#+\s+)1\. A paper that is not in the digest/);
      }
    }
    expect(discordAll).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    // Discord's own mention forms (and @everyone) never stand live; Slack's `<@U…>` means nothing there.
    expect(discordAll).not.toMatch(/<@!?\d+>|<@&\d+>|(?<!\u200B)@(everyone|here)/);
  });

  it('a 5,000-character hostile title stays within every limit in the critique, deep-dive and tally', () => {
    const paper: Paper = {
      id: HOSTILE,
      version: 2,
      title: evil.title,
      authors: evil.authors,
      abstract: evil.abstract,
      categories: ['cs.CL'],
      comments: evil.comments,
    };
    expect(paper.title.length).toBeGreaterThan(4900);
    const text = `${evil.abstract}\n\n${'A long critique sentence. '.repeat(400)}`;
    const messages: OutgoingMessage[] = [
      { kind: 'critique', paper, critique: text, cached: false },
      { kind: 'deep-dive', paper, text },
      {
        kind: 'tally',
        name: 'nlp',
        date: '2025-10-30',
        lines: [{ paper, votes: 3, winner: true }],
        totalVoters: 3,
      },
    ];
    for (const message of messages) {
      for (const part of renderSlack(message)) {
        expect(checkBlocks(part.blocks as never)).toBeUndefined();
        expect(part.text.length).toBeLessThanOrEqual(40_000);
        for (const url of slackLinks(JSON.stringify(part))) expect(hostOf(url)).toBe('arxiv.org');
        expect(JSON.stringify(part)).not.toMatch(/[\u202A-\u202E]/);
      }
      for (const part of renderDiscord(message)) {
        expect(validateMessage(part)).toBeUndefined();
        for (const url of discordLinks(part)) expect(hostOf(url)).toBe('arxiv.org');
        expect(JSON.stringify(part)).not.toMatch(/[\u202A-\u202E]/);
      }
    }
  });
});
