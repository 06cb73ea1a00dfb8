/**
 * The operator's metrics, in Prometheus' text format (prom-client), served by `start` at GET /metrics. One registry
 * per process; each choke point counts with one call of the small functions below (the HTTP client, the LLM
 * client's usage accounting, the post step, the HTTP server's router, the store's guard, the store's locks), so no
 * caller needs prom-client. Labels are bounded: digest names, platforms, models, prompt names, services, routes
 * (an unmatched path is `unmatched`), store kinds, lock kinds — never ids or free text. See docs/metrics.md.
 */
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

const PREFIX = 'arxiv_digest_';

export const registry = new Registry();

const digests = new Counter({
  name: `${PREFIX}digests_total`,
  help: 'Digest posts per digest and platform, by outcome (posted, failed)',
  labelNames: ['digest', 'platform', 'outcome'] as const,
  registers: [registry],
});
const messages = new Counter({
  name: `${PREFIX}messages_sent_total`,
  help: 'Chat messages sent, per platform',
  labelNames: ['platform'] as const,
  registers: [registry],
});
const llmCalls = new Counter({
  name: `${PREFIX}llm_calls_total`,
  help: 'LLM calls made (cache misses), per model and prompt',
  labelNames: ['model', 'prompt'] as const,
  registers: [registry],
});
const llmTokens = new Counter({
  name: `${PREFIX}llm_tokens_total`,
  help: 'LLM tokens, per model, prompt and kind (prompt, completion)',
  labelNames: ['model', 'prompt', 'kind'] as const,
  registers: [registry],
});
const llmCost = new Counter({
  name: `${PREFIX}llm_cost_usd_total`,
  help: 'Estimated LLM cost in USD (llm.pricing), per model and prompt',
  labelNames: ['model', 'prompt'] as const,
  registers: [registry],
});
const cacheHits = new Counter({
  name: `${PREFIX}llm_cache_hits_total`,
  help: 'LLM answers served from the store (no call, no cost), per prompt',
  labelNames: ['prompt'] as const,
  registers: [registry],
});
const upstream = new Counter({
  name: `${PREFIX}upstream_requests_total`,
  help: 'HTTP requests to outside services (arXiv API, RSS, web) per service and status (error: no answer)',
  labelNames: ['service', 'status'] as const,
  registers: [registry],
});
const upstreamWait = new Histogram({
  name: `${PREFIX}upstream_wait_seconds`,
  help: 'Time a request waited for its turn (arXiv spacing and the shared slot) before it was sent',
  labelNames: ['service'] as const,
  buckets: [0, 0.5, 1, 3, 6, 15, 30, 60, 180],
  registers: [registry],
});
const lockWait = new Histogram({
  name: `${PREFIX}lock_wait_seconds`,
  help: 'Time spent waiting for a store mutex (votes, token budget …), per lock kind',
  labelNames: ['lock'] as const,
  buckets: [0, 0.01, 0.05, 0.1, 0.5, 1, 5],
  registers: [registry],
});
const lockBusy = new Counter({
  name: `${PREFIX}lock_busy_total`,
  help: 'Store locks found held by another live owner (another instance posts that digest), per lock kind',
  labelNames: ['lock'] as const,
  registers: [registry],
});
const httpRequests = new Counter({
  name: `${PREFIX}http_requests_total`,
  help: "Requests to start's HTTP server, per route, method and status",
  labelNames: ['route', 'method', 'status'] as const,
  registers: [registry],
});
const storeErrors = new Counter({
  name: `${PREFIX}store_errors_total`,
  help: 'Store operations that failed (down, slow past the deadline, corrupt, read-only), per backend',
  labelNames: ['backend'] as const,
  registers: [registry],
});

/** A lock's kind: its name up to the first `:` (`mutex:vote:…` -> `mutex`), so labels stay few. */
function lockKind(name: string): string {
  const [kind, sub] = name.split(':');
  return kind === 'mutex' && sub ? `mutex:${sub}` : (kind ?? name);
}

export const metrics = {
  digestPosted(digest: string, platform: string): void {
    digests.inc({ digest, platform, outcome: 'posted' });
  },
  digestFailed(digest: string, platform: string): void {
    digests.inc({ digest, platform, outcome: 'failed' });
  },
  messageSent(platform: string): void {
    messages.inc({ platform });
  },
  llmCall(c: { model: string; prompt: string; promptTokens: number; completionTokens: number; costUsd: number }) {
    const labels = { model: c.model, prompt: c.prompt };
    llmCalls.inc(labels);
    llmTokens.inc({ ...labels, kind: 'prompt' }, c.promptTokens);
    llmTokens.inc({ ...labels, kind: 'completion' }, c.completionTokens);
    llmCost.inc(labels, c.costUsd);
  },
  llmCacheHit(prompt: string): void {
    cacheHits.inc({ prompt });
  },
  upstreamRequest(service: string, status: number | 'error'): void {
    upstream.inc({ service, status: String(status) });
  },
  upstreamWaited(service: string, ms: number): void {
    upstreamWait.observe({ service }, Math.max(0, ms) / 1000);
  },
  lockWaited(name: string, ms: number): void {
    lockWait.observe({ lock: lockKind(name) }, Math.max(0, ms) / 1000);
  },
  lockBusy(name: string): void {
    lockBusy.inc({ lock: lockKind(name) });
  },
  httpRequest(route: string, method: string, status: number): void {
    httpRequests.inc({ route, method, status: String(status) });
  },
  storeError(backend: string): void {
    storeErrors.inc({ backend });
  },
};

let processMetrics = false;

/** The registry in Prometheus' text format; the first scrape also turns on Node's process metrics (memory, CPU). */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
  if (!processMetrics) {
    processMetrics = true;
    collectDefaultMetrics({ register: registry, prefix: PREFIX });
  }
  return { contentType: registry.contentType, body: await registry.metrics() };
}
