/**
 * A few thousand correctly signed but malformed bodies, built from the bytes Slack and Discord really send
 * (`../shared/real-payloads/`, read at test time), thrown at `start`'s HTTP routes with the real adapters mounted.
 * Every answer is below 500, and no handler fails: a malformed body is refused with 400 and a short reason. Skipped
 * with a notice when the payloads are absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { type Bot, startBot } from '../../src/bot';
import { PLATFORM_CONFIG, createAdapters } from '../../src/cli/adapters';
import { createContext } from '../../src/context';
import { parseConfig } from '../../src/config/load';
import type { Assembly } from '../../src/jobs/assembly';
import { createServices } from '../../src/jobs/services';
import { openStore, type Store } from '../../src/store';
import { type ArxivServer, startSeedArxiv } from '../fakes/arxiv-server';
import { type FakeDiscordServer, InteractionSigner, startFakeDiscord } from '../fakes/discord-server';
import { FakeSlackServer, signSlackRequest } from '../fakes/slack-server';
import { instantClock } from '../helpers/cli';

const PAYLOADS = path.resolve(__dirname, '../../../shared/real-payloads');
const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const DISCORD_CHANNEL = '123456789012345678';
/** Bodies per seed payload and route; about 3,000 in all. */
const PER_SEED = 300;

/** A seeded PRNG (mulberry32): the same bodies every run, so a failure reproduces. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const ODD_VALUES: Json[] = [
  null,
  0,
  -1,
  1.5,
  1e300,
  true,
  false,
  '',
  ' ',
  'x'.repeat(20_000),
  '<!channel> @everyone',
  '\u202e\u0000\ud7ff',
  '123456789012345678',
  [],
  [null],
  {},
  { type: 1 },
  [[[[[[[[[[[]]]]]]]]]]],
];

/** Every path to a value inside a JSON document. */
function paths(value: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [prefix];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...paths(v, [...prefix, i]));
  } else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function setAt(doc: Json, at: Array<string | number>, value: Json | undefined): Json {
  if (at.length === 0) return value === undefined ? null : value;
  const copy = structuredClone(doc) as Record<string | number, Json>;
  let node = copy as Record<string | number, Json>;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = at[at.length - 1] as string | number;
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = value;
  return copy as Json;
}

function mutateJson(doc: Json, rand: () => number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  let out = doc;
  const rounds = 1 + Math.floor(rand() * 3);
  for (let r = 0; r < rounds; r++) {
    const at = pick(paths(out));
    const kind = rand();
    if (kind < 0.55) out = setAt(out, at, pick(ODD_VALUES));
    else if (kind < 0.75 && at.length) out = setAt(out, at, undefined);
    else if (kind < 0.85) out = setAt(out, at, [structuredClone(out)]);
    else out = setAt(out, at, String(JSON.stringify(out)).slice(0, 50));
  }
  const raw = JSON.stringify(out);
  const bytes = rand();
  if (bytes < 0.08) return raw.slice(0, Math.floor(rand() * raw.length)); // truncated
  if (bytes < 0.12) return `${raw}${raw}`; // two documents
  return raw;
}

function mutateForm(raw: string, rand: () => number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const fields = [...new URLSearchParams(raw).entries()];
  const rounds = 1 + Math.floor(rand() * 3);
  for (let r = 0; r < rounds; r++) {
    const i = Math.floor(rand() * fields.length);
    const field = fields[i];
    const kind = rand();
    if (!field) break;
    if (kind < 0.25) fields.splice(i, 1);
    else if (kind < 0.4) fields.push([field[0], 'second value']);
    else if (kind < 0.55)
      fields[i] = [field[0], pick(ODD_VALUES.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))))];
    else if (kind < 0.65) fields[i] = [field[0], '/critique'];
    else if (kind < 0.75)
      fields.push(['payload', pick(['{', 'null', '[]', '{"type":7}', '{"type":"block_actions","user":5}'])]);
    else if (kind < 0.85)
      fields[i] = ['command', pick(['', '/', 'critique', '/vote', '/critique\n2510.26707', '/x'.repeat(100)])];
    else fields[i] = [field[0], '%E0%A4%A'];
  }
  const body = fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return rand() < 0.05 ? body.slice(0, Math.floor(rand() * body.length)) : body;
}

const present = existsSync(path.join(PAYLOADS, 'slack')) && existsSync(path.join(PAYLOADS, 'discord'));
if (!present) console.warn(`SKIPPED: the fuzz test reads the real payloads in ${PAYLOADS}, which is absent`);
const maybe = present ? describe : describe.skip;

maybe('signed malformed bodies on /slack/events and /discord/interactions', () => {
  let arxiv: ArxivServer;
  let slack: FakeSlackServer;
  let discord: FakeDiscordServer;
  let store: Store;
  let bot: Bot;
  let base: string;
  const logs: Array<{ level: number; msg: string; reason?: string }> = [];
  const signer = new InteractionSigner();

  beforeAll(async () => {
    [arxiv, slack, discord] = await Promise.all([
      startSeedArxiv(),
      FakeSlackServer.start(),
      startFakeDiscord({ channels: [DISCORD_CHANNEL] }),
    ]);
    store = await openStore('memory://');
    const env: NodeJS.ProcessEnv = {
      ARXIV_RSS_URL: arxiv.rssUrl,
      ARXIV_API_URL: arxiv.apiUrl,
      ARXIV_WEB_URL: arxiv.webUrl,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      DISCORD_TOKEN: discord.token,
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_PUBLIC_KEY: signer.publicKeyHex,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_GATEWAY: 'off',
    };
    const config = parseConfig(
      {
        digests: [
          {
            name: 'nlp',
            categories: ['cs.CL'],
            interests: 'Reinforcement learning and preference optimization for LLMs; alignment; reasoning; agents.',
            channels: [{ slack: 'C0123456789' }, { discord: DISCORD_CHANNEL }],
          },
        ],
      },
      'test',
      PLATFORM_CONFIG,
    );
    const log = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });
    const ctx = createContext({ config, store, log, env, clock: instantClock });
    const app: Assembly = { ctx, services: createServices(ctx), adapters: createAdapters(ctx) };
    bot = await startBot(app, { port: 0, host: '127.0.0.1', signals: false, catchUp: false });
    base = `http://127.0.0.1:${bot.port}`;
  });

  afterAll(async () => {
    await bot?.stop();
    await store?.close();
    await Promise.all([arxiv.close(), slack.close(), discord.close()]);
  });

  function slackSeeds(): Array<{ raw: string; form: boolean }> {
    const dir = path.join(PAYLOADS, 'slack');
    const json = ['url-verification-docs.json', 'reaction-added-docs.json'];
    const forms = [
      'signing-example-body.txt',
      'slash-docs-weather.txt',
      'slash-java-sdk-org-level.txt',
      'slash-java-sdk-real-body2.txt',
    ];
    return [
      ...json
        .filter((f) => existsSync(path.join(dir, f)))
        .map((f) => ({ raw: readFileSync(path.join(dir, f), 'utf8'), form: false })),
      ...forms
        .filter((f) => existsSync(path.join(dir, f)))
        .map((f) => ({ raw: readFileSync(path.join(dir, f), 'utf8').trim(), form: true })),
    ];
  }

  function discordSeeds(): string[] {
    const dir = path.join(PAYLOADS, 'discord');
    return [
      'ping-discord-interactions-js.json',
      'command-discord-interactions-js.json',
      'slash-command-example-docs.json',
    ]
      .filter((f) => existsSync(path.join(dir, f)))
      .map((f) => readFileSync(path.join(dir, f), 'utf8'));
  }

  async function inParallel<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: n }, async () => {
        while (next < items.length) await fn(items[next++] as T);
      }),
    );
  }

  test('a few thousand signed malformed bodies: never a 5xx, never a handler failure', async () => {
    const rand = prng(16);
    const requests: Array<{ route: 'slack' | 'discord'; body: string; form?: boolean }> = [];
    for (const seed of slackSeeds()) {
      for (let i = 0; i < PER_SEED; i++) {
        const body = seed.form ? mutateForm(seed.raw, rand) : mutateJson(JSON.parse(seed.raw) as Json, rand);
        requests.push({ route: 'slack', body, form: seed.form });
      }
    }
    for (const seed of discordSeeds()) {
      for (let i = 0; i < PER_SEED; i++)
        requests.push({ route: 'discord', body: mutateJson(JSON.parse(seed) as Json, rand) });
    }
    // The bodies named in the issue, whatever the seeds give.
    requests.push({ route: 'slack', body: 'null' }, { route: 'discord', body: 'null' });
    requests.push({
      route: 'discord',
      body: JSON.stringify({
        type: 2,
        id: '1',
        application_id: discord.applicationId,
        token: 't',
        channel_id: DISCORD_CHANNEL,
        member: { user: { id: '5' } },
        data: { name: 'critique', options: 'paper:2510.26707' },
      }),
    });
    expect(requests.length).toBeGreaterThan(2500);

    const statuses = new Map<number, number>();
    const fives: string[] = [];
    await inParallel(requests, 8, async (r) => {
      const headers: Record<string, string> =
        r.route === 'slack'
          ? {
              'content-type': r.form ? 'application/x-www-form-urlencoded' : 'application/json',
              ...signSlackRequest(SIGNING_SECRET, r.body, Math.floor(Date.now() / 1000)),
            }
          : { 'content-type': 'application/json', ...signer.sign(r.body) };
      const res = await fetch(`${base}/${r.route === 'slack' ? 'slack/events' : 'discord/interactions'}`, {
        method: 'POST',
        headers,
        body: r.body,
      });
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500) fives.push(`${res.status} ${r.route} ${r.body.slice(0, 200)} → ${text.slice(0, 200)}`);
      if (res.status === 400) expect(text).toMatch(/"error":"[^"]{3,}/); // a short reason
    });
    const counts = Object.fromEntries([...statuses].sort(([a], [b]) => a - b));
    console.log(`fuzz: ${requests.length} signed malformed bodies; answers by status ${JSON.stringify(counts)}`);
    expect(fives).toEqual([]);
    expect(statuses.get(400)).toBeGreaterThan(requests.length / 4);
    // No handler failed (an exception is logged at error level), and each refusal was logged once.
    const failures = logs.filter((l) => l.level >= 50);
    expect(failures.map((l) => l.msg)).toEqual([]);
    const refusals = logs.filter((l) => /refused/.test(l.msg) && /malformed|not JSON|neither|not handled/.test(l.msg));
    expect(refusals.length).toBe(statuses.get(400));
  });

  test('the bodies of the issue: a JSON null, options that are not an array, a reaction without its message', async () => {
    const post = async (route: string, body: string, form = false) => {
      const headers: Record<string, string> =
        route === 'slack'
          ? {
              'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
              ...signSlackRequest(SIGNING_SECRET, body, Math.floor(Date.now() / 1000)),
            }
          : { 'content-type': 'application/json', ...signer.sign(body) };
      const res = await fetch(`${base}/${route === 'slack' ? 'slack/events' : 'discord/interactions'}`, {
        method: 'POST',
        headers,
        body,
      });
      return { status: res.status, body: await res.text() };
    };
    expect(await post('slack', 'null')).toEqual({
      status: 400,
      body: expect.stringMatching(/^\{"error":"malformed request: body: /),
    });
    expect(await post('discord', 'null')).toEqual({
      status: 400,
      body: expect.stringMatching(/^\{"error":"malformed interaction: body: /),
    });
    const options = await post(
      'discord',
      JSON.stringify({ type: 2, token: 't', data: { name: 'critique', options: 'paper:2510.26707' } }),
    );
    expect(options).toEqual({ status: 400, body: expect.stringContaining('malformed interaction: data.options: ') });
    const reaction = await post(
      'slack',
      JSON.stringify({
        type: 'event_callback',
        event: { type: 'reaction_added', user: 'U1', reaction: '+1', item: { type: 'message' } },
      }),
    );
    expect(reaction).toEqual({
      status: 400,
      body: '{"error":"malformed request: event.item: a message item needs channel and ts"}',
    });
    const twice = await post('slack', 'command=%2Fcritique&command=%2Fvote&user_id=U1&channel_id=C1', true);
    expect(twice.status).toBe(400);
    expect(twice.body).toContain('command: ');
  });
});
