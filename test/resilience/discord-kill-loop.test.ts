/**
 * `arxiv-digest digest` to one Discord channel, killed with kill -9 at every moment of the post: just before and
 * just after Discord accepts each creation (the top-level message, the thread started from it, every message in
 * the thread). The stand-in answers as Discord does (10003 for a thread never started, 160004 for a second thread
 * on one message). Each run is killed at the next moment, the next run resumes; the digest ends whole, once.
 */
import { DatabaseSync } from 'node:sqlite';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getPostedDigest } from '../../src/jobs/post';
import { openStore } from '../../src/store';
import { type ArxivServer, startSeedArxiv } from '../fakes/arxiv-server';
import { type FakeDiscordServer, startFakeDiscord } from '../fakes/discord-server';
import { type FakeOpenAi, startOpenAiServer } from '../fakes/openai-server';
import { BIN } from '../helpers/spawn-bin';
import { standInEnv } from '../helpers/stand-ins';

const CHANNEL = '223456789012345678';
const DATE = '2025-10-30';
const PAPERS = 2;

jest.setTimeout(240_000);

let arxiv: ArxivServer;
let openai: FakeOpenAi;
let discord: FakeDiscordServer;

beforeAll(async () => {
  [arxiv, openai, discord] = await Promise.all([
    startSeedArxiv(),
    startOpenAiServer(),
    startFakeDiscord({ channels: [CHANNEL] }),
  ]);
});
afterAll(() => Promise.all([arxiv.close(), openai.close(), discord.close()]));

/** What Discord holds: messages and threads created (a repeated nonce creates nothing). */
const created = () => discord.messages.size + discord.threads.size;

test('kill -9 before and after every creation of a Discord digest: it ends whole, nothing twice', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'discord-kill-'));
  const storeUrl = `sqlite://${path.join(dir, 'bot.sqlite')}`;
  writeFileSync(
    path.join(dir, 'config.yaml'),
    [
      'digests:',
      '  - name: kl',
      '    categories: [cs.CL]',
      '    interests: Reinforcement learning and preference optimization for LLMs; alignment; reasoning; agents.',
      `    maxPapers: ${PAPERS}`,
      '    channels:',
      `      - discord: "${CHANNEL}"`,
      '',
    ].join('\n'),
  );
  const env = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    STORE_URL: storeUrl,
    ...standInEnv({ arxiv, openai }),
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
  };
  const run = (kill?: { phase: 'received' | 'applied'; at: number }) =>
    new Promise<{ code: number | null; killed: boolean; out: string }>((resolve) => {
      let killed = false;
      let out = '';
      const child: ChildProcess = spawn(
        process.execPath,
        [BIN, 'digest', '--date', DATE, '--config', path.join(dir, 'config.yaml')],
        { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child.stdout?.on('data', (c) => (out += c));
      child.stderr?.on('data', (c) => (out += c));
      discord.onCreate = (phase) => {
        if (!kill || killed || phase !== kill.phase) return undefined;
        // `received`: the n-th creation is about to be applied; `applied`: it just was, its answer not yet sent.
        if (phase === 'received' ? created() !== kill.at - 1 : created() !== kill.at) return undefined;
        killed = true;
        child.kill('SIGKILL');
        return 'drop';
      };
      child.on('exit', (code) => resolve({ code, killed, out }));
    });

  // A killed run's leases are expired by hand before the next run, as 15 s of waiting would expire them: a holder is
  // known by its heartbeat only (issue 23), and that wait is tested in test/bot/operations.test.ts and the kill
  // tests. This loop is about what each moment leaves behind, so it does not wait the lease out 13 times.
  const expireLeases = () => {
    const db = new DatabaseSync(path.join(dir, 'bot.sqlite'));
    try {
      db.exec('UPDATE arxiv_digest_locks SET expires_at = 0');
    } finally {
      db.close();
    }
  };
  const moments: string[] = [];
  for (let at = 1; ; at++) {
    if (at > 1) expireLeases();
    const before = await run({ phase: 'received', at });
    if (!before.killed) {
      expect(`${before.code} ${moments.join(', ')}\n${before.out}`).toMatch(/^0 /);
      break;
    }
    moments.push(`before #${at}`);
    expireLeases();
    const after = await run({ phase: 'applied', at });
    if (!after.killed) {
      expect(`${after.code} ${moments.join(', ')}\n${after.out}`).toMatch(/^0 /);
      break;
    }
    moments.push(`after #${at}`);
  }
  discord.onCreate = undefined;
  // The parent, its thread, and at least one message per paper: every one of those moments was a kill.
  expect(moments.length).toBeGreaterThanOrEqual(2 * (2 + PAPERS));

  // One message in the channel, its thread started from it, every message in the thread once.
  const top = discord.messagesIn(CHANNEL);
  expect(top).toHaveLength(1);
  const parent = top[0];
  expect(discord.threads.has(parent?.id ?? '')).toBe(true);
  const inThread = discord.messagesIn(parent?.id ?? '');
  const texts = inThread.map((m) => `${m.content}|${JSON.stringify(m.embeds)}`);
  expect(new Set(texts).size).toBe(texts.length);
  const store = await openStore(storeUrl);
  try {
    const record = await getPostedDigest(store, 'discord', CHANNEL, 'kl', DATE);
    expect(record?.complete).toBe(true);
    expect(record?.thread.threadId).toBe(parent?.id);
    expect(Object.keys(record?.papers ?? {})).toHaveLength(PAPERS);
  } finally {
    await store.close();
  }
  // A run after the end posts nothing more.
  const n = created();
  expect((await run()).code).toBe(0);
  expect(created()).toBe(n);
});
