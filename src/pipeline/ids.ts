/** Checking the ids in a model's answer against the ids it was asked about. */
import { tryParseArxivId } from '../arxiv/ids';

/** The id a model wrote, normalized like ours: brackets, "arXiv:" and a version suffix removed. */
export function answerId(raw: string): string {
  const s = raw
    .trim()
    .replace(/^\[|\]$/g, '')
    .trim();
  return tryParseArxivId(s)?.id ?? s;
}

/**
 * The answer check of a request about one paper: undefined when the model answered about `paperId`, else the reason
 * (the client then asks again or reports a bad answer).
 */
export function aboutPaper(paperId: string): (answer: { id: string }) => string | undefined {
  return (answer) =>
    answerId(answer.id) === paperId ? undefined : `the answer is about "${answer.id}", not ${paperId}`;
}

export interface IdCheck<T> {
  /** Items whose id was asked about, by id (the first answer for an id wins). */
  found: Map<string, T>;
  /** Ids asked about that the answer left out. */
  missing: string[];
  /** Ids in the answer that were not asked about. */
  invented: string[];
}

export function matchIds<T extends { id: string }>(asked: string[], items: T[]): IdCheck<T> {
  const wanted = new Set(asked);
  const found = new Map<string, T>();
  const invented: string[] = [];
  for (const item of items) {
    const id = answerId(item.id);
    if (!wanted.has(id)) invented.push(item.id);
    else if (!found.has(id)) found.set(id, item);
  }
  return { found, missing: asked.filter((id) => !found.has(id)), invented };
}
