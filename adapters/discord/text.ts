/**
 * Discord's part of "text from a paper or an LLM never pings anyone": the mention forms broken up in the text. The
 * adapter also sends every message with `allowed_mentions: {parse: []}`, so this is the second of two locks. The
 * neutral disarming of stored and printed text stays in src/app/text.ts.
 */

const ZWSP = '\u200B';

/** Discord markdown: break @everyone/@here and <@id>, <@!id>, <@&role>, <#channel> forms. */
export function disarmDiscord(text: string): string {
  // No word boundary after the keyword: Discord pings on `@everyone` even when letters or `_` follow it.
  return text.replace(/@(everyone|here)/gi, `@${ZWSP}$1`).replace(/<(@[!&]?|#)(\d+)>/g, `<$1${ZWSP}$2>`);
}
