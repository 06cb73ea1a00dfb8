/**
 * The shared HTTP server of `start` (PORT): adapters mount their routes on it (Slack's /slack/events, Discord's
 * /discord/interactions) and receive the raw body, since both platforms sign the exact bytes. It also answers
 * GET /healthz with the store's and each adapter's health.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpRoutes, RawRequest, RawResponse } from '../chat/types';
import { BodyTooLargeError } from '../app/errors';
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
   * How long a client may take to send its headers, and its whole request. Slack and Discord send theirs at once;
   * a client trickling bytes (slowloris) is cut off instead of holding a connection. Default 10 s and 30 s.
   */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Connections open at once; more are refused. Default 256. */
  maxConnections?: number;
}

export interface HttpServer extends HttpRoutes {
  addHealthCheck(name: string, check: HealthCheck): void;
  /** Starts listening; resolves with the bound port. */
  listen(): Promise<number>;
  /** Stops accepting connections and waits for the requests in flight. */
  close(): Promise<void>;
  readonly port: number | undefined;
}

type Handler = (req: RawRequest) => Promise<RawResponse>;

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLargeError(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError(limit));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
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

export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { log } = options;
  const limit = options.maxBodyBytes ?? 1024 * 1024;
  const healthTimeout = options.healthTimeoutMs ?? 5000;
  const routes = new Map<string, Handler>();
  const checks = new Map<string, HealthCheck>(Object.entries(options.health ?? {}));

  async function health(): Promise<RawResponse> {
    const names = [...checks.keys()];
    const results = await Promise.all(names.map((n) => withTimeout(checks.get(n) as HealthCheck, healthTimeout)));
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
  }
  routes.set('GET /healthz', health);
  routes.set('GET /metrics', async () => {
    const { contentType, body } = await metricsText();
    return { status: 200, headers: { 'content-type': contentType }, body };
  });

  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  const headersTimeout = Math.min(options.headersTimeoutMs ?? 10_000, requestTimeout);
  // Node checks both timeouts on this period (30 s by default, which would let a trickling client stay that long).
  const checkEvery = Math.max(50, Math.min(5000, Math.floor(headersTimeout / 2)));
  const server = http.createServer({ connectionsCheckingInterval: checkEvery }, (req, res) => {
    const send = (r: RawResponse) => {
      if (res.headersSent) return;
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
    readBody(req, limit)
      .then((rawBody) => handler({ method, path, headers: headersOf(req), rawBody }))
      .then(send)
      .catch((err: unknown) => {
        if (err instanceof BodyTooLargeError) {
          // Close the connection: otherwise Node reads (and discards) the rest of an oversized body to keep it alive.
          send({ status: 413, headers: { connection: 'close' }, body: `request body larger than ${limit} bytes` });
          return;
        }
        log.error({ path, err: err instanceof Error ? err.message : String(err) }, 'HTTP handler failed');
        send({ status: 500, body: 'internal error' });
      });
  });
  server.requestTimeout = requestTimeout;
  server.headersTimeout = headersTimeout;
  server.maxConnections = options.maxConnections ?? 256;

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
