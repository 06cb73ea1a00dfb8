/**
 * Logical messages (src/chat/types.ts OutgoingMessage) to Slack Block Kit messages with a plain `text` fallback,
 * each within Slack's limits. A message too long for one Slack message becomes several parts, which the core sends
 * in order (a paper's parts all go in the digest's thread). All text from papers and the LLM passes through
 * toMrkdwn/escapeText, so no mention reaches Slack live.
 */
import type { types as SlackTypes } from '@slack/bolt';
import type { OutgoingMessage, TallyLine } from '../../src/chat/types';
import { absUrl, type Paper, type SelectedPaper } from '../../src/app/types';
import { truncate } from '../../src/app/text';
import { resolveVoteEmoji } from '../../src/votes/emoji';
import { escapeText, slackLink, splitMrkdwn, toMrkdwn } from './mrkdwn';

/** Slack's limits for chat.postMessage (https://docs.slack.dev/reference/block-kit/blocks). */
export const SLACK_LIMITS = {
  sectionText: 3000,
  headerText: 150,
  contextElementText: 3000,
  blocksPerMessage: 50,
  messageText: 40_000,
  /** Slack refuses a message with msg_blocks_too_long past about this much block text. */
  blockText: 12_000,
} as const;

/**
 * What one part may carry. Slack applies the block-text ceiling approximately, so parts are packed with a margin
 * below it; the section size leaves room for a heading line prepended to a chunk.
 */
const BUDGET = { blockText: 11_000, sectionText: 2_900 } as const;

export type SlackBlock =
  | SlackTypes.SectionBlock
  | SlackTypes.HeaderBlock
  | SlackTypes.ContextBlock
  | SlackTypes.DividerBlock;

/** One Slack message ready for chat.postMessage (less channel and thread). */
export interface SlackMessagePart extends Record<string, unknown> {
  text: string;
  blocks: SlackBlock[];
}

export interface RenderOptions {
  /** Base of the paper links shown to readers; default arxiv.org as in the seed digest. */
  paperBase?: string;
}

// --- blocks ---------------------------------------------------------------------------------------------------

function section(mrkdwn: string): SlackTypes.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: mrkdwn } };
}

function header(text: string): SlackTypes.HeaderBlock {
  return { type: 'header', text: { type: 'plain_text', text: truncate(text, SLACK_LIMITS.headerText), emoji: true } };
}

/** A context block: small grey lines, one element so they stack instead of flowing side by side. */
function context(...lines: string[]): SlackTypes.ContextBlock {
  const text = lines.filter((l) => l.trim()).join('\n');
  return { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.contextElementText) }] };
}

const divider: SlackTypes.DividerBlock = { type: 'divider' };

/** Sections for a body of mrkdwn, each within the section limit; `title` (mrkdwn) leads the first. */
function sections(mrkdwn: string, title?: string): SlackTypes.SectionBlock[] {
  const chunks = splitMrkdwn(mrkdwn, BUDGET.sectionText);
  if (title) {
    if (chunks.length === 0) chunks.push(title);
    else chunks[0] = `${title}\n${chunks[0]}`;
  }
  return chunks.map(section);
}

export function blockText(block: SlackBlock): string {
  switch (block.type) {
    case 'section':
      return block.text?.text ?? '';
    case 'header':
      return block.text.text;
    case 'context':
      return block.elements.map((e) => ('text' in e && typeof e.text === 'string' ? e.text : '')).join('\n');
    default:
      return '';
  }
}

// --- packing into messages -------------------------------------------------------------------------------------

interface PackOptions {
  /** Blocks appended to the first message (the vote invitation: votes are read on a paper's first message). */
  firstExtra?: SlackBlock[];
  /** Names the message in the "continued" line that heads every part after the first. */
  label?: string;
}

/** Packs blocks greedily into as few messages as Slack's block-count and block-text limits allow. */
function pack(blocks: SlackBlock[], options: PackOptions = {}): SlackMessagePart[] {
  const firstExtra = options.firstExtra ?? [];
  const extraText = firstExtra.reduce((n, b) => n + blockText(b).length, 0);
  // Room kept in every part for the "continued" line, and in the first for its extra blocks.
  const contReserve = { blocks: 1, text: 300 };
  const parts: SlackBlock[][] = [[]];
  let size = 0;
  for (const block of blocks) {
    const current = parts[parts.length - 1] as SlackBlock[];
    const first = parts.length === 1;
    const maxBlocks = SLACK_LIMITS.blocksPerMessage - contReserve.blocks - (first ? firstExtra.length : 0);
    const maxText = BUDGET.blockText - contReserve.text - (first ? extraText : 0);
    const len = blockText(block).length;
    if (current.length > 0 && (current.length + 1 > maxBlocks || size + len > maxText)) {
      parts.push([block]);
      size = len;
    } else {
      current.push(block);
      size += len;
    }
  }
  const total = parts.length;
  return parts.map((part, i) => {
    const out = [...part];
    if (i === 0) out.push(...firstExtra);
    if (i > 0 && total > 1) out.unshift(context(`_${options.label ?? 'continued'} (continued, ${i + 1}/${total})_`));
    return { text: fallbackText(out), blocks: out };
  });
}

/** The plain `text` of a message: what notifications and screen readers show; the blocks' text in order. */
function fallbackText(blocks: SlackBlock[]): string {
  const text = blocks
    .map(blockText)
    .filter((t) => t)
    .join('\n');
  return truncate(text, SLACK_LIMITS.messageText);
}

// --- messages --------------------------------------------------------------------------------------------------

/** The name to show for a vote emoji: Slack's `:+1:` form for names, the character itself for other unicode. */
export function slackEmoji(emoji: string): string {
  const name = resolveVoteEmoji([emoji]).slack[0] ?? emoji;
  return /^[\w+'-]+$/.test(name) ? `:${name}:` : escapeText(name);
}

function authorsLine(authors: string[]): string {
  const shown = authors.length > 25 ? [...authors.slice(0, 20), `et al. (${authors.length} authors)`] : authors;
  return `*Authors:* ${escapeText(shown.join(', '))}`;
}

function paperLink(paper: Pick<Paper, 'id' | 'version' | 'title'>, options: RenderOptions, prefix = ''): string {
  return slackLink(absUrl(paper, options.paperBase), `${prefix}${paper.title.replace(/\s+/g, ' ')}`);
}

function renderDigest(m: Extract<OutgoingMessage, { kind: 'digest' }>): SlackMessagePart[] {
  const d = m.digest;
  const blocks: SlackBlock[] = [header(`ArXiv Daily Digest on ${d.date} · ${d.name}`)];
  const counts = `Total papers: ${d.totalPapers}, Selected papers: ${d.selected.length}`;
  if (d.empty) {
    blocks.push(section(escapeText(`arXiv announced no new papers in ${d.categories.join(', ')} on ${d.date}.`)));
  } else {
    // The digest is one top-level message: intro and TL;DR are shortened to fit rather than split.
    if (d.intro.trim()) blocks.push(...sections(toMrkdwn(truncate(d.intro, 2_500))));
    blocks.push(...sections(toMrkdwn(truncate(d.tldr, 6_000)), `*TL;DR*\n${counts}`));
    if (d.selected.length === 0) blocks.push(section('No paper matched the interests today.'));
  }
  const notes = d.notices.map((n) => `:information_source: ${escapeText(n)}`);
  if (d.selected.length > 0) notes.push(':thread: One reply per paper in the thread; react to vote.');
  if (notes.length) blocks.push(context(...notes));
  const parts = pack(blocks);
  // Never more than one top-level message: if escaping grew the text past the budget, keep what fits.
  return parts.slice(0, 1);
}

function renderPaper(m: Extract<OutgoingMessage, { kind: 'paper' }>, options: RenderOptions): SlackMessagePart[] {
  const p: SelectedPaper = m.paper;
  const blocks: SlackBlock[] = [section(`*${paperLink(p, options, `${m.index + 1}. `)}*`)];
  const meta = [authorsLine(p.authors)];
  if (p.keywords.length) meta.push(`*Keywords:* ${escapeText(p.keywords.join(', '))}`);
  if (p.comments?.trim()) meta.push(`*Comments:* ${escapeText(p.comments.trim())}`);
  meta.push(`arXiv:${escapeText(`${p.id}v${p.version}`)} · ${escapeText(p.categories.join(', '))}`);
  blocks.push(context(...meta));
  if (p.summary.trim()) blocks.push(...sections(toMrkdwn(p.summary), '*Summary*'));
  if (p.critique.trim()) blocks.push(divider, ...sections(toMrkdwn(p.critique), '*Critique*'));
  const vote = context(`React with ${slackEmoji(m.voteEmoji)} to vote for this paper`);
  return pack(blocks, { firstExtra: [vote], label: escapeText(truncate(p.title, 120)) });
}

function renderCritique(m: Extract<OutgoingMessage, { kind: 'critique' }>, options: RenderOptions): SlackMessagePart[] {
  const meta = [`arXiv:${escapeText(`${m.paper.id}v${m.paper.version}`)}`];
  // The requester's id comes from Slack's signed request, not from text: mentioning them is intended.
  if (m.requestedBy && /^[UW][A-Z0-9]+$/.test(m.requestedBy)) meta.push(`requested by <@${m.requestedBy}>`);
  if (m.cached) meta.push('from cache');
  const blocks: SlackBlock[] = [
    section(`*Critique of ${paperLink(m.paper, options)}*`),
    context(meta.join(' · ')),
    ...sections(toMrkdwn(m.critique)),
  ];
  return pack(blocks, { label: escapeText(truncate(m.paper.title, 120)) });
}

function tallyLine(line: TallyLine, rank: number, options: RenderOptions): string {
  const votes = `${line.votes} vote${line.votes === 1 ? '' : 's'}`;
  const mark = line.winner ? ':trophy: ' : '';
  return `${mark}${rank}. ${paperLink(line.paper, options)} — ${line.winner ? `*${votes}*` : votes}`;
}

function renderTally(m: Extract<OutgoingMessage, { kind: 'tally' }>, options: RenderOptions): SlackMessagePart[] {
  const sorted = [...m.lines].sort((a, b) => b.votes - a.votes);
  const body = sorted.map((l, i) => tallyLine(l, i + 1, options)).join('\n');
  const blocks: SlackBlock[] = [header(`Vote results · ${m.name} · ${m.date}`)];
  if (body) blocks.push(...sections(body));
  const voters =
    m.totalVoters === 0 ? 'No votes this time.' : `${m.totalVoters} member${m.totalVoters === 1 ? '' : 's'} voted.`;
  blocks.push(context(voters));
  return pack(blocks, { label: 'Vote results' });
}

function renderDeepDive(
  m: Extract<OutgoingMessage, { kind: 'deep-dive' }>,
  options: RenderOptions,
): SlackMessagePart[] {
  const blocks: SlackBlock[] = [
    section(`:mag: *Deep dive: ${paperLink(m.paper, options)}*`),
    ...sections(toMrkdwn(m.text)),
  ];
  return pack(blocks, { label: `Deep dive: ${escapeText(truncate(m.paper.title, 100))}` });
}

/** Renders one logical message into one or more Slack messages, each within Slack's limits. */
export function renderSlack(message: OutgoingMessage, options: RenderOptions = {}): SlackMessagePart[] {
  switch (message.kind) {
    case 'digest':
      return renderDigest(message);
    case 'paper':
      return renderPaper(message, options);
    case 'critique':
      return renderCritique(message, options);
    case 'tally':
      return renderTally(message, options);
    case 'deep-dive':
      return renderDeepDive(message, options);
    case 'text':
      return pack(sections(toMrkdwn(message.text) || '_(empty message)_'));
  }
}
