/**
 * `npm run bench -- morning`: one deployment serving many teams on a real job queue. A day of real papers (from
 * ../shared/arxiv/arxiv-real.jsonl) over 40 categories, served by the local arXiv stand-in; N digests (1-3
 * categories each, overlapping as real teams' do) all due at once; 1-3 `start` instances (bench/morning-instance.ts,
 * each its own process) on Redis (a redis-server of the bench's own, port 6391) and on PostgreSQL
 * (MORNING_POSTGRES_URL, default TEST_POSTGRES_URL). Figures: arXiv requests of each kind, time to the last post,
 * peak memory per instance, duplicates and missing posts; then kill -9 of one of three instances mid-morning and
 * how long its digests waited. MORNING_SIZES (default 50,200), MORNING_INSTANCES (default 1,3), MORNING_ENGINES
 * (default redis,postgres), MORNING_WORKERS (default 4). The digest run reads arXiv as the pipeline does, then
 * waits MORNING_RUN_MS (default 1000) as a stand-in for its LLM calls and chat posts: no LLM is called (the
 * budget's sharing is tested in src/llm/reservations.test.ts).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type DayPaper, startArxivServer } from '../test/fakes/arxiv-server';

type Figures = Record<string, number | string>;
const ROOT = path.resolve(__dirname, '..');
const REAL = path.resolve(ROOT, '../shared/arxiv/arxiv-real.jsonl');
const DATE = '2025-10-31';
const NOW = Date.parse('2025-10-31T12:31:00Z'); // Friday 08:31 in New York: every digest's 08:30 is due
const REDIS_PORT = 6391;

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A day of ~1,500 real papers over the 40 most common categories. */
function buildDay(): { papers: DayPaper[]; categories: string[] } {
  const rows = readFileSync(REAL, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const counts = new Map<string, number>();
  for (const r of rows) for (const c of r.categories as string[]) counts.set(c, (counts.get(c) ?? 0) + 1);
  const categories = [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 40)
    .map(([c]) => c);
  // Round the categories, a paper of each in turn, so that every category set has a listing.
  const picked = new Map<string, (typeof rows)[number]>();
  const pools = categories.map((c) => rows.filter((r) => (r.categories as string[]).includes(c)));
  for (let round = 0; picked.size < 1500 && round < 1500; round++)
    for (const pool of pools) {
      const r = pool[round];
      if (r && picked.size < 1500) picked.set(String(r.id), r);
    }
  const papers: DayPaper[] = [...picked.values()].map((r) => ({
    id: String(r.id),
    version: 1,
    title: String(r.title),
    authors: (r.authors as string[]) ?? [],
    abstract: String(r.abstract ?? ''),
    categories: (r.categories as string[]).filter((c) => /^[a-z-]+(\.[A-Za-z-]+)?$/.test(c)),
    announceType: 'new' as const,
  }));
  return { papers, categories };
}

/** N digests over about `sets` distinct category sets of 1-3 categories (popular categories more often). */
function buildDigests(n: number, categories: string[]) {
  const rand = seeded(n);
  const setCount = Math.max(1, Math.round(n * 0.285));
  const sets: string[][] = [];
  const seen = new Set<string>();
  while (sets.length < setCount) {
    const size = 1 + Math.floor(rand() * 3);
    const pick = new Set<string>();
    while (pick.size < size) pick.add(categories[Math.floor(rand() ** 2 * categories.length)] ?? 'cs.CL');
    const set = [...pick].sort();
    if (seen.has(set.join('+'))) continue;
    seen.add(set.join('+'));
    sets.push(set);
  }
  const digests = Array.from({ length: n }, (_, i) => ({
    name: `team-${String(i + 1).padStart(4, '0')}`,
    categories: sets[i % sets.length],
    interests: 'Whatever the team reads.',
    schedule: '30 8 * * 1-5',
    timezone: 'America/New_York',
  }));
  return { digests, sets: sets.length };
}

interface Sink {
  url: string;
  posts: Array<{ instance: string; digest: string; at: number }>;
  starts: Array<{ instance: string; digest: string; at: number }>;
  peak: Map<string, number>;
  onPost?: () => void;
  close(): Promise<void>;
}

async function startSink(): Promise<Sink> {
  const sink: Omit<Sink, 'url' | 'close'> = { posts: [], starts: [], peak: new Map() };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const msg = JSON.parse(body || '{}');
      if (req.url === '/post') {
        sink.posts.push(msg);
        sink.onPost?.();
      } else if (req.url === '/start') sink.starts.push(msg);
      else if (req.url === '/mem') sink.peak.set(msg.instance, Math.max(sink.peak.get(msg.instance) ?? 0, msg.rss));
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(sink, { url, close: () => new Promise<void>((r) => server.close(() => r())) }) as Sink;
}

async function resetStore(engine: string, url: string): Promise<void> {
  if (engine === 'redis') {
    execFileSync('redis-cli', ['-p', String(REDIS_PORT), 'FLUSHALL']);
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('DROP SCHEMA IF EXISTS arxiv_digest_queue CASCADE');
  await client.query('DROP TABLE IF EXISTS arxiv_digest_turns');
  await client.query("DO $$ BEGIN IF to_regclass('keyv') IS NOT NULL THEN DELETE FROM keyv; END IF; END $$");
  await client.end();
}

interface Scenario {
  engine: string;
  storeUrl: string;
  n: number;
  instances: number;
  kill?: boolean;
}

async function morning(s: Scenario, day: ReturnType<typeof buildDay>): Promise<Figures> {
  await resetStore(s.engine, s.storeUrl);
  const arxiv = await startArxivServer();
  arxiv.setDay('*', DATE, day.papers);
  const sink = await startSink();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'morning-'));
  const { digests, sets } = buildDigests(s.n, day.categories);
  writeFileSync(path.join(dir, 'morning.json'), JSON.stringify({ digests }));
  const t0 = Date.now();
  const children: ChildProcess[] = [];
  let killedAt: number | undefined;
  const killed = 'i1';
  const done = new Promise<void>((resolve) => {
    sink.onPost = () => {
      const posted = new Set(sink.posts.map((p) => p.digest));
      if (s.kill && killedAt === undefined && posted.size >= s.n / 3) {
        killedAt = Date.now();
        children[1]?.kill('SIGKILL');
      }
      if (posted.size >= s.n) resolve();
    };
  });
  for (let i = 0; i < s.instances; i++) {
    children.push(
      spawn(process.execPath, [path.join(ROOT, 'bin/run-ts.js'), path.join(__dirname, 'morning-instance.ts')], {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: {
          ...process.env,
          STORE_URL: s.storeUrl,
          ARXIV_RSS_URL: arxiv.rssUrl,
          ARXIV_API_URL: arxiv.apiUrl,
          ARXIV_WEB_URL: arxiv.webUrl,
          MORNING_SINK: sink.url,
          MORNING_INSTANCE: `i${i}`,
          MORNING_CONFIG: path.join(dir, 'morning.json'),
          MORNING_NOW: String(NOW),
          MORNING_T0: String(t0),
          MORNING_WORKERS: process.env.MORNING_WORKERS ?? '4',
          MORNING_STALL_MS: '10000',
          MORNING_RUN_MS: process.env.MORNING_RUN_MS ?? '1000',
        },
      }),
    );
  }
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5 * 60_000).unref());
  const outcome = await Promise.race([done, timeout]);
  const last = Math.max(...sink.posts.map((p) => p.at));
  for (const c of children) c.kill('SIGKILL');
  await arxiv.close();
  await sink.close();
  const byDigest = new Map<string, number>();
  for (const p of sink.posts) byDigest.set(p.digest, (byDigest.get(p.digest) ?? 0) + 1);
  const kinds = (prefix: string) => arxiv.requests.filter((r) => r.path.startsWith(prefix)).length;
  const figures: Figures = {
    sets,
    seconds: Number(((last - t0) / 1000).toFixed(1)),
    // From the first job taken (the instances booted) to the last post.
    workSeconds: Number(((last - Math.min(...sink.starts.map((x) => x.at))) / 1000).toFixed(1)),
    apiRequests: kinds('/api'),
    feedRequests: kinds('/rss'),
    pageRequests: arxiv.requests.length - kinds('/api') - kinds('/rss'),
    duplicates: [...byDigest.values()].reduce((a, v) => a + Math.max(0, v - 1), 0),
    missing: s.n - byDigest.size,
    peakRssMb: Math.round(Math.max(...sink.peak.values(), 0) / 1e6),
    ...(outcome === 'timeout' ? { timedOut: 'yes' } : {}),
  };
  if (s.kill && killedAt !== undefined) {
    // The killed instance's digests: those it started and had not posted when it was killed.
    const before = (at: number) => at <= (killedAt ?? 0);
    const postedByIt = new Set(sink.posts.filter((p) => p.instance === killed && before(p.at)).map((p) => p.digest));
    const orphans = new Set(
      sink.starts
        .filter((x) => x.instance === killed && before(x.at) && !postedByIt.has(x.digest))
        .map((x) => x.digest),
    );
    const waits = sink.posts
      .filter((p) => orphans.has(p.digest) && p.at > (killedAt ?? 0))
      .map((p) => p.at - (killedAt ?? 0));
    figures.killedOrphans = orphans.size;
    figures.orphansWaitedMaxS = waits.length ? Number((Math.max(...waits) / 1000).toFixed(1)) : 0;
  }
  return figures;
}

export async function run(): Promise<Figures> {
  if (!existsSync(REAL)) return { skipped: 'no ../shared/arxiv/arxiv-real.jsonl' };
  const sizes = (process.env.MORNING_SIZES ?? '50,200').split(',').map(Number);
  const counts = (process.env.MORNING_INSTANCES ?? '1,3').split(',').map(Number);
  const engines = (process.env.MORNING_ENGINES ?? 'redis,postgres').split(',');
  const pgUrl = process.env.MORNING_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL;
  const day = buildDay();
  const out: Figures = { papers: day.papers.length, categories: day.categories.length };
  for (const engine of engines) {
    let storeUrl: string;
    if (engine === 'redis') {
      execFileSync('redis-server', [
        '--port',
        String(REDIS_PORT),
        '--daemonize',
        'yes',
        '--save',
        '',
        '--appendonly',
        'no',
      ]);
      storeUrl = `redis://127.0.0.1:${REDIS_PORT}/0`;
    } else if (pgUrl) storeUrl = pgUrl;
    else {
      out[engine] = 'skipped (no MORNING_POSTGRES_URL / TEST_POSTGRES_URL)';
      continue;
    }
    for (const n of sizes) {
      for (const instances of counts) {
        const f = await morning({ engine, storeUrl, n, instances }, day);
        process.stderr.write(`morning ${engine} ${n} digests, ${instances} instance(s): ${JSON.stringify(f)}\n`);
        for (const [k, v] of Object.entries(f)) out[`${engine} ${n}d ${instances}i ${k}`] = v;
      }
      if (counts.includes(3)) {
        const f = await morning({ engine, storeUrl, n, instances: 3, kill: true }, day);
        process.stderr.write(`morning ${engine} ${n} digests, 3 instances, kill -9: ${JSON.stringify(f)}\n`);
        for (const [k, v] of Object.entries(f)) out[`${engine} ${n}d 3i kill-9 ${k}`] = v;
      }
    }
    if (engine === 'redis') execFileSync('redis-cli', ['-p', String(REDIS_PORT), 'shutdown', 'nosave']);
  }
  return out;
}
