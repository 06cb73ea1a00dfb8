/**
 * Floods on `start`'s HTTP endpoint, with real sockets on loopback: connections that send their headers and never
 * a body are cut at the body deadline and never keep /healthz from answering; a burst of 500 signed slash commands,
 * each on its own connection, is acknowledged whole (Slack resends what is not answered within 3 s). The deadlines
 * are the server's options, short here so that nothing waits seconds.
 */
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/app/log';
import { createContext } from '../../src/context';
import { parseConfig } from '../../src/config/load';
import { DEFAULT_CONFIG_INPUT } from '../../src/config/schema';
import { type HttpServer, createHttpServer } from '../../src/server/http';
import { type Store, openStore } from '../../src/store';
import type { CommandEvent } from '../../src/chat/types';
import type { SlackAdapter } from '../../adapters/slack/adapter';
import { FakeSlackServer, signSlackRequest, slashCommandBody } from '../fakes/slack-server';
import { SIGNING_SECRET, slackAdapter } from '../fakes/slack-support';

jest.setTimeout(60_000);

/** Opens a connection and sends a request's headers announcing a body that never comes. */
function headersOnly(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(
        'POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n',
      );
      resolve(socket);
    });
    socket.on('error', reject);
  });
}

/** One request on a connection of its own (no pooling: a burst is as many connections). */
function request(
  port: number,
  opts: { method: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: opts.method, path: opts.path, headers: opts.headers ?? {}, agent: false },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('a flood of connections that never send their body', () => {
  let server: HttpServer;
  let port: number;
  beforeAll(async () => {
    server = createHttpServer({
      port: 0,
      host: '127.0.0.1',
      log: silentLogger,
      headersTimeoutMs: 300,
      bodyTimeoutMs: 300,
      requestTimeoutMs: 600,
      health: { store: async () => true },
    });
    server.route('POST', '/slack/events', async () => ({ status: 200, body: '' }));
    port = await server.listen();
  });
  afterAll(() => server.close());

  test('260 of them do not keep /healthz from answering, and each is cut at the body deadline', async () => {
    const sockets = await Promise.all(Array.from({ length: 260 }, () => headersOnly(port)));
    const answers = sockets.map(
      (s) =>
        new Promise<string>((resolve) => {
          let got = '';
          s.on('data', (c) => (got += c.toString('latin1')));
          s.on('close', () => resolve(got));
        }),
    );
    // All 260 are open and waiting: /healthz still answers at once.
    expect(sockets.every((s) => !s.destroyed)).toBe(true);
    const health = await request(port, { method: 'GET', path: '/healthz' });
    expect(health.status).toBe(200);
    // Each is answered 408 and closed by the server (nothing here closes them).
    const closed = await Promise.all(answers);
    expect(closed.every((a) => /^HTTP\/1\.1 408 /.test(a))).toBe(true);
  });
  test('connections that send nothing at all are cut at the header deadline; /healthz answers meanwhile', async () => {
    const sockets = await Promise.all(
      Array.from(
        { length: 260 },
        () =>
          new Promise<net.Socket>((resolve, reject) => {
            const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
            socket.on('error', reject);
            socket.resume(); // reading: a paused socket would not see the server close it
          }),
      ),
    );
    const closed = Promise.all(sockets.map((s) => new Promise((resolve) => s.on('close', resolve))));
    expect((await request(port, { method: 'GET', path: '/healthz' })).status).toBe(200);
    await closed; // by the server: nothing here closes them
  });
});

describe('a burst of 500 signed slash commands', () => {
  let fake: FakeSlackServer;
  let store: Store;
  let server: HttpServer;
  let adapter: SlackAdapter;
  let port: number;
  const commands: CommandEvent[] = [];
  beforeAll(async () => {
    fake = await FakeSlackServer.start();
    // The default store (SQLite): every command's trigger_id is recorded there against replays.
    store = await openStore(`sqlite://${path.join(mkdtempSync(path.join(tmpdir(), 'flood-')), 'bot.sqlite')}`);
    const ctx = createContext({
      config: parseConfig(DEFAULT_CONFIG_INPUT, 'test'),
      store,
      log: silentLogger,
      env: { SLACK_BOT_TOKEN: fake.botToken, SLACK_API_URL: fake.apiUrl, SLACK_SIGNING_SECRET: SIGNING_SECRET },
    });
    server = createHttpServer({ port: 0, host: '127.0.0.1', log: silentLogger });
    adapter = slackAdapter(ctx);
    await adapter.init({
      processEvent: async (event) => {
        if (event.type === 'command') commands.push(event);
      },
    });
    await adapter.start(server);
    port = await server.listen();
  });
  afterAll(async () => {
    await adapter.stop();
    await server.close();
    await store.close();
    await fake.close();
  });

  test('every one is acknowledged 200, each on its own connection, and each reaches the core once', async () => {
    const ts = Math.floor(Date.now() / 1000);
    const bodies = Array.from({ length: 500 }, (_, i) =>
      slashCommandBody({ command: '/vote', text: '2510.26143', user_id: `U0MEMBER${String(i).padStart(3, '0')}` }),
    );
    const answers = await Promise.all(
      bodies.map((body) =>
        request(port, {
          method: 'POST',
          path: '/slack/events',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            ...signSlackRequest(SIGNING_SECRET, body, ts),
          },
          body,
        }),
      ),
    );
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(new Set(commands.map((c) => c.userId)).size).toBe(500);
  });
});
