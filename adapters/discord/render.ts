/**
 * Renders the core's logical messages into Discord message bodies (REST `POST /channels/{id}/messages` JSON), each
 * within Discord's limits: content 2,000; embed title 256, description 4,096, 25 fields of 256/1,024, footer 2,048;
 * 10 embeds and 6,000 embed characters per message. What does not fit is split across several messages (parts) at
 * paragraph, line or word boundaries, never cut silently.
 *
 * Every text that comes from a paper or a model passes through `disarmDiscord`, and every body carries
 * `allowed_mentions: {parse: []}`: two locks, so nothing a paper or a model writes pings anyone.
 */
import type { APIEmbed, APIEmbedField } from 'discord.js';
import { disarmDiscord, splitText, truncate } from '../../src/app/text';
import { absUrl, type Paper } from '../../src/app/types';
import type { OutgoingMessage, RenderedPart, TallyLine } from '../../src/chat/types';

export const LIMITS = {
  content: 2000,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  authorName: 256,
  embedsPerMessage: 10,
  /** All embeds of one message together (title, description, field names and values, footer, author name). */
  messageTotal: 6000,
  threadName: 100,
} as const;

/** Discord's message flag that keeps link previews out of a content-only message (the TL;DR lists many links). */
export const SUPPRESS_EMBEDS = 1 << 2;
export const EPHEMERAL = 1 << 6;

/** Mentions are never parsed: even a mention that slipped past disarming shows as text and pings nobody. */
export const NO_MENTIONS = Object.freeze({ parse: [] as string[] });

/** The body of one Discord message. */
export interface DiscordMessageBody extends RenderedPart {
  content?: string;
  embeds?: APIEmbed[];
  allowed_mentions: { parse: string[] };
  flags?: number;
}

/** Where the links shown to people point (not ARXIV_WEB_URL, which is where the bot reads from). */
const ARXIV_LINK_BASE = 'https://arxiv.org';
const ARXIV_RED = 0xb31b1b;
const SECTION_COLOR = 0x5865f2;

/** Our Markdown for message content: Discord renders `#`..`###`, lists, bold, links; deeper headings become bold. */
export function contentMarkdown(markdown: string): string {
  return disarmDiscord(
    markdown
      .replace(/^#{4,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm, '**$1**')
      // Horizontal rules are shown literally by Discord: drop them, the paragraphs stay apart.
      .replace(/^[ \t]*([-*_])([ \t]*\1){2,}[ \t]*$/gm, '')
      .replace(/\n{3,}/g, '\n\n')
      .trim(),
  );
}

/** Our Markdown for embeds: headings are not rendered there, so every heading becomes a bold line. */
export function embedMarkdown(markdown: string): string {
  return contentMarkdown(markdown.replace(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm, '**$1**'));
}

/** A single line of paper/model text for a title, field or footer: disarmed, whitespace collapsed, cut to `max`. */
function line(text: string, max: number): string {
  return truncate(disarmDiscord(text.replace(/\s+/g, ' ').trim()), max);
}

/** The characters Discord counts towards the 6,000 of a message. */
export function embedLength(embed: APIEmbed): number {
  let n = (embed.title?.length ?? 0) + (embed.description?.length ?? 0);
  n += embed.footer?.text.length ?? 0;
  n += embed.author?.name.length ?? 0;
  for (const f of embed.fields ?? []) n += f.name.length + f.value.length;
  return n;
}

function body(part: Omit<DiscordMessageBody, 'allowed_mentions'>): DiscordMessageBody {
  return { ...part, allowed_mentions: { parse: [] } };
}

/** Content-only messages: split at paragraph/line/word boundaries to at most 2,000 characters each. */
function contentParts(text: string, flags?: number): DiscordMessageBody[] {
  const chunks = splitText(text, LIMITS.content);
  return (chunks.length ? chunks : ['\u200B']).map((content) =>
    body(flags === undefined ? { content } : { content, flags }),
  );
}

/**
 * Packs embeds into as few messages as the limits allow, in order: a new message starts when the next embed would
 * pass 10 embeds or 6,000 characters. `content` goes with the first message and counts against its budget (Discord
 * counts embeds only; counting the content too keeps a margin).
 */
export function packEmbeds(embeds: APIEmbed[], content?: string): DiscordMessageBody[] {
  const parts: DiscordMessageBody[] = [];
  let current: APIEmbed[] = [];
  let used = content?.length ?? 0;
  let first = true;
  const flush = () => {
    if (current.length === 0) return;
    parts.push(body(first && content ? { content, embeds: current } : { embeds: current }));
    first = false;
    current = [];
    used = 0;
  };
  for (const embed of embeds) {
    const size = embedLength(embed);
    if (current.length >= LIMITS.embedsPerMessage || used + size > LIMITS.messageTotal) flush();
    current.push(embed);
    used += size;
  }
  flush();
  if (parts.length === 0 && content) parts.push(body({ content }));
  return parts;
}

/**
 * A titled section of Markdown as embeds: the description is split to 4,096 characters; the first embed carries the
 * title (and link), the last the footer.
 */
function sectionEmbeds(
  markdown: string,
  head: { title?: string; url?: string; color: number; footer?: string },
): APIEmbed[] {
  const text = embedMarkdown(markdown);
  // The title shares the 6,000 budget: keep each embed's description below 4,096 and the whole embed below 6,000.
  const chunks = text ? splitText(text, LIMITS.embedDescription) : [];
  const embeds: APIEmbed[] = (chunks.length ? chunks : ['']).map((description, i) => {
    const embed: APIEmbed = { color: head.color };
    if (i === 0 && head.title) embed.title = truncate(head.title, LIMITS.embedTitle);
    if (i === 0 && head.url) embed.url = head.url;
    if (i > 0 && head.title) embed.title = truncate(`${head.title} (continued)`, LIMITS.embedTitle);
    if (description) embed.description = description;
    return embed;
  });
  const last = embeds[embeds.length - 1];
  if (last && head.footer) last.footer = { text: truncate(head.footer, LIMITS.footer) };
  return embeds;
}

function field(name: string, value: string): APIEmbedField {
  return { name: truncate(name, LIMITS.fieldName), value: line(value, LIMITS.fieldValue) || '\u200B', inline: false };
}

function paperUrl(paper: Pick<Paper, 'id' | 'version'>): string {
  return absUrl(paper, ARXIV_LINK_BASE);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function renderDigest(message: Extract<OutgoingMessage, { kind: 'digest' }>): DiscordMessageBody[] {
  const d = message.digest;
  const lines: string[] = [`# ArXiv Daily Digest on ${d.date}`, `-# ${d.name} · ${d.categories.join(', ')}`, ''];
  if (d.empty) {
    lines.push(`No new arXiv announcements in ${d.categories.join(', ')} for ${d.date}.`);
  } else {
    if (d.intro.trim()) lines.push(d.intro.trim(), '');
    lines.push('## TL;DR', '', `Total papers: ${d.totalPapers} , Selected papers: ${d.selected.length}`, '');
    if (d.tldr.trim()) lines.push(d.tldr.trim(), '');
    if (d.selected.length) lines.push('-# One message per paper in the thread below; react on a paper to vote.');
  }
  for (const notice of d.notices) lines.push(`-# ${notice.replace(/\s+/g, ' ').trim()}`);
  return contentParts(contentMarkdown(lines.join('\n')), SUPPRESS_EMBEDS);
}

function renderPaper(message: Extract<OutgoingMessage, { kind: 'paper' }>): DiscordMessageBody[] {
  const { paper, index, voteEmoji } = message;
  const card: APIEmbed = {
    title: line(`${index + 1}. ${paper.title}`, LIMITS.embedTitle),
    url: paperUrl(paper),
    color: ARXIV_RED,
    fields: [field('Authors', paper.authors.join(', '))],
    footer: { text: truncate(`arXiv:${paper.id}v${paper.version} · React with ${voteEmoji} to vote`, LIMITS.footer) },
  };
  // One line on why it was picked; kept short so the card stays far below 6,000 with its fields.
  if (paper.reason?.trim()) card.description = truncate(embedMarkdown(paper.reason), 1024);
  if (paper.keywords.length) card.fields?.push(field('Keywords', paper.keywords.join(', ')));
  if (paper.comments?.trim()) card.fields?.push(field('Comments', paper.comments));
  const embeds = [card];
  if (paper.summary.trim()) embeds.push(...sectionEmbeds(paper.summary, { title: 'Summary', color: SECTION_COLOR }));
  if (paper.critique.trim()) embeds.push(...sectionEmbeds(paper.critique, { title: 'Critique', color: SECTION_COLOR }));
  return packEmbeds(embeds);
}

function renderCritique(message: Extract<OutgoingMessage, { kind: 'critique' }>): DiscordMessageBody[] {
  const { paper, critique, cached, requestedBy } = message;
  const embeds = sectionEmbeds(critique.trim() || '_No critique is available for this paper._', {
    title: line(`Critique: ${paper.title}`, LIMITS.embedTitle),
    url: paperUrl(paper),
    color: ARXIV_RED,
    footer: `arXiv:${paper.id}v${paper.version}${cached ? ' · from the cache' : ''}`,
  });
  // A member id from the platform (not model text) may show as a mention; allowed_mentions keeps it silent.
  const content = requestedBy
    ? /^\d{15,22}$/.test(requestedBy)
      ? `Requested by <@${requestedBy}>`
      : `Requested by ${line(requestedBy, 100)}`
    : undefined;
  return packEmbeds(embeds, content);
}

function renderDeepDive(message: Extract<OutgoingMessage, { kind: 'deep-dive' }>): DiscordMessageBody[] {
  const { paper, text } = message;
  return packEmbeds(
    sectionEmbeds(text, {
      title: line(`Deep dive: ${paper.title}`, LIMITS.embedTitle),
      url: paperUrl(paper),
      color: ARXIV_RED,
      footer: `arXiv:${paper.id}v${paper.version} · the vote's winner`,
    }),
  );
}

function tallyLine(l: TallyLine, rank: number): string {
  const title = line(l.paper.title, 200).replace(/[[\]]/g, '');
  const medal = l.winner ? ' 🏆' : '';
  return `${rank}. [${title}](<${paperUrl(l.paper)}>) — ${plural(l.votes, 'vote')}${medal}`;
}

function renderTally(message: Extract<OutgoingMessage, { kind: 'tally' }>): DiscordMessageBody[] {
  const lines = [`## Vote results · ${message.name} · ${message.date}`, ''];
  if (message.lines.length === 0 || message.totalVoters === 0) lines.push('No votes were cast this time.');
  else {
    lines.push(`${plural(message.totalVoters, 'member')} voted.`, '');
    message.lines.forEach((l, i) => {
      lines.push(tallyLine(l, i + 1));
    });
  }
  return contentParts(disarmDiscord(lines.join('\n')), SUPPRESS_EMBEDS);
}

/** Renders one logical message into one or more Discord message bodies, each within the limits. */
export function renderDiscord(message: OutgoingMessage): DiscordMessageBody[] {
  switch (message.kind) {
    case 'digest':
      return renderDigest(message);
    case 'paper':
      return renderPaper(message);
    case 'critique':
      return renderCritique(message);
    case 'deep-dive':
      return renderDeepDive(message);
    case 'tally':
      return renderTally(message);
    case 'text':
      return contentParts(contentMarkdown(message.text));
  }
}
