/**
 * A card's buttons, the Ask… form and the App Home on Slack, in HTTP mode, with the core's handler: Slack's
 * documented `block_actions`, `view_submission` and `app_home_opened` payloads, signed, POSTed to /slack/events;
 * the answers checked in the fake Web API (chat.update, chat.postEphemeral, views.open, views.publish).
 */
import { parseConfig } from '../../src/config/load';
import { DEFAULT_CONFIG_INPUT } from '../../src/config/schema';
import { createContext } from '../../src/context';
import { silentLogger } from '../../src/app/log';
import { openStore, type Store } from '../../src/store';
import { keys } from '../../src/store/keys';
import { emptyUsage } from '../../src/app/types';
import type { Services } from '../../src/pipeline/services';
import { createChatHandler } from '../../src/interactions';
import { postDigest } from '../../src/jobs/post';
import { follow, memberFollows } from '../../src/follows/book';
import { readVotes } from '../../src/votes/book';
import {
  appHomeOpenedBody,
  blockActionsBody,
  checkBlocks,
  FakeSlackServer,
  type FakeMessage,
  postSigned,
  startRoutesServer,
  type TestRoutesServer,
  viewSubmissionBody,
} from '../../test/fakes/slack-server';
import { SIGNING_SECRET, seedDigest, slackAdapter } from '../../test/fakes/slack-support';
import type { SlackAdapter } from './adapter';
import { slackConfig } from './config';
import { type SlackBlock, visibleLength } from './render';

const CHANNEL = 'C0DIGEST01';
const MEMBER = 'U0MEMBER01';
const TEAM = 'T0ARXIV001';
const digest = seedDigest();
const NOW = Date.parse('2025-10-30T16:00:00Z');

let fake: FakeSlackServer;
let server: TestRoutesServer;
let store: Store;
let adapter: SlackAdapter;
const critiqued: string[] = [];

beforeAll(async () => {
  fake = await FakeSlackServer.start();
  server = await startRoutesServer();
  store = await openStore('memory://');
  const config = parseConfig(
    {
      ...DEFAULT_CONFIG_INPUT,
      digests: [
        { name: digest.name, categories: ['cs.CL'], interests: 'LLM reasoning', channels: [{ slack: CHANNEL }] },
      ],
    },
    'test',
    [slackConfig],
  );
  const ctx = createContext({
    config,
    store,
    log: silentLogger,
    clock: { now: () => NOW, sleep: async () => {} },
    env: { SLACK_BOT_TOKEN: fake.botToken, SLACK_API_URL: fake.apiUrl, SLACK_SIGNING_SECRET: SIGNING_SECRET },
  });
  adapter = slackAdapter(ctx);
  const services = { arxiv: {}, llm: {} } as unknown as Services;
  const handler = createChatHandler(
    { ctx, services, adapters: { slack: adapter } },
    {
      critique: async (_ctx, _services, input) => {
        critiqued.push(input);
        const paper = digest.selected.find((p) => input.startsWith(p.id))!;
        return { paper, critique: '### Strengths\n\nA clear idea.', cached: false, usage: emptyUsage() };
      },
    },
  );
  await adapter.init(handler);
  await adapter.start(server);
  await store.set('digests', keys.digest(digest.name, digest.date), digest);
  await postDigest(store, adapter, CHANNEL, digest, ['+1']);
});

afterAll(async () => {
  await adapter.stop();
  await server.close();
  await fake.close();
  await store.close();
});

const cards = (): FakeMessage[] => fake.messages.filter((m) => m.blocks.some((b) => b.type === 'actions'));
const post = async (body: string) => {
  const res = await postSigned(`${server.url}/slack/events`, body, {
    signingSecret: SIGNING_SECRET,
    timestampSec: Math.floor(NOW / 1000),
  });
  await adapter.settled();
  return res;
};
const calls = (method: string) => fake.calls.filter((c) => c.method === method);

async function click(card: FakeMessage, action: string, opts: { value?: string; select?: boolean } = {}) {
  const actions = card.blocks.find((b) => b.type === 'actions') as {
    elements: Array<{ action_id: string; value?: string }>;
  };
  const element = actions.elements.find((e) => e.action_id === `ad:${action}`)!;
  const { body, triggerId } = blockActionsBody({
    user: MEMBER,
    channel: card.channel,
    message: {
      ts: card.ts,
      ...(card.thread_ts ? { thread_ts: card.thread_ts } : {}),
      text: card.text,
      blocks: card.blocks,
    },
    action_id: element.action_id,
    value: opts.value ?? element.value ?? '',
    ...(opts.select ? { type: 'static_select' as const } : {}),
  });
  fake.triggers.add(triggerId);
  return post(body);
}

const voteLabel = (m: FakeMessage) =>
  (m.blocks.find((b) => b.type === 'actions') as { elements: Array<{ text?: { text: string } }> }).elements[0]?.text
    ?.text;

it('puts the buttons and the author menu on every card, within Block Kit limits and 1,500 visible characters', () => {
  expect(cards()).toHaveLength(digest.selected.length);
  expect(voteLabel(cards()[0]!)).toBe(':+1: Vote');
  for (const card of cards()) {
    expect(checkBlocks(card.blocks)).toBeUndefined();
    expect(visibleLength(card.blocks as unknown as SlackBlock[])).toBeLessThanOrEqual(1500);
  }
});

it('counts a Vote click once and takes it back on the second, the card showing the count', async () => {
  const card = cards()[0]!;
  const paper = digest.selected[0]!;
  expect((await click(card, 'vote')).status).toBe(200);
  expect(voteLabel(card)).toBe(':+1: Vote · 1');
  expect(String(calls('chat.postEphemeral').at(-1)?.params.text)).toMatch(/^Your vote for .* counts/);
  expect((await readVotes(store, digest.name, digest.date)).find((r) => r.paperId === paper.id)?.count).toBe(1);
  await click(card, 'vote');
  expect(voteLabel(card)).toBe(':+1: Vote');
  expect((await readVotes(store, digest.name, digest.date)).find((r) => r.paperId === paper.id)?.count).toBe(0);
});

it("posts a Critique in the card's thread once on a double click", async () => {
  const card = cards()[1]!;
  const mark = calls('chat.postMessage').length;
  await Promise.all([click(card, 'critique'), click(card, 'critique')]);
  expect(critiqued).toEqual([`${digest.selected[1]!.id}v${digest.selected[1]!.version}`]);
  const posted = calls('chat.postMessage').slice(mark);
  expect(posted).toHaveLength(1);
  expect(posted[0]?.params.thread_ts).toBe(card.thread_ts);
});

it('opens the Ask… form with views.open, and its view_submission reaches the core', async () => {
  const card = cards()[0]!;
  await click(card, 'ask');
  const opened = fake.views.at(-1)!;
  expect(opened.method).toBe('views.open');
  expect(opened.view).toMatchObject({ type: 'modal', callback_id: 'ad:ask' });
  const before = calls('chat.postEphemeral').length;
  expect((await post(viewSubmissionBody({ user: MEMBER, view: opened.view, text: 'Which datasets?' }))).status).toBe(
    200,
  );
  // This stand-in has no model: the member is told privately, in the card's channel.
  expect(calls('chat.postEphemeral').length).toBe(before + 1);
  expect(calls('chat.postEphemeral').at(-1)?.params.channel).toBe(CHANNEL);
});

it("publishes the member's App Home with their follows, and a Remove click removes one", async () => {
  const scope = { platform: 'slack', workspace: TEAM };
  await follow(store, scope, MEMBER, 'author', 'Yann LeCun');
  await follow(store, scope, MEMBER, 'topic', 'diffusion models');
  await post(appHomeOpenedBody({ user: MEMBER }));
  const home = fake.views.at(-1)!;
  expect(home).toMatchObject({ method: 'views.publish', user_id: MEMBER, view: { type: 'home' } });
  const removes = (home.view.blocks as Array<{ accessory?: { action_id: string; value: string } }>)
    .map((b) => b.accessory)
    .filter((a) => a?.action_id.startsWith('ad:unfollow'));
  expect(removes.map((a) => a?.value)).toEqual(['author:Yann LeCun', 'topic:diffusion models']);
  // The Remove button on the App Home: a block_actions from a view (no channel, no message).
  const payload = {
    type: 'block_actions',
    user: { id: MEMBER, username: 'ada', name: 'ada', team_id: TEAM },
    api_app_id: 'A0ARXIVDG1',
    token: 'verification-token-unused',
    container: { type: 'view', view_id: 'V0HOME' },
    trigger_id: '13499.3486.aaaa',
    team: { id: TEAM, domain: 'arxiv-lab' },
    view: { id: 'V0HOME', type: 'home', blocks: home.view.blocks },
    actions: [
      { type: 'button', action_id: removes[0]!.action_id, block_id: 'b', value: removes[0]!.value, action_ts: '1.1' },
    ],
  };
  await post(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  expect((await memberFollows(store, scope, MEMBER)).authors).toEqual([]);
  const again = fake.views.at(-1)!;
  expect(JSON.stringify(again.view)).not.toContain('Yann LeCun');
  expect(JSON.stringify(again.view)).toContain('diffusion models');
});

it('refuses an unsigned click', async () => {
  const card = cards()[0]!;
  const { body } = blockActionsBody({
    user: MEMBER,
    channel: CHANNEL,
    message: { ts: card.ts, text: card.text, blocks: card.blocks },
    action_id: 'ad:vote',
    value: `${digest.selected[0]!.id}v1`,
  });
  const res = await postSigned(`${server.url}/slack/events`, body, {
    signingSecret: 'not-the-secret',
    timestampSec: Math.floor(NOW / 1000),
  });
  expect(res.status).toBe(401);
});
