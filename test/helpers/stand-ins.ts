/**
 * The environment that points the bot at the local stand-ins: arXiv's feed, API and pages, the OpenAI-compatible
 * LLM, and (when given) the Slack Web API and Discord REST, each with its test token. Tests add what is their own
 * (STORE_URL, signing secrets, LOG_LEVEL…).
 */
import type { ArxivServer } from '../fakes/arxiv-server';
import type { FakeDiscordServer } from '../fakes/discord-server';
import type { FakeOpenAi } from '../fakes/openai-server';
import type { FakeSlackServer } from '../fakes/slack-server';

export function standInEnv(servers: {
  arxiv: Pick<ArxivServer, 'rssUrl' | 'apiUrl' | 'webUrl'>;
  openai: Pick<FakeOpenAi, 'url'>;
  slack?: Pick<FakeSlackServer, 'botToken' | 'apiUrl'>;
  discord?: Pick<FakeDiscordServer, 'token' | 'apiUrl'>;
}): Record<string, string> {
  const { arxiv, openai, slack, discord } = servers;
  return {
    ARXIV_RSS_URL: arxiv.rssUrl,
    ARXIV_API_URL: arxiv.apiUrl,
    ARXIV_WEB_URL: arxiv.webUrl,
    OPENAI_API_KEY: 'sk-test-not-a-real-key',
    OPENAI_BASE_URL: openai.url,
    ...(slack ? { SLACK_BOT_TOKEN: slack.botToken, SLACK_API_URL: slack.apiUrl } : {}),
    ...(discord ? { DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl } : {}),
  };
}
