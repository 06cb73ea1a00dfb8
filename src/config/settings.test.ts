import { readSettings, secretValues } from './settings';

describe('settings from the environment', () => {
  test('defaults: arXiv endpoints, no model override, no key, progress on outside tests', () => {
    expect(readSettings({})).toEqual({
      model: undefined,
      openaiApiKey: undefined,
      endpoints: {
        arxivApi: 'https://export.arxiv.org/api/query',
        arxivRss: 'https://rss.arxiv.org/rss',
        arxivWeb: 'https://arxiv.org',
        openaiBase: undefined,
      },
      configFile: undefined,
      storeUrl: undefined,
      logLevel: undefined,
      ci: false,
      progress: true,
      secrets: [],
    });
  });

  test('values as given, trimmed, trailing slashes off the feed and web bases; blank is unset', () => {
    const s = readSettings({
      ARXIV_DIGEST_MODEL: ' qwen3 ',
      OPENAI_API_KEY: 'sk-test-123456',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      ARXIV_RSS_URL: 'http://127.0.0.1:8/rss//',
      ARXIV_WEB_URL: 'http://127.0.0.1:8/',
      STORE_URL: '',
      ARXIV_DIGEST_CONFIG: 'team.yaml',
      CI: 'true',
      NODE_ENV: 'test',
    });
    expect(s).toMatchObject({
      model: 'qwen3',
      openaiApiKey: 'sk-test-123456',
      endpoints: {
        arxivRss: 'http://127.0.0.1:8/rss',
        arxivWeb: 'http://127.0.0.1:8',
        openaiBase: 'http://127.0.0.1:9/v1',
      },
      configFile: 'team.yaml',
      storeUrl: undefined,
      ci: true,
      progress: false,
      secrets: ['sk-test-123456'],
    });
    expect(readSettings({ NODE_ENV: 'test', ARXIV_DIGEST_PROGRESS: '1' }).progress).toBe(true);
  });

  test('secrets: the values of …_TOKEN, …_KEY, …_SECRET, …_PASSWORD of at least 6 characters', () => {
    expect(secretValues({ SLACK_BOT_TOKEN: 'xoxb-1-2', DISCORD_PUBLIC_KEY: 'abc', PATH: '/usr/bin' })).toEqual([
      'xoxb-1-2',
    ]);
  });
});
