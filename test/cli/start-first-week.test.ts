/**
 * Issue 21, `start`'s first week: what `start` refuses at once (exit 2, one line, nothing opened or spent), what
 * it says instead of working for nobody, a Discord gateway that does not answer, and what `digest` and `tally`
 * report when the work is not theirs to do. Through the real CLI (in process, or the binary where a process is
 * the point: signals, ports, two runs at once).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ArxivServer, startSeedArxiv } from '../fakes/arxiv-server';
import { type FakeDiscordServer, startFakeDiscord } from '../fakes/discord-server';
import { type FakeOpenAi, startOpenAiServer } from '../fakes/openai-server';
import { FakeSlackServer } from '../fakes/slack-server';
import { instantClock, runCli } from '../helpers/cli';
import { BIN, spawnBin } from '../helpers/spawn-bin';
import { standInEnv } from '../helpers/stand-ins';

const ROOT = path.resolve(__dirname, '../..');
const SLACK_CHANNEL = 'C0123456789';
const DISCORD_CHANNEL = '123456789012345678';

jest.setTimeout(60_000);

let arxiv: ArxivServer;
let openai: FakeOpenAi;
let slack: FakeSlackServer;
let discord: FakeDiscordServer;

beforeAll(async () => {
  [arxiv, openai, slack, discord] = await Promise.all([
    startSeedArxiv(),
    startOpenAiServer(),
    FakeSlackServer.start(),
    startFakeDiscord({ channels: [DISCORD_CHANNEL] }),
  ]);
});
afterAll(() => Promise.all([arxiv.close(), openai.close(), slack.close(), discord.close()]));
beforeEach(() => {
  arxiv.requests.length = 0;
  openai.requests.length = 0;
  slack.reset();
});

function newCwd(config?: string): string {
  const cwd = mkdtempSync(path.join(tmpdir(), 'start-first-week-'));
  if (config !== undefined) writeFileSync(path.join(cwd, 'c.yaml'), config);
  return cwd;
}

const digestYaml = (extra = '') =>
  `digests:\n  - name: nlp\n    categories: [cs.CL]\n    interests: agents and reasoning\n    maxPapers: 2\n${extra}`;

/** The variables `.env.example` sets, as shipped (every value empty). */
function envExample(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const line of readFileSync(path.join(ROOT, '.env.example'), 'utf8').split('\n')) {
    const m = line.match(/^([A-Z_][A-Z0-9_]*)=(.*)$/);
    if (m?.[1]) out[m[1]] = m[2] ?? '';
  }
  return out;
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0] ?? '';
}

/** A loopback port something already listens on. */
async function busyPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('start refuses at once what would fail later (exit 2, one line, nothing opened)', () => {
  it('the example config and .env.example as shipped: the same line `digest` gives', async () => {
    const cwd = newCwd();
    const config = path.join(ROOT, 'config', 'arxiv-digest.example.yaml');
    const env = { ...envExample(), ...standInEnv({ arxiv, openai }), STORE_URL: `sqlite://${cwd}/s.sqlite` };
    const digest = await runCli(['digest', '--config', config], { cwd, env, clock: instantClock });
    const start = await runCli(['start', '--config', config], { cwd, env, clock: instantClock });
    expect(start.code).toBe(2);
    expect(digest.code).toBe(2);
    expect(oneLine(start.stderr)).toBe(oneLine(digest.stderr).replace(' (or use --dry-run)', ''));
    expect(oneLine(start.stderr)).toMatch(
      /^arxiv-digest: digest "[^"]+" posts to slack channel \S+, but slack is off: /,
    );
    expect(arxiv.requests).toHaveLength(0);
    expect(openai.requests).toHaveLength(0);
  });

  it.each([
    [
      { LOG_LEVEL: 'verbose' },
      'LOG_LEVEL is "verbose": expected one of fatal, error, warn, info, debug, trace, silent',
    ],
    [
      { OPENAI_BASE_URL: 'localhost:11434/v1' },
      'OPENAI_BASE_URL is "localhost:11434/v1": expected an http(s) URL such as http://localhost:11434/v1',
    ],
  ])('%o', async (bad, line) => {
    const cwd = newCwd(digestYaml());
    const env = { ...standInEnv({ arxiv, openai }), STORE_URL: 'memory://', ...bad };
    for (const command of ['start', 'digest']) {
      const run = await runCli([command, '--config', 'c.yaml'], { cwd, env, clock: instantClock });
      expect(run.code).toBe(2);
      expect(oneLine(run.stderr)).toBe(`arxiv-digest: ${line}`);
    }
    expect(openai.requests).toHaveLength(0);
  });

  it('PORT in use: one line naming PORT, exit 2', async () => {
    const busy = await busyPort();
    try {
      const cwd = newCwd(digestYaml('    archiveDir: out\n'));
      const run = await spawnBin(['start', '--config', 'c.yaml'], {
        cwd,
        env: {
          PATH: process.env.PATH,
          ...standInEnv({ arxiv, openai }),
          STORE_URL: 'memory://',
          PORT: String(busy.port),
        },
      });
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n').pop()).toBe(
        `arxiv-digest: PORT ${busy.port} is already in use by another process: stop it or set PORT to a free port`,
      );
    } finally {
      await busy.close();
    }
  });
});

/** `start` as a process; stderr collected; `said(re)` waits for a line. */
function launch(cwd: string, env: NodeJS.ProcessEnv) {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'start', '--config', 'c.yaml'], {
    cwd,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', LOG_LEVEL: 'info', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (c) => (err += c));
  child.stdout?.on('data', (c) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const said = async (re: RegExp, ms = 20_000) => {
    const t0 = Date.now();
    while (!re.test(err)) {
      if (Date.now() - t0 > ms) throw new Error(`not said within ${ms} ms: ${re}\n${err}`);
      if (child.exitCode !== null) throw new Error(`exited ${child.exitCode} before saying ${re}\n${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return err;
  };
  return { child, exited, said, stderr: () => err };
}

describe('start with nothing to do, or a gateway that does not answer', () => {
  it('a digest with no channels and no archiveDir: says so, builds nothing, asks no model', async () => {
    const cwd = newCwd(`${digestYaml('    schedule: "0 0 * * *"\n')}`);
    const bot = launch(cwd, { ...standInEnv({ arxiv, openai }), STORE_URL: 'memory://' });
    try {
      await bot.said(/bot started on port \d+/);
      expect(bot.stderr()).toContain(
        'arxiv-digest: digest "nlp" has no channels and no archiveDir: start will not build it',
      );
      expect(bot.stderr()).toMatch(/0 digest\(s\) scheduled/);
      expect(openai.requests).toHaveLength(0);
      expect(arxiv.requests).toHaveLength(0);
    } finally {
      bot.child.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
    }
  });

  it('the Discord gateway unreachable: says it is connecting, names what to check, /healthz and Slack work, SIGTERM stops it', async () => {
    // The gateway's address accepts connections and never answers (a firewall that drops packets).
    const held: net.Socket[] = [];
    const hole = net.createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve));
    discord.gatewayAt = `ws://127.0.0.1:${(hole.address() as net.AddressInfo).port}`;
    const cwd = newCwd(digestYaml(`    channels: [{slack: ${SLACK_CHANNEL}}, {discord: "${DISCORD_CHANNEL}"}]\n`));
    const bot = launch(cwd, {
      ...standInEnv({ arxiv, openai, slack }),
      STORE_URL: 'memory://',
      SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99yyyzzz85a5',
      DISCORD_TOKEN: discord.token,
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_GATEWAY_TIMEOUT_MS: '1500',
    });
    try {
      await bot.said(/discord: connecting to the gateway/);
      const started = await bot.said(/bot started on port (\d+)/);
      const port = started.match(/bot started on port (\d+)/)?.[1];
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(JSON.parse(await health.text()).checks).toMatchObject({ slack: 'up', store: 'up' });
      await bot.said(/discord: no gateway connection after 1\.5 s: check that this host reaches Discord/);
      const t0 = Date.now();
      bot.child.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
      expect(Date.now() - t0).toBeLessThan(10_000);
    } finally {
      discord.gatewayAt = undefined;
      if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => hole.close(resolve));
    }
  });
});

describe('digest and tally say what happened', () => {
  it('two digest runs at once: the second says the other run posted it', async () => {
    const cwd = newCwd(digestYaml(`    channels: [{slack: ${SLACK_CHANNEL}}]\n`));
    const env = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      ...standInEnv({ arxiv, openai, slack }),
      STORE_URL: `sqlite://${path.join(cwd, 's.sqlite')}`,
    };
    slack.postDelayMs = 150;
    try {
      const runs = await Promise.all([
        spawnBin(['digest', '--config', 'c.yaml'], { cwd, env }),
        spawnBin(['digest', '--config', 'c.yaml'], { cwd, env }),
      ]);
      expect(runs.map((r) => r.code)).toEqual([0, 0]);
      const posted = runs.filter((r) => /nlp: posted \S+ to slack channel/.test(r.stderr));
      expect(posted).toHaveLength(1);
      const other = runs.find((r) => r !== posted[0]);
      expect(other?.stderr).toMatch(
        new RegExp(
          `nlp: (\\S+ was posted to slack channel ${SLACK_CHANNEL} by another run meanwhile|already posted \\S+ to slack channel ${SLACK_CHANNEL} \\(nothing to do\\))`,
        ),
      );
      expect(slack.posted(SLACK_CHANNEL).filter((m) => !m.thread_ts)).toHaveLength(1);
    } finally {
      slack.postDelayMs = 0;
    }
  });

  it('tally --date of a day never posted: exit 2 "not posted"', async () => {
    const cwd = newCwd(digestYaml(`    channels: [{slack: ${SLACK_CHANNEL}}]\n`));
    const run = await runCli(['tally', '--config', 'c.yaml', '--date', '2025-10-01'], {
      cwd,
      env: { ...standInEnv({ arxiv, openai, slack }), STORE_URL: 'memory://' },
      clock: instantClock,
    });
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toBe(
      'arxiv-digest: digest "nlp" was not posted on 2025-10-01, so there is no vote to close (expected --date of a day it was posted)',
    );
    expect(run.stdout).toBe('');
  });
});
