/** Errors from the REST layer: one line naming the call and Discord's reason, never an interaction token. */
import { DiscordAPIError, HTTPError } from '@discordjs/rest';
import { chatError, discordCode, redactDiscordUrl } from './rest';

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
    expect(chatError('health check', server).message).toBe(
      'discord: health check failed: HTTP 503 GET /api/v10/users/@me after the retries',
    );
  });
});
