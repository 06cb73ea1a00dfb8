/** Skin-tone variants of a reaction (👍🏽) count as the base emoji (👍): one table of vote emoji covers them all. */
export function baseEmoji(name: string): string {
  return name.replace(/[\u{1F3FB}-\u{1F3FF}]/gu, '');
}
