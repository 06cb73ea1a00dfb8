/**
 * A morning of digests over several category sets, once feeds are shared (the scheduler's mode): one feed of all
 * their categories and one export API request; each set's listing is cut from it; nothing is asked twice.
 */
import pino from 'pino';
import { startArxivServer, syntheticDay } from '../../test/fakes/arxiv-server';
import { openStore } from '../store';
import { ArxivClient } from './client';

test('several category sets read one feed and one export API answer between them', async () => {
  const server = await startArxivServer();
  const store = await openStore('memory://');
  try {
    const papers = syntheticDay(60, 1, { replacements: 0 }).map((p, i) => ({
      ...p,
      categories: [['cs.CL'], ['cs.LG'], ['cs.CL', 'cs.AI']][i % 3] ?? ['cs.CL'],
    }));
    server.setDay('*', '2025-10-30', papers);
    const client = new ArxivClient(
      {
        endpoints: { arxivApi: server.apiUrl, arxivRss: server.rssUrl, arxivWeb: server.webUrl, openaiBase: undefined },
        store,
        log: pino({ level: 'silent' }),
        clock: { now: () => Date.parse('2025-10-30T12:30:00Z'), sleep: async () => {} },
      },
      { minIntervalMs: 0, webMinIntervalMs: 0 },
    );
    client.shareFeedsPerAnnouncement();
    await client.warmLatest(['cs.CL', 'cs.LG', 'cs.AI']);
    const cl = await (await client.openDay(['cs.CL'])).complete();
    const lg = await (await client.openDay(['cs.LG'])).complete();
    const again = await (await client.openDay(['cs.CL'])).complete();
    expect(cl.papers).toHaveLength(40);
    expect(lg.papers).toHaveLength(20);
    expect(again.papers.map((p) => p.id)).toEqual(cl.papers.map((p) => p.id));
    expect(cl.papers.every((p) => p.published)).toBe(true); // the export API's metadata joined in
    const paths = server.requests.map((r) => r.path);
    expect(paths.filter((p) => p.startsWith('/rss'))).toHaveLength(1);
    expect(paths.filter((p) => p.startsWith('/api'))).toHaveLength(1);
  } finally {
    await server.close();
    await store.close();
  }
});
