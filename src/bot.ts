/**
 * `arxiv-digest start`: the long-running bot. Wires the chat handler into the configured adapters, mounts their
 * routes on one HTTP server (PORT) with /healthz, starts the scheduler, catches up on a digest whose time passed
 * while the bot was down and resumes at once any run started and not finished (by a killed instance, a stopped one,
 * or an interrupted `digest`/`tally`), and shuts down gracefully on SIGTERM/SIGINT, finishing the post in flight; a
 * second signal stops at the next safe point instead, and a third exits at once.
 */
import type { ChatAdapter } from './chat/types';
import { type ChatHandlerOptions, createChatHandler } from './interactions';
import type { Assembly } from './jobs/assembly';
import { oneLine, UserInputError } from './app/errors';
import type { Work } from './scheduler/due';
import { openQueue } from './scheduler/queue';
import { fillPendingSummaries } from './jobs/model-down';
import { type Scheduler, type SchedulerOptions, type WorkOutcome, createScheduler } from './scheduler/scheduler';
import { type HttpServer, createHttpServer } from './server/http';

export interface BotOptions {
  /** Default: PORT from the environment, else 3000. 0 picks a free port (tests). */
  port?: number;
  host?: string;
  scheduler?: SchedulerOptions;
  handler?: ChatHandlerOptions;
  /** Install SIGTERM/SIGINT handlers that stop the bot, close the store and exit. Default true. */
  signals?: boolean;
  /** Run the catch-up tick at start. Default true. */
  catchUp?: boolean;
}

export interface Bot {
  readonly port: number;
  readonly scheduler: Scheduler;
  readonly http: HttpServer;
  /** The catch-up run started with the bot (resolves when it is done). */
  readonly catchUp: Promise<unknown>;
  stop(): Promise<void>;
  /** Stops at the next safe point (what a second SIGTERM does); resolves within a few seconds. */
  stopNow(graceMs?: number): Promise<void>;
}

/** How long a second SIGTERM waits for the run in flight to reach its safe point before exiting anyway. */
const HARD_STOP_GRACE_MS = 5_000;

function portFrom(env: NodeJS.ProcessEnv): number {
  const raw = env.PORT;
  if (raw === undefined || raw === '') return 3000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UserInputError(`PORT "${raw}" is not a port number (expected 0-65535, e.g. 3000)`);
  return port;
}

/** A port that cannot be listened on, named as the setting to change (exit 2); anything else as it is. */
function listenError(err: unknown, port: number): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE')
    return new UserInputError(`PORT ${port} is already in use by another process: stop it or set PORT to a free port`);
  if (code === 'EACCES')
    return new UserInputError(`PORT ${port} needs privileges this process lacks: set PORT to 1024 or above`);
  return err;
}

/** SIGTERM/SIGINT: the first stops gracefully, the second at the next safe point, a third exits at once. */
function installSignals(
  ctx: Assembly['ctx'],
  log: Assembly['ctx']['log'],
  bot: { stop(): Promise<void>; stopNow(): Promise<void> },
): void {
  let signals = 0;
  const exit = () => {
    ctx.store
      .close()
      .catch(() => {})
      .finally(() => process.exit(0));
  };
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    log.info({ signal, count: signals }, 'signal received');
    if (signals === 1) {
      bot
        .stop()
        .catch((err) => log.error({ err: oneLine(err) }, 'shutdown failed'))
        .finally(exit);
    } else if (signals === 2) {
      bot
        .stopNow()
        .catch((err) => log.error({ err: oneLine(err) }, 'shutdown failed'))
        .finally(exit);
    } else process.exit(1);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** The job queue STORE_URL names (BullMQ on Redis, pg-boss on PostgreSQL, else in-process) and the workers. */
function schedulerOptions(app: Assembly): SchedulerOptions {
  const { store, settings, config } = app.ctx;
  const shared = store.kind === 'redis' || store.kind === 'postgres';
  const queue = openQueue<Work, WorkOutcome>(shared ? settings.storeUrl : undefined, {
    name: 'scheduler',
    onFailed: (job, err) => app.ctx.log.error({ job, err: oneLine(err) }, 'scheduled job failed for good'),
  });
  return {
    queue,
    ...(config.workers ? { workers: config.workers } : {}),
    // The sweep's follow-up work: the summaries of a digest posted while the model was down, once it answers.
    followUps: [fillPendingSummaries],
  };
}

export async function startBot(app: Assembly, options: BotOptions = {}): Promise<Bot> {
  const { ctx } = app;
  const log = ctx.log.child({ component: 'bot' });

  const handler = createChatHandler(app, options.handler);
  const port = options.port ?? portFrom(ctx.env);
  const http = createHttpServer({
    port,
    ...(options.host ? { host: options.host } : {}),
    log,
    health: { store: () => ctx.store.ping() },
  });
  const adapters = Object.values(app.adapters).filter((a): a is ChatAdapter => !!a);
  const started: ChatAdapter[] = [];
  const scheduler = createScheduler(app, {
    ...(options.scheduler?.queue ? {} : schedulerOptions(app)),
    ...options.scheduler,
  });
  http.addHealthCheck('scheduler', async () => scheduler.status());
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      log.info('stopping: finishing the work in flight');
      // No new scheduled work; the run in flight (a digest being posted) completes first, while the adapters it
      // posts through are still connected (and chat events are still answered). Then the adapters finish their
      // own work in flight and disconnect, and the HTTP server closes last.
      await scheduler.stop();
      await Promise.allSettled(started.map((a) => a.stop()));
      await http.close();
      log.info('stopped');
    })();
    return stopping;
  };

  /**
   * A second stop request (a second SIGTERM, a double Ctrl-C, `docker stop`'s follow-up): the run in flight stops
   * at its next safe point, after recording the message it sent, and releases its locks so a restarted instance
   * resumes at once. Whatever still runs after `graceMs` is left (every send is behind a write-ahead mark).
   */
  const stopNow = async (graceMs = HARD_STOP_GRACE_MS) => {
    log.warn('stopping now: the run in flight stops at its next safe point and resumes on the next start');
    scheduler.stopNow();
    const timer = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([stop(), timer]);
  };

  // Before anything that may take a while (a gateway that does not answer): a container's PID 1 ignores a signal
  // it has no handler for, so `docker stop` would wait out its grace period and kill.
  if (options.signals !== false) installSignals(ctx, log, { stop, stopNow });
  try {
    for (const adapter of adapters) {
      http.addHealthCheck(adapter.platform, () => adapter.healthy());
      await adapter.init(handler);
      await adapter.start(http);
      started.push(adapter);
      log.info({ platform: adapter.platform }, 'chat adapter started');
    }
    await http.listen().catch((err: unknown) => {
      throw listenError(err, port);
    });
  } catch (err) {
    await Promise.allSettled(started.map((a) => a.stop()));
    await http.close();
    throw err;
  }
  scheduler.start();
  const catchUp =
    options.catchUp === false
      ? Promise.resolve([])
      : scheduler.tick().catch((err) => {
          log.error({ err: oneLine(err) }, 'catch-up failed');
          return [];
        });

  log.info(
    { port: http.port, adapters: adapters.map((a) => a.platform), instance: scheduler.instanceId },
    'bot started',
  );
  return { port: http.port ?? 0, scheduler, http, catchUp, stop, stopNow };
}
