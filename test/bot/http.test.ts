/** The shared HTTP server (/healthz, raw bodies, limits) and startBot's wiring and shutdown. */
import net from 'node:net';
import { startBot } from '../../src/bot';
import { silentLogger } from '../../src/app/log';
import { createHttpServer } from '../../src/server/http';
import { SEED_OCT30, fakeRun, makeApp, testConfig } from '../fakes/bot-fixture';

async function request(port: number, method: string, path: string, body?: string) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, ...(body !== undefined ? { body } : {}) });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

describe('HTTP server', () => {
  const server = createHttpServer({ port: 0, host: '127.0.0.1', log: silentLogger, maxBodyBytes: 64 });
  let port = 0;
  let storeUp = true;
  let adapterUp = true;
  const seen: Array<{ body: string; signature?: string }> = [];
  beforeAll(async () => {
    server.addHealthCheck('store', async () => storeUp);
    server.addHealthCheck('slack', async () => adapterUp);
    server.route('POST', '/slack/events', async (req) => {
      seen.push({
        body: req.rawBody.toString('utf8'),
        ...(req.headers['x-slack-signature'] ? { signature: req.headers['x-slack-signature'] } : {}),
      });
      return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };
    });
    server.route('POST', '/boom', async () => {
      throw new Error('handler crashed');
    });
    port = await server.listen();
  });
  afterAll(() => server.close());

  test('/healthz is 200 with every check up and 503 when one is down', async () => {
    const up = await request(port, 'GET', '/healthz');
    expect(up.status).toBe(200);
    expect(JSON.parse(up.text)).toEqual({ status: 'ok', checks: { store: 'up', slack: 'up' } });
    adapterUp = false;
    const down = await request(port, 'GET', '/healthz');
    expect(down.status).toBe(503);
    expect(JSON.parse(down.text)).toEqual({ status: 'degraded', checks: { store: 'up', slack: 'down' } });
    adapterUp = true;
    storeUp = false;
    expect((await request(port, 'GET', '/healthz')).status).toBe(503);
    storeUp = true;
  });

  test('routes get the exact raw body and headers', async () => {
    const body = 'token=x&text=%3C%21channel%3E&payload=%7B%7D';
    const res = await fetch(`http://127.0.0.1:${port}/slack/events?retry=1`, {
      method: 'POST',
      body,
      headers: { 'X-Slack-Signature': 'v0=abc' },
    });
    expect(res.status).toBe(200);
    expect(seen).toEqual([{ body, signature: 'v0=abc' }]);
  });

  test('404 for unknown paths, 405 for the wrong method, 413 past the body limit, 500 on a crash', async () => {
    expect((await request(port, 'GET', '/nope')).status).toBe(404);
    const wrong = await request(port, 'GET', '/slack/events');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect((await request(port, 'POST', '/slack/events', 'x'.repeat(65))).status).toBe(413);
    expect((await request(port, 'POST', '/boom', '{}')).status).toBe(500);
  });
});

/** Writes `data` on a raw connection and collects what the server answers until it closes the connection. */
function rawExchange(port: number, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(data));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('HTTP server limits (a bot exposed on the internet for months)', () => {
  const server = createHttpServer({
    port: 0,
    host: '127.0.0.1',
    log: silentLogger,
    maxBodyBytes: 64,
    headersTimeoutMs: 200,
  });
  let port = 0;
  beforeAll(async () => {
    server.route('POST', '/slack/events', async () => ({ status: 200, body: 'ok' }));
    port = await server.listen();
  });
  afterAll(() => server.close());

  test('a client trickling its headers (slowloris) is answered 408 and cut off', async () => {
    const answer = await rawExchange(port, 'POST /slack/events HTTP/1.1\r\nHost: bot\r\nX-Slack-Signature: v0=');
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  test('an oversized body is refused without reading it: 413 and the connection is closed', async () => {
    const answer = await rawExchange(
      port,
      'POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\nContent-Length: 10485760\r\n\r\n{"a":',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.toLowerCase()).toContain('connection: close');
  });
});

describe('startBot', () => {
  test('starts the adapters on the shared server, catches up, answers /healthz, and stops after the post in flight', async () => {
    const config = testConfig([{ name: 'nlp', schedule: '30 8 * * 1-5', timezone: 'America/New_York' }]);
    const bot = await makeApp(config);
    bot.clock.set('2025-10-30T15:00:00Z'); // after 08:30 in New York: a catch-up is due
    bot.arxiv.announce('2025-10-30', SEED_OCT30);
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const running = await startBot(bot.app, {
      port: 0,
      host: '127.0.0.1',
      signals: false,
      scheduler: {
        run: async (app, digest, opts) => {
          await gate; // the post is in flight when stop() is called
          return fakeRun(app, digest, opts);
        },
      },
    });
    expect(bot.slack.started).toBe(true);
    expect(bot.slack.routes).toBe(running.http);
    expect(bot.slack.handler).toBeDefined();
    expect(bot.app.services.boost).toBeInstanceOf(Function);
    const health = await request(running.port, 'GET', '/healthz');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.text).checks).toEqual({ store: 'up', scheduler: 'up', slack: 'up', discord: 'up' });

    const stopped = running.stop();
    release();
    await stopped;
    // The digest that was in flight was posted completely before stop() resolved.
    expect(bot.slack.ofKind('digest')).toHaveLength(1);
    expect(bot.slack.ofKind('paper')).toHaveLength(5);
    expect(bot.slack.started).toBe(false);
    await expect(fetch(`http://127.0.0.1:${running.port}/healthz`)).rejects.toThrow();
  });

  test('/healthz says the scheduler is down when a run has hung for hours, not "ok"', async () => {
    const config = testConfig([{ name: 'nlp', schedule: '30 8 * * 1-5', timezone: 'America/New_York' }]);
    const bot = await makeApp(config);
    bot.clock.set('2025-10-30T15:00:00Z');
    bot.arxiv.announce('2025-10-30', SEED_OCT30);
    let release: () => void = () => {};
    const hung = new Promise<void>((r) => {
      release = r;
    });
    const running = await startBot(bot.app, {
      port: 0,
      host: '127.0.0.1',
      signals: false,
      scheduler: {
        run: async (app, digest, opts) => {
          await hung; // an HTTP call that never returns
          return fakeRun(app, digest, opts);
        },
      },
    });
    expect((await request(running.port, 'GET', '/healthz')).status).toBe(200);
    bot.clock.t += 3 * 3_600_000;
    const health = await request(running.port, 'GET', '/healthz');
    expect(health.status).toBe(503);
    expect(JSON.parse(health.text).checks.scheduler).toBe('down');
    release();
    await running.stop();
    await bot.store.close();
  });
});
