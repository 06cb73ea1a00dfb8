/**
 * The buttons of a paper card and of a member's page, the same on every platform: their names (the registry's
 * actions, src/interactions), their labels, and what their payload carries: the card's paper id and version, and
 * for a menu the index of the picked option. Adapters build their platform's components from these and read a
 * click back with `parseCardValue`; nothing in a payload is text the bot shows or trusts.
 */
import { oneLine } from '../app/errors';
import { outsideText, truncate } from '../app/text';
import type { Paper } from '../app/types';
import type { CardPaper } from './types';

/** The card's buttons, in order (Discord's first action row holds five: these). */
export const CARD_BUTTONS = [
  { action: 'vote', label: 'Vote' },
  { action: 'critique', label: 'Critique' },
  { action: 'ask', label: 'Ask…' },
  { action: 'not-for-us', label: 'Not for us' },
  { action: 'why', label: 'Why?' },
] as const;

/** The card's menu: one of its authors to follow. */
export const FOLLOW_MENU = { action: 'follow-author', placeholder: 'Follow an author' } as const;
/** Authors the menu lists, at most (Discord's select takes 25 options). */
export const MENU_AUTHORS = 25;
/** Characters of an option's label (Slack's and Discord's limit is 75 and 100). */
export const OPTION_LABEL_CHARS = 75;

/** The names every adapter delivers as ActionEvent.action. */
export const ACTIONS = [...CARD_BUTTONS.map((b) => b.action), FOLLOW_MENU.action, 'unfollow', 'critiques'] as const;

/** The prefix of the bot's own component ids (Slack action_id, Discord custom_id): `ad:vote`. */
export const ACTION_PREFIX = 'ad:';

/** `2510.26707v2`: a card's paper as its buttons carry it. */
export function cardValue(paper: CardPaper): string {
  return `${paper.id}v${paper.version}`;
}

const CARD_VALUE = /^((?:\d{4}\.\d{4,5})|(?:[a-z-]+(?:\.[A-Z]{2})?\/\d{7}))v(\d{1,3})(?:#(\d{1,3}))?$/;

/** A card value back: the paper, and a menu's option index when there is one; undefined for anything else. */
export function parseCardValue(value: string): { paper: CardPaper; option?: number } | undefined {
  const m = CARD_VALUE.exec(value);
  if (!m?.[1] || !m[2]) return undefined;
  return { paper: { id: m[1], version: Number(m[2]) }, ...(m[3] !== undefined ? { option: Number(m[3]) } : {}) };
}

/** The action name of one of the bot's component ids, or undefined when it is not one of ours. */
export function actionOf(componentId: string): string | undefined {
  if (!componentId.startsWith(ACTION_PREFIX)) return undefined;
  const name = componentId.slice(ACTION_PREFIX.length).split(':')[0] ?? '';
  return (ACTIONS as readonly string[]).includes(name) ? name : undefined;
}

/** The vote button's label, with the count once someone voted. */
export function voteLabel(votes: number | undefined): string {
  return votes ? `Vote · ${votes}` : 'Vote';
}

/** One of a card's buttons, as every platform shows it. */
export interface CardButton {
  action: (typeof CARD_BUTTONS)[number]['action'];
  /** What the button says (the Vote button: the vote emoji and the count). */
  label: string;
  /** The bot's component id of the action (`ad:vote`); a platform may append the card value to it. */
  componentId: string;
  /** The card's main button (Vote), shown emphasised. */
  primary: boolean;
}

/** A card's controls in the neutral model: its buttons, and its Follow an author menu when the paper has authors. */
export interface CardControls {
  /** The card's paper as its components carry it (`cardValue`). */
  value: string;
  buttons: CardButton[];
  menu?: {
    componentId: string;
    placeholder: string;
    /** The authors on the card, at most `MENU_AUTHORS`: their names on one line (outside text, not yet escaped). */
    options: Array<{ text: string; index: number }>;
  };
}

/** The buttons and menu of a paper's card; an adapter turns them into its platform's components. */
export function cardControls(
  paper: Pick<Paper, 'id' | 'version' | 'authors'>,
  votes: number | undefined,
  emoji: string,
): CardControls {
  const buttons = CARD_BUTTONS.map((b) => ({
    action: b.action,
    label: b.action === 'vote' ? `${emoji} ${voteLabel(votes)}` : b.label,
    componentId: `${ACTION_PREFIX}${b.action}`,
    primary: b.action === 'vote',
  }));
  const authors = paper.authors.slice(0, MENU_AUTHORS);
  return {
    value: cardValue(paper),
    buttons,
    ...(authors.length
      ? {
          menu: {
            componentId: `${ACTION_PREFIX}${FOLLOW_MENU.action}`,
            placeholder: FOLLOW_MENU.placeholder,
            options: authors.map((a, index) => ({ text: oneLine(outsideText(a)), index })),
          },
        }
      : {}),
  };
}

/** A menu option's label: the author's name cut to `max` and made safe by the platform, else `Author n`. */
export function optionLabel(option: { text: string; index: number }, max: number, safe: (s: string) => string): string {
  return safe(truncate(option.text, max)) || `Author ${option.index + 1}`;
}
