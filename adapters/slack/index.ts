/**
 * Slack: the platform descriptor the composition root lists (`slack`), and `createSlackAdapter(ctx)`, which gives
 * the adapter when SLACK_BOT_TOKEN is set (undefined otherwise). Socket Mode with SLACK_APP_TOKEN, else HTTP mode
 * with SLACK_SIGNING_SECRET; one-shot commands use the Web API alone.
 *
 * Keep this file light: the composition root imports it on every start, so the adapter (and with it @slack/bolt,
 * about 0.1 s of start-up) is required only once a token asks for it, and nothing here re-exports a value from it.
 */
import type { AppContext } from '../../src/context';
import type { ChatPlatform } from '../../src/chat/platform';
import type * as AdapterModule from './adapter';
import type { SlackAdapter, SlackAdapterOptions } from './adapter';
import { SLACK_PLATFORM, slackConfig, slackEnv } from './config';
import { checkSlackSetup } from './setup';

export type { SlackAdapter, SlackAdapterOptions } from './adapter';
export { checkSlackSetup } from './setup';

export function createSlackAdapter(ctx: AppContext, options: SlackAdapterOptions = {}): SlackAdapter | undefined {
  const env = slackEnv(ctx.env);
  const { botToken, appToken, signingSecret } = env;
  if (!botToken) return undefined;
  // Common mix-ups, named without showing the secrets themselves.
  if (!/^xox[bp]-/.test(botToken)) ctx.log.warn('SLACK_BOT_TOKEN does not look like a bot token (expected xoxb-…)');
  if (appToken && !appToken.startsWith('xapp-'))
    ctx.log.warn('SLACK_APP_TOKEN does not look like an app-level token (expected xapp-…); Socket Mode may fail');
  const { SlackAdapter } = require('./adapter') as typeof AdapterModule;
  return new SlackAdapter(
    ctx,
    { botToken, ...(appToken ? { appToken } : {}), ...(signingSecret ? { signingSecret } : {}), apiUrl: env.apiUrl },
    options,
  );
}

/** Slack as the composition root lists it. */
export const slack: ChatPlatform = {
  id: SLACK_PLATFORM,
  config: slackConfig,
  enable: 'set SLACK_BOT_TOKEN',
  isOn: (env) => !!slackEnv(env).botToken,
  checkSetup: checkSlackSetup,
  create: (ctx) => createSlackAdapter(ctx),
};
