/**
 * Platform-neutral text helpers. Text from a paper or an LLM must never ping anyone: `disarmMentions` breaks every
 * known mention form in text that is stored or printed; each chat adapter escapes for its own platform before
 * sending (adapters/<platform>/), and sends with mentions disabled where the platform allows.
 */

const ZWSP = '\u200B';

/**
 * Platform-neutral disarm for text stored or printed (Markdown, JSON), by shape rather than by platform: a
 * zero-width space after the sigil of every angle-bracket token that opens with `@` or `!` (user, role, group and
 * broadcast mentions: `<@…>`, `<@!…>`, `<@&…>`, `<!…>`), and inside every bare `@everyone`, `@here`, `@channel`.
 * Each adapter still escapes for its own platform before sending (adapters/<platform>/).
 */
export function disarmMentions(text: string): string {
  return text.replace(/<([@!][!&]?)(?=[\w^])/g, `<$1${ZWSP}`).replace(/@(everyone|here|channel)/gi, `@${ZWSP}$1`);
}

/** Removes chat preambles such as "Of course. Here is a critique of ...:" from the start of a model's answer. */
export function stripPreamble(text: string): string {
  let out = text.trim();
  const preamble =
    /^(?:(?:of course|certainly|sure|absolutely|great|okay|ok)[.!,]?\s*)?(?:here(?:'s| is| are)\b[^\n]*?(?::|\.)["'”’)\]*_]*\s*\n+|based on the provided paper,[^\n]*?[:.]["'”’)\]*_]*\s*\n+)/i;
  for (let i = 0; i < 2; i++) {
    const next = out.replace(preamble, '').trim();
    if (next === out) break;
    out = next;
  }
  out = out.replace(/^(?:of course|certainly|sure|absolutely)[.!]\s*/i, '');
  return out.trim();
}

/** Cuts text to at most `max` characters at a paragraph, line or word boundary, marking the cut. */
export function truncate(text: string, max: number, marker = '…'): string {
  if (text.length <= max) return text;
  const room = Math.max(0, max - marker.length);
  const head = text.slice(0, room);
  const cut = Math.max(head.lastIndexOf('\n\n'), head.lastIndexOf('\n'), head.lastIndexOf(' '));
  return (cut > room * 0.6 ? head.slice(0, cut) : head).trimEnd() + marker;
}

/**
 * Splits text into chunks of at most `max` characters, at paragraph, then line, then word boundaries.
 * Never returns an empty chunk.
 */
export function splitText(text: string, max: number): string[] {
  const chunks: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const head = rest.slice(0, max);
    let cut = head.lastIndexOf('\n\n');
    if (cut < max * 0.5) cut = head.lastIndexOf('\n');
    if (cut < max * 0.5) cut = head.lastIndexOf(' ');
    if (cut <= 0) cut = max;
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) chunks.push(rest);
  return chunks;
}

// --- outside text ----------------------------------------------------------------------------------------------

/**
 * Characters that change how text reads without being seen: bidirectional overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069, U+200E/F, U+061C: "gpj.exe" shown as "exe.jpg"), zero-width spaces and joiners, word joiners,
 * invisible operators, the BOM and soft hyphens. None belongs in a paper's title or a model's answer.
 */
const INVISIBLE = /[\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/** An arXiv link: abs, pdf or html page of a new-style or old-style id (with an optional version). */
const ARXIV_URL =
  /^https?:\/\/(?:www\.|export\.)?arxiv\.org\/(abs|pdf|html)\/(\d{4}\.\d{4,5}(?:v\d+)?|[a-z-]+(?:\.[A-Z]{2})?\/\d{7}(?:v\d+)?)(?:\.pdf)?\/?$/i;

/** The arXiv link the bot itself would build for a URL that names an arXiv paper, else undefined. */
export function arxivLinkOf(url: string): string | undefined {
  const m = ARXIV_URL.exec(url.trim());
  return m ? `https://arxiv.org/${(m[1] ?? 'abs').toLowerCase()}/${m[2]}` : undefined;
}

/** The host a URL really goes to (`evil.example`), or the URL itself when it does not parse. */
function hostOf(url: string): string {
  try {
    return new URL(url).hostname || url;
  } catch {
    return url;
  }
}

/**
 * A link found in outside text, as text: an arXiv link rebuilt from its id (the only kind that stays live, as a
 * bare URL); any other shown by its label and the real domain, or (bare) as inline code, which no platform links.
 */
function linkAsText(url: string, label?: string): string {
  const arxiv = arxivLinkOf(url);
  const text = label?.trim();
  if (arxiv) return text && text !== url && text !== arxiv ? `${text} (${arxiv})` : arxiv;
  const host = hostOf(url);
  if (text && text !== url) return `${text} (link to ${host})`;
  // Bare: the address stays readable (and copyable) but is not a live link.
  return `\`${url.replace(/^https?:\/\//i, '').replace(/`/g, '')}\``;
}

/** The digest's own counts line ("Total papers: N , Selected papers: K"), imitated in outside text. */
const COUNTS =
  /(?:Total papers\s*:\s*\d[\d,]*(?:\s*[,;·|]\s*Selected papers\s*:\s*\d[\d,]*)?|Selected papers\s*:\s*\d[\d,]*)/gi;

/**
 * Outside text (a paper's fields, an LLM's answer, what a member typed) made fit to show in chat, before each
 * platform escapes it its own way (adapters/slack mrkdwn, adapters/discord text): invisible and direction-changing
 * characters removed; no live link but arXiv's (Markdown `[label](url)`, Slack `<url|label>` and `<url>`, bare
 * URLs: see linkAsText); the digest's counts line quoted, so it reads as a quote and never as the digest's own.
 * Markdown emphasis and line structure are left to the platform's escaping and to the pipeline's flattening.
 */
export function outsideText(text: string): string {
  const kept: string[] = [];
  const keep = (s: string) => `\uE010${kept.push(s) - 1}\uE011`;
  let out = text.replace(INVISIBLE, '').replace(/[\uE010\uE011]/g, '');
  // Markdown links: `[label](<url>)` (spaces allowed), `[label](url)` with a nested pair of parentheses in the URL;
  // then Slack's link forms.
  out = out.replace(
    /\[([^\]\n]*)\]\(\s*<(https?:\/\/[^<>\n]*)>(?:\s+"[^"\n]*")?\s*\)/gi,
    (_m, label: string, url: string) => keep(linkAsText(url, label)),
  );
  out = out.replace(
    /\[([^\]\n]*)\]\(\s*<?(https?:\/\/[^\s()]*?(?:\([^\s()]*\)[^\s()]*?)*)>?(?:\s+"[^"\n]*")?\s*\)/gi,
    (_m, label: string, url: string) => keep(linkAsText(url, label)),
  );
  out = out.replace(/<(https?:\/\/[^\s|<>]+)(?:\|([^<>\n]*))?>/gi, (_m, url: string, label?: string) =>
    keep(linkAsText(url, label)),
  );
  out = out.replace(/<mailto:([^|<>\s]+)(?:\|[^<>\n]*)?>/gi, (_m, addr: string) => keep(`\`${addr}\``));
  // Bare URLs (trailing sentence punctuation is not part of them).
  out = out.replace(/\bhttps?:\/\/[^\s<>"'`\]]+[^\s<>"'`\].,;:!?)]/gi, (url) => keep(linkAsText(url)));
  out = out.replace(COUNTS, (m) => `“${m}”`);
  return out.replace(/\uE010(\d+)\uE011/g, (_m, i: string) => kept[Number(i)] ?? '');
}

/** The arXiv ids a text links (`/abs/ID` with a version: the links the bot builds), in order, each once. */
export function linkedArxivIds(text: string): string[] {
  const ids = [...text.matchAll(/\/abs\/(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?\/\d{7})v\d+/g)].map((m) => m[1] ?? '');
  return [...new Set(ids.filter(Boolean))];
}
