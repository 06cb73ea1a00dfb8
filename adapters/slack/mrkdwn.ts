/**
 * Our Markdown (what the LLM writes and the pipeline stores) to Slack mrkdwn, with every piece of outside text
 * escaped (escapeSlack in ./escape.ts) so `<!channel>`, `<!here>`, `<@U…>` and bare @channel cannot form.
 *
 * The only `<…>` sequences in the output are the links this module builds itself, from http(s) URLs: that invariant
 * is what lets the splitter below cut long text without breaking a link.
 */
import { outsideText } from '../../src/app/text';
import { escapeSlack } from './escape';

// Private-use characters mark spans set aside during conversion; they are stripped from the input first so text
// cannot forge them.
const OPEN = '\uE000';
const CLOSE = '\uE001';
const BOLD = '\uE002';
const PRIVATE = /[\uE000-\uE002]/g;

/** A Slack link `<url|label>`; the label is escaped, the URL must be http(s) (else the label alone is returned). */
export function slackLink(url: string, label: string): string {
  const text = escapeSlack(outsideText(label.replace(PRIVATE, '')).trim() || url);
  if (!/^https?:\/\/[^\s]+$/i.test(url)) return text;
  // `<`, `>` and `|` would end the link early; percent-encode them like a browser would.
  const safeUrl = url.replace(/[<>|]/g, (c) => encodeURIComponent(c));
  return `<${safeUrl}|${text}>`;
}

/** Markdown emphasis markers removed, for labels and headings that get their own formatting. */
function plain(text: string): string {
  return text.replace(/\*\*|__|`/g, '').trim();
}

/** Converts Markdown to Slack mrkdwn: headings, **bold**, *italic*, ~~strike~~, links, lists, code; escapes the rest. */
export function toMrkdwn(markdown: string): string {
  const kept: string[] = [];
  const keep = (s: string) => `${OPEN}${kept.push(s) - 1}${CLOSE}`;
  // Outside text first (src/app/text.ts): no foreign live link, no invisible characters, no forged counts.
  let text = outsideText(markdown.replace(/\r\n?/g, '\n').replace(PRIVATE, ''));

  // Code first: its content is escaped but not otherwise touched.
  text = text.replace(/```[^\n]*\n([\s\S]*?)```/g, (_m, code: string) => keep(`\`\`\`${escapeSlack(code)}\`\`\``));
  text = text.replace(/`([^`\n]+)`/g, (_m, code: string) => keep(`\`${escapeSlack(code)}\``));
  // Links: [label](url) and <url> autolinks.
  text = text.replace(
    /\[([^\]\n]+)\]\((https?:\/\/[^\s)]+(?:\([^\s)]*\))?[^\s)]*)\)/g,
    (_m, label: string, url: string) => keep(slackLink(url, plain(label))),
  );
  text = text.replace(/<(https?:\/\/[^\s<>]+)>/g, (_m, url: string) => keep(slackLink(url, url)));

  text = escapeSlack(text);

  text = text
    .split('\n')
    .map((line) => {
      const heading = /^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
      if (heading?.[1]) return `${BOLD}${plain(heading[1])}${BOLD}`;
      if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) return '';
      return line.replace(/^(\s*)[-*+]\s+/, '$1• ');
    })
    .join('\n');

  text = text
    .replace(/\*\*(?=\S)([^\n]*?\S)\*\*/g, `${BOLD}$1${BOLD}`)
    .replace(/__(?=\S)([^\n]*?\S)__/g, `${BOLD}$1${BOLD}`)
    .replace(/(^|[^\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])/g, '$1_$2_')
    .replace(/~~(?=\S)([^\n]*?\S)~~/g, '~$1~')
    .replace(new RegExp(BOLD, 'g'), '*')
    .replace(/\n{3,}/g, '\n\n');

  return text.replace(new RegExp(`${OPEN}(\\d+)${CLOSE}`, 'g'), (_m, i: string) => kept[Number(i)] ?? '').trim();
}

/**
 * What a member sees of a mrkdwn text: links show their label, entities their character. (Emphasis markers are
 * counted, so a length measured on it errs on the long side.)
 */
export function visibleText(mrkdwn: string): string {
  return mrkdwn
    .replace(/<[^|<>]*\|([^<>]*)>/g, '$1')
    .replace(/<([^<>]*)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Escaped plain text (no Markdown conversion): names, titles, keywords. */
export function escapeText(text: string): string {
  return escapeSlack(outsideText(text.replace(PRIVATE, '')));
}

/**
 * Splits mrkdwn into chunks of at most `max` characters at paragraph, line or word boundaries, never inside a
 * `<…>` link (the only place `<` occurs in our output) and never inside an `&…;` entity.
 */
export function splitMrkdwn(text: string, max: number): string[] {
  const chunks: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const head = rest.slice(0, max);
    let cut = -1;
    for (const sep of ['\n\n', '\n', ' ']) {
      const at = lastSafe(head, sep);
      if (at > max * 0.4) {
        cut = at;
        break;
      }
    }
    if (cut <= 0) cut = hardCut(head);
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) chunks.push(rest);
  return chunks;
}

/** The last index of `sep` in `head` that lies outside a link. */
function lastSafe(head: string, sep: string): number {
  let at = head.lastIndexOf(sep);
  while (at > 0 && insideLink(head, at)) at = head.lastIndexOf(sep, at - 1);
  return at;
}

function insideLink(text: string, at: number): boolean {
  return text.lastIndexOf('<', at) > text.lastIndexOf('>', at - 1);
}

/** A cut for text without spaces: before an open link or entity, else at the end. */
function hardCut(head: string): number {
  let cut = head.length;
  const open = head.lastIndexOf('<');
  if (open > 0 && open > head.lastIndexOf('>')) cut = open;
  const amp = head.lastIndexOf('&', cut - 1);
  if (amp > 0 && amp > cut - 6 && !head.slice(amp, cut).includes(';')) cut = amp;
  return cut;
}
