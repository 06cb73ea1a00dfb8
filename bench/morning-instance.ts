/**
 * One `start` instance of the morning bench (bench/morning.bench.ts), as its own process: the real scheduler, job
 * queue (by STORE_URL), store, arXiv client and shared limiter; the digest run reads the day through the arXiv
 * client as the pipeline does (listing, then metadata) and "posts" to the bench's sink, once per digest and day
 * under the digest's lease (the exactly-once records of the real posting are measured elsewhere). Reports its
 * starts, posts and memory to the sink.
 */
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { type AppContext, createContext } from '../src/context';
import { parseConfig } from '../src/config/load';
import { createServices } from '../src/jobs/services';
import type { Assembly } from '../src/jobs/assembly';
import type { RunResult } from '../src/jobs/run';
import type { Work } from '../src/scheduler/due';
import { openQueue } from '../src/scheduler/queue';
import { type RunFn, type WorkOutcome, createScheduler } from '../src/scheduler/scheduler';
import { openStore } from '../src/store';

const env = process.env;
const sink = env.MORNING_SINK ?? '';
const label = env.MORNING_INSTANCE ?? 'i';
const offset = Number(env.MORNING_NOW) - Number(env.MORNING_T0);

function tell(kind: string, body: Record<string, unknown>): void {
  void fetch(`${sink}/${kind}`, {
    method: 'POST',
    body: JSON.stringify({ instance: label, at: Date.now(), ...body }),
  }).catch(() => {});
}

const run: RunFn = async (app, digest) => {
  tell('start', { digest: digest.name });
  const opened = await app.services.arxiv.openDay(digest.categories, {
    includeReplacements: digest.includeReplacements,
  });
  const listing = await opened.complete();
  const date = listing.date ?? '';
  // A stand-in for the rest of a run (LLM calls, chat posts): waiting, as a run mostly does.
  await new Promise((r) => setTimeout(r, Number(env.MORNING_RUN_MS ?? 0)));
  // Posted once, as the real posting does (src/jobs/post.ts): a write-ahead mark before the message, so a run taken
  // again after a kill between the message and the scheduler's record does not send it twice.
  const mark = `bench:${digest.name}:${date}`;
  if (!(await app.ctx.store.get('posts', mark))) {
    await app.ctx.store.set('posts', mark, true);
    tell('post', { digest: digest.name, date, papers: listing.papers.length });
  }
  return { digest: { name: digest.name, date, empty: false, papers: [] }, posted: [] } as unknown as RunResult;
};

async function main(): Promise<void> {
  const store = await openStore(env.STORE_URL);
  const config = parseConfig(JSON.parse(readFileSync(env.MORNING_CONFIG ?? '', 'utf8')), 'morning.json');
  const clock = {
    now: () => Date.now() + offset,
    sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
  };
  const ctx: AppContext = createContext({
    config,
    store,
    log: pino({ level: env.MORNING_LOG ?? 'silent' }, pino.destination(2)),
    env,
    clock,
  });
  const app: Assembly = { ctx, services: createServices(ctx, { llm: undefined, embedder: undefined }), adapters: {} };
  const queue = openQueue<Work, WorkOutcome>(env.STORE_URL, {
    name: 'morning',
    stallMs: Number(env.MORNING_STALL_MS ?? 15_000),
  });
  const scheduler = createScheduler(app, { run, queue, workers: Number(env.MORNING_WORKERS ?? 4), instanceId: label });
  let peak = 0;
  setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
    tell('mem', { rss: peak });
  }, 500).unref();
  scheduler.start();
  await scheduler.tick();
  // Stay a worker for the others' jobs until the bench ends this process.
  setInterval(() => {}, 60_000);
}

void main().catch((err) => {
  process.stderr.write(`morning instance ${label}: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
