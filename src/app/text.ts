/**
 * Platform-neutral text helpers. Text from a paper or an LLM must never ping anyone: `disarmMentions` breaks every
 * known mention form in text that is stored or printed; each chat adapter escapes for its own platform before
 * sending (adapters/<platform>/), and sends with mentions disabled where the platform allows.
 */

const ZWSP = '\u200B';

/** Platform-neutral disarm for text stored or printed (Markdown, JSON): breaks every known mention form. */
export function disarmMentions(text: string): string {
  return text
    .replace(/<!(channel|here|everyone)(\|[^>]*)?>/gi, `<!${ZWSP}$1$2>`)
    .replace(/<!subteam\^/gi, `<!${ZWSP}subteam^`)
    .replace(/<@([UWB][A-Z0-9]+)/g, `<@${ZWSP}$1`)
    .replace(/<(@[!&]?)(\d+)>/g, `<$1${ZWSP}$2>`)
    .replace(/@(everyone|here|channel)/gi, `@${ZWSP}$1`);
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
