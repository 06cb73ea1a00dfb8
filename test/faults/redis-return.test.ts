/**
 * Redis away and back under a running `start` (issue 21), against the real Redis of TEST_REDIS_URL behind a TCP
 * relay on loopback (closing the relay is the outage; the server itself is never touched). While it is away
 * /healthz answers 503 in under a second (it took 5 s); when it is back the failed digest run resumes within 15 s
 * (it took ~134 s: the run's back-off). Skipped with a notice without TEST_REDIS_URL.
 */
import net from 'node:net';
import { createContext } from '../../src/context';
import { silentLogger } from '../../src/app/log';
import type { Digest } from '../../src/app/types';
import { emptyUsage } from '../../src/app/types';
import { type Bot, startBot } from '../../src/bot';
import { parseConfig } from '../../src/config/load';
import type { Assembly } from '../../src/jobs/assembly';
import { createServices } from '../../src/jobs/services';
import { openStore, type Store } from '../../src/store';
import { seedDay } from '../fakes/arxiv-server';
import { stubArxiv } from '../fakes/stub-arxiv';

const redisUrl = process.env.TEST_REDIS_URL;
if (!redisUrl) console.warn('redis-return: TEST_REDIS_URL is not set; skipped');
const maybe = redisUrl ? it : it.skip;

/** A relay that can be closed (every connection cut, new ones refused) and opened again on the same port. */
async function relay(target: URL) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const open = async () => {
    server = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 6379), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => s.destroy());
        s.on('close', () => sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  };
  const close = async () => {
    const s = server;
    if (!s) return;
    server = undefined;
    await new Promise((resolve) => {
      s.close(resolve);
      for (const sock of sockets) sock.destroy();
    });
  };
  await open();
  return { port: () => port, open, close };
}

maybe(
  'a digest run that failed with Redis away resumes within 15 s of its return; /healthz answers in under 1 s',
  async () => {
    const target = new URL(redisUrl as string);
    const line = await relay(target);
    const db = target.pathname.replace(/^\//, '') || '0';
    const store: Store = await openStore(`redis://127.0.0.1:${line.port()}/${db}`);
    const name = `back${process.pid.toString(36)}${Date.now().toString(36)}`;
    const config = parseConfig(
      { digests: [{ name, categories: ['cs.CL'], interests: 'agents', channels: [], schedule: '0 0 * * *' }] },
      'test',
    );
    const ctx = createContext({ config, store, log: silentLogger, env: {} });
    const arxiv = stubArxiv([seedDay()]).client;
    const app: Assembly = { ctx, services: createServices(ctx, { llm: undefined, arxiv }), adapters: {} };
    const runs: number[] = [];
    const empty: Digest = {
      name,
      date: '2025-10-30',
      categories: ['cs.CL'],
      totalPapers: 0,
      selected: [],
      intro: '',
      tldr: '',
      usage: emptyUsage(),
      notices: [],
      empty: true,
    };
    let bot: Bot | undefined;
    try {
      bot = await startBot(app, {
        port: 0,
        host: '127.0.0.1',
        signals: false,
        scheduler: {
          run: async (a) => {
            runs.push(Date.now());
            if (runs.length === 1) {
              // Redis goes away while the digest is written.
              await line.close();
              await a.ctx.store.set('meta', `${name}:x`, 1);
            }
            return { digest: empty, posted: [] };
          },
        },
      });
      await bot.catchUp.catch(() => undefined);
      expect(runs).toHaveLength(1);
      const started = Date.now();
      const res = await fetch(`http://127.0.0.1:${bot.port}/healthz`);
      const healthMs = Date.now() - started;
      expect(res.status).toBe(503);
      expect(healthMs).toBeLessThan(1000);
      await line.open();
      const back = Date.now();
      while (runs.length < 2 && Date.now() - back < 20_000) await new Promise((r) => setTimeout(r, 100));
      expect(runs).toHaveLength(2);
      const resumedMs = (runs[1] ?? 0) - back;
      console.log(`redis-return: /healthz while down ${healthMs} ms; resumed ${resumedMs} ms after the return`);
      expect(resumedMs).toBeLessThan(15_000);
      expect((await fetch(`http://127.0.0.1:${bot.port}/healthz`)).status).toBe(200);
    } finally {
      await bot?.stop();
      await store.close();
      await line.close();
    }
  },
  60_000,
);
