/**
 * The digest in chat reads at a glance, with a model that writes at the seed digest's length (and so overruns what
 * the schemas and prompts ask): through the CLI, arXiv, the LLM, Slack and Discord all local servers speaking their
 * protocols. Slack: one parent of at most 3,000 visible characters, per paper a card of at most 1,500 with the vote
 * hint, the long text after it. Discord: one message in the channel, per paper a card of at most 1,500 characters
 * with the vote hint as its first thread message. No platform limit broken (the fakes refuse what the platforms
 * refuse); a crash mid-digest resumes with no duplicate and no second LLM call.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ArxivServer, startSeedArxiv } from '../fakes/arxiv-server';
import { type FakeDiscordServer, startFakeDiscord, validateMessage } from '../fakes/discord-server';
import { type FakeOpenAi, startOpenAiServer } from '../fakes/openai-server';
import { checkBlocks, type FakeMessage, FakeSlackServer } from '../fakes/slack-server';
import { instantClock, runCli } from '../helpers/cli';
import { SEED_SELECTED } from '../fakes/llm-world';
import { standInEnv } from '../helpers/stand-ins';

const SLACK_CHANNEL = 'C0123456789';
const DISCORD_CHANNEL = '123456789012345678';

/** What a member sees of a Slack message: the blocks' text with links shown by their label, entities decoded. */
function slackVisible(m: FakeMessage): number {
  const text = m.blocks
    .map((b) => {
      const block = b as { text?: { text?: string }; elements?: Array<{ text?: string }> };
      return [block.text?.text ?? '', ...(block.elements ?? []).map((e) => e.text ?? '')].join('\n');
    })
    .join('\n');
  return text
    .replace(/<[^|<>]*\|([^<>]*)>/g, '$1')
    .replace(/&(lt|gt|amp);/g, 'x')
    .trim().length;
}

/** The characters of a Discord message's text: content and every embed's title, description, fields and footer. */
function discordChars(m: { content: string; embeds: Array<Record<string, unknown>> }): number {
  let n = m.content.length;
  for (const e of m.embeds) {
    const s = (v: unknown) => (typeof v === 'string' ? v.length : 0);
    n += s(e.title) + s(e.description) + s((e.footer as { text?: string } | undefined)?.text);
    for (const f of (e.fields as Array<{ name: string; value: string }> | undefined) ?? [])
      n += f.name.length + f.value.length;
  }
  return n;
}

describe('the digest in chat, written at the seed digest length', () => {
  let arxiv: ArxivServer;
  let openai: FakeOpenAi;
  let slack: FakeSlackServer;
  let discord: FakeDiscordServer;
  let cwd: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    arxiv = await startSeedArxiv();
    openai = await startOpenAiServer({ prose: 'seed' });
    openai.prefer(SEED_SELECTED, 9);
    slack = await FakeSlackServer.start();
    discord = await startFakeDiscord({ channels: [DISCORD_CHANNEL] });
    cwd = mkdtempSync(path.join(tmpdir(), 'chat-layout-'));
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
  });
  afterAll(() => Promise.all([arxiv.close(), openai.close(), slack.close(), discord.close()]));

  it('writes at seed length: the day and every review overrun the lengths their schemas ask for', async () => {
    // The stand-in ignores the limits on purpose; the renderers must cut.
    const run = await runCli(['digest', '--config', 'team.yaml', '--dry-run', '--format', 'json'], {
      cwd,
      env,
      clock: instantClock,
    });
    expect(run.code).toBe(0);
    const digest = JSON.parse(run.stdout) as { intro: string; selected: Array<{ id: string; tldr: string }> };
    expect(digest.selected.map((p) => p.id).sort()).toEqual([...SEED_SELECTED].sort());
    expect(digest.intro.length).toBeGreaterThan(1000);
    for (const p of digest.selected) expect(p.tldr.length).toBeGreaterThan(350);
  });

  it('posts a Slack parent of one screen and per paper a short card with the vote hint, then the long text', async () => {
    const calls = openai.completions();
    const run = await runCli(['digest', '--config', 'team.yaml'], { cwd, env, clock: instantClock });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(openai.completions()).toBe(calls); // the dry run's answers are reused

    // Slack accepted every call: no invalid_blocks, msg_too_long or msg_blocks_too_long.
    expect(slack.callsTo('chat.postMessage').filter((c) => c.error)).toEqual([]);
    const posted = slack.posted(SLACK_CHANNEL);
    const parents = posted.filter((m) => !m.thread_ts);
    expect(parents).toHaveLength(1);
    const parent = parents[0]!;
    expect(slackVisible(parent)).toBeLessThanOrEqual(3000);
    expect(parent.text).toContain('Total papers: 58 · Selected papers: 5');
    expect(parent.text).toContain('react with :+1: on a card to vote');
    // The five-sentence opening is cut at a sentence.
    expect(parent.text).toMatch(/for improved efficiency\. …/);
    for (const m of posted) expect(checkBlocks(m.blocks)).toBeUndefined();

    const replies = posted.filter((m) => m.thread_ts === parent.ts);
    for (const id of SEED_SELECTED) {
      const own = replies.filter((m) => JSON.stringify(m.blocks).includes(`/abs/${id}v`));
      const card = own[0]!;
      expect(card.text).toContain(`\`/vote ${id}\``);
      expect(card.text).toContain(':+1: *Vote:* react with :+1: on this message');
      expect(slackVisible(card)).toBeLessThanOrEqual(1500);
      // The long text follows the card in the thread: the abstract, summary and critique, with no second vote hint.
      const next = replies[replies.indexOf(card) + 1]!;
      expect(next.text).toContain('*Abstract*');
      expect(next.text).not.toContain('Vote:');
    }
  });

  it('posts one Discord message in the channel and per paper a card of at most 1,500 characters first', async () => {
    const inChannel = discord.messagesIn(DISCORD_CHANNEL);
    expect(inChannel).toHaveLength(1);
    const parent = inChannel[0]!;
    const thread = discord.messagesIn(parent.id);
    expect(thread.length).toBeGreaterThanOrEqual(2 * SEED_SELECTED.length);
    for (const m of [...inChannel, ...thread]) {
      expect(validateMessage({ content: m.content, embeds: m.embeds })).toBeUndefined();
      expect(discordChars(m)).toBeLessThanOrEqual(6000);
    }
    const cards = thread.filter((m) => typeof m.embeds[0]?.url === 'string');
    expect(cards).toHaveLength(SEED_SELECTED.length);
    for (const card of cards) {
      expect(discordChars(card)).toBeLessThanOrEqual(1500);
      expect(JSON.stringify(card.embeds[0]!.footer)).toContain('👍 Vote: react with 👍 on this message');
      expect(thread[thread.indexOf(card) + 1]!.embeds[0]!.title).toBe('Abstract');
    }
  });

  it('resumes a crash mid-digest without a duplicate message or a second LLM call', async () => {
    const fresh = { ...env, STORE_URL: `sqlite://${path.join(cwd, 'resume.sqlite')}` };
    // A fresh store and a Slack channel without the day's digest (one already there would be adopted from the
    // platform and nothing posted: test/cli/adopt.test.ts).
    slack.reset();
    const before = slack.posted(SLACK_CHANNEL).length;
    // The parent and the first paper's card reach Slack; its details fail for good.
    slack.failNext(
      'chat.postMessage',
      { error: 'fatal_error' },
      { fromCall: slack.callsTo('chat.postMessage').length + 3 },
    );
    const crashed = await runCli(['digest', '--config', 'team.yaml'], { cwd, env: fresh, clock: instantClock });
    expect(crashed.code).toBe(1);
    expect(slack.posted(SLACK_CHANNEL).length - before).toBe(2);
    const calls = openai.completions();

    const resumed = await runCli(['digest', '--config', 'team.yaml'], { cwd, env: fresh, clock: instantClock });
    expect(resumed.code).toBe(0);
    expect(openai.completions()).toBe(calls);
    const mine = slack.posted(SLACK_CHANNEL).slice(before);
    expect(mine.filter((m) => !m.thread_ts)).toHaveLength(1);
    for (const id of SEED_SELECTED) {
      const cards = mine.filter((m) => m.text.includes(`\`/vote ${id}\``));
      expect(cards).toHaveLength(1);
    }
  });
});
