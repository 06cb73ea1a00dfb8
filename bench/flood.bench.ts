/**
 * `npm run bench -- flood`: `start`'s HTTP endpoint under a burst of signed Slack slash commands, each on its own
 * connection (as a busy workspace's members typing at once), through the real Slack adapter and the default store
 * (SQLite, where every command's trigger_id is recorded against replays). Slack resends a command that is not
 * acknowledged within 3 s: the figure to watch is the slowest acknowledgement. FLOOD_N sets the burst (500).
 */
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createContext } from '../src/context';
import { silentLogger } from '../src/app/log';
import { parseConfig } from '../src/config/load';
import { DEFAULT_CONFIG_INPUT } from '../src/config/schema';
import { createHttpServer } from '../src/server/http';
import { openStore } from '../src/store';
import { FakeSlackServer, signSlackRequest, slashCommandBody } from '../test/fakes/slack-server';
import { SIGNING_SECRET, slackAdapter } from '../test/fakes/slack-support';

function post(port: number, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/slack/events', headers, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function run(): Promise<Record<string, number | string>> {
  const n = Number(process.env.FLOOD_N ?? 500);
  const fake = await FakeSlackServer.start();
  const store = await openStore(`sqlite://${path.join(mkdtempSync(path.join(tmpdir(), 'flood-')), 'bot.sqlite')}`);
  const ctx = createContext({
    config: parseConfig(DEFAULT_CONFIG_INPUT, 'bench'),
    store,
    log: silentLogger,
    env: { SLACK_BOT_TOKEN: fake.botToken, SLACK_API_URL: fake.apiUrl, SLACK_SIGNING_SECRET: SIGNING_SECRET },
  });
  const server = createHttpServer({ port: 0, host: '127.0.0.1', log: silentLogger });
  const adapter = slackAdapter(ctx);
  let handled = 0;
  await adapter.init({
    processEvent: async () => {
      handled += 1;
    },
  });
  await adapter.start(server);
  const port = await server.listen();
  try {
    const ts = Math.floor(Date.now() / 1000);
    const requests = Array.from({ length: n }, (_, i) => {
      const body = slashCommandBody({
        command: '/vote',
        text: '2510.26143',
        user_id: `U0M${String(i).padStart(6, '0')}`,
      });
      return {
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(SIGNING_SECRET, body, ts) },
      };
    });
    const t0 = performance.now();
    const times: number[] = [];
    const statuses = await Promise.all(
      requests.map(async (r) => {
        const status = await post(port, r.body, r.headers);
        times.push(performance.now() - t0);
        return status;
      }),
    );
    times.sort((a, b) => a - b);
    return {
      commands: n,
      acknowledged200: statuses.filter((s) => s === 200).length,
      handled,
      medianAckMs: Math.round(times[Math.floor(n / 2)] ?? 0),
      slowestAckMs: Math.round(times[n - 1] ?? 0),
    };
  } finally {
    await adapter.stop();
    await server.close();
    await store.close();
    await fake.close();
  }
}
