/**
 * The papers a digest selects, as cards: built from the abstract (no LLM, or its answer unavailable) or said to be
 * withdrawn, their plain keywords, and the exploration slots (what the votes rate high and `interests` low).
 */
import type { DigestConfig } from '../config/schema';
import type { LearnedRanking } from './services';
import { disarmMentions } from '../app/text';
import type { Paper, SelectedPaper } from '../app/types';
import { withdrawalOf, withdrawnNotice } from '../arxiv/withdrawn';
import type { FirstPassScore } from './firstpass';
import { cleanKeywords } from './review';
import { leadingSentences, topTerms } from './text';

/** Exploration: the profile rates the paper at least this many standard deviations above the day's average… */
const EXPLORE_MIN_AFFINITY = 1.5;
/** …while `interests` rate it at most this (the first pass's text score, 1 = the day's best match). */
const EXPLORE_MAX_INTEREST = 0.5;

export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/** Keywords without an LLM: the configured keywords the paper mentions, then its most distinctive terms. */
export function plainKeywords(paper: Paper, digest: DigestConfig, df: Map<string, number>, total: number): string[] {
  const text = `${paper.title} ${paper.abstract}`.toLowerCase();
  const configured = digest.keywords.filter((k) => text.includes(k.trim().toLowerCase()));
  const terms = topTerms(paper, df, total, 5).filter((t) => !configured.some((k) => k.toLowerCase() === t));
  return cleanKeywords([...configured, ...terms]).slice(0, 6);
}

export type Because = Array<Pick<Paper, 'id' | 'title'>>;

/** The exploration mark of a selected paper. */
export function exploreMark(because: Because | undefined): Pick<SelectedPaper, 'explore'> {
  return because ? { explore: { because } } : {};
}

/** Exploration slots of a digest: `votes.explore`, never the whole digest. */
export function exploreSlots(digest: DigestConfig): number {
  return Math.max(0, Math.min(digest.votes.explore, digest.maxPapers - 1));
}

/**
 * Up to `slots` papers outside `taken` that the vote profile rates high (affinity ≥ EXPLORE_MIN_AFFINITY) while
 * `interests` rate them low (text score ≤ EXPLORE_MAX_INTEREST), the profile's favourite first, each with the
 * voted-for papers it resembles.
 */
export function explorations(
  ranked: FirstPassScore[],
  learned: LearnedRanking | undefined,
  taken: Set<string>,
  slots: number,
): Array<{ s: FirstPassScore; because: Because }> {
  const affinity = learned?.affinity;
  // Only once the votes show a pattern (λ > 0: they agreed with the profile on some day); stray votes explore nothing.
  if (!slots || !affinity?.size || !(learned?.weight ?? 0)) return [];
  const of = (s: FirstPassScore) => affinity.get(s.paper.id) ?? 0;
  return ranked
    .filter((s) => !taken.has(s.paper.id) && s.firstPass <= EXPLORE_MAX_INTEREST && of(s) >= EXPLORE_MIN_AFFINITY)
    .sort((a, b) => of(b) - of(a))
    .slice(0, slots)
    .map((s) => ({ s, because: learned?.because?.(s.paper) ?? [] }));
}

/** The first `max` of `order`, with the last `slots` of them given to explorations when there are any. */
export function withExploration<T extends { s: FirstPassScore }>(
  order: T[],
  max: number,
  slots: number,
  explore: (taken: Set<string>) => Array<T & { because: Because }>,
): Array<T & { because?: Because }> {
  const head = order.slice(0, max - slots);
  const explored = explore(new Set(head.map((c) => c.s.paper.id)));
  const exploredIds = new Set(explored.map((c) => c.s.paper.id));
  const fill = order.slice(head.length).filter((c) => !exploredIds.has(c.s.paper.id));
  return [...head, ...fill.slice(0, max - head.length - explored.length), ...explored];
}

/** A selected paper built from its abstract alone: no LLM, or the LLM's answer was unavailable. */
export function fromAbstract(
  s: FirstPassScore,
  score: number,
  reason: string,
  keywords: string[],
  because?: Because,
): SelectedPaper {
  const withdrawn = withdrawalOf(s.paper);
  if (withdrawn) return { ...fromWithdrawn(s, score, reason, keywords, withdrawn), ...exploreMark(because) };
  return {
    ...s.paper,
    ...exploreMark(because),
    score: round(clamp01(score)),
    reason,
    keywords,
    summary: disarmMentions(leadingSentences(s.paper.abstract)),
    critique: '',
    textSource: 'abstract',
  };
}

/** A withdrawn paper: said to be withdrawn, in its TL;DR and summary; no critique of the retracted text. */
export function fromWithdrawn(
  s: FirstPassScore,
  score: number,
  reason: string,
  keywords: string[],
  withdrawn: string,
): SelectedPaper {
  const notice = disarmMentions(withdrawnNotice(s.paper, withdrawn));
  return {
    ...s.paper,
    score: round(clamp01(score)),
    reason,
    keywords,
    tldr: notice.replace(/\*\*/g, ''),
    summary: notice,
    critique: '',
    withdrawn: true,
    textSource: 'abstract',
  };
}
