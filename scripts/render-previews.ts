/**
 * Pictures of what a team gets: the seed day's digest (2025-10-30, the seed digest's own text) rendered by the real
 * Slack and Discord renderers, laid out as an HTML approximation of Slack's Block Kit and of Discord's embeds, and
 * screenshotted with headless Chromium (Debian's `chromium` package) into docs/slack-digest.png and
 * docs/discord-digest.png, which the README shows (each card with its buttons), and docs/slack-home.png: a member's
 * App Home tab and the Ask… form opened over a card (docs/interactions.md).
 *
 *   node bin/run-ts.js scripts/render-previews.ts              # HTML into a temp dir, then the two PNGs in docs/
 *   node bin/run-ts.js scripts/render-previews.ts --html-only  # only the HTML (no Chromium needed); prints where
 *
 * The HTML builders are exported for test/scripts/render-previews.test.ts (the tests never need Chromium).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { APIEmbed } from 'discord.js';
import { type DiscordActionRow, renderDiscord } from '../adapters/discord/render';
import { homeView, modalView } from '../adapters/slack/interactive';
import type { MemberPage } from '../src/chat/types';
import { renderSlack, type SlackBlock, type SlackMessagePart } from '../adapters/slack/render';
import type { Digest } from '../src/app/types';
import { seedChatDigest } from '../test/fakes/seed-digest';

/** The screenshots' size in CSS pixels (rendered at 1.5 times that for sharp text). */
export const PREVIEW_SIZE = { width: 1360, height: 1240 } as const;

const SLACK_EMOJI: Record<string, string> = {
  '+1': '👍',
  thumbsup: '👍',
  thread: '🧵',
  information_source: 'ℹ️',
  trophy: '🏆',
  mag: '🔍',
  fire: '🔥',
  bust_in_silhouette: '👤',
  label: '🏷️',
};

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Slack mrkdwn as Slack shows it: `<url|label>` links, *bold*, _italic_, ~strike~, `code`, :emoji:, line breaks.
 * Our mrkdwn has `&`, `<`, `>` escaped as entities already, and `<` only in links.
 */
export function mrkdwnToHtml(mrkdwn: string): string {
  const kept: string[] = [];
  const keep = (html: string) => `\u0000${kept.push(html) - 1}\u0001`;
  let text = mrkdwn.replace(/"/g, '&quot;');
  text = text.replace(/`([^`\n]+)`/g, (_m, code: string) => keep(`<code>${code}</code>`));
  text = text.replace(/<([^|<>]+)\|([^<>]*)>/g, (_m, url: string, label: string) =>
    keep(`<a href="${url}">${label}</a>`),
  );
  text = text.replace(/<([^<>]+)>/g, (_m, url: string) => keep(`<a href="${url}">${url}</a>`));
  text = text
    .replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,:;!?])/gm, '$1<b>$2</b>')
    .replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,:;!?])/gm, '$1<i>$2</i>')
    .replace(/(^|[\s(])~([^~\n]+)~(?=$|[\s).,:;!?])/gm, '$1<s>$2</s>')
    .replace(/:([a-z0-9_+-]+):/g, (m, name: string) => SLACK_EMOJI[name] ?? m)
    .replace(/^( +)/gm, (spaces: string) => '&nbsp;'.repeat(spaces.length))
    .replace(/\n/g, '<br>');
  return text.replace(/\u0000(\d+)\u0001/g, (_m, i: string) => kept[Number(i)] ?? '');
}

function slackBlockHtml(block: SlackBlock): string {
  switch (block.type) {
    case 'header':
      return `<div class="s-header">${escapeHtml(block.text.text)}</div>`;
    case 'section':
      return `<div class="s-section">${mrkdwnToHtml(block.text?.text ?? '')}</div>`;
    case 'context':
      return `<div class="s-context">${block.elements
        .map((e) => ('text' in e && typeof e.text === 'string' ? mrkdwnToHtml(e.text) : ''))
        .join(' ')}</div>`;
    case 'divider':
      return '<hr class="s-divider">';
    case 'actions':
      return `<div class="s-actions">${block.elements.map(slackElementHtml).join('')}</div>`;
    default:
      return '';
  }
}

/** A button or a menu of an actions block (or a section's accessory), as Slack draws them. */
function slackElementHtml(e: {
  type: string;
  text?: { text: string };
  placeholder?: { text: string };
  style?: string;
}) {
  if (e.type === 'button')
    return `<span class="s-button${e.style === 'primary' ? ' s-primary' : ''}">${mrkdwnToHtml(escapeHtml(e.text?.text ?? ''))}</span>`;
  if (e.type === 'static_select')
    return `<span class="s-button s-select">${escapeHtml(e.placeholder?.text ?? '')} ▾</span>`;
  return '';
}

function slackMessageHtml(part: SlackMessagePart, time: string, opts: { fade?: boolean; reactions?: string } = {}) {
  return `<div class="s-msg${opts.fade ? ' s-fade' : ''}">
  <div class="s-avatar">ar</div>
  <div class="s-body">
    <div class="s-meta"><span class="s-name">arxiv-digest</span><span class="s-app">APP</span><span class="s-time">${time}</span></div>
    ${part.blocks.map(slackBlockHtml).join('\n    ')}
    ${opts.reactions ? `<div class="s-reactions">${opts.reactions}</div>` : ''}
  </div>
</div>`;
}

const SLACK_CSS = `
* { box-sizing: border-box; }
body { margin: 0; font-family: Lato, "Noto Sans", "DejaVu Sans", sans-serif; font-size: 15px; color: #1d1c1d; background: #fff; }
.frame { display: flex; height: 100vh; }
.side { width: 190px; background: #3f0e40; color: #cfc3cf; padding: 14px 12px; font-size: 14px; }
.side .ws { color: #fff; font-weight: 900; font-size: 17px; margin-bottom: 18px; }
.side .ch { padding: 4px 8px; border-radius: 6px; margin: 2px 0; }
.side .ch.on { background: #1164a3; color: #fff; }
.pane { flex: 1; display: flex; flex-direction: column; border-right: 1px solid #ddd; min-width: 0; }
.pane.thread { flex: 0 0 560px; border-right: none; }
.title { height: 50px; border-bottom: 1px solid #ddd; padding: 14px 18px; font-weight: 900; font-size: 17px; }
.title small { font-weight: 400; color: #616061; font-size: 13px; margin-left: 8px; }
.scroll { padding: 8px 0; overflow: hidden; flex: 1; }
.s-msg { display: flex; padding: 8px 18px; }
.s-msg.s-fade { max-height: 330px; overflow: hidden; -webkit-mask-image: linear-gradient(#000 70%, transparent); }
.s-avatar { width: 36px; height: 36px; border-radius: 6px; background: #b31b1b; color: #fff; font-weight: 900;
  display: flex; align-items: center; justify-content: center; margin-right: 10px; flex: none; font-size: 14px; }
.s-body { min-width: 0; line-height: 1.46; }
.s-meta { margin-bottom: 2px; }
.s-name { font-weight: 900; }
.s-app { font-size: 10px; background: #e8e8e8; color: #616061; padding: 1px 4px; border-radius: 3px; margin: 0 6px; font-weight: 700; }
.s-time { color: #616061; font-size: 12px; }
.s-header { font-weight: 900; font-size: 18px; margin: 4px 0 6px; }
.s-section { margin: 4px 0 8px; overflow-wrap: anywhere; }
.s-context { color: #616061; font-size: 13px; margin: 4px 0 6px; overflow-wrap: anywhere; }
.s-divider { border: none; border-top: 1px solid #ddd; margin: 8px 0; }
a { color: #1264a3; text-decoration: none; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 12px; color: #e01e5a; background: #f6f6f6; border: 1px solid #e8e8e8; border-radius: 3px; padding: 1px 3px; }
.s-actions { margin: 8px 0 4px; display: flex; flex-wrap: wrap; gap: 8px; }
.s-button { display: inline-block; border: 1px solid #c8c8c8; border-radius: 4px; padding: 3px 12px; font-size: 13px; font-weight: 700; background: #fff; }
.s-button.s-primary { background: #007a5a; border-color: #007a5a; color: #fff; }
.s-button.s-select { font-weight: 400; color: #616061; }
.s-reactions { margin-top: 4px; }
.s-reaction { display: inline-block; border: 1px solid #1d9bd1; background: #e8f5fa; border-radius: 12px; padding: 1px 8px; font-size: 12px; margin-right: 4px; color: #1264a3; }
.s-replies { margin: 2px 0 6px 64px; color: #1264a3; font-size: 13px; font-weight: 700; }
.s-sep { margin: 8px 18px; color: #616061; font-size: 13px; display: flex; align-items: center; }
.s-sep::after { content: ""; flex: 1; border-top: 1px solid #ddd; margin-left: 8px; }
`;

/** Slack: the channel with the digest's parent, and its thread open beside it (the first paper's card and text). */
export function slackPreviewHtml(digest: Digest, voteEmoji = '+1'): string {
  const [parent] = renderSlack({ kind: 'digest', digest, voteEmoji });
  const papers = digest.selected.map((paper, index) => renderSlack({ kind: 'paper', digest, paper, index, voteEmoji }));
  const [firstCard, ...firstDetails] = papers[0] ?? [];
  const secondCard = papers[1]?.[0];
  const replies = papers.reduce((n, p) => n + p.length, 0);
  const votes = '<span class="s-reaction">👍 4</span>';
  const thread = [
    firstCard ? slackMessageHtml(firstCard, '8:30 AM', { reactions: votes }) : '',
    firstDetails[0] ? slackMessageHtml(firstDetails[0], '8:30 AM', { fade: true }) : '',
    secondCard ? slackMessageHtml(secondCard, '8:30 AM', { reactions: '<span class="s-reaction">👍 2</span>' }) : '',
  ].join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>arxiv-digest in Slack</title><style>${SLACK_CSS}</style></head>
<body><div class="frame">
<div class="side"><div class="ws">Research Lab</div><div class="ch"># general</div><div class="ch on"># arxiv-digest</div><div class="ch"># reading-group</div></div>
<div class="pane"><div class="title"># arxiv-digest</div><div class="scroll">
${parent ? slackMessageHtml(parent, '8:30 AM') : ''}
<div class="s-replies">${replies} replies</div>
</div></div>
<div class="pane thread"><div class="title">Thread <small># arxiv-digest</small></div><div class="scroll">
<div class="s-sep">${replies} replies</div>
${thread}
</div></div>
</div></body></html>`;
}

/** Discord Markdown as Discord shows it: headings, `-#` subtext, lists, **bold**, *italic*, [links](url). */
export function discordMarkdownToHtml(markdown: string): string {
  const inline = (s: string) =>
    escapeHtml(s)
      .replace(/\[([^\]]+)\]\(&lt;(https?:[^)\s]+)&gt;\)|\[([^\]]+)\]\((https?:[^)\s]+)\)/g, (_m, a, b, c, d) => {
        return `<a href="${b ?? d}">${a ?? c}</a>`;
      })
      .replace(/\*\*([^*]+)\*\*/g, '<b>$1</b>')
      .replace(/(^|[\s(])[*_]([^*_\n]+)[*_](?=$|[\s).,:;!?])/g, '$1<i>$2</i>')
      .replace(/`([^`]+)`/g, '<code>$1</code>');
  const out: string[] = [];
  for (const line of markdown.split('\n')) {
    let m = /^(#{1,3}) (.*)$/.exec(line);
    if (m?.[1] && m[2] !== undefined) {
      out.push(`<div class="d-h${m[1].length}">${inline(m[2])}</div>`);
      continue;
    }
    m = /^-# (.*)$/.exec(line);
    if (m?.[1] !== undefined) {
      out.push(`<div class="d-sub">${inline(m[1])}</div>`);
      continue;
    }
    m = /^\s*[-*] (.*)$/.exec(line);
    if (m?.[1] !== undefined) {
      out.push(`<div class="d-li">•&nbsp;${inline(m[1])}</div>`);
      continue;
    }
    out.push(line.trim() ? `<div>${inline(line)}</div>` : '<div class="d-gap"></div>');
  }
  return out.join('');
}

function discordEmbedHtml(embed: APIEmbed): string {
  const color = `#${(embed.color ?? 0x202225).toString(16).padStart(6, '0')}`;
  const title = embed.title
    ? `<div class="d-etitle">${embed.url ? `<a href="${embed.url}">${escapeHtml(embed.title)}</a>` : escapeHtml(embed.title)}</div>`
    : '';
  const description = embed.description ? `<div class="d-edesc">${discordMarkdownToHtml(embed.description)}</div>` : '';
  const fields = (embed.fields ?? [])
    .map(
      (f) =>
        `<div class="d-field"><div class="d-fname">${escapeHtml(f.name)}</div><div>${discordMarkdownToHtml(f.value)}</div></div>`,
    )
    .join('');
  const footer = embed.footer
    ? `<div class="d-efoot">${escapeHtml(embed.footer.text).replace(/\n/g, '<br>')}</div>`
    : '';
  return `<div class="d-embed" style="border-left-color:${color}">${title}${description}${fields}${footer}</div>`;
}

/** A card's components (action rows of buttons, a string select), as Discord draws them. */
function discordComponentsHtml(rows: DiscordActionRow[] | undefined): string {
  return (rows ?? [])
    .map(
      (row) =>
        `<div class="d-row">${row.components
          .map((c) =>
            c.type === 2
              ? `<span class="d-button${c.style === 1 ? ' d-primary' : ''}">${escapeHtml(c.label)}</span>`
              : `<span class="d-select">${escapeHtml(c.placeholder)}<span>▾</span></span>`,
          )
          .join('')}</div>`,
    )
    .join('');
}

function discordMessageHtml(
  part: { content?: string; embeds?: APIEmbed[]; components?: DiscordActionRow[] },
  opts: { head?: boolean; fade?: boolean; reactions?: string } = {},
): string {
  const head =
    opts.head === false
      ? ''
      : '<div class="d-meta"><span class="d-name">arxiv-digest</span><span class="d-bot">APP</span><span class="d-time">Today at 8:30 AM</span></div>';
  return `<div class="d-msg${opts.head === false ? ' d-cont' : ''}${opts.fade ? ' d-fade' : ''}">
  ${opts.head === false ? '<div class="d-gutter"></div>' : '<div class="d-avatar">ar</div>'}
  <div class="d-body">${head}
    ${part.content ? `<div class="d-content">${discordMarkdownToHtml(part.content)}</div>` : ''}
    ${(part.embeds ?? []).map(discordEmbedHtml).join('')}
    ${discordComponentsHtml(part.components)}
    ${opts.reactions ? `<div class="d-reactions">${opts.reactions}</div>` : ''}
  </div>
</div>`;
}

const DISCORD_CSS = `
* { box-sizing: border-box; }
body { margin: 0; font-family: "Noto Sans", "DejaVu Sans", sans-serif; font-size: 15px; color: #dbdee1; background: #313338; }
.frame { display: flex; height: 100vh; }
.side { width: 200px; background: #2b2d31; padding: 14px 10px; font-size: 14px; color: #949ba4; }
.side .srv { color: #f2f3f5; font-weight: 700; font-size: 16px; margin-bottom: 16px; }
.side .ch { padding: 5px 8px; border-radius: 4px; margin: 1px 0; }
.side .ch.on { background: #404249; color: #f2f3f5; }
.side .th { padding: 3px 8px 3px 24px; font-size: 13px; color: #dbdee1; }
.pane { flex: 1; display: flex; flex-direction: column; min-width: 0; }
.pane.thread { flex: 0 0 600px; background: #313338; border-left: 1px solid #1e1f22; }
.title { height: 48px; border-bottom: 1px solid #1e1f22; padding: 13px 16px; font-weight: 700; color: #f2f3f5; font-size: 16px; }
.title small { color: #949ba4; font-weight: 400; font-size: 13px; margin-left: 8px; }
.scroll { padding: 8px 0; overflow: hidden; flex: 1; }
.d-msg { display: flex; padding: 4px 16px 4px 16px; margin-top: 12px; }
.d-msg.d-cont { margin-top: 2px; }
.d-msg.d-fade { max-height: 300px; overflow: hidden; -webkit-mask-image: linear-gradient(#000 70%, transparent); }
.d-avatar { width: 40px; height: 40px; border-radius: 50%; background: #b31b1b; color: #fff; font-weight: 700;
  display: flex; align-items: center; justify-content: center; margin-right: 14px; flex: none; }
.d-gutter { width: 40px; margin-right: 14px; flex: none; }
.d-body { min-width: 0; line-height: 1.375; flex: 1; }
.d-name { color: #f2f3f5; font-weight: 600; }
.d-bot { background: #5865f2; color: #fff; font-size: 10px; font-weight: 600; border-radius: 3px; padding: 1px 4px; margin: 0 6px; }
.d-time { color: #949ba4; font-size: 12px; }
.d-content { overflow-wrap: anywhere; }
.d-h1 { font-size: 24px; font-weight: 700; color: #f2f3f5; margin: 4px 0; }
.d-h2 { font-size: 20px; font-weight: 700; color: #f2f3f5; margin: 4px 0; }
.d-h3 { font-size: 16px; font-weight: 700; color: #f2f3f5; margin: 4px 0; }
.d-sub { font-size: 12px; color: #949ba4; }
.d-li { padding-left: 6px; }
.d-gap { height: 6px; }
.d-embed { background: #2b2d31; border-left: 4px solid; border-radius: 4px; padding: 8px 16px 12px 12px; margin-top: 6px; max-width: 520px; font-size: 14px; overflow-wrap: anywhere; }
.pane:not(.thread) .d-embed { max-width: 640px; }
.d-etitle { font-weight: 700; color: #f2f3f5; margin: 4px 0 6px; }
.d-etitle a { color: #00a8fc; }
.d-edesc { margin-bottom: 4px; }
.d-field { margin-top: 8px; }
.d-fname { font-weight: 700; color: #f2f3f5; font-size: 14px; }
.d-efoot { color: #b5bac1; font-size: 12px; margin-top: 10px; }
a { color: #00a8fc; text-decoration: none; }
code { font-family: "DejaVu Sans Mono", monospace; background: #1e1f22; border-radius: 3px; padding: 1px 3px; font-size: 13px; }
.d-thread { margin: 6px 0 0 70px; background: #2b2d31; border-radius: 6px; padding: 8px 12px; max-width: 420px; font-size: 13px; color: #dbdee1; }
.d-thread b { color: #f2f3f5; }
.d-row { display: flex; gap: 8px; margin-top: 8px; max-width: 520px; }
.d-button { background: #4e5058; color: #fff; border-radius: 3px; padding: 4px 14px; font-size: 14px; font-weight: 500; }
.d-button.d-primary { background: #5865f2; }
.d-select { flex: 1; background: #1e1f22; color: #949ba4; border-radius: 4px; padding: 6px 10px; font-size: 14px; display: flex; justify-content: space-between; }
.d-reactions { margin-top: 4px; }
.d-reaction { display: inline-block; background: #373a53; border: 1px solid #5865f2; border-radius: 8px; padding: 1px 8px; font-size: 13px; margin-right: 4px; }
`;

/** Discord: the channel's one message for the digest, and its thread open beside it (cards and the long text). */
export function discordPreviewHtml(digest: Digest, voteEmoji = '👍'): string {
  const [parent] = renderDiscord({ kind: 'digest', digest, voteEmoji });
  const papers = digest.selected.map((paper, index) =>
    renderDiscord({ kind: 'paper', digest, paper, index, voteEmoji }),
  );
  const [firstCard, ...firstDetails] = papers[0] ?? [];
  const secondCard = papers[1]?.[0];
  const threadName = `arXiv digest ${digest.name} ${digest.date}`;
  const count = papers.reduce((n, p) => n + p.length, 0);
  const thread = [
    firstCard ? discordMessageHtml(firstCard, { reactions: '<span class="d-reaction">👍 4</span>' }) : '',
    firstDetails[0] ? discordMessageHtml(firstDetails[0], { head: false, fade: true }) : '',
    secondCard
      ? discordMessageHtml(secondCard, { head: false, reactions: '<span class="d-reaction">👍 2</span>' })
      : '',
  ].join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>arxiv-digest in Discord</title><style>${DISCORD_CSS}</style></head>
<body><div class="frame">
<div class="side"><div class="srv">Research Lab</div><div class="ch"># general</div><div class="ch on"># arxiv-digest</div><div class="th">└ ${escapeHtml(threadName)}</div><div class="ch"># reading-group</div></div>
<div class="pane"><div class="title"># arxiv-digest</div><div class="scroll">
${parent ? discordMessageHtml(parent) : ''}
<div class="d-thread"><b>${escapeHtml(threadName)}</b> · ${count} messages</div>
</div></div>
<div class="pane thread"><div class="title">${escapeHtml(threadName)} <small>thread</small></div><div class="scroll">
${thread}
</div></div>
</div></body></html>`;
}

/** A member's page as the preview shows it: two follows, three recent papers, what the votes taught. */
export function samplePage(digest: Digest): MemberPage {
  const [a, b, c] = digest.selected;
  const recent = [
    a && { paper: a, what: 'voted' as const, date: digest.date },
    b && { paper: b, what: 'asked' as const, date: digest.date },
    c && { paper: c, what: 'critique' as const, date: digest.date },
  ].filter((x): x is NonNullable<typeof x> => !!x);
  return {
    follows: [
      { kind: 'author', value: a?.authors[0] ?? 'Bo Pang' },
      { kind: 'topic', value: 'reinforcement learning' },
    ],
    recent,
    learned: [
      {
        digest: digest.name,
        themes: ['reasoning', 'reinforcement learning', 'alignment'].map((term, i) => ({
          term,
          ...(digest.selected[i] ? { example: { id: digest.selected[i].id, title: digest.selected[i].title } } : {}),
        })),
      },
    ],
    critiquesPrivate: false,
  };
}

/** Slack: the member's App Home tab, and the Ask… form opened over a card. */
export function slackHomePreviewHtml(digest: Digest, voteEmoji = '+1'): string {
  const home = homeView(samplePage(digest));
  const card = renderSlack({
    kind: 'paper',
    digest,
    paper: digest.selected[0] as never,
    index: 0,
    voteEmoji,
    votes: 4,
  })[0];
  const modal = modalView(
    {
      form: 'ask',
      paper: { id: digest.selected[0]?.id ?? '', version: 1 },
      title: 'Ask the paper',
      label: `Your question about ${digest.selected[0]?.id ?? ''}`,
      placeholder: 'Which datasets does it use?',
      maxLength: 500,
      submit: 'Ask',
    },
    '{}',
  );
  const homeBlocks = home.blocks
    .map((b) => {
      const block = b as SlackBlock & { accessory?: Parameters<typeof slackElementHtml>[0] };
      const html = slackBlockHtml(block);
      return block.accessory ? `<div class="s-row">${html}${slackElementHtml(block.accessory)}</div>` : html;
    })
    .join('\n');
  const input = modal.blocks[0] as { label: { text: string }; element: { placeholder?: { text: string } } };
  return `<!doctype html><html><head><meta charset="utf-8"><title>arxiv-digest App Home</title><style>${SLACK_CSS}
.home { padding: 18px 28px; max-width: 720px; }
.s-row { display: flex; justify-content: space-between; align-items: center; gap: 12px; }
.overlay { position: fixed; inset: 0; background: rgba(0,0,0,.45); display: flex; align-items: center; justify-content: center; }
.modal { background: #fff; width: 520px; border-radius: 8px; box-shadow: 0 18px 48px rgba(0,0,0,.35); }
.modal .m-title { padding: 18px 24px; font-weight: 900; font-size: 20px; border-bottom: 1px solid #ddd; }
.modal .m-body { padding: 18px 24px; }
.modal label { font-weight: 700; display: block; margin-bottom: 8px; }
.modal .m-input { border: 1px solid #868686; border-radius: 4px; height: 96px; padding: 8px; color: #868686; }
.modal .m-foot { padding: 14px 24px; border-top: 1px solid #ddd; display: flex; justify-content: flex-end; gap: 8px; }
</style></head>
<body><div class="frame">
<div class="side"><div class="ws">Research Lab</div><div class="ch"># general</div><div class="ch"># arxiv-digest</div><div class="ch on">arXiv Digest · Home</div></div>
<div class="pane"><div class="title">arXiv Digest <small>Home</small></div><div class="scroll home">
${homeBlocks}
</div></div>
<div class="pane thread"><div class="title">Thread <small># arxiv-digest</small></div><div class="scroll">
${card ? slackMessageHtml(card, '8:30 AM', { reactions: '<span class="s-reaction">👍 4</span>' }) : ''}
<div class="overlay"><div class="modal"><div class="m-title">${escapeHtml(modal.title.text)}</div>
<div class="m-body"><label>${escapeHtml(input.label.text)}</label><div class="m-input">${escapeHtml(input.element.placeholder?.text ?? '')}</div></div>
<div class="m-foot"><span class="s-button">Cancel</span><span class="s-button s-primary">${escapeHtml(modal.submit?.text ?? 'Ask')}</span></div></div></div>
</div></div>
</div></body></html>`;
}

/** Screenshots an HTML file with headless Chromium at 1.5 times the CSS pixels. */
function screenshot(htmlFile: string, pngFile: string): void {
  const profile = mkdtempSync(path.join(tmpdir(), 'chromium-profile-'));
  execFileSync(
    'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--hide-scrollbars',
      '--force-device-scale-factor=1.5',
      `--user-data-dir=${profile}`,
      `--screenshot=${pngFile}`,
      `--window-size=${PREVIEW_SIZE.width},${PREVIEW_SIZE.height}`,
      `file://${htmlFile}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 },
  );
}

function main(argv: string[]): void {
  const digest = seedChatDigest();
  const dir = mkdtempSync(path.join(tmpdir(), 'arxiv-digest-previews-'));
  const pages = [
    { html: path.join(dir, 'slack-digest.html'), png: 'docs/slack-digest.png', text: slackPreviewHtml(digest) },
    { html: path.join(dir, 'discord-digest.html'), png: 'docs/discord-digest.png', text: discordPreviewHtml(digest) },
    { html: path.join(dir, 'slack-home.html'), png: 'docs/slack-home.png', text: slackHomePreviewHtml(digest) },
  ];
  for (const page of pages) writeFileSync(page.html, page.text);
  if (argv.includes('--html-only')) {
    for (const page of pages) process.stdout.write(`${page.html}\n`);
    return;
  }
  const root = path.resolve(__dirname, '..');
  for (const page of pages) {
    screenshot(page.html, path.join(root, page.png));
    process.stdout.write(`${page.png}\n`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === __filename) main(process.argv.slice(2));
