/**
 * `arxiv-digest start`: the long-running bot. Wires the chat handler into the configured adapters, mounts their
 * routes on one HTTP server (PORT) with /healthz, starts the scheduler, catches up on a digest whose time passed
 * while the bot was down, and shuts down gracefully on SIGTERM/SIGINT, finishing the post in flight.
 */
import type { ChatAdapter } from './chat/types';
import { type ChatHandlerOptions, createChatHandler } from './jobs/events';
import type { App } from './jobs/app';
import { oneLine, UserInputError } from './app/errors';
import { type Scheduler, type SchedulerOptions, createScheduler } from './scheduler/scheduler';
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
}

function portFrom(env: NodeJS.ProcessEnv): number {
  const raw = env.PORT;
  if (raw === undefined || raw === '') return 3000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UserInputError(`PORT "${raw}" is not a port number (expected 0-65535, e.g. 3000)`);
  return port;
}

export async function startBot(app: App, options: BotOptions = {}): Promise<Bot> {
  const { ctx } = app;
  const log = ctx.log.child({ component: 'bot' });

  const handler = createChatHandler(app, options.handler);
  const http = createHttpServer({
    port: options.port ?? portFrom(ctx.env),
    ...(options.host ? { host: options.host } : {}),
    log,
    health: { store: () => ctx.store.ping() },
  });
  const adapters = Object.values(app.adapters).filter((a): a is ChatAdapter => !!a);
  const started: ChatAdapter[] = [];
  const scheduler = createScheduler(app, options.scheduler);
  http.addHealthCheck('scheduler', async () => scheduler.healthy());
  try {
    for (const adapter of adapters) {
      http.addHealthCheck(adapter.platform, () => adapter.healthy());
      await adapter.init(handler);
      await adapter.start(http);
      started.push(adapter);
      log.info({ platform: adapter.platform }, 'chat adapter started');
    }
    await http.listen();
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

  if (options.signals !== false) {
    const onSignal = (signal: NodeJS.Signals) => {
      log.info({ signal }, 'signal received');
      stop()
        .then(() => ctx.store.close())
        .catch((err) => log.error({ err: oneLine(err) }, 'shutdown failed'))
        .finally(() => process.exit(0));
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }

  log.info(
    { port: http.port, adapters: adapters.map((a) => a.platform), instance: scheduler.instanceId },
    'bot started',
  );
  return { port: http.port ?? 0, scheduler, http, catchUp, stop };
}
