/**
 * `/follow author <name>`, `/follow topic <words>`, `/unfollow …` and `/follows`: a member's follows, answered
 * privately (Slack ephemeral, Discord ephemeral) and at once: one store read and write, no LLM, no arXiv. Bad input
 * gets a usage line or one line naming what is wrong.
 */
import { isArxivDigestError } from '../app/errors';
import type { CommandEvent } from '../chat/types';
import type { Store } from '../store';
import { type FollowKind, MAX_FOLLOWS, follow, memberFollows, unfollow } from './book';
import { type Example, followUsage } from './usage';

export { isFollowCommand } from './usage';

/** `author Yann LeCun` → kind and value; undefined when it is neither `author …` nor `topic …`. */
export function parseFollowArgument(argument: string): { kind: FollowKind; value: string } | undefined {
  const m = /^\s*(authors?|topics?)\b[\s:=]*([\s\S]*)$/i.exec(argument);
  if (!m?.[1]) return undefined;
  const kind: FollowKind = m[1].toLowerCase().startsWith('author') ? 'author' : 'topic';
  return { kind, value: (m[2] ?? '').trim() };
}

function quoted(list: string[]): string {
  return list.map((t) => `“${t}”`).join(', ');
}

function count(total: number): string {
  return `${total} of ${MAX_FOLLOWS} follows`;
}

/** Handles one of the follow commands; every answer goes to `event.replyPrivately`. */
export async function handleFollowCommand(store: Store, event: CommandEvent, example: Example): Promise<void> {
  if (!event.workspaceId) {
    await event.replyPrivately(
      'Follows belong to a workspace: use this command in a channel of your workspace or server.',
    );
    return;
  }
  const scope = { platform: event.platform, workspace: event.workspaceId };
  if (event.command === 'follows') {
    const mine = await memberFollows(store, scope, event.userId);
    if (mine.authors.length + mine.topics.length === 0) {
      await event.replyPrivately(
        `You follow no author or topic yet. ${followUsage('follow', example).replace(/^Usage: /, 'Try ')}`,
      );
      return;
    }
    const lines = [`You follow (${count(mine.authors.length + mine.topics.length)}):`];
    if (mine.authors.length) lines.push(`Authors: ${mine.authors.join(', ')}`);
    if (mine.topics.length) lines.push(`Topics: ${quoted(mine.topics)}`);
    lines.push(`Stop with ${example('unfollow', 'author <name>')} or ${example('unfollow', 'topic <words>')}.`);
    await event.replyPrivately(lines.join('\n'));
    return;
  }
  const command = event.command === 'follow' ? 'follow' : 'unfollow';
  const parsed = parseFollowArgument(event.argument);
  if (!parsed?.value) {
    await event.replyPrivately(followUsage(command, example));
    return;
  }
  const what = parsed.kind === 'author' ? 'the author' : 'the topic';
  const shown = (v: string) => (parsed.kind === 'author' ? v : `“${v}”`);
  try {
    if (command === 'follow') {
      const out = await follow(store, scope, event.userId, parsed.kind, parsed.value);
      if (out.status === 'full') {
        await event.replyPrivately(
          `You already follow ${MAX_FOLLOWS} authors and topics, the most a member may; ${example('unfollow', `${parsed.kind} <…>`)} one first.`,
        );
      } else if (out.status === 'already') {
        await event.replyPrivately(`You already follow ${what} ${shown(out.value)} (${count(out.total)}).`);
      } else {
        const effect =
          parsed.kind === 'author'
            ? 'their new papers are always considered for the digest; a card of theirs mentions you, and their papers that do not make it are listed in the thread'
            : 'a digest paper on it mentions you on its card';
        await event.replyPrivately(`You now follow ${what} ${shown(out.value)}: ${effect} (${count(out.total)}).`);
      }
      return;
    }
    const out = await unfollow(store, scope, event.userId, parsed.kind, parsed.value);
    await event.replyPrivately(
      out.status === 'removed'
        ? `You no longer follow ${what} ${shown(out.value)} (${count(out.total)}).`
        : `You do not follow ${what} ${shown(parsed.value)}; ${example('follows', '').trim()} lists what you follow.`,
    );
  } catch (err) {
    if (isArxivDigestError(err) && err.exitCode === 2) {
      await event.replyPrivately(`${upperFirst(err.message)}.`);
      return;
    }
    throw err;
  }
}

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
