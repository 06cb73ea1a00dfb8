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
  postSigned,
  reactionEventBody,
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
