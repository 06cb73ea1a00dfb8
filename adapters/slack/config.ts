/**
 * Slack's part of the config and the environment: the channel entries (`channels: [{ slack: C0123456789 }]`), and
 * the SLACK_* variables, read and checked here (the core names none of them).
 */
import { z } from 'zod';
import type { PlatformConfig } from '../../src/config/schema';
import { envUrl } from '../../src/chat/platform';

export const SLACK_PLATFORM = 'slack';

export const slackConfig: PlatformConfig = {
  id: SLACK_PLATFORM,
  channel: z.string().regex(/^[CGD][A-Z0-9]{6,}$/, 'a Slack channel id such as C0123456789'),
  channelExample: 'slack: C0123456789',
};

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

/** What the environment says about Slack. */
export interface SlackEnv {
  /** SLACK_BOT_TOKEN (xoxb-…): Slack is on when it is set. */
  botToken: string | undefined;
  /** SLACK_APP_TOKEN (xapp-…): Socket Mode. */
  appToken: string | undefined;
  /** SLACK_SIGNING_SECRET: HTTP mode on PORT (without an app token). */
  signingSecret: string | undefined;
  /** SLACK_API_URL: the Web API base. */
  apiUrl: string;
}

/** Reads the SLACK_* variables; a malformed SLACK_API_URL stops here with one line. */
export function slackEnv(env: NodeJS.ProcessEnv): SlackEnv {
  return {
    botToken: env.SLACK_BOT_TOKEN?.trim() || undefined,
    appToken: env.SLACK_APP_TOKEN?.trim() || undefined,
    signingSecret: env.SLACK_SIGNING_SECRET?.trim() || undefined,
    apiUrl: envUrl(env, 'SLACK_API_URL', DEFAULT_SLACK_API_URL),
  };
}
