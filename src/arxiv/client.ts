/** STUB: the arXiv client (RSS listing, export API, full text). Implemented by the arXiv workstream. */
import type { AppContext, Clock, Endpoints } from '../core/context';
import type { Logger } from '../log';
import type { Store } from '../store';
import type { Paper } from '../types';
import type { ArxivId } from './ids';

export interface DayListing {
  /** Announcement day YYYY-MM-DD; undefined when the feed was empty and carried no date. */
  date: string | undefined;
  categories: string[];
  /** The day's papers (new + cross-lists, replacements only when asked), each once, with export-API metadata. */
  papers: Paper[];
  /** True on a day without announcements (weekend, holiday). */
  empty: boolean;
  source: 'rss' | 'store' | 'api';
}

export interface FullText {
  source: 'html' | 'pdf' | 'abstract';
  text: string;
}

export interface ArxivClientOptions {
  /** Minimum ms between export API requests (arXiv's terms: 3000). */
  minIntervalMs?: number;
  retries?: number;
  backoffMs?: number;
  /** Ids per id_list request. */
  batchSize?: number;
}

export interface ArxivDeps {
  endpoints: Endpoints;
  store: Store;
  log: Logger;
  clock: Clock;
}

export class ArxivClient {
  constructor(
    readonly deps: ArxivDeps,
    readonly options: ArxivClientOptions = {},
  ) {}
  async fetchDay(
    _categories: string[],
    _opts: { date?: string; includeReplacements?: boolean } = {},
  ): Promise<DayListing> {
    throw new Error('not implemented');
  }
  async fetchMetadata(_ids: string[]): Promise<Map<string, Paper>> {
    throw new Error('not implemented');
  }
  async getPaper(_id: ArxivId): Promise<Paper> {
    throw new Error('not implemented');
  }
  async fullText(_paper: Paper, _maxChars: number): Promise<FullText> {
    throw new Error('not implemented');
  }
}

export function createArxivClient(ctx: AppContext, options?: ArxivClientOptions): ArxivClient {
  return new ArxivClient({ endpoints: ctx.endpoints, store: ctx.store, log: ctx.log, clock: ctx.clock }, options);
}
