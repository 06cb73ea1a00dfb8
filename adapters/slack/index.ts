/**
 * Slack: `createSlackAdapter(ctx)` gives the adapter when SLACK_BOT_TOKEN is set (undefined otherwise). Socket Mode
 * with SLACK_APP_TOKEN, else HTTP mode with SLACK_SIGNING_SECRET; one-shot commands use the Web API alone.
 */
import type { AppContext } from '../../src/app/context';
import { SlackAdapter, type SlackAdapterOptions } from './adapter';

export { SlackAdapter, slackError, commandArgument } from './adapter';
export type { BotIdentity, SlackAdapterOptions, SlackCredentials } from './adapter';
export { renderSlack, SLACK_LIMITS, type SlackMessagePart } from './render';
export { toMrkdwn, splitMrkdwn } from './mrkdwn';
export { verifySlackSignature } from './verify';

export function createSlackAdapter(ctx: AppContext, options: SlackAdapterOptions = {}): SlackAdapter | undefined {
  const botToken = ctx.env.SLACK_BOT_TOKEN?.trim();
  if (!botToken) return undefined;
  const appToken = ctx.env.SLACK_APP_TOKEN?.trim() || undefined;
  const signingSecret = ctx.env.SLACK_SIGNING_SECRET?.trim() || undefined;
  // Common mix-ups, named without showing the secrets themselves.
  if (!/^xox[bp]-/.test(botToken)) ctx.log.warn('SLACK_BOT_TOKEN does not look like a bot token (expected xoxb-…)');
  if (appToken && !appToken.startsWith('xapp-'))
    ctx.log.warn('SLACK_APP_TOKEN does not look like an app-level token (expected xapp-…); Socket Mode may fail');
  return new SlackAdapter(
    ctx,
    { botToken, ...(appToken ? { appToken } : {}), ...(signingSecret ? { signingSecret } : {}) },
    options,
  );
}
