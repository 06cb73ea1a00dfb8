/**
 * A store that goes away mid-run (issues 12, 16): a private redis-server on a free port, killed while the work runs.
 * A one-shot command fails within 10 s with one line naming STORE_URL; `start` degrades (/healthz 503, scheduled work
 * paused) and recovers when Redis is back, without a restart. Skipped with a notice when redis-server is absent.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createContext } from '../../src/context';
import { silentLogger } from '../../src/app/log';
import { type Bot, startBot } from '../../src/bot';
import { parseConfig } from '../../src/config/load';
import type { Assembly } from '../../src/jobs/assembly';
import { createServices } from '../../src/jobs/services';
import { openStore, type Store } from '../../src/store';
import { type ArxivServer, startSeedArxiv } from '../fakes/arxiv-server';
import { type FakeOpenAi, startOpenAiServer } from '../fakes/openai-server';
import { instantClock, runCli } from '../helpers/cli';
import { standInEnv } from '../helpers/stand-ins';

/** Unique to this run: the shared PostgreSQL keeps earlier runs' digests and answers. */
const unique = `${process.pid.toString(36)}${Date.now().toString(36)}`;

function hasRedisServer(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const available = hasRedisServer();
if (!available) console.warn('store-faults: redis-server is not installed; the "store goes away" tests are skipped');
const maybe = available ? describe : describe.skip;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A throwaway Redis: no persistence, ready when it says so. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (/ready to accept connections/i.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)));
  });
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

async function waitFor(check: () => boolean | Promise<boolean>, ms: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await check()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not within ${ms} ms`);
}

maybe('Redis goes away mid-run', () => {
  let arxiv: ArxivServer;
  let openai: FakeOpenAi;
  let redis: ChildProcess | undefined;
  let port: number;

  beforeAll(async () => {
    [arxiv, openai] = await Promise.all([startSeedArxiv(), startOpenAiServer()]);
  });
  beforeEach(async () => {
    port = await freePort();
    redis = await startRedis(port);
  });
  afterEach(async () => {
    if (redis) await kill(redis);
  });
  afterAll(() => Promise.all([arxiv.close(), openai.close()]));

  it('a digest fails within 10 s of Redis dying, with one line naming STORE_URL', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'store-gone-'));
    writeFileSync(
      path.join(cwd, 'c.yaml'),
      // A name and interests of this run alone: the shared PostgreSQL keeps earlier runs' digests and answers.
      `digests:\n  - name: nlp-${unique}\n    categories: [cs.CL]\n    interests: agents and reasoning ${unique}\n    maxPapers: 2\n`,
    );
    // The LLM answers slowly enough for Redis to die while the digest is being written.
    openai.requests.length = 0;
    const running = runCli(['digest', '--dry-run', '--config', 'c.yaml'], {
      cwd,
      env: {
        ...standInEnv({ arxiv, openai }),
        STORE_URL: `redis://127.0.0.1:${port}`,
      },
      clock: instantClock,
    });
    let done = false;
    void running.then(() => {
      done = true;
    });
    await waitFor(() => done || openai.requests.length > 0, 20_000);
    expect(done).toBe(false);
    if (redis) await kill(redis);
    const killedAt = Date.now();
    const run = await running;
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^arxiv-digest: cannot reach the store at redis://127\\.0\\.0\\.1:${port} \\((connection refused|connection failed \\(ECONNRESET\\)|the connection was lost|no answer within 5 s)\\): check STORE_URL or start Redis$`,
      ),
    );
  });

  it('start: /healthz turns 503 while Redis is down and 200 again when it is back, without a restart', async () => {
    const store: Store = await openStore(`redis://127.0.0.1:${port}`);
    const config = parseConfig(
      { digests: [{ name: 'nlp', categories: ['cs.CL'], interests: 'agents', channels: [] }] },
      'test',
    );
    const ctx = createContext({ config, store, log: silentLogger, env: {}, clock: instantClock });
    const app: Assembly = { ctx, services: createServices(ctx, { llm: undefined }), adapters: {} };
    const bot: Bot = await startBot(app, { port: 0, host: '127.0.0.1', signals: false, catchUp: false });
    const health = async () => (await fetch(`http://127.0.0.1:${bot.port}/healthz`)).status;
    try {
      expect(await health()).toBe(200);
      if (redis) await kill(redis);
      await waitFor(async () => (await health()) === 503, 15_000);
      redis = await startRedis(port);
      await waitFor(async () => (await health()) === 200, 15_000);
      // The store works again for the bot's own work.
      await store.set('meta', 'back', 1);
      expect(await store.get('meta', 'back')).toBe(1);
    } finally {
      await bot.stop();
      await store.close();
    }
  });
});

/**
 * A TCP relay in front of the real PostgreSQL: closing it cuts every connection at once, as a PostgreSQL that
 * went away (or a network between) does, without touching the shared server.
 */
async function startRelay(target: { host: string; port: number }): Promise<{ port: number; cut(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    async cut() {
      await new Promise((resolve) => {
        server.close(resolve);
        for (const s of sockets) s.destroy();
      });
    },
  };
}

const pgUrl = process.env.TEST_POSTGRES_URL;
if (!pgUrl) console.warn('store-faults: TEST_POSTGRES_URL is not set; the "PostgreSQL goes away" test is skipped');
(pgUrl ? describe : describe.skip)('PostgreSQL goes away mid-run', () => {
  let arxiv: ArxivServer;
  let openai: FakeOpenAi;

  beforeAll(async () => {
    [arxiv, openai] = await Promise.all([startSeedArxiv(), startOpenAiServer()]);
  });
  afterAll(() => Promise.all([arxiv.close(), openai.close()]));

  it('a digest fails within 10 s with one line naming STORE_URL, and nothing crashes the process', async () => {
    const real = new URL(pgUrl as string);
    const relay = await startRelay({ host: real.hostname, port: Number(real.port || 5432) });
    const through = new URL(real);
    through.port = String(relay.port);
    const cwd = mkdtempSync(path.join(tmpdir(), 'pg-gone-'));
    writeFileSync(
      path.join(cwd, 'c.yaml'),
      // A name and interests of this run alone: the shared PostgreSQL keeps earlier runs' digests and answers.
      `digests:\n  - name: nlp-${unique}\n    categories: [cs.CL]\n    interests: agents and reasoning ${unique}\n    maxPapers: 2\n`,
    );
    openai.requests.length = 0;
    const running = runCli(['digest', '--dry-run', '--config', 'c.yaml'], {
      cwd,
      env: {
        ...standInEnv({ arxiv, openai }),
        STORE_URL: through.toString(),
      },
      clock: instantClock,
    });
    let done = false;
    void running.then(() => {
      done = true;
    });
    await waitFor(() => done || openai.requests.length > 0, 20_000);
    expect(done).toBe(false);
    await relay.cut();
    const cutAt = Date.now();
    const run = await running;
    expect(Date.now() - cutAt).toBeLessThan(10_000);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^arxiv-digest: cannot reach the store at postgresql:\/\/[^ ]+ \([^)]+\)+: check STORE_URL or start PostgreSQL$/,
    );
    if (real.password) expect(lines[0]).not.toContain(`:${real.password}@`);
  });
});
