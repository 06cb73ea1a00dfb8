import { z } from 'zod';
import { silentLogger } from '../app/log';
import { createContext } from '../context';
import type { Store } from '../store';
import { type ChatPlatform, createAdapters, envUrl } from './platform';
import type { ChatAdapter } from './types';

describe('chat platforms', () => {
  it('creates the adapters whose environment turns them on, keyed by platform id', () => {
    const fake = { platform: 'matrix' } as unknown as ChatAdapter;
    const platform = (id: string, on: boolean): ChatPlatform => ({
      id,
      config: { id, channel: z.string(), channelExample: `${id}: x` },
      enable: `set ${id.toUpperCase()}_TOKEN`,
      create: (ctx) => (on && ctx.env[`${id.toUpperCase()}_TOKEN`] ? fake : undefined),
    });
    const ctx = createContext({
      config: { digests: [] } as never,
      store: {} as Store,
      log: silentLogger,
      env: { MATRIX_TOKEN: 't', IRC_TOKEN: 't' },
    });
    const adapters = createAdapters(ctx, [platform('matrix', true), platform('irc', false)]);
    expect(Object.keys(adapters)).toEqual(['matrix']);
    expect(adapters.matrix).toBe(fake);
  });

  it('reads a base URL from the environment, naming the variable when it is not one', () => {
    expect(envUrl({}, 'X_API_URL', 'https://x.example/api')).toBe('https://x.example/api');
    expect(envUrl({ X_API_URL: 'http://127.0.0.1:9/api/' }, 'X_API_URL', 'https://x')).toBe('http://127.0.0.1:9/api/');
    expect(() => envUrl({ X_API_URL: 'slack.com/api' }, 'X_API_URL', 'https://x.example/api')).toThrow(
      'X_API_URL is "slack.com/api": expected an http(s) URL such as https://x.example/api',
    );
  });
});
