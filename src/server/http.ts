/**
 * The shared HTTP server of `start` (PORT): adapters mount their routes on it (Slack's /slack/events, Discord's
 * /discord/interactions) and receive the raw body, since both platforms sign the exact bytes. It also answers
 * GET /healthz with the store's and each adapter's health.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpRoutes, RawRequest, RawResponse } from '../chat/types';
import { BodyTimeoutError, BodyTooLargeError } from '../app/errors';
import type { Logger } from '../app/log';
import { metrics, metricsText } from '../app/metrics';

/** Up or down; a check may say why (a run stuck past its expected time), shown under `details` in /healthz. */
export type HealthCheck = () => Promise<boolean | { ok: boolean; detail?: string }>;

export interface HttpServerOptions {
  port: number;
  /** Default 0.0.0.0 (a container's port); tests use 127.0.0.1. */
  host?: string;
  log: Logger;
  /** Largest request body accepted (Slack and Discord payloads are far smaller). Default 1 MiB. */
  maxBodyBytes?: number;
  /** Named checks for /healthz, e.g. { store: () => store.ping(), slack: () => adapter.healthy() }. */
  health?: Record<string, HealthCheck>;
  /** How long one health check may take before it counts as down. Default 5 s. */
  healthTimeoutMs?: number;
  /**
   * Deadlines (see DEFAULT_LIMITS): the headers, then the body once the headers are in, then the whole request; an
   * idle kept-alive connection. Slack and Discord send a request at once; a client trickling bytes (slowloris) or
   * opening connections and sending nothing more is cut off in seconds instead of holding a connection.
   */
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  requestTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  /** Connections open at once; more are refused (reset). */
  maxConnections?: number;
}

/**
 * The defaults: a burst of 500 signed commands (Slack answers in 3 s or retries) fits the connection cap many
 * times over, and an idle or slow client is cut within seconds, so a flood of connections that never finish
 * their request cannot fill the cap for long.
 */
export const DEFAULT_LIMITS = {
  headersTimeoutMs: 5_000,
  bodyTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 4_096,
  maxBodyBytes: 1024 * 1024,
} as const;

export interface HttpServer extends HttpRoutes {
  addHealthCheck(name: string, check: HealthCheck): void;
  /** Starts listening; resolves with the bound port. */
  listen(): Promise<number>;
  /** Stops accepting connections and waits for the requests in flight. */
  close(): Promise<void>;
  readonly port: number | undefined;
}

type Handler = (req: RawRequest) => Promise<RawResponse>;

/**
 * The request's body, up to `limit` bytes, within `deadlineMs` of the headers: a client that stops sending (or
 * never starts) is refused with BodyTimeoutError and its connection closed.
 */
function readBody(req: http.IncomingMessage, limit: number, deadlineMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLargeError(limit));
      return;
    }
    const timer = setTimeout(() => reject(new BodyTimeoutError(deadlineMs)), deadlineMs);
    timer.unref();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        clearTimeout(timer);
        reject(new BodyTooLargeError(limit));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

function headersOf(req: http.IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function withTimeout(check: HealthCheck, ms: number): Promise<{ ok: boolean; detail?: string }> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${ms} ms` }), ms);
    timer.unref();
    check().then(
      (result) => {
        clearTimeout(timer);
        resolve(
          typeof result === 'object' && result !== null
            ? { ...result, ok: result.ok === true }
            : { ok: result === true },
        );
      },
      () => {
        clearTimeout(timer);
        resolve({ ok: false });
      },
    );
  });
}

/** Answers /healthz: 200 when every check is up, else 503 naming the checks down (and why, where one says). */
function healthRoute(checks: Map<string, HealthCheck>, timeoutMs: number): Handler {
  return async () => {
    const names = [...checks.keys()];
    const results = await Promise.all(names.map((n) => withTimeout(checks.get(n) as HealthCheck, timeoutMs)));
    const status = Object.fromEntries(names.map((n, i) => [n, results[i]?.ok ? 'up' : 'down']));
    const details = Object.fromEntries(
      names.flatMap((n, i) => (results[i]?.detail ? [[n, results[i]?.detail as string]] : [])),
    );
    const ok = results.every((r) => r.ok);
    return {
      status: ok ? 200 : 503,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        status: ok ? 'ok' : 'degraded',
        checks: status,
        ...(Object.keys(details).length ? { details } : {}),
      }),
    };
  };
}

/** One request: its route (404/405 when none), its body within the limits, the handler's answer or an error's. */
function serveRequest(
  routes: Map<string, Handler>,
  limits: { maxBodyBytes: number; bodyTimeoutMs: number; log: Logger },
): http.RequestListener {
  return (req, res) => {
    const send = (r: RawResponse) => {
      if (res.headersSent || res.destroyed) return;
      res.writeHead(r.status, { 'cache-control': 'no-store', ...(r.headers ?? {}) });
      res.end(r.body ?? '');
    };
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    const handler = routes.get(`${method} ${path}`);
    res.once('finish', () => metrics.httpRequest(handler ? path : 'unmatched', method, res.statusCode));
    if (!handler) {
      const allowed = ['GET', 'POST'].filter((m) => routes.has(`${m} ${path}`));
      req.resume();
      send(
        allowed.length
          ? { status: 405, headers: { allow: allowed.join(', ') }, body: 'method not allowed' }
          : { status: 404, body: 'not found' },
      );
      return;
    }
    readBody(req, limits.maxBodyBytes, limits.bodyTimeoutMs)
      .then((rawBody) => handler({ method, path, headers: headersOf(req), rawBody }))
      .then(send)
      .catch((err: unknown) => {
        // Close the connection: otherwise Node reads (and discards) the rest of an oversized body to keep it alive,
        // or keeps waiting for a body that does not come.
        if (err instanceof BodyTooLargeError)
          send({
            status: 413,
            headers: { connection: 'close' },
            body: `request body larger than ${limits.maxBodyBytes} bytes`,
          });
        else if (err instanceof BodyTimeoutError) {
          send({ status: 408, headers: { connection: 'close' }, body: 'request body not received in time' });
          req.destroy();
        } else {
          limits.log.error({ path, err: err instanceof Error ? err.message : String(err) }, 'HTTP handler failed');
          send({ status: 500, body: 'internal error' });
        }
      });
  };
}

/** The Node server with its deadlines and connection cap (options over DEFAULT_LIMITS). */
function nodeServer(options: HttpServerOptions, listener: http.RequestListener): http.Server {
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_LIMITS.requestTimeoutMs;
  const headersTimeout = Math.min(options.headersTimeoutMs ?? DEFAULT_LIMITS.headersTimeoutMs, requestTimeout);
  // Node checks both timeouts on this period (30 s by default, which would let a trickling client stay that long):
  // a deadline takes effect up to one period late.
  const checkEvery = Math.max(50, Math.min(1000, Math.floor(headersTimeout / 2)));
  const server = http.createServer({ connectionsCheckingInterval: checkEvery }, listener);
  server.requestTimeout = requestTimeout;
  server.headersTimeout = headersTimeout;
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? DEFAULT_LIMITS.keepAliveTimeoutMs;
  // (A connection that sends nothing at all is cut by Node at the header deadline too.)
  server.maxConnections = options.maxConnections ?? DEFAULT_LIMITS.maxConnections;
  return server;
}

export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { log } = options;
  const routes = new Map<string, Handler>();
  const checks = new Map<string, HealthCheck>(Object.entries(options.health ?? {}));
  routes.set('GET /healthz', healthRoute(checks, options.healthTimeoutMs ?? 5000));
  routes.set('GET /metrics', async () => {
    const { contentType, body } = await metricsText();
    return { status: 200, headers: { 'content-type': contentType }, body };
  });
  const server = nodeServer(
    options,
    serveRequest(routes, {
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_LIMITS.maxBodyBytes,
      bodyTimeoutMs: options.bodyTimeoutMs ?? DEFAULT_LIMITS.bodyTimeoutMs,
      log,
    }),
  );

  let port: number | undefined;
  return {
    route(method, path, handler) {
      routes.set(`${method} ${path}`, handler);
    },
    addHealthCheck(name, check) {
      checks.set(name, check);
    },
    get port() {
      return port;
    },
    listen() {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host ?? '0.0.0.0', () => {
          server.off('error', reject);
          port = (server.address() as AddressInfo).port;
          log.info({ port }, 'HTTP server listening');
          resolve(port);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}
