/**
 * Issue 17: the platform is the truth when the store is lost. With the SQLite file deleted after a post, a re-run
 * finds the day's digest in each channel (Slack by its message metadata, Discord by the bot's heading in the
 * channel's history), adopts it and posts nothing again; after a post that stopped half-way, it posts exactly what
 * the channel is missing.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ArxivServer, startSeedArxiv } from '../fakes/arxiv-server';
import { type FakeDiscordServer, startFakeDiscord } from '../fakes/discord-server';
import { type FakeOpenAi, startOpenAiServer } from '../fakes/openai-server';
import { FakeSlackServer } from '../fakes/slack-server';
import { instantClock, runCli } from '../helpers/cli';
import { discordDigest, slackDigest } from '../helpers/threads';
import { standInEnv } from '../helpers/stand-ins';

const PICKS = ['2510.26143', '2510.26352', '2510.26788', '2510.26707'];

function deleteStore(cwd: string): void {
  const file = path.join(cwd, 'data', 'arxiv-digest.sqlite');
  expect(existsSync(file)).toBe(true);
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) rmSync(f, { force: true });
}

describe('a lost store: the digest in the channel is adopted, never posted twice', () => {
  let arxiv: ArxivServer;
  let openai: FakeOpenAi;
  let slack: FakeSlackServer;
  let discord: FakeDiscordServer;
  let env: NodeJS.ProcessEnv;
  const channels = { slack: 'C0ADOPT0001', discord: '123456789012345611' };

  beforeAll(async () => {
    arxiv = await startSeedArxiv();
    openai = await startOpenAiServer();
    openai.prefer(PICKS, 9);
    slack = await FakeSlackServer.start();
    discord = await startFakeDiscord({ channels: [channels.discord, '123456789012345622'] });
    env = {
      ...standInEnv({ arxiv, openai, slack, discord }),
    };
  });
  afterAll(() => Promise.all([arxiv.close(), openai.close(), slack.close(), discord.close()]));

  function config(slackChannel: string, discordChannel: string): string {
    const cwd = mkdtempSync(path.join(tmpdir(), 'adopt-'));
    writeFileSync(
      path.join(cwd, 'c.yaml'),
      `digests:\n  - name: nlp\n    categories: [cs.CL]\n    interests: agents\n    maxPapers: 4\n    channels: [{slack: ${slackChannel}}, {discord: "${discordChannel}"}]\n`,
    );
    return cwd;
  }

  const posts = () =>
    slack.callsTo('chat.postMessage').length +
    discord.calls.filter((c) => c.method === 'POST' && /\/messages$/.test(c.path)).length;

  it('with the SQLite file deleted after a complete post, a re-run posts nothing and says it adopted it', async () => {
    const cwd = config(channels.slack, channels.discord);
    const first = await runCli(['digest', '--config', 'c.yaml'], { cwd, env, clock: instantClock });
    expect(first.code).toBe(0);
    const before = posts();
    const slackBefore = slackDigest(slack, channels.slack);
    expect(slackBefore.cards).toHaveLength(4);

    deleteStore(cwd);
    const again = await runCli(['digest', '--config', 'c.yaml'], { cwd, env, clock: instantClock });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(
      `nlp: adopted the digest of 2025-10-30 already posted in slack channel ${channels.slack} (the store had no record of it)`,
    );
    expect(again.stderr).toContain(`already posted in discord channel ${channels.discord}`);
    expect(posts()).toBe(before);
    expect(slackDigest(slack, channels.slack)).toEqual(slackBefore);
    expect(discordDigest(discord, channels.discord).cards).toEqual(slackBefore.cards);

    // Adopted means recorded again: the next run finds the store's record and says nothing more.
    const third = await runCli(['digest', '--config', 'c.yaml'], { cwd, env, clock: instantClock });
    expect(third.code).toBe(0);
    expect(third.stderr).not.toContain('adopted');
    expect(posts()).toBe(before);
  });

  it('with the store lost after a post that stopped half-way, a re-run posts exactly what is missing', async () => {
    const other = { slack: 'C0ADOPT0002', discord: '123456789012345622' };
    const cwd = config(other.slack, other.discord);
    slack.failNext(
      'chat.postMessage',
      { error: 'fatal_error' },
      { fromCall: slack.callsTo('chat.postMessage').length + 5 },
    );
    let n = 0;
    discord.script({
      // The fourth message of this run on Discord (the parent, then three in its thread) is refused: the run dies.
      match: (c) => c.method === 'POST' && /\/messages$/.test(c.path) && ++n === 4,
      times: 1,
      reply: { status: 403, body: { message: 'Missing Access', code: 50001 } },
    });
    const first = await runCli(['digest', '--config', 'c.yaml'], { cwd, env, clock: instantClock });
    expect(first.code).toBe(1);
    expect(slackDigest(slack, other.slack).cards.length).toBeLessThan(4);
    expect(discordDigest(discord, other.discord).cards.length).toBeLessThan(4);

    deleteStore(cwd);
    const again = await runCli(['digest', '--config', 'c.yaml'], { cwd, env, clock: instantClock });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('adopted the digest of 2025-10-30');
    const s = slackDigest(slack, other.slack);
    const d = discordDigest(discord, other.discord);
    expect(s.parents).toBe(1);
    expect(d.parents).toBe(1);
    expect(s.named).toHaveLength(4);
    expect(s.cards).toEqual(s.named);
    expect(d.named).toEqual(s.named);
    expect(d.cards).toEqual(s.named);
  });
});
