/**
 * An in-process stand-in for the ArxivClient's public methods, over given days of papers: for pipeline tests that
 * exercise ranking and the LLM without the HTTP layer of arXiv (which has its own tests against the arXiv fake).
 */
import type { ArxivClient, DayListing, FullText, OpenedDay } from '../../src/arxiv/client';
import type { ArxivId } from '../../src/arxiv/ids';
import { PaperNotFoundError } from '../../src/app/errors';
import type { Paper } from '../../src/app/types';
import type { Store } from '../../src/store';
import { keys } from '../../src/store/keys';

export interface StubArxiv {
  client: ArxivClient;
  calls: { fetchDay: number; getPaper: number; fullText: string[] };
}

/** A paper's "full text": its abstract and a body of `bodyChars` characters, as an HTML rendering would give. */
export function fakeFullText(p: Paper, bodyChars: number): string {
  const para = `${p.title}. We describe the method in detail, the experiments and their results. `;
  return `${p.title}\n\nAbstract\n${p.abstract}\n\n1 Introduction\n${para.repeat(Math.ceil(bodyChars / para.length)).slice(0, bodyChars)}`;
}

export function stubArxiv(
  days: Array<{ date: string; categories: string[]; papers: Paper[] }>,
  /** `store`: the day's papers are stored there once read, as the real client does (the tally reads them). */
  opts: { bodyChars?: number; provisional?: Set<string>; store?: Store } = {},
): StubArxiv {
  const calls = { fetchDay: 0, getPaper: 0, fullText: [] as string[] };
  const all = new Map<string, Paper>();
  for (const d of days) for (const p of d.papers) all.set(p.id, p);
  const latest = days[days.length - 1];
  const stub = {
    async fetchDay(categories: string[], o: { date?: string } = {}): Promise<DayListing> {
      calls.fetchDay += 1;
      const day = o.date ? days.find((d) => d.date === o.date) : latest;
      if (!day || day.papers.length === 0) {
        return { date: o.date ?? day?.date, categories, papers: [], empty: true, source: 'rss' };
      }
      await opts.store?.setMany(
        'papers',
        day.papers.map((p) => ({ key: keys.paper(p.id), value: p })),
      );
      return { date: day.date, categories, papers: day.papers, empty: false, source: 'rss' };
    },
    async openDay(categories: string[], o: { date?: string } = {}): Promise<OpenedDay> {
      const listing = await stub.fetchDay(categories, o);
      return { listing, complete: async () => listing };
    },
    async fetchMetadata(ids: string[]): Promise<Map<string, Paper>> {
      const out = new Map<string, Paper>();
      for (const id of ids) {
        const p = all.get(id.replace(/v\d+$/, ''));
        if (p) out.set(p.id, p);
      }
      return out;
    },
    /** Stub days carry no replacements. */
    async replacementsOn(): Promise<Array<{ id: string; version: number }>> {
      return [];
    },
    async paperVersions(): Promise<Map<string, Paper>> {
      return new Map();
    },
    async getPaper(ref: ArxivId): Promise<Paper> {
      calls.getPaper += 1;
      const p = all.get(ref.id);
      if (!p) throw new PaperNotFoundError(ref.version ? `${ref.id}v${ref.version}` : ref.id);
      return p;
    },
    async fullText(paper: Paper, maxChars: number): Promise<FullText> {
      calls.fullText.push(paper.id);
      // As the real client does when arXiv's HTML and PDF fail with errors: the abstract, marked provisional.
      if (opts.provisional?.has(paper.id))
        return {
          source: 'abstract',
          text: `# ${paper.title}\n\n${paper.abstract}`.slice(0, maxChars),
          provisional: true,
        };
      return { source: 'html', text: fakeFullText(paper, opts.bodyChars ?? 6000).slice(0, maxChars) };
    },
  };
  return { client: stub as unknown as ArxivClient, calls };
}
