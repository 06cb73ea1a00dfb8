import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpError } from '../app/errors';
import { HttpClient } from './client';

/** A stateful server: each path answers from its script of replies, then 200. */
function scriptedServer(
  script: Record<string, Array<{ status: number; headers?: Record<string, string>; body?: string }>>,
) {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const next = script[req.url ?? '']?.shift();
    res.writeHead(next?.status ?? 200, next?.headers ?? { 'content-type': 'text/plain' });
    res.end(next?.body ?? 'ok');
  });
  return new Promise<{ url: string; hits: string[]; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, hits, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

function fakeClock() {
  let t = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    /** The jitter at its top: each backoff is then exactly backoffMs · 2^attempt. */
    random: () => 1,
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

describe('HttpClient', () => {
  it('retries a 503 with backoff, then succeeds', async () => {
    const srv = await scriptedServer({ '/a': [{ status: 503 }, { status: 503 }] });
    const clock = fakeClock();
    const client = new HttpClient({ service: 'arXiv API', backoffMs: 100, ...clock });
    const res = await client.request(`${srv.url}/a`);
    expect(res.text).toBe('ok');
    expect(srv.hits).toEqual(['/a', '/a', '/a']);
    expect(clock.sleeps).toEqual([100, 200]);
    await srv.close();
  });

  it('honours Retry-After on 429', async () => {
    const srv = await scriptedServer({ '/b': [{ status: 429, headers: { 'retry-after': '7' } }] });
    const clock = fakeClock();
    const client = new HttpClient({ service: 'arXiv API', ...clock });
    await client.request(`${srv.url}/b`);
    expect(clock.sleeps).toEqual([7000]);
    await srv.close();
  });

  it('waits out a Retry-After longer than the backoff cap in full, and gives up at once past 10 minutes', async () => {
    const srv = await scriptedServer({
      '/long': [{ status: 503, headers: { 'retry-after': '120' } }],
      '/huge': [{ status: 429, headers: { 'retry-after': '3600' } }],
    });
    const clock = fakeClock();
    const client = new HttpClient({ service: 'arXiv API', maxBackoffMs: 60_000, ...clock });
    await client.request(`${srv.url}/long`);
    expect(clock.sleeps).toEqual([120_000]);
    await expect(client.request(`${srv.url}/huge`)).rejects.toThrow(/HTTP 429 .* \(asked to retry after 3600 s\)$/);
    expect(srv.hits.filter((h) => h === '/huge')).toHaveLength(1);
    await srv.close();
  });

  it('fails with a typed error carrying status and url after the retries', async () => {
    const srv = await scriptedServer({
      '/c?token=abc': Array.from({ length: 5 }, () => ({ status: 500, body: 'boom' })),
    });
    const clock = fakeClock();
    const client = new HttpClient({ service: 'arXiv API', retries: 2, backoffMs: 10, ...clock });
    const err = await client.request(`${srv.url}/c?token=abc`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(500);
    expect((err as HttpError).url).toContain('token=***');
    expect((err as HttpError).message).toMatch(
      /^arXiv API request failed: HTTP 500 from http:\/\/127\.0\.0\.1:\d+\/c\?token=\*\*\* \(boom\)$/,
    );
    expect(srv.hits).toHaveLength(3);
    await srv.close();
  });

  it('does not retry a 404', async () => {
    const srv = await scriptedServer({ '/d': [{ status: 404 }] });
    const client = new HttpClient({ service: 'arXiv', ...fakeClock() });
    await expect(client.request(`${srv.url}/d`)).rejects.toMatchObject({ status: 404 });
    expect(srv.hits).toHaveLength(1);
    const accepted = await new HttpClient({ service: 'arXiv', ...fakeClock() }).request(`${srv.url}/d`, {
      accept: [404],
    });
    expect(accepted.status).toBe(200); // script used up: the second call is a 200
    await srv.close();
  });

  it('retries network errors and reports them', async () => {
    const clock = fakeClock();
    const client = new HttpClient({ service: 'OpenAI', retries: 1, backoffMs: 5, ...clock });
    await expect(client.request('http://127.0.0.1:1/x')).rejects.toThrow(
      /^OpenAI request failed: no answer from http:\/\/127\.0\.0\.1:1\/x/,
    );
    expect(clock.sleeps).toEqual([5]);
  });

  it('spaces requests by minIntervalMs, one at a time', async () => {
    const srv = await scriptedServer({});
    const clock = fakeClock();
    const client = new HttpClient({ service: 'arXiv API', minIntervalMs: 3000, ...clock });
    await Promise.all([client.request(`${srv.url}/1`), client.request(`${srv.url}/2`), client.request(`${srv.url}/3`)]);
    expect(srv.hits).toEqual(['/1', '/2', '/3']);
    expect(clock.sleeps).toEqual([3000, 3000]);
    await srv.close();
  });

  it('retries a connection reset in the middle of the body, then throws HttpError (not a raw TypeError)', async () => {
    let hits = 0;
    const server = http.createServer((_req, res) => {
      hits++;
      // Headers and part of a declared 1000-byte body, then the connection drops.
      res.writeHead(200, { 'content-type': 'application/atom+xml', 'content-length': '1000' });
      res.write('<feed>');
      setImmediate(() => res.socket?.destroy());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    const clock = fakeClock();
    const client = new HttpClient({ service: 'arXiv API', retries: 2, backoffMs: 100, ...clock });
    const err = await client
      .request(`http://127.0.0.1:${port}/feed`)
      .catch((e: unknown) => e)
      .finally(() => new Promise<void>((r) => server.close(() => r())));
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBeUndefined();
    expect((err as Error).message).toMatch(/^arXiv API request failed: no answer from http:\/\/127\.0\.0\.1:\d+\/feed/);
    expect(hits).toBe(3);
    expect(clock.sleeps).toEqual([100, 200]);
  });

  it("stops at once when the caller's own signal aborts", async () => {
    const srv = await scriptedServer({ '/slow': [{ status: 503 }] });
    const controller = new AbortController();
    controller.abort();
    const clock = fakeClock();
    const client = new HttpClient({ service: 'arXiv API', retries: 3, backoffMs: 100, ...clock });
    await expect(client.request(`${srv.url}/slow`, { signal: controller.signal })).rejects.toBeInstanceOf(HttpError);
    expect(clock.sleeps).toEqual([]);
    expect(srv.hits).toEqual([]);
    await srv.close();
  });
});

describe('HttpClient with a streamed body', () => {
  let server: http.Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  /** A server that sends `parts` (bytes) with a pause between them; the first `cutFirst` answers stop midway. */
  function slowServer(parts: Buffer[], cutFirst = 0): Promise<{ url: string; hits: () => number }> {
    let hits = 0;
    server = http.createServer(async (_req, res) => {
      const n = hits++;
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      for (const [i, part] of parts.entries()) {
        if (n < cutFirst && i === parts.length - 1) {
          res.destroy();
          return;
        }
        res.write(part);
        await new Promise((r) => setTimeout(r, 5));
      }
      res.end();
    });
    const s = server;
    return new Promise((resolve) => {
      s.listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        resolve({ url: `http://127.0.0.1:${port}/feed`, hits: () => hits });
      });
    });
  }

  it('gives the sink the text as it arrives, a character split across packets whole, the BOM dropped', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Łódź 🙂 done', 'utf8')]);
    // Cut inside the BOM, inside Ł (2 bytes) and inside 🙂 (4 bytes).
    const srv = await slowServer([
      bytes.subarray(0, 2),
      bytes.subarray(2, 4),
      bytes.subarray(4, 12),
      bytes.subarray(12),
    ]);
    const chunks: string[] = [];
    const client = new HttpClient({ service: 'arXiv feed', ...fakeClock() });
    const res = await client.request(srv.url, {}, () => ({ write: (c) => chunks.push(c) }));
    expect(res.text).toBe('');
    expect(chunks.join('')).toBe('Łódź 🙂 done');
    expect(chunks.length).toBeGreaterThan(1);
  });

  it('a body cut off midway is retried with a fresh sink', async () => {
    const srv = await slowServer([Buffer.from('<a>'), Buffer.from('</a>')], 1);
    const sinks: string[][] = [];
    const client = new HttpClient({ service: 'arXiv feed', backoffMs: 10, ...fakeClock() });
    await client.request(srv.url, {}, () => {
      const got: string[] = [];
      sinks.push(got);
      return { write: (c) => got.push(c) };
    });
    expect(srv.hits()).toBe(2);
    expect(sinks.map((s) => s.join(''))).toEqual(['<a>', '<a></a>']);
  });

  it("the sink's error ends the request at once, unretried", async () => {
    const srv = await slowServer([Buffer.from('not'), Buffer.from(' xml')]);
    const client = new HttpClient({ service: 'arXiv feed', backoffMs: 10, ...fakeClock() });
    const bad = new Error('arXiv feed is malformed');
    await expect(
      client.request(srv.url, {}, () => ({
        write: () => {
          throw bad;
        },
      })),
    ).rejects.toBe(bad);
    expect(srv.hits()).toBe(1);
  });
});

describe('HttpClient when the host cannot be reached', () => {
  it('names the cause fetch hides (ENOTFOUND host) and the hint, and its retry lines read as sentences', async () => {
    // What Node's fetch throws when DNS has no answer: "fetch failed", the real cause one level down.
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND rss.arxiv.org'), {
      code: 'ENOTFOUND',
      hostname: 'rss.arxiv.org',
    });
    const fetch = async () => {
      throw new TypeError('fetch failed', { cause: dns });
    };
    const warnings: string[] = [];
    const log = { warn: (_o: unknown, msg: string) => warnings.push(msg) } as unknown as import('../app/log').Logger;
    const client = new HttpClient({
      service: 'arXiv RSS',
      unreachableHint: 'check the network (and a proxy, if one is needed) or ARXIV_RSS_URL',
      retries: 2,
      backoffMs: 2000,
      fetch: fetch as unknown as typeof globalThis.fetch,
      log,
      ...fakeClock(),
    });
    await expect(client.request('https://rss.arxiv.org/rss/cs.CL')).rejects.toThrow(
      'arXiv RSS request failed: no answer from https://rss.arxiv.org/rss/cs.CL (ENOTFOUND rss.arxiv.org; check the network (and a proxy, if one is needed) or ARXIV_RSS_URL)',
    );
    expect(warnings).toEqual([
      'arXiv RSS: no answer from https://rss.arxiv.org/rss/cs.CL (ENOTFOUND rss.arxiv.org); retry 1 of 2 in 2 s',
      'arXiv RSS: no answer from https://rss.arxiv.org/rss/cs.CL (ENOTFOUND rss.arxiv.org); retry 2 of 2 in 4 s',
    ]);
  });
});
