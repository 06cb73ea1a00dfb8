/**
 * The adapter against a local fake of Slack's Web API, driven by the core's exactly-once posting (src/jobs/post.ts):
 * what reaches "Slack" is checked call by call.
 */
import { getPostedDigest, postDigest } from '../../src/jobs/post';
import type { Store } from '../../src/store';
import { FakeSlackServer } from '../../test/fakes/slack-server';
import { commandArgument } from './adapter';
import { createSlackAdapter } from './index';
import {
  longMarkdown,
  seedDigest,
  seedPapers,
  selected,
  slackAdapter,
  slackContext,
} from '../../test/fakes/slack-support';

const CHANNEL = 'C0DIGEST01';
const LIVE_MENTION = /<!(channel|here|everyone)|<@U123/;

let fake: FakeSlackServer;
const stores: Store[] = [];

beforeAll(async () => {
  fake = await FakeSlackServer.start();
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await fake.close();
});
beforeEach(() => fake.reset());

async function setup(env: Record<string, string> = {}) {
  const { ctx, store } = await slackContext(fake, env);
  stores.push(store);
  return { ctx, store, adapter: slackAdapter(ctx) };
}

describe('createSlackAdapter', () => {
  it('is off without SLACK_BOT_TOKEN and reads the environment from the context only', async () => {
    const { ctx } = await setup();
    expect(createSlackAdapter({ ...ctx, env: {} })).toBeUndefined();
    expect(createSlackAdapter(ctx)?.platform).toBe('slack');
  });

  it('reports health from auth.test', async () => {
    const { ctx, adapter } = await setup();
    expect(await adapter.healthy()).toBe(true);
    const wrong = createSlackAdapter({ ...ctx, env: { ...ctx.env, SLACK_BOT_TOKEN: 'xoxb-revoked' } });
    expect(await wrong?.healthy()).toBe(false);
  });
});

describe('posting a digest through the core (postDigest)', () => {
  it('posts the parent, then one threaded reply per paper (thread_ts), without unfurls', async () => {
    const { store, adapter } = await setup();
    const digest = seedDigest();
    const posted = await postDigest(store, adapter, CHANNEL, digest, ['+1']);

    const msgs = fake.posted(CHANNEL);
    // The parent, then per paper its card and its details (abstract, summary, critique).
    expect(msgs).toHaveLength(1 + 2 * digest.selected.length);
    const [parent, ...replies] = msgs;
    expect(parent?.thread_ts).toBeUndefined();
    expect(parent?.text).toContain('Total papers: 58 · Selected papers: 5');
    for (const [i, reply] of replies.entries()) {
      expect(reply.thread_ts).toBe(parent?.ts);
      const paper = digest.selected[Math.floor(i / 2)];
      if (i % 2 === 0) {
        expect(reply.text).toContain(`${i / 2 + 1}. ${paper?.title}`);
        expect(reply.text).toContain(':+1: *Vote:* react with :+1: on this message');
      } else {
        expect(reply.text).toContain('*Abstract*');
        expect(reply.text).toContain('*Summary*');
        expect(reply.text).not.toContain('Vote:');
      }
    }
    for (const call of fake.callsTo('chat.postMessage')) {
      expect(call.token).toBe(fake.botToken);
      expect(call.params.unfurl_links).toBe('false');
    }

    expect(posted.complete).toBe(true);
    expect(posted.parent).toEqual({ platform: 'slack', channelId: CHANNEL, messageId: parent?.ts });
    expect(posted.thread).toEqual({ platform: 'slack', channelId: CHANNEL, threadId: parent?.ts });
    expect(posted.papers['2510.26143']).toEqual({
      platform: 'slack',
      channelId: CHANNEL,
      messageId: replies[0]?.ts,
      threadId: parent?.ts,
    });
  });

  it('respects Slack limits for a very long summary and critique: the paper becomes several replies', async () => {
    const { store, adapter } = await setup();
    const [a, b] = seedPapers();
    const digest = seedDigest({
      selected: [
        selected(a!),
        selected(b!, { summary: longMarkdown(15_000, 'Result'), critique: longMarkdown(30_000) }),
      ],
    });
    await postDigest(store, adapter, CHANNEL, digest, ['+1']);
    const calls = fake.callsTo('chat.postMessage');
    // Every call was accepted: none hit invalid_blocks, msg_too_long or msg_blocks_too_long.
    expect(calls.filter((c) => c.error)).toEqual([]);
    const msgs = fake.posted(CHANNEL);
    expect(msgs.length).toBeGreaterThanOrEqual(1 + 1 + 4);
    expect(msgs.slice(1).every((m) => m.thread_ts === msgs[0]?.ts)).toBe(true);
    // The long paper's first reply, its card, carries the vote invitation (votes are read there).
    const firstOfLong = msgs.find((m) => m.text.includes(`2. ${b!.title}`));
    expect(firstOfLong?.text).toContain(':+1: *Vote:*');
    expect(msgs.filter((m) => m.text.includes('Vote:'))).toHaveLength(2);
  });

  it('posts nothing when run again', async () => {
    const { store, adapter } = await setup();
    const digest = seedDigest();
    const first = await postDigest(store, adapter, CHANNEL, digest, ['+1']);
    const count = fake.callsTo('chat.postMessage').length;
    const again = await postDigest(store, adapter, CHANNEL, digest, ['+1']);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(count);
    expect(again).toEqual(first);
  });

  it('resumes after a crash following the third reply without posting anything twice', async () => {
    const { store, adapter } = await setup();
    const digest = seedDigest();
    // Call 1 is the parent, calls 2-4 the first three replies (card, details, card); the fourth reply fails.
    fake.failNext('chat.postMessage', { error: 'fatal_error' }, { fromCall: 5 });
    await expect(postDigest(store, adapter, CHANNEL, digest, ['+1'])).rejects.toThrow(
      /Slack chat.postMessage in C0DIGEST01 failed: fatal_error/,
    );
    expect(fake.posted(CHANNEL)).toHaveLength(4);
    expect((await getPostedDigest(store, 'slack', CHANNEL, 'nlp', '2025-10-30'))?.complete).toBe(false);

    const resumed = await postDigest(store, adapter, CHANNEL, digest, ['+1']);
    const msgs = fake.posted(CHANNEL);
    expect(msgs).toHaveLength(1 + 2 * digest.selected.length);
    const parents = msgs.filter((m) => !m.thread_ts);
    expect(parents).toHaveLength(1);
    for (const [i, p] of digest.selected.entries()) {
      expect(msgs.filter((m) => m.text.includes(`${i + 1}. ${p.title}`))).toHaveLength(1);
    }
    expect(resumed.complete).toBe(true);
    expect(Object.keys(resumed.papers)).toHaveLength(digest.selected.length);
  });

  it('resumes when the adapter itself throws mid-digest (a crash of the process)', async () => {
    const { store, adapter } = await setup();
    const digest = seedDigest();
    const send = adapter.send.bind(adapter);
    let calls = 0;
    const crashing = Object.create(adapter) as typeof adapter;
    crashing.send = async (...args) => {
      calls += 1;
      if (calls === 5) throw new Error('process killed'); // after the parent and three replies
      return send(...args);
    };
    await expect(postDigest(store, crashing, CHANNEL, digest, ['+1'])).rejects.toThrow('process killed');
    expect(fake.posted(CHANNEL)).toHaveLength(4);
    await postDigest(store, adapter, CHANNEL, digest, ['+1']);
    expect(fake.posted(CHANNEL)).toHaveLength(1 + 2 * digest.selected.length);
  });

  it('resumes without a duplicate after a crash between Slack storing a reply and the core recording it', async () => {
    const { store, adapter } = await setup();
    const digest = seedDigest();
    // The process dies right after the third card reached Slack, before its record was written.
    let replies = 0;
    const dying: Store = Object.create(store);
    dying.set = async (ns, key, value, ttl) => {
      if (ns === 'posts' && /:paper:.*#0$/.test(key) && ++replies === 3) throw new Error('process killed');
      return store.set(ns, key, value, ttl);
    };
    await expect(postDigest(dying, adapter, CHANNEL, digest, ['+1'])).rejects.toThrow('process killed');
    // The parent, two papers (card and details) and the third card reached Slack; the third card is not recorded.
    expect(fake.posted(CHANNEL)).toHaveLength(6);

    const resumed = await postDigest(store, adapter, CHANNEL, digest, ['+1']);
    expect(fake.posted(CHANNEL)).toHaveLength(1 + 2 * digest.selected.length);
    for (const [i, p] of digest.selected.entries()) {
      expect(fake.posted(CHANNEL).filter((m) => m.text.includes(`${i + 1}. ${p.title}`))).toHaveLength(1);
    }
    expect(resumed.complete).toBe(true);
    expect(fake.callsTo('conversations.replies').length).toBeGreaterThan(0); // looked up once, by its nonce
  });

  it('waits out a 429 with Retry-After and then posts once', async () => {
    const { store, adapter } = await setup();
    const digest = seedDigest({ selected: seedDigest().selected.slice(0, 1) });
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 }, { fromCall: 2 });
    await postDigest(store, adapter, CHANNEL, digest, ['+1']);
    const statuses = fake.callsTo('chat.postMessage').map((c) => c.status);
    expect(statuses).toEqual([200, 429, 200, 200]);
    expect(fake.posted(CHANNEL)).toHaveLength(3);
  });

  it('a 429 asking for more than 10 minutes fails the post at once (the one retry policy)', async () => {
    const { ctx, store } = await setup();
    const slept: number[] = [];
    const adapter = slackAdapter({
      ...ctx,
      clock: { now: () => Date.now(), sleep: async (ms) => void slept.push(ms) },
    });
    const digest = seedDigest({ selected: seedDigest().selected.slice(0, 1) });
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 3600 });
    await expect(postDigest(store, adapter, CHANNEL, digest, ['+1'])).rejects.toThrow(/chat\.postMessage/);
    expect(fake.callsTo('chat.postMessage').map((c) => c.status)).toEqual([429]);
    expect(slept).toEqual([]);
  });

  it('does not post twice when Slack stored a reply but its answer was lost (a 5xx after the write)', async () => {
    const { ctx, store } = await setup();
    const adapter = slackAdapter({ ...ctx, clock: { now: () => Date.now(), sleep: async () => {} } });
    const digest = seedDigest();
    // Call 1 is the parent, calls 2-3 the first paper (card, details), call 4 the second card: stored by Slack,
    // then answered with a 500.
    fake.failNext(
      'chat.postMessage',
      { status: 500, body: 'upstream connect error' },
      { fromCall: 4, afterCommit: true },
    );
    const posted = await postDigest(store, adapter, CHANNEL, digest, ['+1']);

    const msgs = fake.posted(CHANNEL);
    expect(msgs).toHaveLength(1 + 2 * digest.selected.length);
    const second = digest.selected[1]!;
    const stored = msgs.filter((m) => m.text.includes(`2. ${second.title}`));
    expect(stored).toHaveLength(1);
    // The lost post was found in the thread by its nonce and recorded as the paper's message.
    expect(posted.papers[second.id]?.messageId).toBe(stored[0]?.ts);
    const lookup = fake.callsTo('conversations.replies');
    expect(lookup).toHaveLength(1);
    expect(lookup[0]?.params).toMatchObject({ channel: CHANNEL, ts: msgs[0]?.ts, include_all_metadata: 'true' });
    for (const call of fake.callsTo('chat.postMessage')) {
      expect(JSON.parse(String(call.params.metadata))).toMatchObject({ event_type: 'arxiv_digest_post' });
    }
  });

  it('does not post the parent twice when the connection drops after Slack stored it', async () => {
    const { ctx, store } = await setup();
    const adapter = slackAdapter({ ...ctx, clock: { now: () => Date.now(), sleep: async () => {} } });
    const digest = seedDigest({ selected: seedDigest().selected.slice(0, 2) });
    fake.failNext('chat.postMessage', { drop: true }, { afterCommit: true });
    const posted = await postDigest(store, adapter, CHANNEL, digest, ['+1']);
    const parents = fake.posted(CHANNEL).filter((m) => !m.thread_ts);
    expect(parents).toHaveLength(1);
    expect(posted.parent.messageId).toBe(parents[0]?.ts);
    expect(fake.posted(CHANNEL)).toHaveLength(5);
    // One look before the first post (is the day's digest in the channel already?), one after the dropped answer.
    expect(fake.callsTo('conversations.history')).toHaveLength(2);
  });

  it('posts again after a 5xx when Slack did not store the message, once', async () => {
    const { ctx, store } = await setup();
    const sleeps: number[] = [];
    const clock = { now: () => Date.now(), sleep: async (ms: number) => void sleeps.push(ms) };
    const adapter = slackAdapter({ ...ctx, clock });
    const digest = seedDigest({ selected: seedDigest().selected.slice(0, 1) });
    fake.failNext('chat.postMessage', { status: 503 }, { fromCall: 2 });
    await postDigest(store, adapter, CHANNEL, digest, ['+1']);
    expect(fake.callsTo('chat.postMessage').map((c) => c.status)).toEqual([200, 503, 200, 200]);
    expect(fake.posted(CHANNEL)).toHaveLength(3);
    expect(sleeps).toHaveLength(1);
  });

  it('stops, rather than risk a duplicate, when a lost post cannot be looked up', async () => {
    const { ctx, store } = await setup();
    const adapter = slackAdapter({ ...ctx, clock: { now: () => Date.now(), sleep: async () => {} } });
    const digest = seedDigest({ selected: seedDigest().selected.slice(0, 1) });
    fake.failNext('chat.postMessage', { status: 500 }, { fromCall: 2, afterCommit: true });
    fake.failNext('conversations.replies', { error: 'missing_scope' });
    await expect(postDigest(store, adapter, CHANNEL, digest, ['+1'])).rejects.toThrow(
      /whether Slack stored the message is unknown .*missing_scope/,
    );
    expect(fake.posted(CHANNEL)).toHaveLength(2);
  });

  it('posts the text alone when Slack refuses a part\u2019s blocks as too long (its limit is approximate)', async () => {
    const { store, adapter } = await setup();
    const digest = seedDigest({ selected: seedDigest().selected.slice(0, 2) });
    fake.failNext('chat.postMessage', { error: 'msg_blocks_too_long' }, { fromCall: 2 });
    const posted = await postDigest(store, adapter, CHANNEL, digest, ['+1']);
    const msgs = fake.posted(CHANNEL);
    expect(msgs).toHaveLength(5);
    const first = msgs[1]!;
    expect(first.blocks).toEqual([]);
    expect(first.text).toContain(`1. ${digest.selected[0]!.title}`);
    expect(first.text).toContain(':+1: *Vote:* react with :+1: on this message');
    expect(posted.papers[digest.selected[0]!.id]?.messageId).toBe(first.ts);
    expect(msgs[2]!.blocks.length).toBeGreaterThan(0);
  });

  it('escapes mentions from papers and the LLM before they reach Slack', async () => {
    const { store, adapter } = await setup();
    const [a] = seedPapers();
    const digest = seedDigest({
      intro: 'Big day <!here>!',
      selected: [selected(a!, { critique: 'Everyone look <!channel> and <@U123>, also @everyone.' })],
    });
    await postDigest(store, adapter, CHANNEL, digest, ['+1']);
    for (const call of fake.callsTo('chat.postMessage')) {
      expect(JSON.stringify(call.params)).not.toMatch(LIVE_MENTION);
    }
    // The critique is in the paper's second reply, after its card.
    const reply = fake.posted(CHANNEL)[2];
    expect(reply?.text).toContain('&lt;!channel&gt; and &lt;@U123&gt;');
    expect(reply?.text).toContain('@\u200Beveryone');
  });

  it('names the channel and the fix when the bot is not in the channel', async () => {
    const closed = await FakeSlackServer.start({ notInChannel: ['C0PRIVATE1'] });
    try {
      const { ctx, store } = await slackContext(closed);
      stores.push(store);
      await expect(slackAdapter(ctx).send('C0PRIVATE1', { text: 'hi' })).rejects.toThrow(
        'Slack chat.postMessage in C0PRIVATE1 failed: not_in_channel (invite the bot to the channel with /invite)',
      );
    } finally {
      await closed.close();
    }
  });
});

describe('readReactions', () => {
  it('counts each member once across vote emoji and skin tones, never the bot, and asks auth.test once', async () => {
    const { adapter } = await setup();
    const msg = await adapter.send(CHANNEL, { text: 'paper' });
    const add = (name: string, user: string) => fake.addReaction(CHANNEL, msg.messageId, name, user);
    add('+1', fake.botUserId); // the bot seeds its own 👍 as a button: never a vote
    add('+1', 'U0MEMBER01');
    add('+1', 'U0MEMBER02');
    add('+1', 'U0MEMBER03');
    add('+1::skin-tone-4', 'U0MEMBER01'); // same member, another tone
    add('+1::skin-tone-2', 'U0MEMBER04');
    add('thumbsup', 'U0MEMBER02');
    add('heart', 'U0MEMBER05'); // not a vote emoji

    const voters = await adapter.readReactions(msg, ['+1']);
    expect(voters.sort()).toEqual(['U0MEMBER01', 'U0MEMBER02', 'U0MEMBER03', 'U0MEMBER04']);
    expect(fake.callsTo('reactions.get')[0]?.params).toMatchObject({
      channel: CHANNEL,
      timestamp: msg.messageId,
      full: 'true',
    });

    expect((await adapter.readReactions(msg, ['heart', '+1'])).sort()).toEqual([
      'U0MEMBER01',
      'U0MEMBER02',
      'U0MEMBER03',
      'U0MEMBER04',
      'U0MEMBER05',
    ]);
    expect(fake.callsTo('auth.test')).toHaveLength(1);
  });

  it('reads reactions on a threaded reply', async () => {
    const { adapter } = await setup();
    const parent = await adapter.send(CHANNEL, { text: 'digest' });
    const thread = await adapter.openThread(parent);
    const reply = await adapter.send(CHANNEL, { text: 'paper' }, thread);
    expect(reply.threadId).toBe(parent.messageId);
    fake.addReaction(CHANNEL, reply.messageId, '+1', 'U0MEMBER07');
    expect(await adapter.readReactions(reply, ['👍'])).toEqual(['U0MEMBER07']);
  });
});

describe('commandArgument: what a member typed, as plain text for the core', () => {
  it("unwraps Slack's link markup, the whole argument or inside it", () => {
    expect(commandArgument(' <https://arxiv.org/abs/2510.26143|arxiv.org/abs/2510.26143> ')).toBe(
      'https://arxiv.org/abs/2510.26143',
    );
    expect(commandArgument('#2 see <https://arxiv.org/abs/2510.26707|arxiv.org/abs/2510.26707> what is new?')).toBe(
      '#2 see https://arxiv.org/abs/2510.26707 what is new?',
    );
    expect(commandArgument('what about <https://example.org/x>?')).toBe('what about https://example.org/x?');
    expect(commandArgument('2510.26143')).toBe('2510.26143');
  });
});
