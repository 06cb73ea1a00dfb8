/**
 * The arXiv client against a local server that answers like rss.arxiv.org, the export API and arxiv.org's HTML/PDF
 * pages, fed with the seeds' real papers. A fake clock records every wait, so retries and the 3 s spacing are
 * checked without waiting.
 */
import { ArxivClient, type ArxivClientOptions, type StoredDay } from '../src/arxiv/client';
import { keys } from '../src/store/keys';
import { parseArxivId } from '../src/arxiv/ids';
import { endpointsFrom } from '../src/config/settings';
import { ErrorCode, HttpError, PaperNotFoundError, UserInputError } from '../src/app/errors';
import { silentLogger } from '../src/app/log';
import { type Store, openStore } from '../src/store';
import type { Paper } from '../src/app/types';
import {
  type ArxivServer,
  type ArxivServerOptions,
  type DayPaper,
  buildAtom,
  buildRss,
  seedDay,
  seedPapers,
  startArxivServer,
  syntheticDay,
} from './fakes/arxiv-server';

interface FakeClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  sleeps: number[];
  advance(ms: number): void;
}

function fakeClock(start: string): FakeClock {
  let t = Date.parse(start);
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
    advance: (ms) => {
      t += ms;
    },
  };
}

interface Rig {
  server: ArxivServer;
  store: Store;
  clock: FakeClock;
  client: ArxivClient;
}

const open: Rig[] = [];

async function rig(
  opts: { now?: string; server?: ArxivServerOptions; client?: ArxivClientOptions } = {},
): Promise<Rig> {
  // Thursday 2025-10-30, 09:00 in New York: the morning after the 2025-10-30 announcement.
  const clock = fakeClock(opts.now ?? '2025-10-30T13:00:00Z');
  const server = await startArxivServer({ now: clock.now, ...opts.server });
  const store = await openStore('memory://');
  const endpoints = endpointsFrom({
    ARXIV_API_URL: server.apiUrl,
    ARXIV_RSS_URL: server.rssUrl,
    ARXIV_WEB_URL: server.webUrl,
  });
  const client = new ArxivClient(
    { endpoints, store, log: silentLogger, clock },
    { webMinIntervalMs: 0, ...opts.client },
  );
  const r = { server, store, clock, client };
  open.push(r);
  return r;
}

afterEach(async () => {
  for (const r of open.splice(0)) {
    await r.server.close();
    await r.store.close();
  }
});

const apiCalls = (s: ArxivServer) => s.requests.filter((r) => r.path === '/api/query');
const rssCalls = (s: ArxivServer) => s.requests.filter((r) => r.path.startsWith('/rss/'));

/** Two September papers re-announced on 2025-10-30 as new versions. */
function replacements(): DayPaper[] {
  const sept = seedPapers().filter((p) => p.id.startsWith('2509.'));
  const last = sept.slice(-2);
  return [
    { ...(last[0] as Paper), version: 2, categories: ['cs.CL'], primaryCategory: 'cs.CL', announceType: 'replace' },
    {
      ...(last[1] as Paper),
      version: 3,
      categories: ['cs.LG', 'cs.CL'],
      primaryCategory: 'cs.LG',
      announceType: 'replace-cross',
    },
  ];
}

describe('the latest listing from the RSS feed', () => {
  test('the seed day: 58 new and cross-listed papers, enriched from the export API, recorded in the store', async () => {
    const { server, store, client } = await rig();
    const day = seedDay();
    server.setDay('*', day.date, [...day.papers, ...replacements()]);

    const listing = await client.fetchDay(['cs.CL']);

    expect(listing).toMatchObject({ date: '2025-10-30', categories: ['cs.CL'], empty: false, source: 'rss' });
    expect(listing.papers).toHaveLength(58);
    expect(new Set(listing.papers.map((p) => p.id)).size).toBe(58);
    expect(listing.papers.some((p) => p.announceType === 'cross')).toBe(true);
    expect(listing.papers.every((p) => p.announceType === 'new' || p.announceType === 'cross')).toBe(true);
    // RSS has no comment and no primary category: they come from the export API.
    const curriculum = listing.papers.find((p) => p.id === '2510.26143');
    expect(curriculum).toMatchObject({
      version: 1,
      title: 'Reasoning Curriculum: Bootstrapping Broad LLM Reasoning from Math',
      authors: ['Bo Pang', 'Deqian Kong', 'Silvio Savarese', 'Caiming Xiong', 'Yingbo Zhou'],
      comments: '9 pages',
      primaryCategory: 'cs.CL',
    });
    expect(curriculum?.published).toMatch(/^2025-10-2\dT/);
    const cross = listing.papers.find((p) => p.announceType === 'cross');
    expect(cross?.primaryCategory).not.toBe('cs.CL');
    expect(cross?.categories[0]).toBe(cross?.primaryCategory);

    expect(rssCalls(server).map((r) => r.path)).toEqual(['/rss/cs.CL']);
    expect(apiCalls(server)).toHaveLength(1);
    expect(apiCalls(server)[0]?.query.id_list?.split(',')).toHaveLength(58);
    expect(apiCalls(server)[0]?.query.max_results).toBe('58');

    const stored = await store.get<StoredDay>('days', keys.day(['cs.CL'], '2025-10-30'));
    expect(stored?.entries).toHaveLength(60);
    expect(stored?.entries.filter((e) => e.announceType.startsWith('replace'))).toHaveLength(2);
    expect(await store.get<Paper>('papers', '2510.26143')).toMatchObject({ comments: '9 pages', version: 1 });
  });

  test('replacements are dropped by default and kept when configured', async () => {
    const { server, client } = await rig();
    server.setDay('*', '2025-10-30', [...seedDay().papers, ...replacements()]);
    const withReplacements = await client.fetchDay(['cs.CL'], { includeReplacements: true });
    expect(withReplacements.papers).toHaveLength(60);
    const replaced = withReplacements.papers.filter((p) => p.announceType?.startsWith('replace'));
    expect(replaced.map((p) => [p.announceType, p.version])).toEqual([
      ['replace', 2],
      ['replace-cross', 3],
    ]);
  });

  test('several categories: one request joined with +, each paper once even when listed under each category', async () => {
    const { server, client } = await rig({ server: { duplicateAcrossCategories: true } });
    const day = seedDay();
    server.setDay('*', day.date, day.papers);
    const listing = await client.fetchDay(['cs.CL', 'cs.AI', 'cs.LG']);
    expect(rssCalls(server).map((r) => r.path)).toEqual(['/rss/cs.CL+cs.AI+cs.LG']);
    expect(listing.papers).toHaveLength(58);
    expect(new Set(listing.papers.map((p) => p.id)).size).toBe(58);
    // A paper whose primary category is one of the digest's is "new", whatever feed listed it first.
    for (const p of listing.papers) expect(p.announceType).toBe('new');
  });

  test("a weekend's empty feed is an empty listing, not an error, and asks the API nothing", async () => {
    const { server, client } = await rig({ now: '2025-11-01T13:00:00Z' });
    server.setDay('*', '2025-10-31', seedDay().papers.slice(0, 3));
    server.setDay('*', '2025-11-01', []);
    const listing = await client.fetchDay(['cs.CL']);
    expect(listing).toEqual({ date: '2025-11-01', categories: ['cs.CL'], papers: [], empty: true, source: 'rss' });
    expect(apiCalls(server)).toHaveLength(0);
  });

  test('a malformed feed is a FeedMalformed error that names the feed', async () => {
    const { server, client } = await rig();
    server.serveRaw('/rss/', '<html><head><title>Maintenance</title></head><body>Back soon</body></html>', 'text/html');
    await expect(client.fetchDay(['cs.CL', 'cs.AI'])).rejects.toMatchObject({
      code: ErrorCode.FeedMalformed,
      message: expect.stringContaining(`${server.rssUrl}/cs.CL+cs.AI`),
    });
    server.serveRaw('/rss/', 'Service temporarily unavailable <<<', 'text/plain');
    await expect(client.fetchDay(['cs.CL'])).rejects.toThrow(`arXiv feed ${server.rssUrl}/cs.CL is malformed`);
  });

  test('a 503 then success: retried after the Retry-After wait, then backoff when none is given', async () => {
    const { server, clock, client } = await rig({ client: { backoffMs: 1500 } });
    server.setDay('*', '2025-10-30', seedDay().papers);
    server.failNext('/rss/', 503, 1, { 'retry-after': '7' });
    server.failNext('/api/query', 502, 1);
    const listing = await client.fetchDay(['cs.CL']);
    expect(listing.papers).toHaveLength(58);
    expect(rssCalls(server)).toHaveLength(2);
    // 7 s from Retry-After for the feed; a backoff of 0.75-1.5 s (1.5 s with equal jitter) for the API, then what
    // remains of the API's 3 s spacing after its failed call.
    const [feedWait, backoff, spacing] = clock.sleeps;
    expect(clock.sleeps).toHaveLength(3);
    expect(feedWait).toBe(7000);
    expect(backoff).toBeGreaterThanOrEqual(750);
    expect(backoff).toBeLessThanOrEqual(1500);
    expect((backoff ?? 0) + (spacing ?? 0)).toBe(3000);
    expect(listing.papers.find((p) => p.id === '2510.26143')?.comments).toBe('9 pages');
  });

  test('with the export API down after its retries, the listing still comes from the feed', async () => {
    const { server, client } = await rig({ client: { retries: 1 } });
    server.setDay('*', '2025-10-30', seedDay().papers);
    server.failNext('/api/query', 503, 10);
    const listing = await client.fetchDay(['cs.CL']);
    expect(listing.papers).toHaveLength(58);
    expect(listing.papers[0]?.comments).toBeUndefined();
    expect(listing.papers[0]?.abstract.length).toBeGreaterThan(100);
  });

  test('re-running is harmless and the newest version wins in the store', async () => {
    const { server, store, client } = await rig();
    server.setDay('*', '2025-10-30', [...seedDay().papers, ...replacements()]);
    const first = await client.fetchDay(['cs.CL'], { includeReplacements: true });
    const second = await client.fetchDay(['cs.CL'], { includeReplacements: true });
    expect(second).toEqual(first);
    const replaced = replacements()[0] as DayPaper;
    expect((await store.get<Paper>('papers', replaced.id))?.version).toBe(2);
    // Asking for the older version answers it, but does not overwrite the newer one in the store.
    const v1 = await client.getPaper({ id: replaced.id, version: 1 });
    expect(v1.version).toBe(1);
    expect((await store.get<Paper>('papers', replaced.id))?.version).toBe(2);
    expect(await store.get('papers', 'announceType')).toBeUndefined();
    expect((await store.get<Paper>('papers', replaced.id))?.announceType).toBeUndefined();
  });
});

describe('the export API', () => {
  test('calls are at least 3 s apart and one at a time, by default', async () => {
    const { server, clock, client } = await rig({ client: { batchSize: 10 } });
    server.addPapers(seedPapers());
    const ids = seedPapers().map((p) => p.id);
    await Promise.all([client.fetchMetadata(ids.slice(0, 40)), client.fetchMetadata(ids.slice(40))]);
    const calls = apiCalls(server);
    expect(calls).toHaveLength(9);
    for (let i = 1; i < calls.length; i++) {
      expect((calls[i]?.at ?? 0) - (calls[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(3000);
    }
    expect(clock.sleeps.every((ms) => ms <= 3000)).toBe(true);
  });

  test("id_list is batched by the API's largest slice (2,000), a long list sent as a POST form", async () => {
    const { server, client } = await rig({ client: { minIntervalMs: 0 } });
    const papers = syntheticDay(4500, 11, { replacements: 0 });
    server.addPapers(papers);
    const found = await client.fetchMetadata(papers.map((p) => `${p.id}v${p.version}`));
    expect(found.size).toBe(4500);
    const sizes = apiCalls(server).map((r) => [r.method, r.query.id_list?.split(',').length, r.query.max_results]);
    expect(sizes).toEqual([
      ['POST', 2000, '2000'],
      ['POST', 2000, '2000'],
      ['POST', 500, '500'],
    ]);
    // A short list stays a GET: its URL is short.
    await client.fetchMetadata(papers.slice(0, 3).map((p) => p.id));
    expect(apiCalls(server).at(-1)).toMatchObject({ method: 'GET', query: { max_results: '3' } });
    await expect(client.fetchMetadata(['not-an-id'])).rejects.toThrow(UserInputError);
  });

  test('the ids asked for first go in the next API request, and each paper is ready when its answer is read', async () => {
    const { server, client } = await rig({ client: { minIntervalMs: 0 } });
    const papers = syntheticDay(4500, 12, { replacements: 0 });
    server.setDay('*', '2025-10-30', papers);
    const day = await client.openDay(['cs.CL']);
    // The shortlist is known (here: three papers from the listing's end) before the metadata is asked for.
    const wanted = papers.slice(-3).map((p) => p.id);
    day.prioritize?.(wanted);
    const events: string[] = [];
    const one = day.metadataOf?.(wanted[0]!).then((p) => {
      events.push('paper');
      return p;
    });
    const all = day.complete().then(() => events.push('day'));
    const meta = await one;
    await all;
    expect(events).toEqual(['paper', 'day']);
    expect(meta).toMatchObject({ id: wanted[0], published: expect.any(String) });
    const calls = apiCalls(server);
    expect(calls).toHaveLength(3);
    const first = calls[0]?.query.id_list?.split(',') ?? [];
    for (const id of wanted) expect(first).toContain(id);
    // A paper outside the listing has no metadata here; after the day completed, answers come at once.
    expect(await day.metadataOf?.('2510.99999')).toBeUndefined();
    expect(await day.metadataOf?.(papers[0]!.id)).toMatchObject({ id: papers[0]!.id });
  });

  test('eager: a day of several API requests sends its first while the feed is read; a re-run sends none', async () => {
    const { server, client } = await rig();
    const papers = syntheticDay(4500, 14, { replacements: 300 });
    server.setDay('*', '2025-10-30', papers);
    const day = await client.openDay(['cs.CL'], { eager: true });
    // The first 2,000 papers to keep (replacements are dropped), in the listing's order, asked for before complete().
    await day.settled?.();
    const calls = apiCalls(server);
    expect(calls).toHaveLength(1);
    const listed = day.listing.papers.map((p) => p.id);
    expect(calls[0]?.query.id_list?.split(',')).toEqual(listed.slice(0, 2000));
    const complete = await day.complete();
    expect(apiCalls(server)).toHaveLength(3);
    const asked = apiCalls(server).flatMap((c) => c.query.id_list?.split(',') ?? []);
    expect(new Set(asked).size).toBe(asked.length);
    expect(asked.sort()).toEqual([...listed].sort());
    expect(complete.papers).toHaveLength(4500);
    for (const p of complete.papers) expect(p.published).toEqual(expect.any(String));

    // The same day again (a re-run): the store holds it, so nothing is sent early, nor later.
    const again = await client.openDay(['cs.CL'], { eager: true });
    await again.settled?.();
    expect((await again.complete()).papers).toHaveLength(4500);
    expect(apiCalls(server)).toHaveLength(3);
  });

  test('eager: the first API request leaves before the feed ends (a feed cut off after 2,001 items)', async () => {
    const { server, client } = await rig();
    const papers = syntheticDay(2500, 15, { replacements: 0 });
    server.setDay('*', '2025-10-30', papers);
    const xml = buildRss({ categories: ['cs.CL'], date: '2025-10-30', papers });
    let cut = 0;
    for (let i = 0; i < 2001; i++) cut = xml.indexOf('</item>', cut) + '</item>'.length;
    server.serveRaw('/rss/', xml.slice(0, cut + 100));
    await expect(client.openDay(['cs.CL'], { eager: true })).rejects.toMatchObject({
      code: ErrorCode.FeedMalformed,
      message: expect.stringContaining(`arXiv feed ${server.rssUrl}/cs.CL is malformed`),
    });
    // It was read through, and waited for, before the feed's error came out.
    const calls = apiCalls(server);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.query.id_list?.split(',')).toHaveLength(2000);
    // Without eager (what the scheduler and the follows use), nothing goes to the API before complete().
    server.serveRaw('/rss/', undefined);
    const plain = await client.openDay(['cs.CL']);
    expect(plain.listing.papers).toHaveLength(2500);
    expect(apiCalls(server)).toHaveLength(1);
  });

  test('a 429 that outlasts the retries is a clear HttpError', async () => {
    const { server, clock, client } = await rig({ client: { retries: 2, backoffMs: 1000 } });
    server.addPapers(seedPapers());
    server.failNext('/api/query', 429, 10, { 'retry-after': '5' });
    const err = await client.getPaper(parseArxivId('2510.26707')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err).toMatchObject({ status: 429, service: 'arXiv API' });
    expect((err as Error).message).toMatch(
      /^arXiv API request failed: HTTP 429 from http:\/\/127\.0\.0\.1:\d+\/api\/query\?id_list=2510\.26707/,
    );
    expect(apiCalls(server)).toHaveLength(3);
    expect(clock.sleeps).toEqual([5000, 5000]);
  });

  test('getPaper: metadata by id, the store on repeat, PaperNotFoundError for unknown and rejected ids', async () => {
    const { server, client } = await rig();
    server.addPapers(seedPapers());
    const paper = await client.getPaper(parseArxivId('https://arxiv.org/abs/2510.26707v1'));
    expect(paper).toMatchObject({ id: '2510.26707', version: 1, primaryCategory: 'cs.CL' });
    await client.getPaper(parseArxivId('2510.26707v1'));
    expect(apiCalls(server)).toHaveLength(1);
    // Without a version the newest is wanted: arXiv is asked once, then the store answers.
    await client.getPaper(parseArxivId('2510.26707'));
    await client.getPaper(parseArxivId('2510.26707'));
    expect(apiCalls(server)).toHaveLength(2);

    await expect(client.getPaper(parseArxivId('2510.99999'))).rejects.toThrow(PaperNotFoundError);
    await expect(client.getPaper(parseArxivId('2510.99999v2'))).rejects.toThrow('arXiv has no paper 2510.99999v2');
    server.serveRaw('/api/query', buildAtom([], { errors: ['incorrect id format for 2510.12345'] }));
    await expect(client.getPaper(parseArxivId('2510.12345'))).rejects.toThrow(PaperNotFoundError);
  });

  test('getPaper without a version checks a stored copy older than 3 days against arXiv (a v2 may be out)', async () => {
    const { server, client, clock } = await rig();
    const [paper] = seedPapers();
    server.addPapers([paper!]);
    expect((await client.getPaper({ id: paper!.id })).version).toBe(1);
    server.addPapers([{ ...paper!, version: 2, title: `${paper!.title} (revised)` }]);
    clock.advance(86_400_000);
    expect((await client.getPaper({ id: paper!.id })).version).toBe(1); // recent: the store answers
    expect(apiCalls(server)).toHaveLength(1);
    clock.advance(3 * 86_400_000);
    const fresh = await client.getPaper({ id: paper!.id });
    expect(fresh).toMatchObject({ version: 2, title: `${paper!.title} (revised)` });
    expect(apiCalls(server)).toHaveLength(2);
    clock.advance(4 * 86_400_000);
    server.failNext('/api/query', 503, 20);
    expect((await client.getPaper({ id: paper!.id })).version).toBe(2); // arXiv down: the stored copy still answers
  });

  test('old-style ids work end to end: listing, metadata, store, full text', async () => {
    const { server, store, client } = await rig();
    const old: DayPaper = {
      id: 'hep-th/9901001',
      version: 1,
      title: 'Strings in a Box',
      authors: ['A. Physicist', 'B. Theorist'],
      abstract: 'We put strings in a box and find that they vibrate. '.repeat(5).trim(),
      categories: ['hep-th', 'gr-qc'],
      primaryCategory: 'hep-th',
      comments: '12 pages, LaTeX',
      journalRef: 'Phys. Lett. B 450 (1999) 1',
      announceType: 'new',
    };
    server.setDay('*', '2025-10-30', [old]);
    const listing = await client.fetchDay(['hep-th']);
    expect(listing.papers).toEqual([
      expect.objectContaining({ id: 'hep-th/9901001', version: 1, journalRef: old.journalRef }),
    ]);
    expect(apiCalls(server)[0]?.query.id_list).toBe('hep-th/9901001');
    expect(await store.get<Paper>('papers', 'hep-th/9901001')).toMatchObject({ comments: '12 pages, LaTeX' });

    const again = await client.getPaper(parseArxivId('https://arxiv.org/abs/hep-th/9901001v1'));
    expect(again.id).toBe('hep-th/9901001');
    expect(apiCalls(server)).toHaveLength(1);

    // arXiv has no HTML for papers of 1999: the PDF is read.
    const text = await client.fullText(again, 10_000);
    expect(text.source).toBe('pdf');
    expect(text.text).toContain('Strings in a Box');
    expect(server.requests.map((r) => r.path)).toEqual(
      expect.arrayContaining(['/html/hep-th/9901001v1', '/pdf/hep-th/9901001v1']),
    );
  });
});

describe("the export API's flakiness (200 answers that are empty)", () => {
  test('an empty body is asked again, so the listing keeps its comments and primary categories', async () => {
    const { server, client } = await rig();
    server.setDay('*', '2025-10-30', seedDay().papers);
    server.flakyApi('empty-body');
    const listing = await client.fetchDay(['cs.CL']);
    expect(listing.papers.find((p) => p.id === '2510.26143')?.comments).toBe('9 pages');
    expect(apiCalls(server)).toHaveLength(2);
    // At arXiv's spacing, like any other API call.
    const [a, b] = apiCalls(server);
    expect((b?.at ?? 0) - (a?.at ?? 0)).toBeGreaterThanOrEqual(3000);
  });

  test('getPaper survives an empty body; three in a row are a FeedMalformed error naming the URL', async () => {
    const { server, client } = await rig();
    server.addPapers(seedPapers());
    server.flakyApi('empty-body');
    expect((await client.getPaper(parseArxivId('2510.26707'))).id).toBe('2510.26707');
    server.flakyApi('empty-body', 3);
    await expect(client.getPaper(parseArxivId('2510.26788'))).rejects.toThrow(
      /arXiv API answer from http:\/\/127\.0\.0\.1:\d+\/api\/query\?id_list=2510\.26788&max_results=1 is malformed/,
    );
  });

  test('a page without entries inside the results is asked again, not taken as the end of the day', async () => {
    const { server, client } = await rig({ now: '2025-11-20T13:00:00Z', client: { pageSize: 10 } });
    server.setDay('*', '2025-10-27', syntheticDay(25, 5, { categories: ['cs.CL'] }));
    server.flakyApi('empty-page');
    const listing = await client.fetchDay(['cs.CL'], { date: '2025-10-27' });
    expect(listing.papers).toHaveLength(25);
    expect(apiCalls(server).map((r) => r.query.start)).toEqual(['0', '0', '10', '20']);

    // Persistently empty: an error, not a silently short listing.
    const other = await rig({ now: '2025-11-20T13:00:00Z', client: { pageSize: 10 } });
    other.server.setDay('*', '2025-10-27', syntheticDay(25, 5, { categories: ['cs.CL'] }));
    other.server.flakyApi('empty-page', 3);
    await expect(other.client.fetchDay(['cs.CL'], { date: '2025-10-27' })).rejects.toThrow(
      /is incomplete: no entries at 0 of 25 results/,
    );
  });
});

describe('a past day (--date)', () => {
  test("the store's copy when it has one, with no request", async () => {
    const { server, clock, client } = await rig();
    server.setDay('*', '2025-10-30', [...seedDay().papers, ...replacements()]);
    const live = await client.fetchDay(['cs.CL']);
    clock.advance(7 * 86_400_000);
    const before = server.requests.length;
    const past = await client.fetchDay(['cs.CL'], { date: '2025-10-30' });
    expect(server.requests.length).toBe(before);
    expect(past.source).toBe('store');
    expect(past.papers.map((p) => p.id)).toEqual(live.papers.map((p) => p.id));
    expect(past.papers.find((p) => p.id === '2510.26143')?.comments).toBe('9 pages');
    expect((await client.fetchDay(['cs.CL'], { date: '2025-10-30', includeReplacements: true })).papers).toHaveLength(
      60,
    );
  });

  test("otherwise the export API's submission window, paged and sorted by submission date", async () => {
    const { server, client } = await rig({ now: '2025-11-20T13:00:00Z', client: { pageSize: 10 } });
    const day = syntheticDay(25, 5, { categories: ['cs.CL', 'cs.AI'], replacements: 4 });
    server.setDay('*', '2025-10-27', day); // a Monday: Thu 23rd 14:00 → Fri 24th 14:00 New York time
    server.setDay('*', '2025-11-20', seedDay().papers.slice(0, 2));
    const listing = await client.fetchDay(['cs.CL', 'cs.AI'], { date: '2025-10-27' });

    expect(listing).toMatchObject({ date: '2025-10-27', source: 'api', empty: false });
    expect(listing.papers).toHaveLength(25); // replacements were submitted long before: not in the window
    const queries = apiCalls(server).map((r) => r.query);
    expect(queries.map((q) => q.search_query)).toEqual(
      Array(3).fill('(cat:cs.CL OR cat:cs.AI) AND submittedDate:[202510231800 TO 202510241800]'),
    );
    expect(queries.map((q) => [q.start, q.max_results, q.sortBy])).toEqual([
      ['0', '10', 'submittedDate'],
      ['10', '10', 'submittedDate'],
      ['20', '10', 'submittedDate'],
    ]);
    for (const p of listing.papers) {
      expect(p.announceType).toBe(['cs.CL', 'cs.AI'].includes(p.primaryCategory ?? '') ? 'new' : 'cross');
    }
    expect(rssCalls(server)).toHaveLength(0);
  });

  test("a recent date that is the live feed's day is read from the feed", async () => {
    const { server, client } = await rig();
    server.setDay('*', '2025-10-30', seedDay().papers);
    const listing = await client.fetchDay(['cs.CL'], { date: '2025-10-30' });
    expect(listing.source).toBe('rss');
    expect(listing.papers).toHaveLength(58);
  });

  test('a weekend date is an empty listing; a bad date is a UserInputError naming it', async () => {
    const { server, client } = await rig();
    expect(await client.fetchDay(['cs.CL'], { date: '2025-10-25' })).toEqual({
      date: '2025-10-25',
      categories: ['cs.CL'],
      papers: [],
      empty: true,
      source: 'api',
    });
    await expect(client.fetchDay(['cs.CL'], { date: '30/10/2025' })).rejects.toThrow(
      '--date "30/10/2025" is not a date (expected YYYY-MM-DD, e.g. 2025-10-30)',
    );
    await expect(client.fetchDay(['cs.CL'], { date: '2025-02-29' })).rejects.toThrow(UserInputError);
    await expect(client.fetchDay(['CS CL'])).rejects.toThrow('"CS CL" is not an arXiv category');
    expect(server.requests).toHaveLength(0);
  });
});

describe('full text', () => {
  const paper = (): Paper => {
    const p = seedPapers().find((x) => x.id === '2510.26788');
    if (!p) throw new Error('fixture lacks 2510.26788');
    return p;
  };

  test('from the HTML, cut by section with the cuts marked, cached so it is fetched once', async () => {
    const { server, client } = await rig();
    server.addPapers([paper()]);
    const full = await client.fullText(paper(), 100_000);
    expect(full.source).toBe('html');
    expect(full.text).toContain('## 1 Introduction');
    expect(full.text).not.toContain('References');
    const cut = await client.fullText(paper(), 300);
    expect(cut.text.length).toBeLessThanOrEqual(300);
    expect(cut.text).toMatch(/\[… (section \d "[^"]+"|\d+ paragraphs? of section \d "[^"]+") omitted …\]/);
    expect(cut.text.startsWith(`# ${paper().title}`)).toBe(true);
    expect(server.requests.filter((r) => r.path.startsWith('/html/'))).toHaveLength(1);
    expect(server.requests.map((r) => r.path)).toEqual(['/html/2510.26788v1']);
  });

  test('from the PDF when the HTML is a 404, which is not retried', async () => {
    const { server, clock, client } = await rig();
    server.addPapers([paper()]);
    server.failNext('/html/', 404);
    const text = await client.fullText(paper(), 50_000);
    expect(text.source).toBe('pdf');
    expect(text.text).toContain(paper().title);
    expect(server.requests.map((r) => r.path)).toEqual(['/html/2510.26788v1', '/pdf/2510.26788v1']);
    expect(clock.sleeps).toEqual([]);
  });

  test('from the abstract when both fail; errors are not cached, 404s briefly are', async () => {
    const { server, client } = await rig({ client: { retries: 1, backoffMs: 10 } });
    server.addPapers([paper()]);
    server.failNext('/html/', 500, 2);
    server.serveRaw('/pdf/', Buffer.from('%PDF-1.4 this is not really a PDF'), 'application/pdf');
    const text = await client.fullText(paper(), 50_000);
    // Provisional: the abstract stands in for a text that failed to load, so nothing built on it is kept for good.
    expect(text).toEqual({ source: 'abstract', text: `# ${paper().title}\n\n${paper().abstract}`, provisional: true });

    // The next call tries again (the failures were errors) and gets the HTML.
    server.serveRaw('/pdf/', undefined);
    expect((await client.fullText(paper(), 50_000)).source).toBe('html');

    const other = seedPapers().find((x) => x.id === '2510.26707') as Paper;
    server.addPapers([other]);
    server.failNext('/html/', 404);
    server.failNext('/pdf/', 404);
    // After 404s the abstract is the paper's text for now: not provisional.
    expect(await client.fullText(other, 50_000)).not.toHaveProperty('provisional');
    const calls = server.requests.length;
    expect((await client.fullText(other, 50_000)).source).toBe('abstract');
    expect(server.requests.length).toBe(calls);
  });
});
