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
import { outsideText, splitText, truncate } from '../../src/app/text';
import { disarmDiscord } from './text';
import { absUrl, type Paper } from '../../src/app/types';
import {
  ALSO_FOLLOWED_HEADING,
  becauseLine,
  CHAT_LAYOUT,
  cardFollowers,
  cardTldr,
  chatOpening,
  clipSentences,
  dayOverview,
  shortAuthors,
  themePaper,
  markedDiff,
} from '../../src/chat/layout';
import type { DiffSegment, OutgoingMessage, RenderedPart, TallyLine } from '../../src/chat/types';
import { OPTION_LABEL_CHARS, cardControls, optionLabel } from '../../src/chat/actions';

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

/** The body of one Discord message. */
export interface DiscordMessageBody extends RenderedPart {
  content?: string;
  embeds?: APIEmbed[];
  /**
   * Never parsed from text (`parse: []`); `users` lists the followers a card or the "Also from people you follow"
   * message mentions, by the ids the store kept of their /follow: the only pings the bot sends.
   */
  allowed_mentions: { parse: string[]; users?: string[] };
  flags?: number;
  /** Message components: action rows (type 1) of buttons (type 2) or one string select (type 3). */
  components?: DiscordActionRow[];
}

/** Discord's message components (https://discord.com/developers/docs/components/reference), as the card uses them. */
export interface DiscordButton {
  type: 2;
  /** 1 primary, 2 secondary. */
  style: 1 | 2;
  label: string;
  custom_id: string;
}
export interface DiscordSelect {
  type: 3;
  custom_id: string;
  placeholder: string;
  options: Array<{ label: string; value: string }>;
  min_values?: number;
  max_values?: number;
}
export interface DiscordActionRow {
  type: 1;
  components: Array<DiscordButton | DiscordSelect>;
}

/** Characters of the card's button labels and menu placeholder (with a vote count of four digits). */
const BUTTON_LABELS_CHARS = 80;

/** Discord's component limits: 5 action rows, 5 buttons or one select per row, ids and values ≤ 100. */
export const COMPONENT_LIMITS = {
  rows: 5,
  perRow: 5,
  label: 80,
  customId: 100,
  options: 25,
  optionLabel: 100,
} as const;

/**
 * A card's components: one row of five buttons (Vote with its count, Critique, Ask…, Not for us, Why?), each
 * custom_id `ad:<action>:<id>v<version>`, and a row with the Follow an author select (option values: the author's
 * index on the card).
 */
export function cardComponents(
  paper: Pick<Paper, 'id' | 'version' | 'authors'>,
  votes: number | undefined,
  emoji: string,
): DiscordActionRow[] {
  const { value, buttons, menu } = cardControls(paper, votes, emoji);
  const rows: DiscordActionRow[] = [
    {
      type: 1,
      components: buttons.map((b) => ({
        type: 2,
        style: b.primary ? 1 : 2,
        label: b.label,
        custom_id: `${b.componentId}:${value}`,
      })),
    },
  ];
  if (menu)
    rows.push({
      type: 1,
      components: [
        {
          type: 3,
          custom_id: `${menu.componentId}:${value}`,
          placeholder: menu.placeholder,
          options: menu.options.map((o) => ({
            label: optionLabel(o, OPTION_LABEL_CHARS, disarmDiscord),
            value: String(o.index),
          })),
        },
      ],
    });
  return rows;
}

/** A Discord user id (a snowflake). */
export const DISCORD_USER_ID = /^\d{15,22}$/;

/** The ids among `ids` that are Discord user ids, each once (Discord takes at most 100). */
export function mentionable(ids: string[]): string[] {
  return [...new Set(ids.filter((id) => DISCORD_USER_ID.test(id)))].slice(0, 100);
}

/** Content mentioning `ids`, and the allowed_mentions that lets exactly those ping. */
function withMentions(part: DiscordMessageBody, ids: string[], content: string): DiscordMessageBody {
  const users = mentionable(ids);
  if (users.length === 0) return part;
  return { ...part, content, allowed_mentions: { parse: [], users } };
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
  return truncate(disarmDiscord(outsideText(text.replace(/\s+/g, ' ').trim())), max);
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

function field(name: string, value: string, max: number = LIMITS.fieldValue): APIEmbedField {
  return { name: truncate(name, LIMITS.fieldName), value: line(value, max) || '\u200B', inline: false };
}

function paperUrl(paper: Pick<Paper, 'id' | 'version'>): string {
  return absUrl(paper, ARXIV_LINK_BASE);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A label for a Markdown link: no brackets that would end it early. */
function linkLabel(text: string, max: number): string {
  return line(text, max).replace(/[[\]]/g, '');
}

/** The TL;DR as embed Markdown lines: the sentence, the themes with their papers linked, the common insights. */
function tldrLines(d: Extract<OutgoingMessage, { kind: 'digest' }>['digest']): string[] {
  const overview = dayOverview(d);
  const lines: string[] = [];
  if (overview.tldr) lines.push(`**TL;DR:** ${line(overview.tldr, 300)}`, '');
  const many = overview.themes.length > 1;
  overview.themes.forEach((theme, t) => {
    if (many) lines.push(`**${t + 1}. ${line(theme.title, 80)}**`);
    for (const entry of theme.papers) {
      const found = themePaper(d, entry.id);
      if (!found) continue;
      const insight = entry.insight ? ` ${line(entry.insight, 160)}` : '';
      lines.push(`- [${linkLabel(entry.shortName, 120)}](${paperUrl(found.paper)}) (#${found.index + 1})${insight}`);
    }
    if (many) lines.push('');
  });
  if (overview.commonInsights)
    lines.push(
      `**Common insights:** ${line(clipSentences(overview.commonInsights, { maxSentences: 2, maxChars: 300 }), 320)}`,
    );
  return lines;
}

/** Whole lines from the front of `lines` within `max` characters (joined by newlines), and the rest. */
function takeLines(lines: string[], max: number): { head: string; rest: string[] } {
  const head: string[] = [];
  let used = 0;
  let i = 0;
  for (; i < lines.length; i++) {
    const l = lines[i] ?? '';
    const next = used + (head.length ? 1 : 0) + l.length;
    if (next > max) break;
    head.push(l);
    used = next;
  }
  // A single line longer than `max` is cut rather than stalling.
  if (i === 0 && lines.length > 0) return { head: truncate(lines[0] ?? '', max), rest: lines.slice(1) };
  return { head: head.join('\n').trim(), rest: lines.slice(i) };
}

/**
 * The digest: exactly one message in the channel (title, the opening's first sentences, the TL;DR embed with its
 * papers linked, the counts and how to vote). What does not fit that one message (a TL;DR of very many papers)
 * becomes further parts, which the core sends into the digest's thread, never into the channel.
 */
function renderDigest(message: Extract<OutgoingMessage, { kind: 'digest' }>): DiscordMessageBody[] {
  const d = message.digest;
  const head = [`# ArXiv Daily Digest on ${d.date}`, `-# ${d.name} · ${d.categories.join(', ')}`];
  const notices = d.notices.map((n) => `-# ${line(n, 400)}`);
  if (d.empty) {
    const content = [
      ...head,
      '',
      `No new arXiv announcements in ${d.categories.join(', ')} for ${d.date}.`,
      ...notices,
    ];
    return [body({ content: truncate(contentMarkdown(content.join('\n')), LIMITS.content) })];
  }
  const opening = outsideText(chatOpening(d.intro));
  const content = truncate(
    contentMarkdown([...head, '', ...(opening ? [opening, ''] : []), ...notices].join('\n')),
    LIMITS.content,
  );
  const emoji = message.voteEmoji ?? '👍';
  const footer = [
    `Total papers: ${d.totalPapers} · Selected papers: ${d.selected.length}`,
    d.selected.length > 0
      ? `One card per paper in the thread: react with ${emoji} on a card to vote, or /vote paper:<id> · /critique paper:<id> for any paper`
      : 'No paper matched the interests today.',
  ].join('\n');
  const lines = tldrLines(d);
  // The embed shares the 6,000 of the message with its footer (and, to keep a margin, the content).
  const room = Math.min(LIMITS.embedDescription, LIMITS.messageTotal - footer.length - content.length) - 40;
  const { head: description, rest } = takeLines(lines, room);
  const tldr: APIEmbed = { color: ARXIV_RED, footer: { text: truncate(footer, LIMITS.footer) } };
  if (description) tldr.description = rest.length ? `${description}\n-# … continued in the thread` : description;
  const parts = [body({ content, embeds: [tldr] })];
  if (rest.length) {
    const more = rest.join('\n').trim();
    parts.push(...packEmbeds(sectionEmbeds(more, { title: 'TL;DR (continued)', color: ARXIV_RED })));
  }
  return parts;
}

/** A paper's card embed: title link, TL;DR, authors, keywords, ids, and the vote hint in the footer. */
function paperCard(message: Extract<OutgoingMessage, { kind: 'paper' }>): APIEmbed {
  const { paper, index, voteEmoji } = message;
  const ids = [`arXiv:${paper.id}v${paper.version}`, paper.categories.join(', ')];
  if (paper.comments?.trim()) ids.push(paper.comments);
  const fields = [field('Authors', shortAuthors(paper.authors), 300)];
  if (paper.keywords.length) fields.push(field('Keywords', paper.keywords.join(', '), 200));
  fields.push(field('Paper', ids.join(' · '), 220));
  if (message.because) fields.push(field('Why this paper', becauseLine(message.because), 240));
  const followed = followedValue(message);
  if (followed) fields.push({ name: 'Followed', value: followed, inline: false });
  const card: APIEmbed = {
    title: line(`${index + 1}. ${paper.title}`, 230),
    url: paperUrl(paper),
    color: ARXIV_RED,
    fields,
    footer: {
      text: `${voteEmoji} Vote: react with ${voteEmoji} on this message, or /vote paper:${paper.id} · abstract, summary and critique below`,
    },
  };
  for (let chars: number = CHAT_LAYOUT.tldrChars; ; chars -= 50) {
    const tldr = clipSentences(cardTldr(paper), { maxChars: chars });
    if (tldr) card.description = `**TL;DR:** ${embedMarkdown(outsideText(tldr))}`;
    // The buttons' labels are in sight too: the card and its buttons stay within the card's size.
    if (embedLength(card) + BUTTON_LABELS_CHARS <= CHAT_LAYOUT.cardVisible || chars < 60) return card;
  }
}

/** The followers a card names and pings (src/chat/layout.ts cardFollowers), and how many more follow it. */
function shownFollowers(message: Extract<OutgoingMessage, { kind: 'paper' }>) {
  return cardFollowers(message.followers ?? [], (id) => DISCORD_USER_ID.test(id));
}

/** The card's "Followed" field: each follower shown (a mention, shown as a name; it pings from the content) and why. */
function followedValue(message: Extract<OutgoingMessage, { kind: 'paper' }>): string | undefined {
  const { shown, more } = shownFollowers(message);
  if (shown.length === 0) return undefined;
  const named = shown.map(({ follower, reason }) => `<@${follower.userId}> ${line(reason, 200)}`);
  return truncate(`${named.join('\n')}${more > 0 ? `\nand ${more} more follow it` : ''}`, LIMITS.fieldValue);
}

/** The followers a card pings: the ones its "Followed" field names. */
function cardPings(message: Extract<OutgoingMessage, { kind: 'paper' }>): string[] {
  return mentionable(shownFollowers(message).shown.map((s) => s.follower.userId));
}

/** A paper in the digest's thread: its card (the message whose reactions are its votes), then its long text. */
function renderPaper(message: Extract<OutgoingMessage, { kind: 'paper' }>): DiscordMessageBody[] {
  const { paper } = message;
  const details: APIEmbed[] = [];
  if (paper.abstract.trim())
    details.push(
      ...sectionEmbeds(outsideText(paper.abstract.replace(/\s+/g, ' ')), { title: 'Abstract', color: SECTION_COLOR }),
    );
  if (paper.summary.trim())
    details.push(...sectionEmbeds(outsideText(paper.summary), { title: 'Summary', color: SECTION_COLOR }));
  if (paper.critique.trim())
    details.push(...sectionEmbeds(outsideText(paper.critique), { title: 'Critique', color: SECTION_COLOR }));
  const pings = cardPings(message);
  const card = body({
    embeds: [paperCard(message)],
    components: cardComponents(paper, message.votes, message.voteEmoji),
  });
  return [withMentions(card, pings, pings.map((id) => `<@${id}>`).join(' ')), ...packEmbeds(details)];
}

function renderCritique(message: Extract<OutgoingMessage, { kind: 'critique' }>): DiscordMessageBody[] {
  const { paper, critique, cached, requestedBy } = message;
  const embeds = sectionEmbeds(outsideText(critique).trim() || '_No critique is available for this paper._', {
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

/**
 * A paper's answer to a member's question: the question as the embed's title, the answer and the bot's source line
 * below it. Nobody is mentioned (the member's words and the model's are outside text, disarmed and sent with
 * `allowed_mentions: {parse: []}`).
 */
function renderAnswer(message: Extract<OutgoingMessage, { kind: 'answer' }>): DiscordMessageBody[] {
  const { paper, question, answer, source, cached } = message;
  const embeds = sectionEmbeds(`${outsideText(answer).trim() || '_No answer._'}\n\n*${outsideText(source)}*`, {
    title: line(`Q: ${question}`, LIMITS.embedTitle),
    url: paperUrl(paper),
    color: SECTION_COLOR,
    footer: `${line(paper.title, 180)} · arXiv:${paper.id}v${paper.version}${cached ? ' · from the cache' : ''}`,
  });
  return packEmbeds(embeds);
}

function renderDeepDive(message: Extract<OutgoingMessage, { kind: 'deep-dive' }>): DiscordMessageBody[] {
  const { paper, text } = message;
  return packEmbeds(
    sectionEmbeds(outsideText(text), {
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

/**
 * "Also from people you follow": one line per paper (title link, its followed authors, its followers' mentions),
 * split at 2,000 characters; each part lets exactly the members it mentions ping.
 */
function renderFollowed(message: Extract<OutgoingMessage, { kind: 'followed' }>): DiscordMessageBody[] {
  const lines = [`**${ALSO_FOLLOWED_HEADING}** (not in today's digest)`];
  for (const f of message.papers) {
    const title = line(f.paper.title, 200).replace(/[[\]]/g, '');
    const ids = mentionable(f.followers);
    lines.push(
      `- [${title}](<${paperUrl(f.paper)}>) — ${line(f.authors.join(', '), 200)}${ids.length ? ` · ${ids.map((id) => `<@${id}>`).join(' ')}` : ''}`,
    );
  }
  if (message.more) lines.push(`… and ${message.more} more`);
  return splitText(lines.join('\n'), LIMITS.content).map((content) => {
    const ids = [...content.matchAll(/<@(\d{15,22})>/g)].map((m) => m[1] ?? '');
    return withMentions(body({ content, flags: SUPPRESS_EMBEDS }), ids, content);
  });
}

/** Outside text for Discord Markdown: disarmed, its own Markdown markers escaped (shown as typed). */
function literal(text: string): string {
  return disarmDiscord(outsideText(text)).replace(/([*_~`|\\])/g, '\\$1');
}

/** The abstract's word diff in Markdown: removed words struck through, added words bold, "…" for what was left out. */
export function discordDiff(segments: DiffSegment[]): string {
  return markedDiff(segments, { escape: literal, removed: '~~', added: '**' });
}

/** A new version of a paper, as one reply in the digest's thread: an embed linking the new version. */
function renderNewVersion(message: Extract<OutgoingMessage, { kind: 'new-version' }>): DiscordMessageBody[] {
  const n = message.notice;
  const v = `v${n.paper.version}`;
  const lines: string[] = [];
  if (n.withdrawn) {
    lines.push(`**arXiv says:** “${line(n.withdrawn, 500)}”`, '', 'No summary or critique of a withdrawn version.');
  } else {
    if (n.comments?.trim()) lines.push(`**Comments:** ${line(n.comments, 500)}`, '');
    if (n.note) lines.push(`**What changes:** ${line(n.note, 600)}`, '');
    if (n.diff)
      lines.push(`**Abstract, v${n.previousVersion} → ${v}:** ${n.diff.length ? discordDiff(n.diff) : '*unchanged*'}`);
  }
  const embed: APIEmbed = {
    title: line(`${n.withdrawn ? `${v} withdraws the paper` : `${v} is out`}: ${n.paper.title}`, LIMITS.embedTitle),
    url: paperUrl(n.paper),
    color: ARXIV_RED,
    footer: { text: `arXiv:${n.paper.id}${v} · announced ${n.date} · this thread showed v${n.previousVersion}` },
  };
  const description = lines.join('\n').trim();
  if (description) embed.description = truncate(description, LIMITS.embedDescription);
  return [body({ embeds: [embed] })];
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
    case 'answer':
      return renderAnswer(message);
    case 'deep-dive':
      return renderDeepDive(message);
    case 'tally':
      return renderTally(message);
    case 'followed':
      return renderFollowed(message);
    case 'new-version':
      return renderNewVersion(message);
    case 'text':
      return contentParts(contentMarkdown(message.text));
  }
}
