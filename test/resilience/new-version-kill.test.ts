/**
 * A new-version reply survives `kill -9`: `arxiv-digest digest` (a real process of the binary, on SQLite) is killed
 * while it announces a day's replacements in the threads of the day before; a re-run sends what was missing and
 * nothing twice (a reply Slack accepted before the kill is found by its nonce in the message metadata; Discord's
 * enforced nonce returns the message it made), and asks the LLM for no note a second time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getPostedDigest, type PostedDigest } from '../../src/jobs/post';
import { openStore } from '../../src/store';
import { type ArxivServer, type DayPaper, seedDay, startSeedArxiv } from '../fakes/arxiv-server';
import { type FakeDiscordServer, startFakeDiscord } from '../fakes/discord-server';
import { SEED_SELECTED } from '../fakes/llm-world';
import { type FakeOpenAi, startOpenAiServer } from '../fakes/openai-server';
import { FakeSlackServer } from '../fakes/slack-server';
import { BIN } from '../helpers/spawn-bin';
import { standInEnv } from '../helpers/stand-ins';

const SLACK_CHANNEL = 'C0VKILLTST1';
const DISCORD_CHANNEL = '423456789012345678';

jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('digest killed while it announces new versions', () => {
  let arxiv: ArxivServer;
  let openai: FakeOpenAi;
  let slack: FakeSlackServer;
  let discord: FakeDiscordServer;
  let dir: string;
  let storeUrl: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    [arxiv, openai, slack, discord] = await Promise.all([
      startSeedArxiv(),
      startOpenAiServer(),
      FakeSlackServer.start(),
      startFakeDiscord({ channels: [DISCORD_CHANNEL] }),
    ]);
    openai.prefer(SEED_SELECTED, 9);
    dir = mkdtempSync(path.join(tmpdir(), 'new-version-kill-'));
    storeUrl = `sqlite://${path.join(dir, 'bot.sqlite')}`;
    writeFileSync(
      path.join(dir, 'config.yaml'),
      [
        'digests:',
        '  - name: nlp',
        '    categories: [cs.CL]',
        '    interests: Reinforcement learning and preference optimization for LLMs; alignment; reasoning; agents.',
        '    maxPapers: 3',
        '    channels:',
        `      - slack: ${SLACK_CHANNEL}`,
        `      - discord: "${DISCORD_CHANNEL}"`,
        'llm:',
        '  model: test-model',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all([arxiv.close(), openai.close(), slack.close(), discord.close()]);
  });

  function launch(): { child: ChildProcess; exited: Promise<number | null> } {
    const child = spawn(process.execPath, [BIN, 'digest', '--config', path.join(dir, 'config.yaml')], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        LOG_LEVEL: 'silent',
        STORE_URL: storeUrl,
        ...standInEnv({ arxiv, openai, slack, discord }),
      },
      stdio: 'ignore',
    });
    children.push(child);
    return { child, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
  }

  async function day1(platform: string, channel: string): Promise<PostedDigest> {
    const store = await openStore(storeUrl);
    try {
      const p = await getPostedDigest(store, platform, channel, 'nlp', '2025-10-30');
      if (!p) throw new Error(`no ${platform} digest`);
      return p;
    } finally {
      await store.close();
    }
  }

  test('kill -9 mid-announcement: a re-run sends each reply once per thread', async () => {
    expect(await launch().exited).toBe(0);
    const slackDay1 = await day1('slack', SLACK_CHANNEL);
    const discordDay1 = await day1('discord', DISCORD_CHANNEL);
    const shown = Object.keys(slackDay1.papers);
    const seeds = new Map(seedDay().papers.map((p) => [p.id, p]));
    const replaced: DayPaper[] = shown.map((id) => {
      const p = seeds.get(id) as DayPaper;
      return { ...p, version: 2, announceType: 'replace', abstract: `${p.abstract} Version 2 adds an ablation.` };
    });
    const fresh = seedDay()
      .papers.filter((p) => !shown.includes(p.id))
      .slice(0, 6)
      .map((p, i) => ({ ...p, id: `2511.0200${i + 1}`, announceType: 'new' as const }));
    arxiv.setDay(['cs.CL'], '2025-10-31', [...fresh, ...replaced]);

    const slackReplies = () =>
      slack.posted(SLACK_CHANNEL).filter((m) => m.thread_ts === slackDay1.thread.threadId && /is out/.test(m.text));
    const discordReplies = () =>
      discord.messagesIn(discordDay1.thread.threadId).filter((m) => /is out/.test(JSON.stringify(m.embeds)));

    slack.postDelayMs = 300;
    discord.messageDelayMs = 300;
    const first = launch();
    const deadline = Date.now() + 60_000;
    while (slackReplies().length === 0 && Date.now() < deadline) await sleep(20);
    expect(slackReplies().length).toBeGreaterThan(0);
    first.child.kill('SIGKILL');
    await first.exited;
    const notesBefore = openai.requests.filter((r) => r.schemaName === 'new_version_note').length;
    expect(slackReplies().length + discordReplies().length).toBeLessThan(6); // stopped half-way

    slack.postDelayMs = 0;
    discord.messageDelayMs = 0;
    expect(await launch().exited).toBe(0);
    const once = (texts: string[]) => expect(new Set(texts).size).toBe(texts.length);
    expect(slackReplies()).toHaveLength(3);
    expect(discordReplies()).toHaveLength(3);
    once(slackReplies().map((m) => m.text));
    once(discordReplies().map((m) => JSON.stringify(m.embeds)));
    // Each paper's note was asked for at most once in all: the re-run asked only for those the killed run never got.
    const notes = openai.requests.filter((r) => r.schemaName === 'new_version_note' && r.outcome === 'ok');
    once(notes.map((r) => r.ids[0] ?? ''));
    expect(notes.length).toBeGreaterThanOrEqual(notesBefore);
  });
});
