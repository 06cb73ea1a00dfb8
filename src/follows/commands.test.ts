/** The follow commands through the core's chat handler: private answers, usage lines, limits, per workspace. */
import type { CommandEvent } from '../chat/types';
import { createChatHandler } from '../interactions';
import { makeApp, testConfig } from '../../test/fakes/bot-fixture';
import { MAX_FOLLOWS, memberFollows, readFollows } from './book';
import { parseFollowArgument } from './commands';

async function setup() {
  const bot = await makeApp(testConfig([{ name: 'nlp' }]));
  const handler = createChatHandler(bot.app);
  const say = async (
    command: CommandEvent['command'],
    argument: string,
    opts: { userId?: string; platform?: string; workspaceId?: string | null } = {},
  ) => {
    const privately: string[] = [];
    const replies: unknown[] = [];
    const workspace = opts.workspaceId === null ? {} : { workspaceId: opts.workspaceId ?? 'T0ARXIV001' };
    await handler.processEvent({
      type: 'command',
      platform: opts.platform ?? 'slack',
      command,
      argument,
      userId: opts.userId ?? 'U0MEMBER01',
      channelId: 'C0123456789',
      ...workspace,
      reply: async (m) => {
        replies.push(m);
        return undefined;
      },
      replyPrivately: async (text) => {
        privately.push(text);
      },
    });
    expect(replies).toEqual([]); // never a visible answer
    expect(privately).toHaveLength(1);
    return privately[0] ?? '';
  };
  return { bot, say };
}

test('follow, list, unfollow: a round trip, answered privately', async () => {
  const { bot, say } = await setup();
  expect(await say('follows', '')).toMatch(/^You follow no author or topic yet\. Try \/follow author Yann LeCun/);
  expect(await say('follow', 'author Yann LeCun')).toMatch(
    /^You now follow the author Yann LeCun: .*\(1 of 50 follows\)\.$/,
  );
  expect(await say('follow', 'topic diffusion models')).toMatch(/^You now follow the topic “diffusion models”: /);
  expect(await say('follow', 'author  yann   lecun')).toBe(
    'You already follow the author Yann LeCun (2 of 50 follows).',
  );
  expect(await say('follows', '')).toBe(
    [
      'You follow (2 of 50 follows):',
      'Authors: Yann LeCun',
      'Topics: “diffusion models”',
      'Stop with /unfollow author <name> or /unfollow topic <words>.',
    ].join('\n'),
  );
  // "Y. LeCun" is the one followed author it names.
  expect(await say('unfollow', 'author Y. LeCun')).toBe(
    'You no longer follow the author Yann LeCun (1 of 50 follows).',
  );
  expect(await say('unfollow', 'author Yann LeCun')).toBe(
    'You do not follow the author Yann LeCun; /follows lists what you follow.',
  );
  expect(await say('unfollow', 'topic Diffusion Models')).toBe(
    'You no longer follow the topic “diffusion models” (0 of 50 follows).',
  );
  expect(await readFollows(bot.store, { platform: 'slack', workspace: 'T0ARXIV001' })).toEqual({ members: {} });
});

test('follows are per member and per workspace', async () => {
  const { bot, say } = await setup();
  await say('follow', 'author Karolina Stańczak', { userId: 'U0MEMBER01' });
  await say('follow', 'author Siva Reddy', { userId: 'U0MEMBER02' });
  await say('follow', 'author Vered Shwartz', { userId: 'U0MEMBER01', workspaceId: 'T0OTHER001' });
  await say('follow', 'author:Yann LeCun', {
    userId: '1600000000000000042',
    platform: 'discord',
    workspaceId: '1300000000000000001',
  });
  const slack = { platform: 'slack', workspace: 'T0ARXIV001' };
  expect(await memberFollows(bot.store, slack, 'U0MEMBER01')).toEqual({ authors: ['Karolina Stańczak'], topics: [] });
  expect(await memberFollows(bot.store, slack, 'U0MEMBER02')).toEqual({ authors: ['Siva Reddy'], topics: [] });
  expect(await memberFollows(bot.store, { platform: 'slack', workspace: 'T0OTHER001' }, 'U0MEMBER01')).toEqual({
    authors: ['Vered Shwartz'],
    topics: [],
  });
  expect(
    (await memberFollows(bot.store, { platform: 'discord', workspace: '1300000000000000001' }, '1600000000000000042'))
      .authors,
  ).toEqual(['Yann LeCun']);
});

test('bad input gets a usage line or one line naming what is wrong', async () => {
  const { say } = await setup();
  expect(await say('follow', '')).toBe(
    "Usage: /follow author Yann LeCun or /follow topic diffusion models (an author's name, or a few words).",
  );
  expect(await say('follow', 'Yann LeCun')).toMatch(/^Usage: \/follow author Yann LeCun or \/follow topic/);
  expect(await say('follow', 'author')).toMatch(/^Usage: /);
  expect(await say('unfollow', 'paper 2510.26707')).toMatch(/^Usage: \/unfollow author Yann LeCun or \/unfollow topic/);
  expect(await say('follow', 'author LeCun')).toBe(
    '"LeCun" names no one in particular: give a first name or initial and a surname, e.g. "Yann LeCun" or "Y. LeCun".',
  );
  expect(await say('follow', 'author <@U0EVIL>')).toMatch(/^"<@U0EVIL>" is not an author name: expected letters/);
  expect(await say('follow', `author ${'A'.repeat(60)} ${'B'.repeat(60)}`)).toMatch(
    /^The author name is 121 characters long: expected at most 100/,
  );
  expect(await say('follow', 'topic the of and')).toBe(
    '"the of and" has no word to match papers by: expected e.g. "diffusion models".',
  );
  expect(await say('follow', 'topic https://evil.example')).toMatch(/is not a topic: expected a few plain words/);
  expect(await say('follows', '', { workspaceId: null })).toMatch(/^Follows belong to a workspace/);
});

test(`at most ${MAX_FOLLOWS} follows per member, with a clear line`, async () => {
  const { say } = await setup();
  for (let i = 0; i < MAX_FOLLOWS; i++) await say('follow', `topic subject${String.fromCharCode(97 + (i % 26))}${i}x`);
  expect(await say('follow', 'author Yann LeCun')).toBe(
    'You already follow 50 authors and topics, the most a member may; /unfollow author <…> one first.',
  );
});

test('parseFollowArgument', () => {
  expect(parseFollowArgument('author Yann LeCun')).toEqual({ kind: 'author', value: 'Yann LeCun' });
  expect(parseFollowArgument('Topic: diffusion models')).toEqual({ kind: 'topic', value: 'diffusion models' });
  expect(parseFollowArgument('authors Y. LeCun')).toEqual({ kind: 'author', value: 'Y. LeCun' });
  expect(parseFollowArgument('Yann LeCun')).toBeUndefined();
});
