/**
 * Slack: the platform descriptor the composition root lists (`slack`), and `createSlackAdapter(ctx)`, which gives
 * the adapter when SLACK_BOT_TOKEN is set (undefined otherwise). Socket Mode with SLACK_APP_TOKEN, else HTTP mode
 * with SLACK_SIGNING_SECRET; one-shot commands use the Web API alone.
 */
import type { AppContext } from '../../src/app/context';
import type { ChatPlatform } from '../../src/chat/platform';
import { SlackAdapter, type SlackAdapterOptions } from './adapter';
import { SLACK_PLATFORM, slackConfig, slackEnv } from './config';

export { SlackAdapter, slackError, commandArgument } from './adapter';
export type { BotIdentity, SlackAdapterOptions, SlackCredentials } from './adapter';
export { renderSlack, SLACK_LIMITS, type SlackMessagePart } from './render';
export { toMrkdwn, splitMrkdwn } from './mrkdwn';
export { escapeSlack } from './escape';
export { verifySlackSignature } from './verify';
export { slackConfig, slackEnv } from './config';

export function createSlackAdapter(ctx: AppContext, options: SlackAdapterOptions = {}): SlackAdapter | undefined {
  const env = slackEnv(ctx.env);
  const { botToken, appToken, signingSecret } = env;
  if (!botToken) return undefined;
  // Common mix-ups, named without showing the secrets themselves.
  if (!/^xox[bp]-/.test(botToken)) ctx.log.warn('SLACK_BOT_TOKEN does not look like a bot token (expected xoxb-…)');
  if (appToken && !appToken.startsWith('xapp-'))
    ctx.log.warn('SLACK_APP_TOKEN does not look like an app-level token (expected xapp-…); Socket Mode may fail');
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
  create: (ctx) => createSlackAdapter(ctx),
};
