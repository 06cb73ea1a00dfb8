/**
 * Vote emoji in one neutral form, whatever the platform calls them: the unicode character without skin tone or
 * variation selector for the emoji the table knows (`+1`, `:thumbsup:`, `👍🏽` and `👍️` are all `👍`), the bare name
 * for any other (a custom emoji, `:partyparrot:` → `partyparrot`). The config names emoji either way (`+1` is 👍);
 * each adapter hands its reactions over in this form, stripping its own decorations first (e.g. Slack's
 * `::skin-tone-2` suffix), and reads reactions back against it.
 */

/** Common emoji: their short names (the names chat platforms and GitHub share) and the character. */
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

/** A unicode emoji without its skin-tone modifier (👍🏽 → 👍). */
export function foldSkinTone(emoji: string): string {
  return emoji.replace(/[\u{1F3FB}-\u{1F3FF}]/gu, '');
}

function bare(emoji: string): string {
  return foldSkinTone(emoji.trim().replace(/^:|:$/g, '')).replace(/\uFE0F/g, '');
}

/** The neutral form of an emoji given by short name (with or without colons) or as a character. */
export function neutralEmoji(emoji: string): string {
  const name = bare(emoji);
  const row = TABLE.find(([names, char]) => names.includes(name) || bare(char) === name);
  return row ? bare(row[1]) : name;
}

/** The short names of a neutral emoji, for platforms that name emoji (`👍` → `+1`, `thumbsup`); else none. */
export function shortNames(emoji: string): string[] {
  const neutral = neutralEmoji(emoji);
  return TABLE.find(([, char]) => bare(char) === neutral)?.[0] ?? [];
}

/** The configured vote emoji (`votes.emoji`) in neutral form, each once. */
export function resolveVoteEmoji(configured: readonly string[]): string[] {
  return [...new Set(configured.map(neutralEmoji))];
}

/** Whether a reaction's emoji (any form; skin tones count as the base emoji) is one of the `allowed` neutral ones. */
export function isVoteEmoji(emoji: string, allowed: readonly string[]): boolean {
  return allowed.includes(neutralEmoji(emoji));
}

/** The emoji to show in "react with … to vote": the first configured one, as a character when the table knows it. */
export function displayEmoji(configured: readonly string[]): string {
  const first = configured[0] ?? '+1';
  const neutral = neutralEmoji(first);
  return TABLE.find(([, char]) => bare(char) === neutral)?.[1] ?? neutral;
}
