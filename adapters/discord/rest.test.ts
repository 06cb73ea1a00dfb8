/** Errors from the REST layer: one line naming the call and Discord's reason, never an interaction token. */
import { DiscordAPIError, HTTPError } from '@discordjs/rest';
import { ErrorCode, HttpError } from '../../src/app/errors';
import { type FakeDiscordServer, fakeDiscordContext, startFakeDiscord } from '../../test/fakes/discord-server';
import { call, chatError, createRest, discordCode, redactDiscordUrl, routes } from './rest';

const TOKEN = 'aW50ZXJhY3Rpb246c2VjcmV0LXRva2Vu';

describe('Discord REST errors', () => {
  it('keeps interaction tokens out of URLs', () => {
    expect(redactDiscordUrl(`https://discord.com/api/v10/webhooks/123/${TOKEN}/messages/@original`)).toBe(
      '/api/v10/webhooks/123/***/messages/@original',
    );
    expect(redactDiscordUrl(`/api/v10/interactions/456/${TOKEN}/callback`)).toBe(
      '/api/v10/interactions/456/***/callback',
    );
  });

  it("names the call, the status and Discord's form errors in one line", () => {
    const api = new DiscordAPIError(
      {
        code: 50035,
        message: 'Invalid Form Body',
        errors: {
          content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] },
        },
      },
      50035,
      400,
      'POST',
      `https://discord.com/api/v10/webhooks/123/${TOKEN}`,
      { body: {} },
    );
    const err = chatError('answering the command (follow-up)', api);
    expect(err.message).not.toContain(TOKEN);
    expect(err.message).not.toContain('\n');
    expect(err.message).toMatch(
      /^discord: answering the command \(follow-up\) failed: HTTP 400 POST \/api\/v10\/webhooks\/123\/\*\*\*: Invalid Form Body; content\[BASE_TYPE_MAX_LENGTH\]: Must be 2000 or fewer in length\. \(code 50035\)$/,
    );
    expect(discordCode(err)).toBe(50035);
    const server = new HTTPError(503, 'Service Unavailable', 'get', 'https://discord.com/api/v10/users/@me', {
      body: {},
    });
    const typed = chatError('health check', server);
    expect(typed.message).toBe('discord: health check failed: HTTP 503 GET /api/v10/users/@me after the retries');
    expect(typed).toBeInstanceOf(HttpError);
    expect(typed.code).toBe(ErrorCode.ChatError);
    expect((typed as HttpError).status).toBe(503);
    expect((typed as HttpError).method).toBe('GET');
    expect((typed as HttpError).url).toBe('/api/v10/users/@me');
  });
});

describe('Discord REST and the one retry policy', () => {
  let fake: FakeDiscordServer;
  beforeEach(async () => {
    fake = await startFakeDiscord();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('a rate limit past 10 minutes fails at once, naming the wait, instead of being slept through', async () => {
    const ctx = await fakeDiscordContext(fake);
    const rest = createRest(ctx, fake.token);
    fake.rateLimit((c) => c.method === 'GET' && c.path === '/users/@me', 3600, 1);
    const started = Date.now();
    const err = await call('reading the bot user', () => rest.get(routes.me())).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((err as Error).message).toMatch(/^discord: reading the bot user failed: rate limited on .* for \d+ ms$/);
    expect(fake.callsTo('GET', /^\/users\/@me$/)).toHaveLength(1);
  });

  it('a short rate limit is waited out and the call then succeeds', async () => {
    const ctx = await fakeDiscordContext(fake);
    const rest = createRest(ctx, fake.token);
    fake.rateLimit((c) => c.method === 'GET' && c.path === '/users/@me', 0.05, 1);
    const me = await call<{ id: string }>('reading the bot user', () => rest.get(routes.me()));
    expect(me.id).toBeTruthy();
    expect(fake.callsTo('GET', /^\/users\/@me$/).map((c) => c.status)).toEqual([429, 200]);
  });
});
