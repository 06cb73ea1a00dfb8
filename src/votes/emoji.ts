/** Vote emoji: Slack names them (`+1`), Discord sends unicode (`👍`). One table maps the common ones both ways. */
const TABLE: Array<[string[], string]> = [
  [['+1', 'thumbsup'], '👍'],
  [['-1', 'thumbsdown'], '👎'],
  [['heart'], '❤️'],
  [['star'], '⭐'],
  [['fire'], '🔥'],
  [['eyes'], '👀'],
  [['rocket'], '🚀'],
  [['tada'], '🎉'],
  [['100'], '💯'],
  [['books'], '📚'],
  [['white_check_mark'], '✅'],
  [['raised_hands'], '🙌'],
  [['brain'], '🧠'],
];

export interface VoteEmoji {
  /** Slack short names that count (without colons; skin tones are matched by prefix). */
  slack: string[];
  /** Unicode (or custom emoji names) that count on Discord. */
  discord: string[];
}

function strip(s: string): string {
  return s.trim().replace(/^:|:$/g, '');
}

export function resolveVoteEmoji(configured: string[]): VoteEmoji {
  const slack = new Set<string>();
  const discord = new Set<string>();
  for (const raw of configured) {
    const name = strip(raw);
    const row = TABLE.find(
      ([names, uni]) => names.includes(name) || uni === name || uni.replace('\uFE0F', '') === name,
    );
    if (row) {
      for (const n of row[0]) slack.add(n);
      discord.add(row[1]);
    } else {
      slack.add(name);
      discord.add(name);
    }
  }
  return { slack: [...slack], discord: [...discord] };
}

/** A unicode emoji without its skin-tone modifier (👍🏽 → 👍), as Discord reports skin-tone reactions. */
export function foldSkinTone(emoji: string): string {
  return emoji.replace(/[\u{1F3FB}-\u{1F3FF}]/gu, '');
}

/**
 * Whether a reaction's emoji counts as a vote. Skin-tone variants count as the base emoji on both platforms
 * (Slack `+1::skin-tone-2`, Discord 👍🏽).
 */
export function isVoteEmoji(platform: 'slack' | 'discord', emoji: string, allowed: VoteEmoji): boolean {
  if (platform === 'slack') {
    const base = strip(emoji).split('::')[0] ?? '';
    return allowed.slack.includes(base);
  }
  const e = foldSkinTone(emoji).replace('\uFE0F', '');
  return allowed.discord.some((d) => d.replace('\uFE0F', '') === e);
}

/** The emoji to show in "react with … to vote". */
export function displayEmoji(configured: string[]): string {
  const first = configured[0] ?? '+1';
  return resolveVoteEmoji([first]).discord[0] ?? first;
}
