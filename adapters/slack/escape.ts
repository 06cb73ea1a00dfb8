/**
 * Slack's part of "text from a paper or an LLM never pings anyone": mrkdwn escaping. The neutral disarming of
 * stored and printed text stays in src/app/text.ts.
 */

const ZWSP = '\u200B';

/** Slack mrkdwn: escape &, <, > (so `<!channel>`, `<@U123>`, `<#C1>`, `<!subteam^…>` cannot form) and break bare @here/@channel/@everyone. */
export function escapeSlack(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(here|channel|everyone)/gi, `@${ZWSP}$1`);
}
