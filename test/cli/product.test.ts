/**
 * The product end to end through the CLI, every outside service a local server speaking its protocol: arXiv (RSS +
 * export API + HTML), an OpenAI-compatible endpoint, and Slack's Web API. A digest built with the LLM is posted to
 * a Slack thread, a re-run posts nothing and costs nothing, `critique` answers from the cache, and `tally` reads
 * the reactions back and posts the result with the winner's deep-dive.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ArxivServer, startSeedArxiv } from '../fakes/arxiv-server';
import { type FakeOpenAi, startOpenAiServer } from '../fakes/openai-server';
import { FakeSlackServer } from '../fakes/slack-server';
import { instantClock, runCli } from '../helpers/cli';
import { standInEnv } from '../helpers/stand-ins';

const CHANNEL = 'C0123456789';
const PICKS = ['2510.26143', '2510.26352', '2510.26788'];

describe('arxiv-digest end to end (arXiv + LLM + Slack, all local)', () => {
  let arxiv: ArxivServer;
  let openai: FakeOpenAi;
  let slack: FakeSlackServer;
  let cwd: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    arxiv = await startSeedArxiv();
    openai = await startOpenAiServer();
    openai.prefer(PICKS, 9);
    slack = await FakeSlackServer.start();
    cwd = mkdtempSync(path.join(tmpdir(), 'product-'));
    writeFileSync(
      path.join(cwd, 'team.yaml'),
      [
        'digests:',
        '  - name: nlp',
        '    categories: [cs.CL]',
        '    interests: Reinforcement learning and preference optimization for LLMs; alignment; reasoning; agents.',
        '    maxPapers: 3',
        `    channels: [{slack: ${CHANNEL}}]`,
        'llm:',
        '  model: test-model',
        '',
      ].join('\n'),
    );
    env = {
      ...standInEnv({ arxiv, openai, slack }),
      STORE_URL: `sqlite://${path.join(cwd, 'store.sqlite')}`,
    };
  });
  afterAll(async () => {
    await Promise.all([arxiv.close(), openai.close(), slack.close()]);
  });

  it('posts the LLM digest as a thread: one parent, one reply per paper', async () => {
    const run = await runCli(['digest', '--config', 'team.yaml'], { cwd, env, clock: instantClock });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(''); // posted, not printed
    const posted = slack.posted(CHANNEL);
    const parent = posted.find((m) => !m.thread_ts);
    expect(parent?.text).toMatch(/Total papers: 58/);
    const replies = posted.filter((m) => m.thread_ts === parent?.ts);
    expect(replies.length).toBeGreaterThanOrEqual(3);
    for (const id of PICKS) expect(replies.some((m) => JSON.stringify(m.blocks).includes(id))).toBe(true);
    expect(openai.completions()).toBeGreaterThan(0);
  });

  it('a re-run posts nothing and makes no LLM call; --format json reports the cached usage', async () => {
    const before = { posts: slack.posted(CHANNEL).length, calls: openai.completions() };
    const run = await runCli(['digest', '--config', 'team.yaml', '--format', 'json'], {
      cwd,
      env,
      clock: instantClock,
    });
    expect(run.code).toBe(0);
    expect(slack.posted(CHANNEL).length).toBe(before.posts);
    expect(openai.completions()).toBe(before.calls);
    const obj = JSON.parse(run.stdout);
    expect(obj.selected.map((p: { id: string }) => p.id).sort()).toEqual([...PICKS].sort());
    for (const p of obj.selected) {
      expect(p.summary.length).toBeGreaterThan(50);
      expect(p.critique.length).toBeGreaterThan(50);
      expect(p.keywords.length).toBeGreaterThan(0);
    }
    expect(obj.usage.llmCalls).toBe(0);
  });

  it('critique of a digest paper answers from the cache (0 calls) in the contract JSON', async () => {
    const calls = openai.completions();
    const run = await runCli(
      ['critique', 'https://arxiv.org/abs/2510.26352', '--config', 'team.yaml', '--format', 'json'],
      {
        cwd,
        env,
        clock: instantClock,
      },
    );
    expect(run.code).toBe(0);
    const obj = JSON.parse(run.stdout);
    expect(Object.keys(obj).sort()).toEqual(['cached', 'critique', 'id', 'title', 'usage', 'version'].sort());
    expect(obj).toMatchObject({ id: '2510.26352', version: 1, cached: true });
    expect(obj.title).toMatch(/^The Geometry of Dialogue/);
    expect(openai.completions()).toBe(calls);
  });

  it('tally reads the reactions back, excludes the bot, posts the result and the deep-dive once', async () => {
    const parent = slack.posted(CHANNEL).find((m) => !m.thread_ts)!;
    const replies = slack.posted(CHANNEL).filter((m) => m.thread_ts === parent.ts);
    const geometry = replies.find((m) => JSON.stringify(m.blocks).includes('2510.26352'))!;
    const fp16 = replies.find((m) => JSON.stringify(m.blocks).includes('2510.26788'))!;
    slack.addReaction(CHANNEL, geometry.ts, '+1', 'U0MEMBER01');
    slack.addReaction(CHANNEL, geometry.ts, '+1::skin-tone-3', 'U0MEMBER02');
    slack.addReaction(CHANNEL, fp16.ts, '+1', 'U0MEMBER03');
    slack.addReaction(CHANNEL, fp16.ts, '+1', slack.botUserId); // the bot's own never counts

    const run = await runCli(['tally', '--config', 'team.yaml'], { cwd, env, clock: instantClock });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/nlp 2025-10-30: 3 voter\(s\)/);
    expect(run.stdout).toMatch(/\*\s+2\s+2510\.26352/);
    const after = slack.posted(CHANNEL).filter((m) => m.thread_ts === parent.ts);
    const newPosts = after.slice(replies.length);
    expect(newPosts.length).toBeGreaterThanOrEqual(2); // the result and the deep-dive
    expect(JSON.stringify(newPosts)).toMatch(/2510\.26352/);

    const again = await runCli(['tally', '--config', 'team.yaml'], { cwd, env, clock: instantClock });
    expect(again.code).toBe(0);
    expect(slack.posted(CHANNEL).filter((m) => m.thread_ts === parent.ts)).toHaveLength(after.length);
  });
});
