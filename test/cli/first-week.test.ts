/**
 * Issue 12, "a team's first week without surprises": every row of its table run through the real CLI against the
 * local fakes. Each checks the exit status, the one line on stderr, and that nothing was posted, stored or spent
 * (no arXiv request, no LLM request, no chat message, and for exit 2 not even an empty SQLite file).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ArxivServer, startSeedArxiv } from '../fakes/arxiv-server';
import { type FakeDiscordServer, startFakeDiscord } from '../fakes/discord-server';
import { type FakeOpenAi, startOpenAiServer } from '../fakes/openai-server';
import { FakeSlackServer } from '../fakes/slack-server';
import { instantClock, runCli } from '../helpers/cli';
import { standInEnv } from '../helpers/stand-ins';

const SLACK_CHANNEL = 'C0123456789';
const DISCORD_CHANNEL = '123456789012345678';

let arxiv: ArxivServer;
let openai: FakeOpenAi;
let slack: FakeSlackServer;
let discord: FakeDiscordServer;

beforeAll(async () => {
  [arxiv, openai, slack, discord] = await Promise.all([
    startSeedArxiv(),
    startOpenAiServer(),
    FakeSlackServer.start({ missingChannels: ['C0NOSUCH01'], notInChannel: ['C0NOTIN001'] }),
    startFakeDiscord({ channels: [DISCORD_CHANNEL], hiddenChannels: ['123456789012345699'] }),
  ]);
});
afterAll(() => Promise.all([arxiv.close(), openai.close(), slack.close(), discord.close()]));
beforeEach(() => {
  arxiv.requests.length = 0;
  openai.requests.length = 0;
  slack.reset();
  discord.calls.length = 0;
});

/** A local port nothing listens on (fetch refuses "bad ports" such as 1 before connecting). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function newCwd(config?: string): string {
  const cwd = mkdtempSync(path.join(tmpdir(), 'first-week-'));
  if (config !== undefined) writeFileSync(path.join(cwd, 'c.yaml'), config);
  return cwd;
}

function digestYaml(extra = '', channels = ''): string {
  return `digests:\n  - name: nlp\n    categories: [cs.CL]\n    interests: agents and reasoning\n    maxPapers: 2\n${extra}${channels ? `    channels: [${channels}]\n` : ''}`;
}

function env(more: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...standInEnv({ arxiv, openai }),
    ...more,
  };
}

/** Nothing fetched, nothing spent, nothing posted. */
function expectNothingDone(): void {
  expect(arxiv.requests).toHaveLength(0);
  expect(openai.requests).toHaveLength(0);
  expect(slack.messages).toHaveLength(0);
  expect(discord.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0] ?? '';
}

describe('setup errors: exit 2, one line, nothing created', () => {
  const rows: Array<[string, { config?: string; argv: string[]; env?: NodeJS.ProcessEnv }, RegExp]> = [
    [
      'STORE_URL with one slash',
      { argv: ['digest', '--dry-run'], env: { STORE_URL: 'sqlite:/CWD/x.sqlite' } },
      /^arxiv-digest: STORE_URL "sqlite:\/.*\/x\.sqlite" is not a SQLite URL \(expected sqlite:\/\/\/abs\/path\.sqlite for an absolute path or sqlite:\/\/rel\/path\.sqlite relative to the working directory\)$/,
    ],
    [
      'an unknown category',
      { config: digestYaml().replace('[cs.CL]', '[cs.CLL]'), argv: ['digest', '--config', 'c.yaml'] },
      /^arxiv-digest: c\.yaml: digests\[0\]\.categories\[0\] is "cs\.CLL": unknown arXiv category \(did you mean cs\.CL\? /,
    ],
    [
      'intrests for interests',
      {
        config: 'digests:\n  - name: nlp\n    categories: [cs.CL]\n    intrests: agents\n',
        argv: ['digest', '--config', 'c.yaml'],
      },
      /^arxiv-digest: c\.yaml: unknown key digests\[0\]\.intrests \(did you mean interests\? /,
    ],
    [
      'a cron minute out of range',
      { config: digestYaml('    schedule: "61 8 * * 1-5"\n'), argv: ['digest', '--config', 'c.yaml'] },
      /^arxiv-digest: c\.yaml: digests\[0\]\.schedule is "61 8 \* \* 1-5": minute 61 is out of range 0-59 \(expected a cron expression of 5 fields/,
    ],
    [
      'a weekday out of range',
      { config: digestYaml('    schedule: "30 8 * * 1-9"\n'), argv: ['digest', '--config', 'c.yaml'] },
      /: weekday 9 is out of range 0-7 /,
    ],
    [
      '--dryrun',
      { argv: ['digest', '--dryrun'] },
      /^arxiv-digest: unknown option --dryrun \(did you mean --dry-run\? see arxiv-digest --help\)$/,
    ],
    [
      '--config a directory',
      { argv: ['digest', '--config', 'conf'] },
      /^arxiv-digest: config file "conf" is a directory \(expected a YAML file such as conf\/arxiv-digest\.yaml; /,
    ],
    [
      'start with SLACK_BOT_TOKEN only',
      { argv: ['start'], env: { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', PORT: '0' } },
      /^arxiv-digest: SLACK_BOT_TOKEN alone cannot receive Slack commands and reactions: add SLACK_APP_TOKEN \(Socket Mode, xapp-…\) or SLACK_SIGNING_SECRET \(HTTP mode on PORT\)$/,
    ],
    [
      'DISCORD_GATEWAY=off without DISCORD_PUBLIC_KEY',
      { argv: ['start'], env: { DISCORD_TOKEN: 'fake-bot-token', DISCORD_GATEWAY: 'off', PORT: '0' } },
      /^arxiv-digest: DISCORD_GATEWAY=off takes Discord commands over HTTP only, which needs DISCORD_PUBLIC_KEY /,
    ],
    [
      'a Discord channel without DISCORD_TOKEN',
      { config: digestYaml('', `{discord: "${DISCORD_CHANNEL}"}`), argv: ['digest', '--config', 'c.yaml'] },
      /^arxiv-digest: digest "nlp" posts to discord channel 123456789012345678, but discord is off: set DISCORD_TOKEN \(or use --dry-run\)$/,
    ],
  ];

  it.each(rows)('%s', async (_name, row, pattern) => {
    const cwd = newCwd(row.config);
    mkdirSync(path.join(cwd, 'conf'));
    const extra = Object.fromEntries(
      Object.entries(row.env ?? {}).map(([k, v]) => [k, v?.replace('/CWD', cwd)]),
    ) as NodeJS.ProcessEnv;
    const before = readdirSync(cwd).sort();
    // Progress lines on (as on a terminal): still not one before the setup error.
    const run = await runCli(row.argv, {
      cwd,
      env: env({ ARXIV_DIGEST_PROGRESS: '1', ...extra }),
      clock: instantClock,
    });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(oneLine(run.stderr)).toMatch(pattern);
    // Nothing created: no data/ directory, no empty SQLite file, not even one named after the bad URL.
    expect(readdirSync(cwd).sort()).toEqual(before);
    expectNothingDone();
  });
});

describe('a store that cannot be used: exit 1 within 10 s, one line naming STORE_URL, nothing spent', () => {
  const pg = process.env.TEST_POSTGRES_URL;

  async function expectStoreFailure(storeUrl: string, pattern: RegExp, argv = ['digest', '--dry-run']) {
    const cwd = newCwd();
    const started = Date.now();
    const run = await runCli(argv, { cwd, env: env({ STORE_URL: storeUrl }), clock: instantClock });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const line = oneLine(run.stderr);
    expect(line).toMatch(pattern);
    expect(line).toMatch(/STORE_URL/);
    expectNothingDone();
  }

  it('Redis not running (digest, critique and start)', async () => {
    const line =
      /^arxiv-digest: cannot reach the store at redis:\/\/127\.0\.0\.1:1 \(connection refused\): check STORE_URL or start Redis$/;
    await expectStoreFailure('redis://127.0.0.1:1', line);
    await expectStoreFailure('redis://127.0.0.1:1', line, ['critique', '2510.26707']);
    await expectStoreFailure('redis://127.0.0.1:1', line, ['start']);
  });

  (pg ? it : it.skip)('PostgreSQL on a wrong port, or with a wrong password', async () => {
    const url = new URL(pg as string);
    const wrongPort = new URL(url);
    wrongPort.port = '1';
    await expectStoreFailure(
      wrongPort.toString(),
      /^arxiv-digest: cannot reach the store at postgresql:\/\/[^ ]*127\.0\.0\.1:1\/[^ ]* \(connection refused\): check STORE_URL or start PostgreSQL$/,
    );
    const wrongPassword = new URL(url);
    wrongPassword.password = 'not-the-password';
    const run = await runCli(['digest', '--dry-run'], {
      cwd: newCwd(),
      env: env({ STORE_URL: wrongPassword.toString() }),
    });
    expect(run.code).toBe(1);
    const line = oneLine(run.stderr);
    expect(line).toMatch(/\(password authentication failed\): check the user and password in STORE_URL$/);
    expect(line).not.toContain('not-the-password');
  });

  it('a half-truncated SQLite file, and a file that is not SQLite at all', async () => {
    // A real store file with a day in it, cut in half.
    const cwd = newCwd();
    const good = path.join(cwd, 'good.sqlite');
    const first = await runCli(['digest', '--dry-run'], {
      cwd,
      env: env({ STORE_URL: `sqlite://${good}`, OPENAI_API_KEY: '' }),
      clock: instantClock,
    });
    expect(first.code).toBe(0);
    const bytes = readFileSync(good);
    const half = path.join(cwd, 'half.sqlite');
    writeFileSync(half, bytes.subarray(0, Math.floor(bytes.length / 2)));
    arxiv.requests.length = 0;
    const fix =
      /: move the file away \(a new one is created on the next run\) or restore it from a backup; check STORE_URL$/;
    await expectStoreFailure(
      `sqlite://${half}`,
      new RegExp(
        `^arxiv-digest: cannot use the store at sqlite://${half} \\(the file is not a valid SQLite database: it is corrupt or truncated\\)${fix.source}`,
      ),
    );
    const text = path.join(cwd, 'notes.sqlite');
    writeFileSync(text, 'these are my notes, not a database\n'.repeat(200));
    await expectStoreFailure(
      `sqlite://${text}`,
      /\(the file is not a valid SQLite database: it is corrupt or truncated\)/,
    );
  });

  it('a path that cannot be created fails at once instead of spinning', async () => {
    await expectStoreFailure(
      'sqlite:///proc/nope/db.sqlite',
      /^arxiv-digest: cannot use the store at sqlite:\/\/\/proc\/nope\/db\.sqlite \(the directory \/proc\/nope cannot be created \(ENOENT\)\): point STORE_URL at a file in a directory you can write/,
    );
    const cwd = newCwd();
    writeFileSync(path.join(cwd, 'afile'), '');
    await expectStoreFailure(
      `sqlite://${cwd}/afile/db.sqlite`,
      /\(.*\/afile is a file, not a directory\): point STORE_URL at a file in a directory you can write/,
    );
  });

  it('a read-only SQLite file', async () => {
    const cwd = newCwd();
    const file = path.join(cwd, 'ro.sqlite');
    const made = await runCli(['digest', '--dry-run'], {
      cwd,
      env: env({ STORE_URL: `sqlite://${file}`, OPENAI_API_KEY: '' }),
      clock: instantClock,
    });
    expect(made.code).toBe(0);
    arxiv.requests.length = 0;
    // chmod does not stop root: there, the immutable attribute does (when the file system has it).
    const root = process.getuid?.() === 0;
    if (root) {
      try {
        execFileSync('chattr', ['+i', file], { stdio: 'ignore' });
      } catch {
        console.warn('skipped: running as root without chattr +i, a read-only file cannot be made');
        return;
      }
    } else {
      chmodSync(file, 0o444);
    }
    try {
      await expectStoreFailure(
        `sqlite://${file}`,
        /^arxiv-digest: cannot use the store at sqlite:\/\/.*ro\.sqlite \((the database file is read-only|the file cannot be opened for writing)\): .*STORE_URL/,
      );
    } finally {
      if (root) execFileSync('chattr', ['-i', file], { stdio: 'ignore' });
    }
  });
});

describe('a chat destination that cannot be posted to is found before any LLM token is spent', () => {
  const rows: Array<[string, string, NodeJS.ProcessEnv, RegExp]> = [
    [
      'Slack: a channel id that does not exist (channel_not_found)',
      '{slack: C0NOSUCH01}',
      {},
      /^arxiv-digest: digest "nlp": slack channel C0NOSUCH01 cannot be posted to \(channel_not_found\): check the channel id in the config .* \/invite @arxiv-digest; nothing was built$/,
    ],
    [
      'Slack: the bot not invited (and no chat:write.public)',
      '{slack: C0NOTIN001}',
      {},
      /^arxiv-digest: digest "nlp": slack channel C0NOTIN001 cannot be posted to \(not_in_channel\): invite the bot to #arxiv-digest with \/invite @arxiv-digest; nothing was built$/,
    ],
    [
      'Slack: a token Slack refuses',
      `{slack: ${SLACK_CHANNEL}}`,
      { SLACK_BOT_TOKEN: 'xoxb-0-0-revoked' },
      /^arxiv-digest: digest "nlp": Slack refuses SLACK_BOT_TOKEN \(invalid_auth\): copy the Bot User OAuth Token/,
    ],
    [
      'Discord: a channel that does not exist',
      '{discord: "123456789012345600"}',
      {},
      /^arxiv-digest: digest "nlp": discord channel 123456789012345600 cannot be posted to \(Unknown Channel\): check the channel id/,
    ],
    [
      'Discord: a channel the bot cannot see',
      '{discord: "123456789012345699"}',
      {},
      /^arxiv-digest: digest "nlp": discord channel 123456789012345699 cannot be posted to \(Missing Access\): give the bot View Channel/,
    ],
  ];

  it.each(rows)('%s', async (_name, channels, more, pattern) => {
    const cwd = newCwd(digestYaml('', channels));
    const run = await runCli(['digest', '--config', 'c.yaml'], {
      cwd,
      env: env({
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_API_URL: slack.apiUrl,
        DISCORD_TOKEN: discord.token,
        DISCORD_API_URL: discord.apiUrl,
        STORE_URL: `sqlite://${path.join(cwd, 's.sqlite')}`,
        ...more,
      }),
      clock: instantClock,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(oneLine(run.stderr)).toMatch(pattern);
    expectNothingDone();
  });
});

describe('runs that report what really happened', () => {
  it('a second digest run after a complete post says "already posted … (nothing to do)"', async () => {
    const cwd = newCwd(digestYaml('', `{slack: ${SLACK_CHANNEL}}`));
    const e = env({
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_API_URL: slack.apiUrl,
      STORE_URL: `sqlite://${path.join(cwd, 's.sqlite')}`,
    });
    const first = await runCli(['digest', '--config', 'c.yaml'], { cwd, env: e, clock: instantClock });
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    const posted = slack.messages.length;
    expect(posted).toBeGreaterThanOrEqual(3); // the parent, and per paper a card and its long text
    const calls = openai.requests.length;
    const again = await runCli(['digest', '--config', 'c.yaml'], { cwd, env: e, clock: instantClock });
    expect(again.code).toBe(0);
    expect(oneLine(again.stderr)).toBe(
      `nlp: already posted 2025-10-30 to slack channel ${SLACK_CHANNEL} (nothing to do)`,
    );
    expect(slack.messages).toHaveLength(posted);
    expect(openai.requests).toHaveLength(calls); // every answer from the cache
  });

  it('arXiv unreachable: the cause and a hint (no such host: src/http/client.test.ts)', async () => {
    const cwd = newCwd();
    const port = await closedPort();
    const run = await runCli(['digest', '--dry-run'], {
      cwd,
      env: env({ ARXIV_RSS_URL: `http://127.0.0.1:${port}/rss`, STORE_URL: 'memory://' }),
      clock: instantClock,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(oneLine(run.stderr)).toBe(
      `arxiv-digest: arXiv RSS request failed: no answer from http://127.0.0.1:${port}/rss/cs.CL (ECONNREFUSED 127.0.0.1:${port}; check the network (and a proxy, if one is needed) or ARXIV_RSS_URL)`,
    );
    expect(openai.requests).toHaveLength(0);
  });

  it('the LLM unreachable: names OPENAI_BASE_URL’s host and the cause', async () => {
    const cwd = newCwd();
    const port = await closedPort();
    const run = await runCli(['critique', '2510.26707'], {
      cwd,
      env: env({ OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`, STORE_URL: 'memory://' }),
      clock: instantClock,
    });
    expect(run.code).toBe(1);
    expect(oneLine(run.stderr)).toMatch(
      new RegExp(
        `^arxiv-digest: LLM request failed \\(no answer from 127\\.0\\.0\\.1 after \\d+ attempts: ECONNREFUSED 127\\.0\\.0\\.1:${port}\\): check OPENAI_BASE_URL and the network$`,
      ),
    );
  });

  it('critique says what it is doing on stderr, as digest does', async () => {
    const cwd = newCwd();
    const run = await runCli(['critique', '2510.26707'], {
      cwd,
      env: env({ STORE_URL: 'memory://', ARXIV_DIGEST_PROGRESS: '1' }),
      clock: instantClock,
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^critique 2510\.26707: reading the paper from arXiv\n/);
    expect(run.stderr).toMatch(/\ncritique 2510\.26707v\d+: reading its full text and asking /);
    expect(run.stdout).toMatch(/Strengths|strengths/);
  });
});

it('the operator docs have a Troubleshooting section naming each of these messages, linked from the README', () => {
  const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  expect(readme.split(/^## Troubleshooting$/m)[1]).toContain('(docs/operating.md#troubleshooting)');
  const docs = readFileSync(path.join(__dirname, '..', '..', 'docs', 'operating.md'), 'utf8');
  const section = docs.split(/^## Troubleshooting$/m)[1]?.split(/^## /m)[0] ?? '';
  for (const phrase of [
    'cannot reach the store at',
    'cannot use the store at',
    'is not a SQLite URL',
    'unknown arXiv category',
    'unknown key',
    'is out of range',
    'did you mean --dry-run?',
    'is a directory',
    'cannot be posted to',
    'SLACK_BOT_TOKEN alone cannot receive',
    'DISCORD_GATEWAY=off takes Discord commands over HTTP only',
    'already posted',
    'ENOTFOUND',
    'check OPENAI_BASE_URL',
  ]) {
    expect(section).toContain(phrase);
  }
  expect(existsSync(path.join(__dirname, '..', '..', 'src', 'config', 'categories.ts'))).toBe(true);
});
