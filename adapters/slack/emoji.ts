/**
 * Slack names emoji (`+1`, `thumbsup`, a custom `partyparrot`) and writes skin tones as a suffix
 * (`+1::skin-tone-2`): reactions become the core's neutral form here, and a neutral vote emoji is shown by name.
 */
import { neutralEmoji, shortNames } from '../../src/votes/emoji';

/** A Slack reaction name in the neutral form of src/votes/emoji.ts (`+1::skin-tone-2` → `👍`). */
export function slackReaction(name: string): string {
  return neutralEmoji(name.replace(/::skin-tone-\d+$/, ''));
}

/** Slack's name for a neutral emoji (`👍` → `+1`); the emoji itself when Slack has no name for it here. */
export function slackEmojiName(emoji: string): string {
  return shortNames(emoji)[0] ?? neutralEmoji(emoji);
}
