/**
 * The digest in chat, measured: the seed day's digest written at the seed's length (the seed digest's own text,
 * its five-sentence opening and paragraph-long paper openings), and a crowded day (maxPapers 30 with long theme
 * lines), rendered by the real Slack and Discord renderers. What a member sees (visible characters of the parent and
 * of each card), how many messages a digest takes on each platform, and the rendering time per digest.
 */
import { performance } from 'node:perf_hooks';
import type { APIEmbed } from 'discord.js';
import { embedLength, renderDiscord } from '../adapters/discord/render';
import { renderSlack, visibleLength } from '../adapters/slack/render';
import type { Digest } from '../src/app/types';
import { seedChatDigest } from '../test/fakes/seed-digest';

function slackFigures(digest: Digest) {
  const [parent, ...overflow] = renderSlack({ kind: 'digest', digest, voteEmoji: '+1' });
  const papers = digest.selected.map((paper, index) =>
    renderSlack({ kind: 'paper', digest, paper, index, voteEmoji: '+1' }),
  );
  return {
    parentVisible: parent ? visibleLength(parent.blocks) : 0,
    channelMessages: 1 + overflow.length,
    maxCardVisible: Math.max(...papers.map((p) => (p[0] ? visibleLength(p[0].blocks) : 0))),
    threadMessages: papers.reduce((n, p) => n + p.length, 0),
  };
}

function discordFigures(digest: Digest) {
  const [parent, ...overflow] = renderDiscord({ kind: 'digest', digest, voteEmoji: '👍' });
  const papers = digest.selected.map((paper, index) =>
    renderDiscord({ kind: 'paper', digest, paper, index, voteEmoji: '👍' }),
  );
  const chars = (m: { content?: string; embeds?: APIEmbed[] }) =>
    (m.content?.length ?? 0) + (m.embeds ?? []).reduce((n, e) => n + embedLength(e), 0);
  return {
    parentChars: parent ? chars(parent) : 0,
    channelMessages: 1,
    maxCardChars: Math.max(...papers.map((p) => (p[0] ? chars(p[0]) : 0))),
    threadMessages: overflow.length + papers.reduce((n, p) => n + p.length, 0),
  };
}

/** A crowded day: 30 papers, every theme line long, the seed's prose for each. */
function crowded(seed: Digest): Digest {
  const selected = Array.from({ length: 30 }, (_, i) => {
    const p = seed.selected[i % seed.selected.length] as Digest['selected'][number];
    return { ...p, id: `2510.${27000 + i}` };
  });
  return {
    ...seed,
    selected,
    overview: {
      tldr: seed.overview?.tldr ?? '',
      themes: [0, 1, 2].map((t) => ({
        title: `Theme ${t + 1} of a crowded day`,
        papers: selected
          .filter((_, i) => i % 3 === t)
          .map((p) => ({ id: p.id, shortName: p.title.split(':')[0] ?? p.id, insight: p.abstract.slice(0, 200) })),
      })),
      commonInsights: seed.overview?.commonInsights ?? '',
    },
  };
}

export async function run(): Promise<Record<string, number | string>> {
  const seed = seedChatDigest();
  const busy = crowded(seed);
  const s = slackFigures(seed);
  const d = discordFigures(seed);
  const sb = slackFigures(busy);
  const db = discordFigures(busy);
  const rounds = 200;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    renderSlack({ kind: 'digest', digest: seed, voteEmoji: '+1' });
    for (const [index, paper] of seed.selected.entries())
      renderSlack({ kind: 'paper', digest: seed, paper, index, voteEmoji: '+1' });
    renderDiscord({ kind: 'digest', digest: seed, voteEmoji: '👍' });
    for (const [index, paper] of seed.selected.entries())
      renderDiscord({ kind: 'paper', digest: seed, paper, index, voteEmoji: '👍' });
  }
  const perDigestMs = (performance.now() - t0) / rounds;
  return {
    seedPapers: seed.selected.length,
    slackParentVisibleChars: s.parentVisible,
    slackChannelMessages: s.channelMessages,
    slackMaxCardVisibleChars: s.maxCardVisible,
    slackThreadMessages: s.threadMessages,
    discordParentChars: d.parentChars,
    discordChannelMessages: d.channelMessages,
    discordMaxCardChars: d.maxCardChars,
    discordThreadMessages: d.threadMessages,
    crowdedPapers: busy.selected.length,
    crowdedSlackParentVisibleChars: sb.parentVisible,
    crowdedSlackChannelMessages: sb.channelMessages,
    crowdedSlackMaxCardVisibleChars: sb.maxCardVisible,
    crowdedDiscordChannelMessages: db.channelMessages,
    crowdedDiscordThreadMessages: db.threadMessages,
    renderBothPlatformsPerDigestMs: perDigestMs,
  };
}
