/**
 * Issue 17: a digest is fixed once its first message is posted. A digest built while the LLM's ranking answers
 * were unusable (text-similarity fallback) is killed mid-post on Slack and on Discord; the re-run, with a working
 * LLM that now prefers other papers, posts exactly the stored digest: each thread holds exactly the papers its
 * parent names, each once, the same on Slack and Discord.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ArxivServer, startSeedArxiv } from '../fakes/arxiv-server';
import { type FakeDiscordServer, startFakeDiscord } from '../fakes/discord-server';
import { type FakeOpenAi, startOpenAiServer } from '../fakes/openai-server';
import { FakeSlackServer } from '../fakes/slack-server';
import { instantClock, runCli } from '../helpers/cli';
import { discordDigest, slackDigest } from '../helpers/threads';
import { standInEnv } from '../helpers/stand-ins';

const SLACK_CHANNEL = 'C0FIXED0001';
const DISCORD_CHANNEL = '123456789012345601';
describe('a degraded digest killed mid-post is resumed exactly as it was started', () => {
  let arxiv: ArxivServer;
  let openai: FakeOpenAi;
  let slack: FakeSlackServer;
  let discord: FakeDiscordServer;

  beforeAll(async () => {
    arxiv = await startSeedArxiv();
    openai = await startOpenAiServer();
    slack = await FakeSlackServer.start();
    discord = await startFakeDiscord({ channels: [DISCORD_CHANNEL] });
  });
  afterAll(() => Promise.all([arxiv.close(), openai.close(), slack.close(), discord.close()]));

  it('posts the stored digest on resume, whatever the LLM answers now, the same on both platforms', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'fixed-'));
    writeFileSync(
      path.join(cwd, 'c.yaml'),
      `digests:\n  - name: nlp\n    categories: [cs.CL]\n    interests: agents and tool use\n    maxPapers: 5\n    channels: [{slack: ${SLACK_CHANNEL}}, {discord: "${DISCORD_CHANNEL}"}]\n`,
    );
    const env = {
      ...standInEnv({ arxiv, openai, slack, discord }),
    };
    // Run 1: every ranking answer is unusable (text-similarity fallback); Slack stops after the parent and one
    // paper's card, Discord after the parent and two messages in the thread (a non-retried refusal: the run dies).
    openai.fail('invalid-json', { schema: 'paper_ranking', times: 1000 });
    slack.failNext('chat.postMessage', { error: 'fatal_error' }, { fromCall: 3, times: 1 });
    let discordPosts = 0;
    discord.script({
      match: (c) => c.method === 'POST' && /\/messages$/.test(c.path) && ++discordPosts === 4,
      times: 1,
      reply: { status: 403, body: { message: 'Missing Access', code: 50001 } },
    });
    const first = await runCli(['digest', '--config', 'c.yaml'], { cwd, env, clock: instantClock });
    expect(first.code).toBe(1);
    const killedSlack = slackDigest(slack, SLACK_CHANNEL);
    const killedDiscord = discordDigest(discord, DISCORD_CHANNEL);
    expect(killedSlack.cards.length).toBeLessThan(5);
    expect(killedDiscord.cards.length).toBeLessThan(5);
    const started = killedSlack.named;
    expect(started).toHaveLength(5);

    // Run 2: the LLM works and now strongly prefers papers the degraded digest did not pick.
    openai.reset();
    const others = ['2510.26143', '2510.26352', '2510.26788', '2510.26707', '2510.26658', '2510.25992'].filter(
      (id) => !started.includes(id),
    );
    openai.prefer(others, 10);
    const again = await runCli(['digest', '--config', 'c.yaml'], { cwd, env, clock: instantClock });
    expect(again.code).toBe(0);
    // The notice is the fixed digest's own: it was posted with it.
    expect(again.stderr.trim()).toMatch(
      /^nlp: The LLM's answers were unusable twice, so 40 abstracts were ranked by text similarity only\.$/,
    );
    // Nothing was asked of the LLM: the day's digest was fixed when its first message went out.
    expect(openai.requests).toHaveLength(0);

    const s = slackDigest(slack, SLACK_CHANNEL);
    const d = discordDigest(discord, DISCORD_CHANNEL);
    expect(s.parents).toBe(1);
    expect(d.parents).toBe(1);
    expect(s.named).toEqual(started);
    expect(s.cards).toEqual(started);
    expect(d.named).toEqual(started);
    expect(d.cards).toEqual(started);
  });
});
