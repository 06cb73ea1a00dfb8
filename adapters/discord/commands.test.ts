/** `arxiv-digest register-commands`: the command JSON Discord receives, globally or for one guild. */
import { type FakeDiscordServer, fakeDiscordContext, startFakeDiscord } from '../../test/fakes/discord-server';
import { DISCORD_COMMANDS, parseCommand, registerDiscordCommands } from './commands';
import { discord } from './index';

let fake: FakeDiscordServer;

beforeEach(async () => {
  fake = await startFakeDiscord();
});

afterEach(async () => {
  await fake.close();
});

const expected = [
  {
    type: 1,
    name: 'critique',
    description: expect.any(String),
    contexts: [0],
    integration_types: [0],
    options: [{ type: 3, name: 'paper', description: expect.any(String), required: true, max_length: 200 }],
  },
  {
    type: 1,
    name: 'vote',
    description: expect.any(String),
    contexts: [0],
    integration_types: [0],
    options: [{ type: 3, name: 'paper', description: expect.any(String), required: true, max_length: 200 }],
  },
  ...followCommands(),
  {
    type: 1,
    name: 'ask',
    description: expect.any(String),
    contexts: [0],
    integration_types: [0],
    options: [
      { type: 3, name: 'question', description: expect.any(String), required: true, max_length: 500 },
      { type: 3, name: 'paper', description: expect.any(String), required: false, max_length: 200 },
    ],
  },
  {
    type: 1,
    name: 'digest',
    description: expect.any(String),
    contexts: [0],
    integration_types: [0],
    options: ['me', 'private', 'thread'].map((name) => ({ type: 1, name, description: expect.any(String) })),
  },
];

/** /follow and /unfollow with an optional `author` and `topic` (one of the two), /follows with none. */
function followCommands() {
  const options = [
    { type: 3, name: 'author', description: expect.any(String), required: false, max_length: 100 },
    { type: 3, name: 'topic', description: expect.any(String), required: false, max_length: 100 },
  ];
  const common = { type: 1, description: expect.any(String), contexts: [0], integration_types: [0] };
  return [
    { ...common, name: 'follow', options },
    { ...common, name: 'unfollow', options },
    { ...common, name: 'follows' },
  ];
}

describe('registerDiscordCommands', () => {
  it('registers /critique and /vote globally with one bulk overwrite (PUT), idempotently', async () => {
    const ctx = await fakeDiscordContext(fake);
    const result = await registerDiscordCommands(ctx, { rest: { retries: 0 } });
    const [put] = fake.callsTo('PUT', /commands$/);
    expect(put!.path).toBe(`/applications/${fake.applicationId}/commands`);
    expect(put!.headers.authorization).toBe(`Bot ${fake.token}`);
    expect(put!.body).toEqual(expected);
    expect(result).toEqual({
      scope: 'global',
      applicationId: fake.applicationId,
      commands: expected.map((c) => ({ id: expect.stringMatching(/^\d+$/), name: c.name })),
    });
    await registerDiscordCommands(ctx, { rest: { retries: 0 } });
    expect(fake.commands.global).toHaveLength(expected.length);
    for (const c of DISCORD_COMMANDS)
      expect((c as { description: string }).description.length).toBeLessThanOrEqual(100);
  });

  it('registers for the configured guild, asking Discord for the application id when it is not set', async () => {
    const ctx = await fakeDiscordContext(fake, {
      env: { DISCORD_APPLICATION_ID: undefined },
      config: { discord: { guildId: '1300000000000000001' } },
    });
    const result = await registerDiscordCommands(ctx, { rest: { retries: 0 } });
    expect(fake.callsTo('GET', /^\/applications\/@me$/)).toHaveLength(1);
    const [put] = fake.callsTo('PUT', /commands$/);
    expect(put!.path).toBe(`/applications/${fake.applicationId}/guilds/1300000000000000001/commands`);
    expect(put!.body).toEqual(expected);
    expect(result).toMatchObject({ scope: 'guild', guildId: '1300000000000000001' });
    expect(fake.commands.global).toHaveLength(0);
  });

  it('the descriptor registers them for `arxiv-digest register-commands` and says where, in one line', async () => {
    const ctx = await fakeDiscordContext(fake);
    const line = await discord.registerCommands?.(ctx);
    expect(line).toBe(
      `registered ${DISCORD_COMMANDS.map((c) => `/${c.name}`).join(', ')} globally (may take up to an hour to appear) for application ${fake.applicationId}`,
    );
  });

  it('says what is missing or malformed in one line, before calling Discord', async () => {
    const noToken = await fakeDiscordContext(fake, { env: { DISCORD_TOKEN: undefined } });
    await expect(registerDiscordCommands(noToken)).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/^DISCORD_TOKEN is not set/),
    });
    const badApp = await fakeDiscordContext(fake, { env: { DISCORD_APPLICATION_ID: 'my-app' } });
    await expect(registerDiscordCommands(badApp)).rejects.toThrow(/DISCORD_APPLICATION_ID is "my-app": expected/);
    const ctx = await fakeDiscordContext(fake);
    await expect(registerDiscordCommands(ctx, { guildId: '12' })).rejects.toThrow(
      /guild id "12" is not a Discord guild id/,
    );
    expect(fake.calls).toHaveLength(0);
  });

  it('reports a refusal by Discord as a chat error naming the call', async () => {
    const ctx = await fakeDiscordContext(fake, { env: { DISCORD_TOKEN: 'revoked' } });
    await expect(registerDiscordCommands(ctx, { rest: { retries: 0 } })).rejects.toThrow(
      /^discord: registering the slash commands \(global\) failed: HTTP 401 PUT \/api\/v10\/applications\/\d+\/commands: 401: Unauthorized/,
    );
  });
});

describe('parseCommand', () => {
  it('reads the paper option, and knows only our commands', () => {
    expect(parseCommand('critique', [{ name: 'paper', value: ' 2510.26707 ' }])).toEqual({
      command: 'critique',
      argument: '2510.26707',
    });
    expect(parseCommand('vote', undefined)).toEqual({ command: 'vote', argument: '' });
    expect(parseCommand('dance', [])).toBeUndefined();
  });

  it('reads /follow and /unfollow as `author <name>` or `topic <words>`; neither or both is no argument', () => {
    expect(parseCommand('follow', [{ name: 'author', value: ' Yann LeCun ' }])).toEqual({
      command: 'follow',
      argument: 'author Yann LeCun',
    });
    expect(parseCommand('unfollow', [{ name: 'topic', value: 'diffusion models' }])).toEqual({
      command: 'unfollow',
      argument: 'topic diffusion models',
    });
    expect(parseCommand('follow', [])).toEqual({ command: 'follow', argument: '' });
    expect(
      parseCommand('follow', [
        { name: 'author', value: 'Yann LeCun' },
        { name: 'topic', value: 'diffusion' },
      ]),
    ).toEqual({ command: 'follow', argument: '' });
    expect(parseCommand('follows', undefined)).toEqual({ command: 'follows', argument: '' });
  });

  it('reads /ask: the question, and the paper when given', () => {
    expect(parseCommand('ask', [{ name: 'question', value: ' Which datasets? ' }])).toEqual({
      command: 'ask',
      argument: 'Which datasets?',
    });
    expect(
      parseCommand('ask', [
        { name: 'question', value: 'Which datasets?' },
        { name: 'paper', value: '2' },
      ]),
    ).toEqual({ command: 'ask', argument: 'Which datasets?', paper: '2' });
  });
});
