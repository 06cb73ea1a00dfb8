/**
 * The paper records of the 'papers' namespace that the core reads outside the client: a paper's metadata
 * (keys.paper), as the arXiv client stores what it reads (src/arxiv/client.ts), with the namespace's TTL.
 */
import { type Paper, PAPER_SCHEMA } from '../app/types';
import { recordKind } from '../store/records';

export const PAPER_RECORD = recordKind<Paper>('papers', PAPER_SCHEMA);
