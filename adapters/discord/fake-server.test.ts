/**
 * The local Discord stands in for the real API only if it refuses what Discord refuses: otherwise a test that
 * passes against it proves little. These check the fake itself against the API's documented rules.
 */
import {
  type FakeDiscordServer,
  startFakeDiscord,
  validateCommands,
  validateMessage,
} from '../../test/fakes/discord-server';
import { DISCORD_COMMANDS } from './commands';

const CHANNEL = '1200000000000000001';
let fake: FakeDiscordServer;

beforeAll(async () => {
  fake = await startFakeDiscord({ channels: [CHANNEL] });
});
afterAll(async () => {
  await fake.close();
});

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${fake.apiUrl}/v10${path}`, {
    method,
    headers: { authorization: `Bot ${fake.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe('application commands (PUT bulk overwrite)', () => {
  const command = (over: Record<string, unknown>) => [
    { type: 1, name: 'critique', description: 'Critique a paper', ...over },
  ];

  it('accepts the bot’s own commands', () => {
    expect(validateCommands(DISCORD_COMMANDS)).toBeUndefined();
  });

  it('refuses what Discord refuses: upper-case names, long descriptions, required after optional', async () => {
    const put = (body: unknown) => api('PUT', `/applications/${fake.applicationId}/commands`, body);
    expect((await put(command({ name: 'Critique' }))).status).toBe(400);
    expect((await put(command({ description: 'x'.repeat(101) }))).body).toMatchObject({ code: 50035 });
    const options = [
      { type: 3, name: 'note', description: 'optional', required: false },
      { type: 3, name: 'paper', description: 'required', required: true },
    ];
    expect((await put(command({ options }))).status).toBe(400);
    expect(
      (await put(command({ options: [{ type: 3, name: 'paper', description: 'id', max_length: 6001 }] }))).status,
    ).toBe(400);
    expect((await put(command({}))).status).toBe(200);
  });
});

describe('messages', () => {
  it('refuses the ephemeral flag on a channel message (only an interaction answer may be ephemeral)', async () => {
    const res = await api('POST', `/channels/${CHANNEL}/messages`, { content: 'hi', flags: 64 });
    expect(res).toMatchObject({ status: 400, body: { code: 50035 } });
    expect(validateMessage({ content: 'hi', flags: 64 }, { webhook: true })).toBeUndefined();
    expect(validateMessage({ content: 'hi', flags: 4 })).toBeUndefined();
  });

  it('refuses allowed_mentions that Discord refuses', () => {
    expect(validateMessage({ content: 'hi', allowed_mentions: { parse: ['all'] } })).toMatchObject({ status: 400 });
    expect(validateMessage({ content: 'hi', allowed_mentions: { parse: ['users'], users: ['1'] } })).toMatchObject({
      status: 400,
    });
    expect(validateMessage({ content: 'hi', allowed_mentions: { parse: [] } })).toBeUndefined();
  });

  it('refuses a reactions page larger than 100', async () => {
    const created = await api('POST', `/channels/${CHANNEL}/messages`, { content: 'paper' });
    const id = (created.body as { id: string }).id;
    fake.addReaction(id, '👍', '1600000000000000001');
    const path = `/channels/${CHANNEL}/messages/${id}/reactions/${encodeURIComponent('👍')}`;
    expect((await api('GET', `${path}?limit=101`)).status).toBe(400);
    expect((await api('GET', `${path}?limit=100`)).body).toHaveLength(1);
  });
});
