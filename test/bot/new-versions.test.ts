/**
 * Issue 14, part 2: a new version of a paper the channel cared about is announced in the paper's original thread,
 * once. Through the CLI (each `digest` run a fresh start on the same SQLite store), against the local arXiv (real
 * RSS `replace` items and export API answers), the OpenAI stand-in, and the Slack and Discord stand-ins through the
 * real adapters. Day 1 posts a digest; members `/vote` for papers the digest did not show (on Slack, and in the
 * Discord thread); day 2's listing announces new versions of two digested papers (one withdrawn) and of the
 * voted-for ones. Each thread that saw an older version gets one reply, on both platforms; a second run and a third
 * (a restart) post nothing more and ask the LLM nothing. A reply the platform refuses fails the run, and the next
 * run sends it once.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createAdapters } from '../../src/cli/adapters';
import { PLATFORM_CONFIG } from '../../src/cli/adapters';
import { parseConfig } from '../../src/config/load';
import { createContext } from '../../src/context';
import { silentLogger } from '../../src/app/log';
import type { CommandEvent } from '../../src/chat/types';
import { createChatHandler } from '../../src/interactions';
import { getPostedDigest, type PostedDigest } from '../../src/jobs/post';
import { createServices } from '../../src/jobs/services';
import { openStore } from '../../src/store';
import { type ArxivServer, type DayPaper, seedDay, startSeedArxiv } from '../fakes/arxiv-server';
import { type FakeDiscordServer, startFakeDiscord } from '../fakes/discord-server';
import { SEED_SELECTED } from '../fakes/llm-world';
import { type FakeOpenAi, startOpenAiServer } from '../fakes/openai-server';
import { FakeSlackServer } from '../fakes/slack-server';
import { instantClock, runCli } from '../helpers/cli';
import { standInEnv } from '../helpers/stand-ins';

const SLACK_CHANNEL = 'C0VERSIONS1';
const DISCORD_CHANNEL = '323456789012345678';
const PINGS = '@channel <!here> <@U0MEMBER01> @everyone <@123456789012345678>';
const INTERESTS = 'Reinforcement learning and preference optimization for LLMs; alignment; reasoning; agents.';

jest.setTimeout(60_000);

describe('a new version of a paper the channel cared about, announced in its thread', () => {
  let arxiv: ArxivServer;
  let openai: FakeOpenAi;
  let slack: FakeSlackServer;
  let discord: FakeDiscordServer;
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  const config = {
    digests: [
      {
        name: 'nlp',
        categories: ['cs.CL'],
        interests: INTERESTS,
        maxPapers: 3,
        channels: [{ slack: SLACK_CHANNEL }, { discord: DISCORD_CHANNEL }],
      },
    ],
    llm: { model: 'test-model' },
  };

  beforeAll(async () => {
    [arxiv, openai, slack, discord] = await Promise.all([
      startSeedArxiv(),
      startOpenAiServer(),
      FakeSlackServer.start(),
      startFakeDiscord({ channels: [DISCORD_CHANNEL] }),
    ]);
    openai.prefer(SEED_SELECTED, 9);
    cwd = mkdtempSync(path.join(tmpdir(), 'new-versions-'));
    writeFileSync(path.join(cwd, 'team.json'), JSON.stringify(config));
    env = {
      ...standInEnv({ arxiv, openai, slack, discord }),
      STORE_URL: `sqlite://${path.join(cwd, 'store.sqlite')}`,
    };
  });
  afterAll(() => Promise.all([arxiv.close(), openai.close(), slack.close(), discord.close()]));

  const digest = () => runCli(['digest', '--config', 'team.json'], { cwd, env, clock: instantClock });

  async function posted(platform: string, channel: string, date: string): Promise<PostedDigest> {
    const store = await openStore(env.STORE_URL as string);
    try {
      const record = await getPostedDigest(store, platform, channel, 'nlp', date);
      if (!record) throw new Error(`no ${platform} digest of ${date}`);
      return record;
    } finally {
      await store.close();
    }
  }

  /** A member's `/vote` in the Slack channel, through the core's chat handler on the same store. */
  async function slashVote(
    paperId: string,
    where: { platform: string; channelId: string; userId: string } = {
      platform: 'slack',
      channelId: SLACK_CHANNEL,
      userId: 'U0MEMBER01',
    },
  ): Promise<string[]> {
    const store = await openStore(env.STORE_URL as string);
    const told: string[] = [];
    try {
      const ctx = createContext({
        config: parseConfig(config, 'test config', PLATFORM_CONFIG),
        store,
        log: silentLogger,
        env,
        clock: { now: () => Date.parse('2025-10-30T15:00:00Z'), sleep: async () => {} },
      });
      const app = { ctx, services: createServices(ctx), adapters: createAdapters(ctx) };
      const event: CommandEvent = {
        type: 'command',
        platform: where.platform,
        command: 'vote',
        argument: paperId,
        userId: where.userId,
        channelId: where.channelId,
        reply: async () => undefined,
        replyPrivately: async (text) => {
          told.push(text);
        },
      };
      await createChatHandler(app).processEvent(event);
    } finally {
      await store.close();
    }
    return told;
  }

  const slackReplies = (threadTs: string) =>
    slack.posted(SLACK_CHANNEL).filter((m) => m.thread_ts === threadTs && /is out|withdraws the paper/.test(m.text));
  const discordReplies = (threadId: string) =>
    discord
      .messagesIn(threadId)
      .filter((m) => m.author.id === discord.botUser.id && /is out|withdraws the paper/.test(JSON.stringify(m.embeds)));
  const noteCalls = () => openai.requests.filter((r) => r.schemaName === 'new_version_note' && r.outcome === 'ok');

  let slackDay1: PostedDigest;
  let discordDay1: PostedDigest;
  let shown: string[];
  let voted: string;
  let votedOnDiscord: string;

  it('day 1: the digest is posted, and a member votes for a paper it did not show', async () => {
    const run = await digest();
    expect(run.code).toBe(0);
    slackDay1 = await posted('slack', SLACK_CHANNEL, '2025-10-30');
    discordDay1 = await posted('discord', DISCORD_CHANNEL, '2025-10-30');
    shown = Object.keys(slackDay1.papers);
    expect(shown).toHaveLength(3);
    const other = seedDay().papers.find((p) => !shown.includes(p.id));
    if (!other) throw new Error('the seed day has papers outside the digest');
    voted = other.id;
    expect(await slashVote(voted)).toEqual([expect.stringContaining('(a paper outside the digest) counts')]);
    // On Discord, /vote typed in the digest's thread (the interaction carries the thread's id).
    const another = seedDay().papers.find((p) => !shown.includes(p.id) && p.id !== voted);
    if (!another) throw new Error('a second paper outside the digest');
    votedOnDiscord = another.id;
    expect(
      await slashVote(votedOnDiscord, {
        platform: 'discord',
        channelId: discordDay1.thread.threadId,
        userId: '400000000000000001',
      }),
    ).toEqual([expect.stringContaining('(a paper outside the digest) counts')]);
  });

  it('day 2: one reply per thread that saw an older version, on both platforms, one LLM call per paper', async () => {
    const byId = new Map(seedDay().papers.map((p) => [p.id, p]));
    const [changed, withdrawn] = shown as [string, string];
    const base = (id: string): DayPaper => {
      const p = byId.get(id);
      if (!p) throw new Error(`seed paper ${id}`);
      return { ...p, announceType: 'replace' };
    };
    const oldChanged = base(changed);
    const replacements: DayPaper[] = [
      {
        ...oldChanged,
        version: 2,
        abstract: `${oldChanged.abstract} In this version we add experiments on six new benchmarks. ${PINGS}`,
        comments: `Accepted at ICLR 2026 ${PINGS}`,
      },
      { ...base(withdrawn), version: 2, comments: 'This paper has been withdrawn by the authors.' },
      { ...base(voted), version: 3, abstract: `We revise the method. ${base(voted).abstract}` },
      { ...base(votedOnDiscord), version: 2, comments: 'Extended version, 20 pages' },
    ];
    // Day 2's new papers: seed texts under ids no day-1 paper has.
    const fresh: DayPaper[] = seedDay()
      .papers.filter((p) => !shown.includes(p.id) && p.id !== voted && p.id !== votedOnDiscord)
      .slice(0, 8)
      .map((p, i) => ({ ...p, id: `2511.0000${i + 1}`, announceType: 'new' as const }));
    arxiv.setDay(['cs.CL'], '2025-10-31', [...fresh, ...replacements]);
    const calls = noteCalls().length;

    const run = await digest();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    // Slack: the day-1 thread has one reply per paper: the changed one, the withdrawn one, the one voted for there
    // (not the one voted for on Discord).
    const inSlack = slackReplies(slackDay1.thread.threadId);
    expect(inSlack).toHaveLength(3);
    const about = (id: string) => inSlack.filter((m) => m.text.includes(`arXiv:${id}v`));
    expect(about(changed)).toHaveLength(1);
    expect(about(changed)[0]?.text).toMatch(/v2 is out\* \(2025-10-31\)/);
    expect(about(changed)[0]?.text).toContain('this thread showed v1');
    expect(about(changed)[0]?.text).toContain('Accepted at ICLR 2026');
    expect(about(changed)[0]?.text).toMatch(/\*What changes:\* The new version/);
    expect(about(changed)[0]?.text).toMatch(/\*In this version we add experiments on six new benchmarks\./);
    expect(about(withdrawn)[0]?.text).toMatch(/v2 withdraws the paper/);
    expect(about(withdrawn)[0]?.text).not.toContain('What changes');
    expect(about(voted)[0]?.text).toMatch(/v3 is out/);
    // Nothing from the paper pings: no live Slack mention form in any reply.
    for (const m of inSlack) expect(JSON.stringify(m)).not.toMatch(/<!here|<!channel|<@U|<!everyone/);
    // Not in the day-2 digest's own thread.
    const slackDay2 = await posted('slack', SLACK_CHANNEL, '2025-10-31');
    expect(slackReplies(slackDay2.thread.threadId)).toHaveLength(0);

    // Discord: the day-1 thread has the digested papers' replies and the one voted for there, mentions off.
    const inDiscord = discordReplies(discordDay1.thread.threadId);
    expect(inDiscord).toHaveLength(3);
    expect(inDiscord.map((m) => String(m.embeds[0]?.footer && (m.embeds[0].footer as { text: string }).text))).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`arXiv:${changed}v2`),
        expect.stringContaining(`arXiv:${withdrawn}v2`),
        expect.stringContaining(`arXiv:${votedOnDiscord}v2`),
      ]),
    );
    for (const m of inDiscord) expect(m.allowed_mentions).toEqual({ parse: [] });

    // One note per paper and pair of versions, shared by Slack and Discord; none for the withdrawn version.
    const notes = noteCalls().slice(calls);
    expect(notes.map((r) => r.ids[0]).sort()).toEqual([changed, voted, votedOnDiscord].sort());
  });

  it('a second run of the day and a restart post nothing more and ask the LLM nothing', async () => {
    const slackBefore = slack.posted(SLACK_CHANNEL).length;
    const discordBefore = discord.messagesIn(discordDay1.thread.threadId).length;
    const completions = openai.completions();
    for (let i = 0; i < 2; i++) {
      const run = await digest();
      expect(run.code).toBe(0);
    }
    expect(slack.posted(SLACK_CHANNEL)).toHaveLength(slackBefore);
    expect(discord.messagesIn(discordDay1.thread.threadId)).toHaveLength(discordBefore);
    expect(openai.completions()).toBe(completions);
    expect(slackReplies(slackDay1.thread.threadId)).toHaveLength(3);
  });

  it('a reply the platform refuses fails the run, naming it; the next run sends it once, diffed against the last version told', async () => {
    const [changed] = shown as [string];
    const v2 = seedDay().papers.find((p) => p.id === changed) as DayPaper;
    const fresh: DayPaper[] = seedDay()
      .papers.filter((p) => !shown.includes(p.id) && p.id !== voted && p.id !== votedOnDiscord)
      .slice(8, 14)
      .map((p, i) => ({ ...p, id: `2511.0100${i + 1}`, announceType: 'new' as const }));
    arxiv.setDay(['cs.CL'], '2025-11-03', [
      ...fresh,
      {
        ...v2,
        version: 3,
        announceType: 'replace',
        abstract: `${v2.abstract} In this version we add experiments on eight new benchmarks.`,
        comments: 'Camera-ready version',
      },
    ]);
    let refuse = true;
    discord.script({
      match: (c) => refuse && c.method === 'POST' && JSON.stringify(c.body).includes('v3 is out'),
      times: 100,
      reply: { status: 403, body: { message: 'Missing Permissions', code: 50013 } },
    });
    const calls = noteCalls().length;
    const failed = await digest();
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      new RegExp(`new-version replies were not \\(v3 of ${changed} in discord ${DISCORD_CHANNEL}\\)`),
    );
    const v3 = () => slackReplies(slackDay1.thread.threadId).filter((m) => m.text.includes(`arXiv:${changed}v3`));
    expect(v3()).toHaveLength(1);
    expect(v3()[0]?.text).toContain('this thread showed v2');
    expect(v3()[0]?.text).toMatch(/\*?eight\*? new benchmarks/);

    refuse = false;
    const resumed = await digest();
    expect(resumed.code).toBe(0);
    expect(v3()).toHaveLength(1);
    const inDiscord = discordReplies(discordDay1.thread.threadId).filter((m) =>
      JSON.stringify(m.embeds).includes(`arXiv:${changed}v3`),
    );
    expect(inDiscord).toHaveLength(1);
    // The note on v2 → v3 was asked once, by the run that failed; the resumed run found it cached.
    expect(
      noteCalls()
        .slice(calls)
        .map((r) => r.ids[0]),
    ).toEqual([changed]);
  });
});
