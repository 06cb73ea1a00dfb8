/**
 * Slack's settings, checked before anything is opened, fetched or created (exit 2, one line): the descriptor's
 * `checkSetup`, called by the composition root with the command about to run. `start` must be able to receive
 * events (Socket Mode or HTTP mode).
 */
import { UserInputError } from '../../src/app/errors';
import { slackEnv } from './config';

export function checkSlackSetup(env: NodeJS.ProcessEnv, command: string): void {
  const { botToken, appToken, signingSecret } = slackEnv(env);
  if (!botToken) {
    if (command === 'start' && (appToken || signingSecret)) {
      throw new UserInputError(
        `${appToken ? 'SLACK_APP_TOKEN' : 'SLACK_SIGNING_SECRET'} is set but SLACK_BOT_TOKEN is not: add the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page, or unset Slack entirely`,
      );
    }
    return;
  }
  if (command === 'start' && appToken && !appToken.startsWith('xapp-')) {
    throw new UserInputError(
      'SLACK_APP_TOKEN does not look like an app-level token (expected xapp-…, from Basic Information → App-Level Tokens with connections:write)',
    );
  }
  if (command === 'start' && !appToken && !signingSecret) {
    throw new UserInputError(
      'SLACK_BOT_TOKEN alone cannot receive Slack commands and reactions: add SLACK_APP_TOKEN (Socket Mode, xapp-…) or SLACK_SIGNING_SECRET (HTTP mode on PORT)',
    );
  }
}
