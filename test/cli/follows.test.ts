/**
 * Members' follows in a posted digest, through the CLI with arXiv, the LLM, Slack and Discord all local servers
 * speaking their protocols. On each platform one member follows an author of a selected paper ("Last, First", no
 * accent) and another follows an author whose paper the LLM leaves out. The selected paper's card says so and
 * mentions exactly its follower; the left-out paper is listed once in "Also from people you follow", mentioning its
 * follower; no other message mentions anyone (Slack: no `<@…>` anywhere else; Discord: allowed_mentions lists only
 * that user, every other message `parse: []` and no users). A run that stops right after the "Also from" message
 * reached the platforms resumes without posting it (or anything) twice.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { follow } from '../../src/follows/book';
import { openStore } from '../../src/store';
import { type ArxivServer, startSeedArxiv } from '../fakes/arxiv-server';
import { type FakeDiscordServer, type FakeMessage as DiscordMessage, startFakeDiscord } from '../fakes/discord-server';
import { type FakeOpenAi, startOpenAiServer } from '../fakes/openai-server';
import { type FakeMessage, FakeSlackServer } from '../fakes/slack-server';
import { instantClock, runCli } from '../helpers/cli';
import { SEED_SELECTED } from '../fakes/llm-world';
import { standInEnv } from '../helpers/stand-ins';

const SLACK_CHANNEL = 'C0123456789';
const DISCORD_CHANNEL = '123456789012345678';
/** Follows Karolina Stańczak, an author of 2510.26707 (selected). */
const SLACK_FAN = 'U0FOLLOW01';
const DISCORD_FAN = '1600000000000000101';
/** Follows Feijie Wu, the first author of 2510.26020 (not selected). */
const SLACK_OTHER = 'U0FOLLOW02';
const DISCORD_OTHER = '1600000000000000102';
const SELECTED_FOLLOWED = '2510.26707';
const LEFT_OUT = '2510.26020';
const ALSO = 'Also from people you follow';

/** Every `<@…>` in a Slack message, text and blocks. */
function slackMentions(m: FakeMessage): string[] {
  return [...new Set([...`${m.text}${JSON.stringify(m.blocks)}`.matchAll(/<@([A-Z0-9]+)>/g)].map((x) => x[1] ?? ''))];
}

async function storeWithFollows(file: string, slackTeam: string, guild: string): Promise<void> {
  const store = await openStore(`sqlite://${file}`);
  try {
    await follow(store, { platform: 'slack', workspace: slackTeam }, SLACK_FAN, 'author', 'Stanczak, Karolina');
    await follow(store, { platform: 'slack', workspace: slackTeam }, SLACK_OTHER, 'author', 'Feijie Wu');
    await follow(store, { platform: 'discord', workspace: guild }, DISCORD_FAN, 'author', 'Karolina Stanczak');
    await follow(store, { platform: 'discord', workspace: guild }, DISCORD_OTHER, 'author', 'Feijie Wu');
  } finally {
    await store.close();
  }
}

describe("members' follows in the posted digest", () => {
  let arxiv: ArxivServer;
  let openai: FakeOpenAi;
  let slack: FakeSlackServer;
  let discord: FakeDiscordServer;
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  let slackPosts = 0;

  beforeAll(async () => {
    arxiv = await startSeedArxiv();
    openai = await startOpenAiServer();
    openai.prefer(SEED_SELECTED, 9);
    slack = await FakeSlackServer.start();
    discord = await startFakeDiscord({ channels: [DISCORD_CHANNEL] });
    cwd = mkdtempSync(path.join(tmpdir(), 'follows-'));
    writeFileSync(
      path.join(cwd, 'team.yaml'),
      [
        'digests:',
        '  - name: nlp',
        '    categories: [cs.CL]',
        '    interests: Reinforcement learning and preference optimization for LLMs; alignment; reasoning; agents.',
        '    maxPapers: 5',
        `    channels: [{slack: ${SLACK_CHANNEL}}, {discord: "${DISCORD_CHANNEL}"}]`,
        'llm:',
        '  model: test-model',
        '',
      ].join('\n'),
    );
    env = {
      ...standInEnv({ arxiv, openai, slack, discord }),
      STORE_URL: `sqlite://${path.join(cwd, 'store.sqlite')}`,
    };
    await storeWithFollows(path.join(cwd, 'store.sqlite'), slack.teamId, discord.guildId);
  });
  afterAll(() => Promise.all([arxiv?.close(), openai?.close(), slack?.close(), discord?.close()]));

  it('Slack: the followed author’s card mentions its follower, the left-out paper is listed once, nobody else is mentioned', async () => {
    const run = await runCli(['digest', '--config', 'team.yaml'], { cwd, env, clock: instantClock });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const posted = slack.posted(SLACK_CHANNEL);
    slackPosts = slack.callsTo('chat.postMessage').length;
    const card = posted.find((m) => m.text.includes(`\`/vote ${SELECTED_FOLLOWED}\``))!;
    expect(card).toBeDefined();
    expect(slackMentions(card)).toEqual([SLACK_FAN]);
    expect(card.text).toContain(`<@${SLACK_FAN}> you follow Karolina Stańczak`);
    const also = posted.filter((m) => m.text.includes(ALSO));
    expect(also).toHaveLength(1);
    expect(also[0]!.thread_ts).toBe(posted.find((m) => !m.thread_ts)!.ts);
    expect(also[0]!.text).toContain(`/abs/${LEFT_OUT}v`);
    expect(also[0]!.text).toContain('Feijie Wu');
    expect(slackMentions(also[0]!)).toEqual([SLACK_OTHER]);
    // The left-out paper really was left out, and nobody else is mentioned anywhere.
    expect(posted.some((m) => m.text.includes(`\`/vote ${LEFT_OUT}\``))).toBe(false);
    for (const m of posted.filter((x) => x !== card && x !== also[0])) expect(slackMentions(m)).toEqual([]);
  });

  it('Discord: allowed_mentions lists only that follower on the card and on the "Also from" message', async () => {
    const parent = discord.messagesIn(DISCORD_CHANNEL);
    expect(parent).toHaveLength(1);
    const thread = discord.messagesIn(parent[0]!.id);
    const isCard = (m: DiscordMessage) => String(m.embeds[0]?.url ?? '').includes(`/abs/${SELECTED_FOLLOWED}v`);
    const card = thread.find(isCard)!;
    expect(card.allowed_mentions).toEqual({ parse: [], users: [DISCORD_FAN] });
    expect(card.content).toBe(`<@${DISCORD_FAN}>`);
    expect(JSON.stringify(card.embeds[0]!.fields)).toContain(`<@${DISCORD_FAN}> you follow Karolina Stańczak`);
    const also = thread.filter((m) => m.content.includes(ALSO));
    expect(also).toHaveLength(1);
    expect(also[0]!.allowed_mentions).toEqual({ parse: [], users: [DISCORD_OTHER] });
    expect(also[0]!.content).toContain(`<@${DISCORD_OTHER}>`);
    expect(also[0]!.content).toContain(`/abs/${LEFT_OUT}v`);
    for (const m of [...parent, ...thread].filter((x) => x !== card && x !== also[0])) {
      expect(m.allowed_mentions).toEqual({ parse: [] });
      expect(m.content).not.toMatch(/<@\d/);
    }
  });

  it('a run stopped right after the "Also from" message reached both platforms resumes without posting twice', async () => {
    const fresh = { ...env, STORE_URL: `sqlite://${path.join(cwd, 'resume.sqlite')}` };
    await storeWithFollows(path.join(cwd, 'resume.sqlite'), slack.teamId, discord.guildId);
    slack.reset();
    // Slack stores the "Also from" message (the digest's last post) but its answer is an error: the run fails.
    slack.failNext('chat.postMessage', { error: 'fatal_error' }, { fromCall: slackPosts, afterCommit: true });
    // A new channel on Discord (the first one holds today's digest already and would be adopted): the same there.
    const channel2 = '123456789012345679';
    discord.channels.add(channel2);
    discord.script({
      match: (c) => c.method === 'POST' && JSON.stringify(c.body ?? '').includes(ALSO),
      times: 1,
      afterCommit: true,
      reply: { status: 403, body: { message: 'Missing Permissions', code: 50013 } },
    });
    writeFileSync(
      path.join(cwd, 'resume.yaml'),
      [
        'digests:',
        '  - name: nlp',
        '    categories: [cs.CL]',
        '    interests: Reinforcement learning and preference optimization for LLMs; alignment; reasoning; agents.',
        '    maxPapers: 5',
        `    channels: [{slack: ${SLACK_CHANNEL}}, {discord: "${channel2}"}]`,
        'llm:',
        '  model: test-model',
        '',
      ].join('\n'),
    );
    const crashed = await runCli(['digest', '--config', 'resume.yaml'], { cwd, env: fresh, clock: instantClock });
    expect(crashed.code).toBe(1);
    expect(slack.posted(SLACK_CHANNEL).filter((m) => m.text.includes(ALSO))).toHaveLength(1);
    const discordAlso = () =>
      [...discord.messages.values()].filter(
        (m) => m.content.includes(ALSO) && m.channel_id !== discord.messagesIn(DISCORD_CHANNEL)[0]!.id,
      );
    expect(discordAlso()).toHaveLength(1);

    const resumed = await runCli(['digest', '--config', 'resume.yaml'], { cwd, env: fresh, clock: instantClock });
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const posted = slack.posted(SLACK_CHANNEL);
    expect(posted.filter((m) => m.text.includes(ALSO))).toHaveLength(1);
    expect(posted.filter((m) => !m.thread_ts)).toHaveLength(1);
    expect(posted.filter((m) => m.text.includes(`\`/vote ${SELECTED_FOLLOWED}\``))).toHaveLength(1);
    expect(discordAlso()).toHaveLength(1);
    expect(discord.messagesIn(channel2)).toHaveLength(1);
    // And a third run posts nothing at all.
    const before = slack.callsTo('chat.postMessage').length;
    const again = await runCli(['digest', '--config', 'resume.yaml'], { cwd, env: fresh, clock: instantClock });
    expect(again.code).toBe(0);
    expect(slack.callsTo('chat.postMessage').length).toBe(before);
    expect(discordAlso()).toHaveLength(1);
  });
});
