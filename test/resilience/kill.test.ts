/**
 * `arxiv-digest start` killed as an operator kills it: `kill -9` mid-digest, two SIGTERMs a second apart
 * (`docker stop`, a double Ctrl-C), and `tally` killed between the vote's result and the winner's deep-dive. Real
 * processes of the binary, against the local fakes of arXiv, the LLM, Slack and Discord, on real SQLite and on real
 * Redis. Each time a restarted instance finishes the work within 30 s, and nothing is posted twice.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Store, openStore } from '../../src/store';
import { type PostedDigest, getPostedDigest } from '../../src/jobs/post';
import { type ArxivServer, startSeedArxiv } from '../fakes/arxiv-server';
import { type FakeDiscordServer, InteractionSigner, startFakeDiscord } from '../fakes/discord-server';
import { type FakeOpenAi, startOpenAiServer } from '../fakes/openai-server';
import { FakeSlackServer } from '../fakes/slack-server';
import { standInEnv } from '../helpers/stand-ins';

const BIN = path.resolve(__dirname, '../../bin/arxiv-digest.js');
const SLACK_CHANNEL = 'C0KILLTEST1';
const DISCORD_CHANNEL = '223456789012345678';
const DATE = '2025-10-30';
const RECOVERY_MS = 30_000;

jest.setTimeout(180_000);

const stores = [
  { kind: 'SQLite', url: () => `sqlite://${path.join(mkdtempSync(path.join(tmpdir(), 'kill-')), 'bot.sqlite')}` },
  { kind: 'Redis', url: () => process.env.TEST_REDIS_URL },
];

interface Running {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ms: number, ok: () => boolean | Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (!(await ok())) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(50);
  }
  return Date.now() - start;
}

// One file per store so the two run side by side (each takes about a minute): this file runs SQLite, and
// kill.redis.test.ts, which imports this one, runs Redis.
const here = /kill\.redis\.test\.ts$/.test(expect.getState().testPath ?? '') ? 'Redis' : 'SQLite';

for (const backend of stores.filter((b) => b.kind === here)) {
  const url0 = backend.url();
  const maybe = url0 ? describe : describe.skip;
  if (!url0)
    console.warn(`SKIPPED: kill tests on ${backend.kind} need TEST_REDIS_URL (eval "$(scripts/ci-services.sh)")`);

  maybe(`start killed mid-run, on ${backend.kind}`, () => {
    let arxiv: ArxivServer;
    let openai: FakeOpenAi;
    let slack: FakeSlackServer;
    let discord: FakeDiscordServer;
    let dir: string;
    let store: Store;
    let name: string;
    let storeUrl: string;
    const running: Running[] = [];
    const signer = new InteractionSigner();

    beforeAll(async () => {
      [arxiv, openai] = await Promise.all([startSeedArxiv(), startOpenAiServer()]);
    });
    afterAll(async () => {
      await Promise.all([arxiv.close(), openai.close()]);
    });

    beforeEach(async () => {
      [slack, discord] = await Promise.all([
        FakeSlackServer.start(),
        startFakeDiscord({ channels: [DISCORD_CHANNEL] }),
      ]);
      dir = mkdtempSync(path.join(tmpdir(), 'kill-'));
      storeUrl = backend.url() as string;
      store = await openStore(storeUrl);
      // A digest name of its own per test: the Redis database is shared with other tests.
      name = `k${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
      writeFileSync(
        path.join(dir, 'config.yaml'),
        [
          'digests:',
          `  - name: ${name}`,
          '    categories: [cs.CL]',
          '    interests: Reinforcement learning and preference optimization for LLMs; alignment; reasoning; agents.',
          '    maxPapers: 5',
          '    schedule: "0 0 * * *"', // fired at midnight UTC: due at once on every start (catch-up)
          '    timezone: UTC',
          '    votes:',
          '      windowHours: 24',
          '    channels:',
          `      - slack: ${SLACK_CHANNEL}`,
          `      - discord: "${DISCORD_CHANNEL}"`,
          '',
        ].join('\n'),
      );
    });

    afterEach(async () => {
      for (const r of running.splice(0)) {
        if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
        await r.exited;
      }
      await store.close();
      await Promise.all([slack.close(), discord.close()]);
    });

    function launch(args: string[]): Running {
      const child = spawn(process.execPath, [BIN, ...args, '--config', path.join(dir, 'config.yaml')], {
        cwd: dir,
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'production',
          LOG_LEVEL: 'info',
          PORT: '0',
          STORE_URL: storeUrl,
          ...standInEnv({ arxiv, openai, slack }),
          SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99yyyzzz85a5',
          DISCORD_TOKEN: discord.token,
          DISCORD_APPLICATION_ID: discord.applicationId,
          DISCORD_PUBLIC_KEY: signer.publicKeyHex,
          DISCORD_API_URL: discord.apiUrl,
          DISCORD_GATEWAY: 'off',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr?.on('data', (c) => (err += c));
      child.stdout?.on('data', (c) => (err += c));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const r = { child, stderr: () => err, exited };
      running.push(r);
      return r;
    }

    const slackPosts = () => slack.posted(SLACK_CHANNEL);
    const discordPosts = () => [
      ...discord.messagesIn(DISCORD_CHANNEL),
      ...[...new Set(discord.messagesIn(DISCORD_CHANNEL).map((m) => m.id))].flatMap((id) => discord.messagesIn(id)),
    ];
    const posted = async (): Promise<PostedDigest[]> =>
      (
        await Promise.all([
          getPostedDigest(store, 'slack', SLACK_CHANNEL, name, DATE),
          getPostedDigest(store, 'discord', DISCORD_CHANNEL, name, DATE),
        ])
      ).filter((p): p is PostedDigest => !!p);
    const complete = async () => {
      const p = await posted();
      return p.length === 2 && p.every((d) => d.complete);
    };

    /** Every message once: texts unique per platform, each paper's first message once, all five papers. */
    function expectExactlyOnce(): void {
      const slackTexts = slackPosts().map((m) => `${m.thread_ts ?? ''}|${m.text}`);
      expect(new Set(slackTexts).size).toBe(slackTexts.length);
      const discordTexts = discordPosts().map((m) => `${m.channel_id}|${m.content}|${JSON.stringify(m.embeds)}`);
      expect(new Set(discordTexts).size).toBe(discordTexts.length);
      expect(slackPosts().filter((m) => !m.thread_ts)).toHaveLength(1); // one parent
      expect(discord.messagesIn(DISCORD_CHANNEL)).toHaveLength(1); // one message in the channel
    }

    async function killedMidDigest(stop: (r: Running) => Promise<void>) {
      slack.postDelayMs = 150;
      discord.messageDelayMs = 150;
      const first = launch(['start']);
      await until('the first instance posts a few messages', 60_000, () => slackPosts().length >= 4);
      await stop(first);
      const before = slackPosts().length + discordPosts().length;
      expect(await complete()).toBe(false); // stopped half-way
      slack.postDelayMs = 0;
      discord.messageDelayMs = 0;
      const second = launch(['start']);
      const took = await until('the restarted instance finishes the digest', RECOVERY_MS, complete);
      expect(took).toBeLessThan(RECOVERY_MS);
      expect(slackPosts().length + discordPosts().length).toBeGreaterThan(before);
      expectExactlyOnce();
      for (const d of await posted()) expect(Object.keys(d.papers)).toHaveLength(5);
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      return { first, second, took };
    }

    test('kill -9 mid-digest: a restarted instance finishes it within 30 s, nothing twice', async () => {
      const { second } = await killedMidDigest(async (r) => {
        r.child.kill('SIGKILL');
        await r.exited;
      });
      expect(second.stderr()).toMatch(/digest (run finished|finished \(resumed\))/);
    });

    test('two SIGTERMs a second apart: it stops at a safe point within seconds, and a restart finishes it', async () => {
      const { first } = await killedMidDigest(async (r) => {
        r.child.kill('SIGTERM');
        await sleep(1000);
        r.child.kill('SIGTERM');
        const t0 = Date.now();
        expect(await r.exited).toBe(0);
        expect(Date.now() - t0).toBeLessThan(8000);
      });
      expect(first.stderr()).toMatch(/stopping now/);
    });

    test("`digest` killed mid-post: a re-run takes the dead run's lock once its lease expires and finishes, nothing twice", async () => {
      slack.postDelayMs = 150;
      discord.messageDelayMs = 150;
      const first = launch(['digest']);
      await until('the first run posts a few messages', 60_000, () => slackPosts().length >= 3);
      first.child.kill('SIGKILL');
      await first.exited;
      expect(await complete()).toBe(false);
      slack.postDelayMs = 0;
      discord.messageDelayMs = 0;
      const t0 = Date.now();
      const again = launch(['digest']);
      expect(await again.exited).toBe(0);
      expect(Date.now() - t0).toBeLessThan(RECOVERY_MS);
      expect(await complete()).toBe(true);
      expectExactlyOnce();
      for (const d of await posted()) expect(Object.keys(d.papers)).toHaveLength(5);
    });

    test('tally killed between the result and the deep-dive: start finishes the deep-dive within 30 s', async () => {
      // The digest, posted by hand, and a vote on one paper.
      const digest = launch(['digest']);
      expect(await digest.exited).toBe(0);
      expect(await complete()).toBe(true);
      const [slackRecord] = await posted();
      const firstPaper = Object.values(slackRecord?.papers ?? {})[0];
      if (!firstPaper) throw new Error('no paper posted');
      slack.addReaction(SLACK_CHANNEL, firstPaper.messageId, '+1', 'U0MEMBER01');

      // The tally is killed once its result is posted, before the winner's deep-dive.
      // Slowed, so the kill lands after the result and before the deep-dive is sent.
      slack.postDelayMs = 400;
      discord.messageDelayMs = 400;
      const tally = launch(['tally', '--name', name, '--date', DATE]);
      const results = () => slackPosts().filter((m) => JSON.stringify(m).includes('Vote results')).length;
      await until('the tally result is posted', 60_000, () => slackPosts().length > 0 && results() > 0);
      tally.child.kill('SIGKILL');
      await tally.exited;
      const before = slackPosts().length;
      slack.postDelayMs = 0;
      discord.messageDelayMs = 0;

      const bot = launch(['start']);
      const deepDives = () => slackPosts().filter((m) => JSON.stringify(m).includes('Deep dive'));
      const took = await until('start finishes the tally and its deep-dive', RECOVERY_MS, async () => {
        const runs = await store.get<Record<string, unknown>>('meta', 'unfinished-runs');
        return deepDives().length > 0 && !Object.keys(runs ?? {}).some((k) => k.includes(name));
      });
      expect(took).toBeLessThan(RECOVERY_MS);
      expect(slackPosts().length).toBeGreaterThan(before);
      expectExactlyOnce();
      bot.child.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
    });
  });
}
