/**
 * New-version replies at the size of a busy day (issue 14, part 2). Day 1: a 500-paper cs.CL day, its 10-paper digest
 * posted to the Slack and Discord stand-ins. Day 2: another 500 papers and 50 replacements, 10 of them new versions of
 * day 1's digested papers (each abstract edited as a revision is: a number changed, a sentence added, one dropped),
 * 40 of papers nobody watched. Through the product's path (runDigest: the real ArxivClient against the arXiv stand-in
 * with arXiv's 3 s API spacing, the real LLM client against the OpenAI stand-in answering after 200 ms, the real
 * adapters), against the same day 2 without replacements: what announcing costs in wall time, arXiv requests and
 * LLM calls and tokens; the re-run's; and the replies' size on each platform.
 */
import type { APIEmbed } from 'discord.js';
import { visibleLength } from '../adapters/slack/render';
import { createAdapters, PLATFORM_CONFIG } from '../src/cli/adapters';
import { parseConfig } from '../src/config/load';
import { SEED_INTERESTS } from '../src/config/schema';
import { createContext, systemClock } from '../src/context';
import { silentLogger } from '../src/app/log';
import type { Assembly } from '../src/jobs/assembly';
import { runDigest } from '../src/jobs/run';
import { createServices } from '../src/jobs/services';
import { openStore } from '../src/store';
import { type DayPaper, startArxivServer, syntheticDay } from '../test/fakes/arxiv-server';
import { startFakeDiscord } from '../test/fakes/discord-server';
import { startOpenAiServer } from '../test/fakes/openai-server';
import { FakeSlackServer } from '../test/fakes/slack-server';

const SLACK = 'C0BENCHVER1';
const DISCORD = '523456789012345678';
const N = 500;
const SHOWN = 10;
const UNWATCHED = 40;

/** A revision's abstract: the first number changed, the second sentence dropped, a sentence added. */
function revise(abstract: string): string {
  const sentences = abstract.split(/(?<=\.)\s+/);
  const kept = sentences.filter((_, i) => i !== 1).join(' ');
  const changed = /\d+(\.\d+)?/.test(kept) ? kept.replace(/\d+(\.\d+)?/, (n) => String(Number(n) + 2)) : kept;
  return `${changed} In this version we add experiments on three further benchmarks and release the code.`;
}

async function world(withReplacements: boolean) {
  const [arxiv, openai, slack, discord] = await Promise.all([
    startArxivServer(),
    startOpenAiServer({ delayMs: 200 }),
    FakeSlackServer.start(),
    startFakeDiscord({ channels: [DISCORD] }),
  ]);
  const store = await openStore('memory://');
  const config = parseConfig(
    {
      digests: [
        {
          name: 'nlp',
          categories: ['cs.CL'],
          interests: SEED_INTERESTS,
          maxPapers: SHOWN,
          channels: [{ slack: SLACK }, { discord: DISCORD }],
        },
      ],
      llm: { model: 'bench-model' },
    },
    'bench',
    PLATFORM_CONFIG,
  );
  const env = {
    ARXIV_RSS_URL: arxiv.rssUrl,
    ARXIV_API_URL: arxiv.apiUrl,
    ARXIV_WEB_URL: arxiv.webUrl,
    OPENAI_API_KEY: 'sk-bench-0123456789',
    OPENAI_BASE_URL: openai.url,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_API_URL: slack.apiUrl,
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
  };
  const ctx = createContext({ config, store, log: silentLogger, env, clock: systemClock });
  const app: Assembly = { ctx, services: createServices(ctx), adapters: createAdapters(ctx) };
  const digest = config.digests[0] as (typeof config.digests)[number];

  const day1 = syntheticDay(N, 11, { replacements: 0 });
  arxiv.setDay(['cs.CL'], '2025-10-30', day1);
  const first = await runDigest(app, digest);
  const shown = new Set(first.digest.selected.map((p) => p.id));
  const day1Ids = new Set(day1.map((p) => p.id));
  const fresh = syntheticDay(N + 50, 12, { replacements: 0 })
    .filter((p) => !day1Ids.has(p.id))
    .slice(0, N);
  const replaced: DayPaper[] = [
    ...day1.filter((p) => shown.has(p.id)),
    ...day1.filter((p) => !shown.has(p.id)).slice(0, UNWATCHED),
  ].map((p) => ({ ...p, version: 2, announceType: 'replace', abstract: revise(p.abstract), published: undefined }));
  arxiv.setDay(['cs.CL'], '2025-10-31', withReplacements ? [...fresh, ...replaced] : fresh);

  const discordPosts = () => discord.calls.filter((c) => c.method === 'POST' && /\/messages$/.test(c.path)).length;
  const api = () => arxiv.requests.filter((r) => r.path === '/api/query').length;
  const notes = () => openai.requests.filter((r) => r.schemaName === 'new_version_note' && r.outcome === 'ok');
  const measure = async () => {
    const [apiBefore, notesBefore, slackBefore, discordBefore] = [
      api(),
      notes().length,
      slack.posted(SLACK).length,
      discordPosts(),
    ];
    const t0 = performance.now();
    const result = await runDigest(app, digest);
    return {
      ms: performance.now() - t0,
      apiRequests: api() - apiBefore,
      noteCalls: notes().slice(notesBefore),
      replies: result.versions?.announced.length ?? 0,
      slackPosts: slack.posted(SLACK).length - slackBefore,
      discordPosts: discordPosts() - discordBefore,
    };
  };
  const day2 = await measure();
  const rerun = await measure();
  const slackReplies = slack.posted(SLACK).filter((m) => /is out/.test(m.text));
  const discordReplies = [...discord.messages.values()].filter((m) => /is out/.test(JSON.stringify(m.embeds)));
  const embedChars = (e: APIEmbed) =>
    (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0);
  const figures = {
    day2,
    rerun,
    maxSlackVisible: Math.max(0, ...slackReplies.map((m) => visibleLength(m.blocks as never))),
    maxDiscordChars: Math.max(0, ...discordReplies.map((m) => embedChars(m.embeds[0] as APIEmbed))),
    watchRecordBytes: JSON.stringify(await store.get('versions', [...shown][0] ?? '')).length,
  };
  await store.close();
  await Promise.all([arxiv.close(), openai.close(), slack.close(), discord.close()]);
  return figures;
}

export async function run(): Promise<Record<string, number | string>> {
  const without = await world(false);
  const withR = await world(true);
  const tokens = withR.day2.noteCalls.reduce((n, r) => n + r.promptTokens + r.completionTokens, 0);
  return {
    day2Papers: N,
    replacementsListed: SHOWN + UNWATCHED,
    watchedReplaced: SHOWN,
    'day2.runMs.withoutReplacements': Math.round(without.day2.ms),
    'day2.runMs.withReplacements': Math.round(withR.day2.ms),
    'day2.announceCostMs': Math.round(withR.day2.ms - without.day2.ms),
    'day2.replies (Slack + Discord)': withR.day2.replies,
    'day2.arxivApiRequests.without → with': `${without.day2.apiRequests} → ${withR.day2.apiRequests}`,
    'day2.noteLlmCalls': withR.day2.noteCalls.length,
    'day2.noteTokensPerPaper': withR.day2.noteCalls.length ? Math.round(tokens / withR.day2.noteCalls.length) : 0,
    'rerun.ms': Math.round(withR.rerun.ms),
    'rerun.replies': withR.rerun.replies,
    'rerun.noteLlmCalls': withR.rerun.noteCalls.length,
    'rerun.arxivApiRequests': withR.rerun.apiRequests,
    'rerun.chatPosts': withR.rerun.slackPosts + withR.rerun.discordPosts,
    'reply.maxSlackVisibleChars': withR.maxSlackVisible,
    'reply.maxDiscordEmbedChars': withR.maxDiscordChars,
    'watchRecord.bytes': withR.watchRecordBytes,
  };
}
