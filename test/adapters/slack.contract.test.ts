/** The Slack adapter keeps the adapter contract against the fake Web API, in HTTP mode for its live path. */
import { createSlackAdapter } from '../../adapters/slack';
import { createContext } from '../../src/context';
import { silentLogger } from '../../src/app/log';
import { PLATFORM_CONFIG } from '../../src/cli/adapters';
import { parseConfig } from '../../src/config/load';
import { DEFAULT_CONFIG_INPUT } from '../../src/config/schema';
import { openStore } from '../../src/store';
import { FAST_RETRY, SIGNING_SECRET } from '../fakes/slack-support';
import {
  checkBlocks,
  FAKE_SLACK_LIMITS,
  FakeSlackServer,
  blockActionsBody,
  postSigned,
  reactionEventBody,
  viewSubmissionBody,
  startRoutesServer,
} from '../fakes/slack-server';
import { runAdapterContract } from './contract.case';

const CHANNEL = 'C0CONTRACT1';
/** Mention forms that would notify someone if Slack received them as they are. */
const LIVE = [/<!(channel|here|everyone)\b/gi, /<!subteam\^/gi, /<@[UWB][A-Z0-9]+/g, /@(channel|here|everyone)/gi];

runAdapterContract('slack', async () => {
  const fake = await FakeSlackServer.start();
  const routes = await startRoutesServer();
  const store = await openStore('memory://');
  const context = (env: Record<string, string>) =>
    createContext({
      config: parseConfig(DEFAULT_CONFIG_INPUT, 'test', PLATFORM_CONFIG),
      store,
      log: silentLogger,
      // Waits (a lost answer's pause before looking it up) pass at once.
      clock: { now: () => Date.now(), sleep: async () => undefined },
      env: { SLACK_API_URL: fake.apiUrl, SLACK_SIGNING_SECRET: SIGNING_SECRET, ...env },
    });
  const adapter = createSlackAdapter(context({ SLACK_BOT_TOKEN: fake.botToken }), { retryConfig: FAST_RETRY });
  if (!adapter) throw new Error('SLACK_BOT_TOKEN is set: the adapter is on');
  const ours = () => fake.posted().filter((m) => m.bot_id === fake.botId);
  return {
    adapter,
    channelId: CHANNEL,
    members: ['U0MEMBER01', 'U0MEMBER02'],
    botUserId: fake.botUserId,
    checkPart: (part) => {
      const { text, blocks } = part as { text?: unknown; blocks?: Array<Record<string, unknown>> };
      if (typeof text !== 'string' || !text) return 'no_text';
      if (text.length > FAKE_SLACK_LIMITS.messageText) return 'msg_too_long';
      return blocks ? checkBlocks(blocks) : undefined;
    },
    count: () => ours().length,
    react: (message, userId, name) => fake.addReaction(message.channelId, message.messageId, name, userId),
    voteForms: ['+1', '+1::skin-tone-2', 'thumbsup'],
    otherEmoji: 'eyes',
    liveMentions: () =>
      ours().flatMap((m) => {
        const shown = `${m.text}\n${JSON.stringify(m.blocks)}`;
        return LIVE.flatMap((re) => [...shown.matchAll(re)].map((x) => `${m.ts}: ${x[0]}`));
      }),
    loseNextAnswer: () => fake.failNext('chat.postMessage', { status: 500 }, { afterCommit: true }),
    routes,
    deliverReaction: async (message, userId, reaction) => {
      const body = reactionEventBody({
        type: 'reaction_added',
        user: userId,
        reaction,
        channel: message.channelId,
        ts: message.messageId,
      });
      const res = await postSigned(`${routes.url}/slack/events`, body, { signingSecret: SIGNING_SECRET });
      if (res.status !== 200) throw new Error(`events route answered ${res.status}`);
    },
    deliverClick: async (card, userId, action, value) => {
      const held = fake.messages.find((m) => m.ts === card.messageId);
      const actions = held?.blocks.find((b) => b.type === 'actions') as
        | { elements: Array<{ action_id: string; value?: string; options?: Array<{ value: string }> }> }
        | undefined;
      const element = actions?.elements.find((e) => e.action_id === `ad:${action}`);
      if (!held || !element) throw new Error(`no ${action} on the card`);
      const picked = value !== undefined ? element.options?.[Number(value)]?.value : element.value;
      const { body, triggerId } = blockActionsBody({
        user: userId,
        channel: held.channel,
        message: {
          ts: held.ts,
          ...(held.thread_ts ? { thread_ts: held.thread_ts } : {}),
          text: held.text,
          blocks: held.blocks,
        },
        action_id: element.action_id,
        value: picked ?? '',
        ...(element.options ? { type: 'static_select' as const } : {}),
      });
      fake.triggers.add(triggerId);
      const res = await postSigned(`${routes.url}/slack/events`, body, { signingSecret: SIGNING_SECRET });
      if (res.status !== 200) throw new Error(`events route answered ${res.status}`);
    },
    deliverForm: async (_card, userId, text) => {
      // views.open is the handler's answer to the click: wait for it to reach Slack.
      const modal = () => fake.views.filter((v) => v.method === 'views.open').at(-1);
      for (let i = 0; i < 200 && !modal(); i++) await new Promise((r) => setTimeout(r, 10));
      const opened = modal();
      if (!opened) throw new Error('no form opened');
      const res = await postSigned(
        `${routes.url}/slack/events`,
        viewSubmissionBody({ user: userId, view: opened.view, text }),
        {
          signingSecret: SIGNING_SECRET,
        },
      );
      if (res.status !== 200) throw new Error(`events route answered ${res.status}`);
    },
    unhealthyAdapter: async () => {
      const refused = createSlackAdapter(context({ SLACK_BOT_TOKEN: 'xoxb-0-0-not-the-token' }), {
        retryConfig: FAST_RETRY,
      });
      if (!refused) throw new Error('adapter expected');
      return refused;
    },
    close: async () => {
      await Promise.all([fake.close(), routes.close()]);
      await store.close();
    },
  };
});
