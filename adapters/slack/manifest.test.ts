import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

describe('adapters/slack/manifest.yaml', () => {
  const manifest = YAML.parse(readFileSync(path.join(__dirname, 'manifest.yaml'), 'utf8'));

  it('asks for the scopes the adapter uses', () => {
    expect(manifest.oauth_config.scopes.bot).toEqual(
      expect.arrayContaining([
        'chat:write',
        'chat:write.public',
        'commands',
        'reactions:read',
        'channels:history',
        'groups:history',
        'channels:read',
        'groups:read',
      ]),
    );
  });

  it('declares /critique and /vote with usage hints, and the reaction events', () => {
    const commands = manifest.features.slash_commands;
    const paperCommands = commands.filter((c: { command: string }) => ['/critique', '/vote'].includes(c.command));
    expect(paperCommands.map((c: { command: string }) => c.command)).toEqual(['/critique', '/vote']);
    for (const c of paperCommands) expect(c.usage_hint).toMatch(/2510\.26143/);
    for (const c of commands) expect(c.url).toBe('https://YOUR_HOST/slack/events');
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(
      expect.arrayContaining(['reaction_added', 'reaction_removed']),
    );
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.display_information.long_description.length).toBeGreaterThanOrEqual(175);
  });

  it('declares /follow, /unfollow and /follows (src/follows), each a command the adapter takes', () => {
    const commands = manifest.features.slash_commands as Array<{ command: string; usage_hint?: string }>;
    const follows = commands.filter((c) => /follow/.test(c.command));
    expect(follows.map((c) => c.command)).toEqual(['/follow', '/unfollow', '/follows']);
    expect(follows[0]?.usage_hint).toBe('author Yann LeCun | topic diffusion models');
    expect(follows[1]?.usage_hint).toBe('author Yann LeCun | topic diffusion models');
  });

  it('lets members ask a paper: /ask, the app_mention event and its scope', () => {
    const ask = manifest.features.slash_commands.find((c: { command: string }) => c.command === '/ask');
    expect(ask).toMatchObject({ url: 'https://YOUR_HOST/slack/events', should_escape: false });
    expect(ask.usage_hint).toMatch(/#2 .*2510\.26143/);
    expect(manifest.oauth_config.scopes.bot).toContain('app_mentions:read');
    expect(manifest.settings.event_subscriptions.bot_events).toContain('app_mention');
  });

  it('turns on interactivity (card buttons, the Ask… form) and the Home tab with its event', () => {
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toContain('app_home_opened');
    // Socket Mode needs no request URL; HTTP mode's is the one route the adapter serves.
    expect(readFileSync(path.join(__dirname, 'manifest.yaml'), 'utf8')).toMatch(
      /interactivity:[\s\S]*# request_url: https:\/\/YOUR_HOST\/slack\/events/,
    );
  });
});
