/** What a posted digest looks like on each fake platform: the parents, the papers the parent names, the cards. */
import type { FakeDiscordServer } from '../fakes/discord-server';
import type { FakeSlackServer } from '../fakes/slack-server';

const ABS = /\/abs\/(\d{4}\.\d{4,5})v\d+/g;

/** The arXiv ids a text links, in order, each once. */
export function linked(text: string): string[] {
  return [...new Set([...text.matchAll(ABS)].map((m) => m[1] ?? ''))];
}

/** Slack: the ids the parent names, and the id of each card in its thread (in order, repeats kept). */
export function slackDigest(slack: FakeSlackServer, channel: string) {
  const posted = slack.posted(channel);
  const parents = posted.filter((m) => !m.thread_ts);
  const parent = parents[0];
  const cards = posted
    .filter((m) => parent && m.thread_ts === parent.ts && /Vote:/.test(m.text))
    .map((m) => linked(JSON.stringify(m.blocks))[0] ?? '');
  return { parents: parents.length, named: parent ? linked(JSON.stringify(parent.blocks)) : [], cards };
}

/** Discord: the same, from the channel's one message and its thread. */
export function discordDigest(discord: FakeDiscordServer, channel: string) {
  const parents = discord.messagesIn(channel).filter((m) => m.author.id === discord.botUser.id);
  const parent = parents[0];
  const cards = (parent ? discord.messagesIn(parent.id) : [])
    .filter((m) => /Vote:/.test(JSON.stringify(m.embeds)))
    .map((m) => linked(String(m.embeds[0]?.url ?? ''))[0] ?? '');
  return { parents: parents.length, named: parent ? linked(JSON.stringify(parent.embeds)) : [], cards };
}
