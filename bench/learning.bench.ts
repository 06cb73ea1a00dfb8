/**
 * Do votes teach? A simulated team on real arXiv days (../shared/arxiv/arxiv-real.jsonl: whole daily listings of
 * cs.CV, cs.CL, cs.AI and cs.GR from a public crawler, grouped by day). The digest reads cs.CL + cs.AI with the seed
 * digest's interests (RL and preference optimization for LLMs, alignment, reasoning, agents): an NLP team.
 *
 * Themes are labelled by arXiv categories, never by the words the profile learns:
 *   - outside `interests`: papers whose primary category is cs.CV (vision, multimodal, video papers cross-listed to
 *     cs.CL/cs.AI);
 *   - already in `interests`: papers cross-listed to cs.LG (learning methods: RL, preference optimization, …);
 *   - the control: votes for random papers.
 *
 * Everything goes through the product's real path: `runDigest` builds each training day and posts it through the
 * real Slack adapter to the Slack stand-in (test/fakes/slack-server.ts); members react 👍 there on the theme's cards
 * (two members), and a third /votes two theme papers the digest did not show through the chat handler; `tally`
 * reads the reactions back from the stand-in, counts the /votes and teaches the profile. Trained on 5 consecutive
 * days, measured on the 2 days after them (held out: never voted on), against the same days built without votes;
 * SPLITS splits spread over the year. Twice: words only (no LLM), and with embeddings (the OpenAI stand-in's
 * deterministic hashed-bag-of-words vectors; its chat ranker scores relevance from `interests` alone).
 *
 * Figures (means over held-out days that have at least 3 theme papers): theme papers among the digest's 5
 * (exploration slot included) and among the ranking's top 5 (no exploration), the theme's mean rank among the
 * day's candidates, before and after; the control's change of the 5 (papers replaced); embedding tokens per
 * paper and embedding requests on a re-run. Skips with a notice when ../shared/arxiv is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createSlackAdapter } from '../adapters/slack';
import { PLATFORM_CONFIG } from '../src/cli/adapters';
import { createContext } from '../src/context';
import { silentLogger } from '../src/app/log';
import type { Paper } from '../src/app/types';
import type { CommandEvent } from '../src/chat/types';
import { parseConfig } from '../src/config/load';
import { SEED_INTERESTS } from '../src/config/schema';
import type { Assembly } from '../src/jobs/assembly';
import { createChatHandler } from '../src/interactions';
import { runDigest } from '../src/jobs/run';
import { createServices } from '../src/jobs/services';
import { tallyDigest } from '../src/jobs/tally';
import { createLlm } from '../src/llm/client';
import type { RankingRecord } from '../src/pipeline/digest';
import { firstPass } from '../src/pipeline/firstpass';
import { loadProfile, weightOf } from '../src/profile/profile';
import { openStore } from '../src/store';
import { FakeClock } from '../test/fakes/bot-fixture';
import { type FakeOpenAi, startOpenAiServer } from '../test/fakes/openai-server';
import { FakeSlackServer } from '../test/fakes/slack-server';
import { stubArxiv } from '../test/fakes/stub-arxiv';

const DATA = path.resolve(__dirname, '../../shared/arxiv/arxiv-real.jsonl');
const CATEGORIES = ['cs.CL', 'cs.AI'];
const CHANNEL = 'C0LEARNING1';
const TRAIN_DAYS = 5;
const HELD_OUT = 2;
const SPLITS = Number(process.env.BENCH_SPLITS ?? 6);
const SHOWN = 5;
const MEMBERS = ['U0MEMBER01', 'U0MEMBER02', 'U0MEMBER03'];
/** Theme papers the digest did not show that a member /votes each training day. */
const SLASH_VOTES = 2;

interface Day {
  date: string;
  papers: Paper[];
}

type Theme = { name: string; has: (p: Paper) => boolean } | { name: 'random'; has?: undefined };

const THEMES = {
  outside: { name: 'cs.CV primary (outside interests)', has: (p: Paper) => p.primaryCategory === 'cs.CV' },
  inside: { name: 'cross-listed to cs.LG (in interests)', has: (p: Paper) => p.categories.includes('cs.LG') },
};

/** The crawler's days, each the digest's papers (cs.CL or cs.AI, new and cross-lists), oldest first. */
function loadDays(): Day[] {
  const byDay = new Map<string, Paper[]>();
  for (const line of readFileSync(DATA, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as {
      id: string;
      title: string;
      abstract: string;
      authors: string[];
      categories: string[];
      source: string;
    };
    const m = /^dw-dengwei\/daily-arXiv-ai-enhanced:data\/(\d{4}-\d{2}-\d{2})/.exec(r.source);
    if (!m?.[1] || !r.categories.some((c) => CATEGORIES.includes(c))) continue;
    const paper: Paper = {
      id: r.id,
      version: 1,
      title: r.title,
      abstract: r.abstract,
      authors: r.authors,
      categories: r.categories,
      ...(r.categories[0] ? { primaryCategory: r.categories[0] } : {}),
      announceType: CATEGORIES.includes(r.categories[0] ?? '') ? 'new' : 'cross',
    };
    byDay.set(m[1], [...(byDay.get(m[1]) ?? []), paper]);
  }
  return [...byDay.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, papers]) => ({ date, papers }));
}

/** A deterministic pseudo-random generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(items: T[], n: number, rand: () => number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < n && pool.length) out.push(pool.splice(Math.floor(rand() * pool.length), 1)[0] as T);
  return out;
}

interface World {
  app: Assembly;
  ai: FakeOpenAi | undefined;
  close(): Promise<void>;
}

let slackStarted: Promise<FakeSlackServer> | undefined;
const slackServer = () => {
  slackStarted ??= FakeSlackServer.start();
  return slackStarted;
};

async function world(days: Day[], ai: FakeOpenAi | undefined): Promise<World> {
  const slack = await slackServer();
  const store = await openStore('memory://');
  const config = parseConfig(
    {
      digests: [
        {
          name: 'nlp',
          categories: CATEGORIES,
          interests: SEED_INTERESTS,
          maxPapers: SHOWN,
          channels: [{ slack: CHANNEL }],
          votes: { winners: 0 },
        },
      ],
      llm: ai ? { embeddingModel: 'text-embedding-3-small', shortlist: 40 } : {},
    },
    'bench',
    PLATFORM_CONFIG,
  );
  const env: NodeJS.ProcessEnv = {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_API_URL: slack.apiUrl,
    ...(ai ? { OPENAI_API_KEY: 'sk-bench-0123456789', OPENAI_BASE_URL: ai.url } : {}),
  };
  const clock = new FakeClock(Date.parse('2025-01-01T12:00:00Z'));
  const ctx = createContext({ config, store, log: silentLogger, env, clock });
  const arxiv = stubArxiv(
    days.map((d) => ({ date: d.date, categories: CATEGORIES, papers: d.papers })),
    { bodyChars: 1500, store },
  );
  const services = createServices(ctx, { arxiv: arxiv.client, llm: createLlm(ctx, { backoffMs: 1 }) });
  const adapter = createSlackAdapter(ctx, { retryConfig: { retries: 1, factor: 1, minTimeout: 0, maxTimeout: 5 } });
  if (!adapter) throw new Error('the Slack stand-in needs SLACK_BOT_TOKEN');
  const app: Assembly = { ctx, services, adapters: { slack: adapter } };
  return { app, ai, close: () => store.close() };
}

function slashVote(argument: string, userId: string): CommandEvent {
  return {
    type: 'command',
    platform: 'slack',
    command: 'vote',
    argument,
    userId,
    channelId: CHANNEL,
    reply: async () => undefined,
    replyPrivately: async () => {},
  };
}

/** One training day through the real path: the digest posted, reactions on the Slack stand-in, /votes, the tally. */
async function trainDay(w: World, day: Day, theme: Theme, rand: () => number): Promise<number> {
  const digest = w.app.ctx.config.digests[0]!;
  (w.app.ctx.clock as FakeClock).set(`${day.date}T13:00:00Z`);
  const run = await runDigest(w.app, digest, { date: day.date });
  const posted = run.posted[0];
  if (!posted) throw new Error(`the digest of ${day.date} was not posted`);
  const shownIds = run.digest.selected.map((p) => p.id);
  const unshown = day.papers.filter((p) => !shownIds.includes(p.id));
  const reacted = theme.has ? run.digest.selected.filter((p) => theme.has(p)) : pick(run.digest.selected, 2, rand);
  const slashed = pick(theme.has ? unshown.filter((p) => theme.has(p)) : unshown, SLASH_VOTES, rand);
  const slack = await slackServer();
  for (const p of reacted) {
    const message = posted.papers[p.id];
    if (!message) continue;
    for (const member of MEMBERS.slice(0, 2)) slack.addReaction(CHANNEL, message.messageId, '+1', member);
  }
  const handler = createChatHandler(w.app);
  for (const p of slashed) await handler.processEvent(slashVote(p.id, MEMBERS[2] as string));
  await tallyDigest(w.app, digest, day.date);
  return reacted.length + slashed.length;
}

interface Measure {
  selected: string[];
  ranked: string[];
}

/** A held-out day built as the digest would be (not posted: the team never votes on it). */
async function measure(w: World, day: Day): Promise<Measure> {
  const digest = w.app.ctx.config.digests[0]!;
  (w.app.ctx.clock as FakeClock).set(`${day.date}T13:00:00Z`);
  const run = await runDigest(w.app, digest, { date: day.date, post: false });
  const record = await w.app.ctx.store.get<RankingRecord>('ranking', `${digest.name}:${day.date}`);
  return { selected: run.digest.selected.map((p) => p.id), ranked: record?.candidates.map((c) => c.id) ?? [] };
}

function themeStats(m: Measure, day: Day, has: (p: Paper) => boolean) {
  const ids = new Set(day.papers.filter(has).map((p) => p.id));
  const ranks = m.ranked.flatMap((id, i) => (ids.has(id) ? [i + 1] : []));
  return {
    inDigest: m.selected.filter((id) => ids.has(id)).length,
    inTop5: m.ranked.slice(0, SHOWN).filter((id) => ids.has(id)).length,
    meanRank: ranks.reduce((a, b) => a + b, 0) / Math.max(1, ranks.length),
    count: ids.size,
  };
}

/** The LLM stand-in's relevance for a day: what a ranker that reads `interests` alone would say (0–10). */
function interestJudge(ai: FakeOpenAi | undefined, w: World, day: Day, relevance: Map<string, number>): void {
  if (!ai) return;
  for (const s of firstPass(day.papers, w.app.ctx.config.digests[0]!))
    relevance.set(s.paper.id, Math.round(10 * s.firstPass));
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const r2 = (x: number) => Math.round(x * 100) / 100;

async function runMode(days: Day[], embeddings: boolean): Promise<Record<string, number | string>> {
  const relevance = new Map<string, number>();
  const ai = embeddings ? await startOpenAiServer({ defaultRelevance: (id) => relevance.get(id) ?? 0 }) : undefined;
  const stride = SPLITS > 1 ? Math.floor((days.length - TRAIN_DAYS - HELD_OUT) / (SPLITS - 1)) : 0;
  const splits = Array.from({ length: SPLITS }, (_, k) => k * stride);
  const acc: Record<string, number[]> = {};
  const add = (k: string, v: number) => {
    acc[k] ??= [];
    acc[k].push(v);
  };
  let votes = 0;
  let embedTokens = 0;
  let embedPapers = 0;
  let rerunRequests = 0;
  try {
    for (const [k, start] of splits.entries()) {
      const train = days.slice(start, start + TRAIN_DAYS);
      const held = days.slice(start + TRAIN_DAYS, start + TRAIN_DAYS + HELD_OUT);
      const all = [...train, ...held];
      // Before: the held-out days built by a digest that never saw a vote.
      const base = await world(all, ai);
      const before = new Map<string, Measure>();
      const callsBefore = ai?.embeddingRequests.length ?? 0;
      for (const day of held) {
        interestJudge(ai, base, day, relevance);
        before.set(day.date, await measure(base, day));
      }
      if (ai) {
        embedTokens += ai.embeddingRequests.slice(callsBefore).reduce((n, r) => n + r.promptTokens, 0);
        embedPapers += held.reduce((n, d) => n + d.papers.length, 0);
        // A re-run of a held-out day (another maxPapers, so the stored digest is not replayed) embeds nothing.
        const again = ai.embeddingRequests.length;
        const digest = base.app.ctx.config.digests[0]!;
        await runDigest(base.app, { ...digest, maxPapers: SHOWN + 1 }, { date: held[0]!.date, post: false });
        rerunRequests += ai.embeddingRequests.length - again;
      }
      await base.close();

      for (const [label, theme] of [
        ['outside', THEMES.outside],
        ['inside', THEMES.inside],
        ['random', { name: 'random' } as Theme],
      ] as const) {
        const w = await world(all, ai);
        const rand = rng(1000 * k + label.length);
        for (const day of train) {
          interestJudge(ai, w, day, relevance);
          votes += await trainDay(w, day, theme, rand);
        }
        const profile = await loadProfile(w.app.ctx.store, 'nlp');
        if (profile) {
          for (const space of Object.keys(profile.spaces))
            add(`${label}.lambda.${space === 'terms' ? 'words' : 'embeddings'}`, weightOf(profile, space));
        }
        for (const day of held) {
          interestJudge(ai, w, day, relevance);
          const after = await measure(w, day);
          const prior = before.get(day.date) as Measure;
          if (theme.has) {
            const b = themeStats(prior, day, theme.has);
            const a = themeStats(after, day, theme.has);
            if (b.count < 3) continue;
            add(`${label}.digestBefore`, b.inDigest);
            add(`${label}.digestAfter`, a.inDigest);
            add(`${label}.top5Before`, b.inTop5);
            add(`${label}.top5After`, a.inTop5);
            add(`${label}.rankBefore`, b.meanRank);
            add(`${label}.rankAfter`, a.meanRank);
            add(`${label}.papers`, day.papers.length);
            add(`${label}.themePapers`, b.count);
          } else {
            add('random.digestChanged', after.selected.filter((id) => !prior.selected.includes(id)).length);
            add(
              'random.top5Changed',
              after.ranked.slice(0, SHOWN).filter((id) => !prior.ranked.slice(0, SHOWN).includes(id)).length,
            );
          }
        }
        await w.close();
      }
    }
  } finally {
    await ai?.close();
  }
  const m = (k: string) => r2(mean(acc[k] ?? []));
  const lambdas = (label: string) =>
    ['words', 'embeddings']
      .filter((s) => acc[`${label}.lambda.${s}`])
      .map((s) => `${s} ${m(`${label}.lambda.${s}`)}`)
      .join(', ');
  const out: Record<string, number | string> = {
    heldOutDays: `${(acc['outside.papers'] ?? []).length} (${SPLITS} splits × ${HELD_OUT}, days with ≥ 3 theme papers)`,
    papersPerDay: m('outside.papers'),
    trainingVotes: votes,
  };
  for (const [label, theme] of [
    ['outside', THEMES.outside],
    ['inside', THEMES.inside],
  ] as const) {
    out[`${label}Theme`] = theme.name;
    out[`${label}ThemePapersPerDay`] = m(`${label}.themePapers`);
    out[`${label}InDigest5`] = `${m(`${label}.digestBefore`)} → ${m(`${label}.digestAfter`)}`;
    out[`${label}InRankingTop5`] = `${m(`${label}.top5Before`)} → ${m(`${label}.top5After`)}`;
    out[`${label}MeanRank`] = `${m(`${label}.rankBefore`)} → ${m(`${label}.rankAfter`)}`;
    out[`${label}Lambda`] = lambdas(label);
  }
  out.randomDigest5Replaced = m('random.digestChanged');
  out.randomRankingTop5Replaced = m('random.top5Changed');
  out.randomLambda = lambdas('random');
  if (embeddings) {
    out.embeddingTokensPerPaper = r2(embedTokens / Math.max(1, embedPapers));
    out.embeddingRequestsOnRerun = rerunRequests;
  }
  return out;
}

export async function run(): Promise<Record<string, number | string>> {
  if (!existsSync(DATA)) {
    process.stderr.write(`bench learning: ${DATA} is absent; skipped\n`);
    return { skipped: `${DATA} is absent` };
  }
  const days = loadDays();
  try {
    const modes = process.env.BENCH_MODES ?? 'words,embeddings';
    const words = modes.includes('words') ? await runMode(days, false) : {};
    const embedded = modes.includes('embeddings') ? await runMode(days, true) : {};
    const out: Record<string, number | string> = {
      method: 'vote profile (Rocchio per space, λ from evidence × agreement), real path: digest → Slack → tally',
      days: days.length,
    };
    for (const [k, v] of Object.entries(words)) out[`words.${k}`] = v;
    for (const [k, v] of Object.entries(embedded)) out[`embeddings.${k}`] = v;
    return out;
  } finally {
    await (await slackServer()).close();
    slackStarted = undefined;
  }
}

if (require.main === module) {
  run().then((r) => console.log(JSON.stringify(r, null, 2)));
}
