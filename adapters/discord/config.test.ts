import { discordEnv, discordSettings } from './config';

describe('Discord config and environment', () => {
  it('reads DISCORD_* with their defaults', () => {
    expect(discordEnv({ DISCORD_TOKEN: ' t ' })).toEqual({
      token: 't',
      applicationId: undefined,
      publicKey: undefined,
      apiUrl: 'https://discord.com/api',
      gateway: true,
    });
    expect(discordEnv({ DISCORD_API_URL: 'http://127.0.0.1:1/api/', DISCORD_GATEWAY: 'OFF' })).toMatchObject({
      apiUrl: 'http://127.0.0.1:1/api',
      gateway: false,
    });
  });

  it.each([
    [{ DISCORD_APPLICATION_ID: 'my-app' }, /^DISCORD_APPLICATION_ID is "my-app": expected the application's id/],
    [{ DISCORD_GATEWAY: 'maybe' }, /^DISCORD_GATEWAY is "maybe": expected on or off$/],
    [{ DISCORD_API_URL: 'discord.com/api' }, /^DISCORD_API_URL is "discord.com\/api": expected an http\(s\) URL/],
  ])('refuses %j in one line', (env, message) => {
    expect(() => discordEnv(env)).toThrow(message);
  });

  it('reads its own config section, defaults when absent', () => {
    expect(discordSettings({ discord: { guildId: '987654321098765432' } } as never)).toEqual({
      guildId: '987654321098765432',
    });
    expect(discordSettings({} as never)).toEqual({});
  });
});
