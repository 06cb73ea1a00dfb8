/**
 * Slack's interactive side: a card's buttons and menu (`block_actions`), the Ask… form (a modal opened with
 * views.open, answered by `view_submission`) and the member's App Home tab (`app_home_opened` → views.publish).
 * Payloads come through bolt (HTTP mode: the shared server's /slack/events, signature checked by RoutesReceiver;
 * Socket Mode: the socket), are acknowledged at once, and become the core's ActionEvent, FormEvent and HomeEvent.
 * What a click carries back is the card's paper id and version (button value, private_metadata), never text.
 */
import type { types as SlackTypes } from '@slack/bolt';
import { absUrl } from '../../src/app/types';
import { ACTION_PREFIX, cardValue, parseCardValue, voteLabel } from '../../src/chat/actions';
import type { CardPaper, FormSpec, MemberPage } from '../../src/chat/types';
import { escapeText, slackLink } from './mrkdwn';

/** The text input of the one-field form. */
const FIELD_BLOCK = 'ad-field';
const FIELD_ACTION = 'text';

/** What a modal carries back in private_metadata: the card's channel, message, thread and paper. */
export interface FormOrigin {
  c: string;
  m?: string;
  t?: string;
  p: string;
}

export function formOrigin(origin: { channel: string; message?: string; thread?: string; paper: CardPaper }): string {
  const o: FormOrigin = {
    c: origin.channel,
    ...(origin.message ? { m: origin.message } : {}),
    ...(origin.thread ? { t: origin.thread } : {}),
    p: cardValue(origin.paper),
  };
  return JSON.stringify(o);
}

export function readOrigin(raw: string | undefined): (FormOrigin & { paper: CardPaper }) | undefined {
  try {
    const o = JSON.parse(raw ?? '') as Partial<FormOrigin>;
    const card = typeof o.p === 'string' ? parseCardValue(o.p) : undefined;
    if (typeof o.c !== 'string' || !card) return undefined;
    return {
      c: o.c,
      ...(typeof o.m === 'string' ? { m: o.m } : {}),
      ...(typeof o.t === 'string' ? { t: o.t } : {}),
      p: o.p as string,
      paper: card.paper,
    };
  } catch {
    return undefined;
  }
}

/** The Ask… form as a Slack modal (views.open): one multiline plain-text input. */
export function modalView(form: FormSpec, origin: string): SlackTypes.ModalView {
  return {
    type: 'modal',
    callback_id: `${ACTION_PREFIX}${form.form}`,
    title: { type: 'plain_text', text: form.title.slice(0, 24) },
    submit: { type: 'plain_text', text: form.submit.slice(0, 24) },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: origin,
    blocks: [
      {
        type: 'input',
        block_id: FIELD_BLOCK,
        label: { type: 'plain_text', text: form.label.slice(0, 2000) },
        element: {
          type: 'plain_text_input',
          action_id: FIELD_ACTION,
          multiline: true,
          max_length: Math.min(form.maxLength, 3000),
          ...(form.placeholder ? { placeholder: { type: 'plain_text', text: form.placeholder.slice(0, 150) } } : {}),
        },
      },
    ],
  };
}

/** The text of the form's one field in a view_submission's state. */
export function submittedText(view: {
  state?: { values?: Record<string, Record<string, { value?: string | null }>> };
}): string {
  return view.state?.values?.[FIELD_BLOCK]?.[FIELD_ACTION]?.value ?? '';
}

/** The card's blocks with its Vote button showing `count` (chat.update of the message the click was on). */
export function withVoteCount(blocks: SlackTypes.KnownBlock[], count: number): SlackTypes.KnownBlock[] {
  return blocks.map((b) => {
    if (b.type !== 'actions') return b;
    return {
      ...b,
      elements: b.elements.map((e) => {
        if (e.type !== 'button' || e.action_id !== `${ACTION_PREFIX}vote`) return e;
        const emoji = e.text.text.split(' ')[0] ?? '';
        return { ...e, text: { ...e.text, text: `${emoji} ${voteLabel(count)}`.trim() } };
      }),
    };
  });
}

const WHAT = { voted: 'voted for', asked: 'asked about', critique: 'asked for a critique of' } as const;

/** The member's App Home: follows with a Remove button each, recent papers, what the votes taught, the setting. */
export function homeView(page: MemberPage, paperBase?: string): SlackTypes.HomeView {
  const blocks: SlackTypes.KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'Your arXiv digest' } },
    { type: 'section', text: { type: 'mrkdwn', text: '*You follow*' } },
  ];
  if (!page.follows.length)
    blocks.push(
      context('Nothing yet: pick an author in a card\u2019s *Follow an author* menu, or `/follow topic <words>`.'),
    );
  page.follows.slice(0, 40).forEach((f, i) => {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `${f.kind === 'author' ? ':bust_in_silhouette:' : ':label:'} ${escapeText(f.value)}`,
      },
      accessory: {
        type: 'button',
        action_id: `${ACTION_PREFIX}unfollow:${i}`,
        text: { type: 'plain_text', text: 'Remove' },
        value: `${f.kind}:${f.value}`.slice(0, 2000),
      },
    });
  });
  blocks.push({ type: 'divider' }, { type: 'section', text: { type: 'mrkdwn', text: '*Lately*' } });
  blocks.push(
    context(
      page.recent.length
        ? page.recent
            .map((r) => `${r.date}: you ${WHAT[r.what]} ${slackLink(absUrl(r.paper, paperBase), r.paper.title)}`)
            .join('\n')
        : 'You have not voted for or asked about a paper lately.',
    ),
  );
  blocks.push(
    { type: 'divider' },
    { type: 'section', text: { type: 'mrkdwn', text: '*What the team\u2019s votes taught the digest*' } },
  );
  if (!page.learned.length) blocks.push(context('Nothing yet: the digest learns when a vote closes.'));
  for (const d of page.learned)
    blocks.push(
      context(
        `*${escapeText(d.digest)}*: ${d.themes
          .map(
            (t) =>
              `“${escapeText(t.term)}”${t.example ? ` (e.g. ${slackLink(`${(paperBase ?? 'http://arxiv.org').replace(/\/+$/, '')}/abs/${t.example.id}`, t.example.title)})` : ''}`,
          )
          .join(' · ')}`,
      ),
    );
  blocks.push({ type: 'divider' });
  blocks.push({
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: page.critiquesPrivate
        ? 'Your critiques come to you alone.'
        : 'Your critiques go in the paper\u2019s thread.',
    },
    accessory: {
      type: 'button',
      action_id: `${ACTION_PREFIX}critiques`,
      text: { type: 'plain_text', text: page.critiquesPrivate ? 'Post them in the thread' : 'Send them to me alone' },
      value: page.critiquesPrivate ? 'thread' : 'private',
    },
  });
  return { type: 'home', blocks: blocks.slice(0, 100) };
}

function context(mrkdwn: string): SlackTypes.ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: mrkdwn.slice(0, 3000) }] };
}
