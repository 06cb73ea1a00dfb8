/**
 * Withdrawn papers. arXiv keeps a withdrawn paper's listing but its current version is a withdrawal notice: the
 * comments say "This paper has been withdrawn …" (the authors' or arXiv's reason after it), and the abstract or the
 * title is often replaced by "withdrawn" alone. Such a paper is said to be withdrawn and never critiqued: the
 * retracted text is not what the authors stand by.
 */
import type { Paper } from '../app/types';

/** "This paper/article/manuscript/submission has been withdrawn", "withdrawn by the author(s)", "Paper withdrawn". */
const WITHDRAWN_COMMENT =
  /\b(?:(?:this|the)\s+(?:paper|article|manuscript|submission|preprint|work|version)\s+(?:has\s+been|was|is\s+being|is)\s+withdrawn|withdrawn\s+by\s+(?:the\s+)?(?:authors?|arxiv|admin(?:istrators?)?|submitter)|(?:paper|article|submission)\s+(?:is\s+)?withdrawn\b|withdrawn\s+due\s+to|^\s*withdrawn\b)/i;

/** A field that is nothing but a withdrawal mark: "Withdrawn", "[withdrawn]", "This paper has been withdrawn." */
const ONLY_WITHDRAWN = /^\W*(?:withdrawn|this\s+(?:paper|article|submission)\s+has\s+been\s+withdrawn)\W*$/i;

/**
 * Why `paper` (its current version) counts as withdrawn, in arXiv's own words when it gave some; undefined for a
 * paper that is not withdrawn.
 */
export function withdrawalOf(paper: Pick<Paper, 'title' | 'abstract' | 'comments'>): string | undefined {
  const comments = paper.comments?.replace(/\s+/g, ' ').trim() ?? '';
  if (comments && WITHDRAWN_COMMENT.test(comments)) return comments;
  const abstract = paper.abstract.replace(/\s+/g, ' ').trim();
  if (ONLY_WITHDRAWN.test(abstract) || (abstract.length < 400 && WITHDRAWN_COMMENT.test(abstract))) return abstract;
  if (ONLY_WITHDRAWN.test(paper.title.trim())) return paper.title.trim();
  return undefined;
}

/** What is said in place of a critique (and a summary) of a withdrawn paper. */
export function withdrawnNotice(paper: Pick<Paper, 'id' | 'version'>, reason: string): string {
  const words = reason.length > 300 ? `${reason.slice(0, 297).trimEnd()}…` : reason;
  return `**Withdrawn.** arXiv:${paper.id}v${paper.version} has been withdrawn ("${words.replace(/"/g, "'")}"), so there is no critique of the retracted text.`;
}
