/** One channel failing does not keep the digest from the others; the failure is named and a re-run finishes it. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ArxivServer, startSeedArxiv } from '../fakes/arxiv-server';
import { type FakeDiscordServer, startFakeDiscord } from '../fakes/discord-server';
import { FakeSlackServer } from '../fakes/slack-server';
import { instantClock, runCli } from '../helpers/cli';

const SLACK_CHANNEL = 'C0PRIVATE01';
const DISCORD_CHANNEL = '123456789012345678';

describe('digest to Slack and Discord when Slack refuses the post', () => {
  let arxiv: ArxivServer;
  let slack: FakeSlackServer;
  let discord: FakeDiscordServer;

  beforeAll(async () => {
    arxiv = await startSeedArxiv();
    slack = await FakeSlackServer.start();
    discord = await startFakeDiscord({ channels: [DISCORD_CHANNEL] });
  });
  afterAll(() => Promise.all([arxiv.close(), slack.close(), discord.close()]));

  it('posts to Discord, exits 1 naming the Slack channel, and a re-run adds nothing to Discord', async () => {
    // The channel passes the preflight (it exists, the bot may post) but a workspace policy refuses the post.
    slack.failNext('chat.postMessage', { error: 'restricted_action' }, { times: 1000 });
    const cwd = mkdtempSync(path.join(tmpdir(), 'channels-'));
    writeFileSync(
      path.join(cwd, 'c.yaml'),
      `digests:\n  - name: nlp\n    categories: [cs.CL]\n    interests: agents\n    maxPapers: 2\n    channels: [{slack: ${SLACK_CHANNEL}}, {discord: "${DISCORD_CHANNEL}"}]\n`,
    );
    const env = {
      ARXIV_RSS_URL: arxiv.rssUrl,
      ARXIV_API_URL: arxiv.apiUrl,
      ARXIV_WEB_URL: arxiv.webUrl,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_API_URL: slack.apiUrl,
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
    };
    const run = await runCli(['digest', '--config', 'c.yaml'], { cwd, env, clock: instantClock });
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^arxiv-digest: digest "nlp" 2025-10-30 was not posted to slack C0PRIVATE01 \(posted to the other channels\): .*restricted_action/,
    );
    const discordPosts = discord.calls.filter(
      (c) => c.method === 'POST' && /\/messages$/.test(c.path) && c.status === 200,
    );
    expect(discordPosts).toHaveLength(5); // the digest, then two papers in its thread (each its card and details)

    const again = await runCli(['digest', '--config', 'c.yaml'], { cwd, env, clock: instantClock });
    expect(again.code).toBe(1);
    expect(
      discord.calls.filter((c) => c.method === 'POST' && /\/messages$/.test(c.path) && c.status === 200),
    ).toHaveLength(5);
  });
});
