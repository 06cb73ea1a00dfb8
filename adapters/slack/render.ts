/**
 * Logical messages (src/chat/types.ts OutgoingMessage) to Slack Block Kit messages with a plain `text` fallback,
 * each within Slack's limits. A message too long for one Slack message becomes several parts, which the core sends
 * in order (a paper's parts all go in the digest's thread). All text from papers and the LLM passes through
 * toMrkdwn/escapeText, so no mention reaches Slack live.
 */
import type { types as SlackTypes } from '@slack/bolt';
import type { DiffSegment, FollowMention, OutgoingMessage, TallyLine } from '../../src/chat/types';
import { absUrl, type Digest, type Paper, type SelectedPaper } from '../../src/app/types';
import { oneLine } from '../../src/app/errors';
import { disarmMentions, truncate } from '../../src/app/text';
import {
  ALSO_FOLLOWED_HEADING,
  becauseLine,
  CHAT_LAYOUT,
  cardFollowers,
  cardTldr,
  clipSentences,
  dayOverview,
  shortAuthors,
  themePaper,
  markedDiff,
} from '../../src/chat/layout';
import { slackEmojiName } from './emoji';
import { OPTION_LABEL_CHARS, cardControls, optionLabel } from '../../src/chat/actions';
import { escapeText, slackLink, splitMrkdwn, toMrkdwn, visibleText } from './mrkdwn';

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

/** Characters of a paper's title in a link (critique, deep-dive and tally headers, the details' first line). */
const TITLE_IN_LINK = 300;

export type SlackBlock =
  | SlackTypes.SectionBlock
  | SlackTypes.HeaderBlock
  | SlackTypes.ContextBlock
  | SlackTypes.DividerBlock
  | SlackTypes.ActionsBlock;

/** One Slack message ready for chat.postMessage (less channel and thread). */
export interface SlackMessagePart extends Record<string, unknown> {
  text: string;
  blocks: SlackBlock[];
  /**
   * The digest's papers, for a digest's top-level message: sent in its message metadata (not shown), so a digest
   * found in the channel after the store was lost names every paper it was posted with.
   */
  papers?: string[];
}

export interface RenderOptions {
  /** Base of the paper links shown to readers; default arxiv.org as in the seed digest. */
  paperBase?: string;
}

// --- blocks ---------------------------------------------------------------------------------------------------

function section(mrkdwn: string): SlackTypes.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: mrkdwn } };
}

/**
 * Sections Slack must show whole: without `expand` it may fold a section of a few lines behind "See more", which
 * would hide the parent's themes or a card's TL;DR. (The long text after a card may fold: that is its purpose.)
 */
function expanded(blocks: SlackBlock[]): SlackBlock[] {
  return blocks.map((b) => (b.type === 'section' ? { ...b, expand: true } : b));
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
  const name = slackEmojiName(emoji);
  return /^[\w+'-]+$/.test(name) ? `:${name}:` : escapeText(name);
}

function paperLink(paper: Pick<Paper, 'id' | 'version' | 'title'>, options: RenderOptions, prefix = ''): string {
  // Bounded: a 5,000-character title must not break the 3,000 of the section that holds the link.
  const title = truncate(paper.title.replace(/\s+/g, ' ').trim(), TITLE_IN_LINK);
  return slackLink(absUrl(paper, options.paperBase), `${prefix}${title}`);
}

/** Characters a member sees in these blocks (links by their label; buttons and a menu's placeholder too). */
export function visibleLength(blocks: SlackBlock[]): number {
  return blocks.reduce((n, b) => n + visibleText(blockText(b)).length + actionsText(b).length, 0);
}

/** The labels a member sees on an actions block (buttons, a menu's placeholder). */
function actionsText(block: SlackBlock): string {
  if (block.type !== 'actions') return '';
  return block.elements
    .map((e) => ('text' in e && e.text ? e.text.text : 'placeholder' in e && e.placeholder ? e.placeholder.text : ''))
    .join(' ');
}

/** The block_id of a card's buttons: a card is recognised by it when a click comes back. */
export const CARD_ACTIONS_BLOCK = 'ad-card';

/**
 * A card's buttons (Vote with its count, Critique, Ask…, Not for us, Why?) and its Follow an author menu. Each
 * carries the paper's id and version (a menu option also the author's index on the card), nothing else.
 */
export function cardActions(
  p: Pick<Paper, 'id' | 'version' | 'authors'>,
  votes: number | undefined,
  emoji: string,
): SlackTypes.ActionsBlock {
  const { value, buttons, menu } = cardControls(p, votes, emoji);
  const elements: SlackTypes.ActionsBlock['elements'] = buttons.map((b) => ({
    type: 'button',
    action_id: b.componentId,
    text: { type: 'plain_text', text: b.label, emoji: true },
    value,
    ...(b.primary ? { style: 'primary' as const } : {}),
  }));
  if (menu)
    elements.push({
      type: 'static_select',
      action_id: menu.componentId,
      placeholder: { type: 'plain_text', text: menu.placeholder },
      options: menu.options.map((o) => ({
        text: { type: 'plain_text', text: optionLabel(o, OPTION_LABEL_CHARS - 2, disarmMentions) },
        value: `${value}#${o.index}`,
      })),
    });
  return { type: 'actions', block_id: CARD_ACTIONS_BLOCK, elements };
}

/** One line of outside text, escaped, whitespace collapsed, cut at a word to `max` characters. */
function escapedLine(text: string, max: number): string {
  return escapeText(truncate(oneLine(text), max));
}

/** How detailed the parent's TL;DR is; the renderer takes the most detailed that fits one screen. */
interface Detail {
  openingSentences: number;
  insightChars: number;
  common: boolean;
}

const DETAILS: Detail[] = [
  { openingSentences: CHAT_LAYOUT.openingSentences, insightChars: 160, common: true },
  { openingSentences: CHAT_LAYOUT.openingSentences, insightChars: 160, common: false },
  { openingSentences: CHAT_LAYOUT.openingSentences, insightChars: 80, common: false },
  { openingSentences: 2, insightChars: 0, common: false },
  { openingSentences: 1, insightChars: 0, common: false },
];

/** The TL;DR themes as mrkdwn lines: a bold numbered title, then each paper linked by its short name. */
function themeLines(
  d: Digest,
  overview: ReturnType<typeof dayOverview>,
  detail: Detail,
  options: RenderOptions,
): string[] {
  const lines: string[] = [];
  overview.themes.forEach((theme, t) => {
    const many = overview.themes.length > 1;
    if (many) lines.push(`*${t + 1}. ${escapedLine(theme.title, 80)}*`);
    for (const entry of theme.papers) {
      const found = themePaper(d, entry.id);
      if (!found) continue;
      const name = truncate(entry.shortName.replace(/\s+/g, ' ').trim(), 120);
      const link = slackLink(absUrl(found.paper, options.paperBase), name);
      const insight = detail.insightChars > 0 && entry.insight ? escapedLine(entry.insight, detail.insightChars) : '';
      lines.push(`${many ? '    ' : ''}• ${link} _(#${found.index + 1})_${insight ? ` ${insight}` : ''}`);
    }
  });
  return lines;
}

function parentBlocks(d: Digest, detail: Detail, options: RenderOptions, emoji: string): SlackBlock[] {
  const blocks: SlackBlock[] = [header(`ArXiv Daily Digest on ${d.date} · ${d.name}`)];
  const notes = d.notices.map((n) => `:information_source: ${escapedLine(n, 400)}`);
  if (d.empty) {
    blocks.push(section(escapeText(`arXiv announced no new papers in ${d.categories.join(', ')} on ${d.date}.`)));
    if (notes.length) blocks.push(context(...notes));
    return blocks;
  }
  const opening = clipSentences(d.intro, {
    maxSentences: detail.openingSentences,
    maxChars: CHAT_LAYOUT.openingChars,
  });
  if (opening) blocks.push(section(toMrkdwn(opening)));
  const overview = dayOverview(d);
  if (overview.tldr) blocks.push(section(`*TL;DR:* ${escapedLine(overview.tldr, 300)}`));
  const lines = themeLines(d, overview, detail, options);
  if (lines.length) blocks.push(...sections(lines.join('\n')));
  if (detail.common && overview.commonInsights)
    blocks.push(
      section(
        `*Common insights:* ${escapeText(clipSentences(overview.commonInsights, { maxSentences: 2, maxChars: 300 }))}`,
      ),
    );
  if (d.selected.length === 0) blocks.push(section('No paper matched the interests today.'));
  const counts = `Total papers: ${d.totalPapers} · Selected papers: ${d.selected.length}`;
  const how =
    d.selected.length > 0
      ? `:thread: A card per paper in the thread: react with ${emoji} on a card to vote (or \`/vote &lt;arXiv id&gt;\`); \`/critique &lt;arXiv id&gt;\` for any paper.`
      : '';
  blocks.push(context(counts, how, ...notes));
  return blocks;
}

/**
 * The digest's parent: one message a member reads on one screen (≤ 3,000 visible characters). The most detailed
 * layout that fits is taken; past the last, theme lines are left out from the end with a pointer to the thread.
 */
function renderDigest(m: Extract<OutgoingMessage, { kind: 'digest' }>, options: RenderOptions): SlackMessagePart[] {
  const d = m.digest;
  const emoji = slackEmoji(m.voteEmoji ?? '+1');
  let blocks: SlackBlock[] = [];
  for (const detail of DETAILS) {
    blocks = parentBlocks(d, detail, options, emoji);
    if (visibleLength(blocks) <= CHAT_LAYOUT.parentVisible && blocks.length <= SLACK_LIMITS.blocksPerMessage) break;
  }
  blocks = expanded(fitParent(blocks));
  return [{ text: fallbackText(blocks), blocks, papers: d.selected.map((p) => p.id) }];
}

/** The last resort for a day of very many papers: theme lines dropped from the end until the parent fits. */
function fitParent(blocks: SlackBlock[]): SlackBlock[] {
  const out = [...blocks];
  const over = () => visibleLength(out) > CHAT_LAYOUT.parentVisible || out.length > SLACK_LIMITS.blocksPerMessage;
  // The theme sections sit between the TL;DR and the closing context; shorten the last of them line by line.
  for (let i = out.length - 2; i >= 1 && over(); i--) {
    const block = out[i];
    if (block?.type !== 'section') continue;
    const lines = blockText(block).split('\n');
    while (lines.length > 0 && over()) {
      lines.pop();
      const rest = lines.join('\n');
      if (rest) out[i] = section(`${rest}\n_… more in the thread_`);
      else out.splice(i, 1);
    }
  }
  return out;
}

/** A Slack member id as Slack gives it in a signed request (U… or W…), and so as the store keeps it. */
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,20}$/;

/**
 * A member's mention, built from the id the store kept of their /follow: the only mention the bot sends. Anything
 * that is not a Slack user id mentions nobody.
 */
export function memberMention(userId: string): string | undefined {
  return SLACK_USER_ID.test(userId) ? `<@${userId}>` : undefined;
}

/** The card's follow line: each follower shown mentioned, with what they follow on it. */
function followLine(followers: FollowMention[]): string | undefined {
  const { shown, more } = cardFollowers(followers, (id) => !!memberMention(id));
  if (shown.length === 0) return undefined;
  const named = shown.map(({ follower, reason }) => `${memberMention(follower.userId)} ${escapedLine(reason, 200)}`);
  return `:bust_in_silhouette: ${named.join(' · ')}${more > 0 ? ` · and ${more} more follow it` : ''}`;
}

/** A paper's card: what a member reads at a glance, with the vote hint in sight (≤ 1,500 visible characters). */
function paperCard(m: Extract<OutgoingMessage, { kind: 'paper' }>, options: RenderOptions): SlackBlock[] {
  const p: SelectedPaper = m.paper;
  const emoji = slackEmoji(m.voteEmoji);
  const title = truncate(p.title.replace(/\s+/g, ' ').trim(), 220);
  const meta = [`*Authors:* ${escapedLine(shortAuthors(p.authors), 300)}`];
  if (p.keywords.length) meta.push(`*Keywords:* ${escapedLine(p.keywords.join(', '), 200)}`);
  const ids = [`arXiv:${p.id}v${p.version}`, p.categories.join(', ')];
  if (p.comments?.trim()) ids.push(p.comments);
  meta.push(escapedLine(ids.join(' · '), 220));
  if (m.because) meta.push(escapedLine(becauseLine(m.because), 240));
  const follows = m.followers?.length ? followLine(m.followers) : undefined;
  if (follows) meta.push(follows);
  const vote = context(
    `${emoji} *Vote:* react with ${emoji} on this message, or \`/vote ${escapeText(p.id)}\` · abstract, summary and critique in the next reply`,
  );
  const actions = cardActions(p, m.votes, emoji);
  const head = [section(`*${slackLink(absUrl(p, options.paperBase), `${m.index + 1}. ${title}`)}*`), context(...meta)];
  let tldrChars: number = CHAT_LAYOUT.tldrChars;
  for (;;) {
    const tldr = clipSentences(cardTldr(p), { maxChars: tldrChars });
    const blocks = [...head, ...(tldr ? [section(`*TL;DR:* ${toMrkdwn(tldr)}`)] : []), vote, actions];
    if (visibleLength(blocks) <= CHAT_LAYOUT.cardVisible || tldrChars < 60) return expanded(blocks);
    tldrChars -= 50;
  }
}

/** The long text after the card: abstract, summary, critique, in as many messages as Slack's limits need. */
function paperDetails(m: Extract<OutgoingMessage, { kind: 'paper' }>, options: RenderOptions): SlackMessagePart[] {
  const p: SelectedPaper = m.paper;
  const blocks: SlackBlock[] = [context(`_Abstract, summary and critique of ${paperLink(p, options)}_`)];
  if (p.abstract.trim()) blocks.push(...sections(escapeText(p.abstract.replace(/\s+/g, ' ').trim()), '*Abstract*'));
  if (p.summary.trim()) blocks.push(divider, ...sections(toMrkdwn(p.summary), '*Summary*'));
  if (p.critique.trim()) blocks.push(divider, ...sections(toMrkdwn(p.critique), '*Critique*'));
  return pack(blocks, { label: escapeText(truncate(p.title, 120)) });
}

/**
 * A paper in the digest's thread: first its card (the message whose reactions are its votes), then its details.
 * The card is always exactly one message.
 */
function renderPaper(m: Extract<OutgoingMessage, { kind: 'paper' }>, options: RenderOptions): SlackMessagePart[] {
  const card = paperCard(m, options);
  return [{ text: fallbackText(card), blocks: card }, ...paperDetails(m, options)];
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

/** "Also from people you follow": each paper linked, its followed authors, its followers mentioned. */
function renderFollowed(m: Extract<OutgoingMessage, { kind: 'followed' }>, options: RenderOptions): SlackMessagePart[] {
  const lines = m.papers.map((f) => {
    const mentions = f.followers.map(memberMention).filter((x): x is string => !!x);
    const who = escapedLine(f.authors.join(', '), 200);
    return `• ${paperLink(f.paper, options)} — ${who}${mentions.length ? ` · ${mentions.join(' ')}` : ''}`;
  });
  if (m.more) lines.push(`_… and ${m.more} more_`);
  return pack(sections(lines.join('\n'), `:bust_in_silhouette: *${ALSO_FOLLOWED_HEADING}* (not in today's digest)`), {
    label: ALSO_FOLLOWED_HEADING,
  });
}

/**
 * A paper's answer to a member's question: the question quoted, the answer, the bot's source line. Nobody is
 * mentioned: the member's words and the model's are escaped (no `<@U…>`, `<!here>` can form).
 */
function renderAnswer(m: Extract<OutgoingMessage, { kind: 'answer' }>, options: RenderOptions): SlackMessagePart[] {
  const meta = [`arXiv:${escapeText(`${m.paper.id}v${m.paper.version}`)}`];
  if (m.cached) meta.push('from cache');
  const blocks: SlackBlock[] = [
    section(`:speech_balloon: *Q:* ${escapedLine(m.question, 600)}`),
    context(`About ${paperLink(m.paper, options)} · ${meta.join(' · ')}`),
    ...sections(toMrkdwn(m.answer.trim() || '_No answer._')),
    context(`_${escapedLine(m.source, 400)}_`),
  ];
  return pack(blocks, { label: `Answer: ${escapeText(truncate(oneLine(m.question), 80))}` });
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

/** Slack's emphasis markers in a changed word would end its ~strike~ or *bold* early: shown as look-alikes. */
function markerSafe(text: string): string {
  return text.replace(/\*/g, '∗').replace(/~/g, '∼');
}

/** The abstract's word diff in mrkdwn: removed words struck through, added words bold, "…" for what was left out. */
export function slackDiff(segments: DiffSegment[]): string {
  return markedDiff(segments, { escape: escapeText, inside: markerSafe, removed: '~', added: '*' });
}

/** A new version of a paper, as one reply in the paper's digest thread. */
function renderNewVersion(
  m: Extract<OutgoingMessage, { kind: 'new-version' }>,
  options: RenderOptions,
): SlackMessagePart[] {
  const n = m.notice;
  const link = paperLink(n.paper, options);
  const v = `v${n.paper.version}`;
  const blocks: SlackBlock[] = [];
  if (n.withdrawn) {
    blocks.push(section(`:no_entry_sign: *${v} withdraws the paper* (${escapeText(n.date)}): ${link}`));
    blocks.push(context(`arXiv:${escapeText(n.paper.id)}${v} · this thread showed v${n.previousVersion}`));
    blocks.push(
      section(`*arXiv says:* “${escapedLine(n.withdrawn, 500)}” · no summary or critique of a withdrawn version`),
    );
    return pack(blocks);
  }
  blocks.push(section(`:new: *${v} is out* (${escapeText(n.date)}): ${link}`));
  const meta = [`arXiv:${escapeText(n.paper.id)}${v} · this thread showed v${n.previousVersion}`];
  if (n.comments?.trim()) meta.push(`*Comments:* ${escapedLine(n.comments, 500)}`);
  blocks.push(context(...meta));
  if (n.note) blocks.push(section(`*What changes:* ${escapedLine(n.note, 600)}`));
  if (n.diff) {
    const diff = n.diff.length ? slackDiff(n.diff) : '_unchanged_';
    blocks.push(...sections(diff, `*Abstract, v${n.previousVersion} → ${v}:*`));
  }
  return pack(blocks, { label: `${v}: ${escapeText(truncate(n.paper.title, 100))}` });
}

/** Renders one logical message into one or more Slack messages, each within Slack's limits. */
export function renderSlack(message: OutgoingMessage, options: RenderOptions = {}): SlackMessagePart[] {
  switch (message.kind) {
    case 'digest':
      return renderDigest(message, options);
    case 'paper':
      return renderPaper(message, options);
    case 'critique':
      return renderCritique(message, options);
    case 'answer':
      return renderAnswer(message, options);
    case 'tally':
      return renderTally(message, options);
    case 'deep-dive':
      return renderDeepDive(message, options);
    case 'followed':
      return renderFollowed(message, options);
    case 'new-version':
      return renderNewVersion(message, options);
    case 'text':
      return pack(sections(toMrkdwn(message.text) || '_(empty message)_'));
  }
}
