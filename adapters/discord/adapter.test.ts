/**
 * The Discord adapter against a local server answering as Discord's REST API v10 does, driven by the core's own
 * exactly-once posting (src/jobs/post.ts): the digest's message, its thread and the per-paper messages within
 * Discord's limits; re-runs, crashes and lost answers without duplicates; rate limits waited out; votes read back.
 */
import type { PostedMessage } from '../../src/chat/types';
import { getPostedDigest, postDigest, postInThread } from '../../src/jobs/post';
import type { AppContext } from '../../src/context';
import { ErrorCode } from '../../src/app/errors';
import { keys } from '../../src/store/keys';
import {
  type FakeDiscordServer,
  type FakeMessage,
  fakeDiscordContext,
  seedDigest,
  startFakeDiscord,
  validateMessage,
} from '../../test/fakes/discord-server';
import { DiscordAdapter } from './adapter';
import { createDiscordAdapter } from './index';
import { embedLength } from './render';
import type { APIEmbed } from 'discord.js';

const CHANNEL = '1200000000000000001';
const VOTE_EMOJI = ['+1'];

let fake: FakeDiscordServer;

beforeEach(async () => {
  fake = await startFakeDiscord({ channels: [CHANNEL] });
});

afterEach(async () => {
  await fake.close();
});

async function setup(
  env: Record<string, string | undefined> = {},
): Promise<{ ctx: AppContext; adapter: DiscordAdapter }> {
  const ctx = await fakeDiscordContext(fake, { env });
  const adapter = createDiscordAdapter(ctx, { rest: { retries: 0, timeoutMs: 5000, rateLimitOffsetMs: 0 } });
  if (!adapter) throw new Error('adapter expected');
  return { ctx, adapter };
}

const messagePosts = () => fake.callsTo('POST', /^\/channels\/\d+\/messages$/);

function allText(m: FakeMessage): string {
  return JSON.stringify({ content: m.content, embeds: m.embeds });
}

describe('createDiscordAdapter', () => {
  it('is off without DISCORD_TOKEN and reads the token from the context, not process.env', async () => {
    const ctx = await fakeDiscordContext(fake, { env: { DISCORD_TOKEN: undefined } });
    process.env.DISCORD_TOKEN = 'from-process-env';
    try {
      expect(createDiscordAdapter(ctx)).toBeUndefined();
    } finally {
      delete process.env.DISCORD_TOKEN;
    }
    const on = await fakeDiscordContext(fake);
    expect(createDiscordAdapter(on)).toBeInstanceOf(DiscordAdapter);
  });

  it('is healthy when GET /users/@me answers with the token, unhealthy with a wrong one', async () => {
    const { adapter } = await setup();
    expect(await adapter.healthy()).toBe(true);
    const { adapter: wrong } = await setup({ DISCORD_TOKEN: 'not-the-token' });
    expect(await wrong.healthy()).toBe(false);
  });
});

describe('posting a digest through postDigest', () => {
  it('posts the digest message, starts a thread on it and one message per paper, all within the limits', async () => {
    const { ctx, adapter } = await setup();
    const digest = seedDigest();
    const posted = await postDigest(ctx.store, adapter, CHANNEL, digest, VOTE_EMOJI);

    // The parent: one content message in the channel, with the opening paragraph, TL;DR and counts.
    const inChannel = fake.messagesIn(CHANNEL);
    expect(inChannel).toHaveLength(1);
    const parent = inChannel[0]!;
    expect(parent.content).toContain('# ArXiv Daily Digest on 2025-10-30');
    expect(parent.content).toContain("Today's research landscape");
    expect(parent.content.length).toBeLessThanOrEqual(2000);
    // The TL;DR in one embed of the same message: the papers linked, the counts and how to vote in its footer.
    expect(parent.embeds).toHaveLength(1);
    expect(parent.embeds[0]!.description).toContain('**TL;DR:** Recent papers focus');
    expect(parent.embeds[0]!.description).toContain(`(https://arxiv.org/abs/${digest.selected[0]!.id}v1) (#1)`);
    expect(JSON.stringify(parent.embeds[0]!.footer)).toContain('Total papers: 58 · Selected papers: 5');
    expect(posted.parent.messageId).toBe(parent.id);

    // The thread: started on the parent, named after the digest, archived after a day.
    const threadCall = fake.callsTo('POST', /\/threads$/);
    expect(threadCall).toHaveLength(1);
    expect(threadCall[0]!.path).toBe(`/channels/${CHANNEL}/messages/${parent.id}/threads`);
    expect(threadCall[0]!.body).toEqual({ name: 'arXiv digest nlp 2025-10-30', auto_archive_duration: 1440 });
    expect(posted.thread).toEqual({ platform: 'discord', channelId: CHANNEL, threadId: parent.id });

    // The papers: in the thread, in order, each starting with its title card linking the abs page.
    const inThread = fake.messagesIn(posted.thread.threadId);
    const cards = inThread.filter((m) => m.embeds[0]?.url);
    expect(cards.map((m) => m.embeds[0]!.url)).toEqual(
      digest.selected.map((p) => `https://arxiv.org/abs/${p.id}v${p.version}`),
    );
    expect(cards[0]!.embeds[0]!.title).toBe(`1. ${digest.selected[0]!.title}`);
    const fields = cards[0]!.embeds[0]!.fields as Array<{ name: string; value: string }>;
    expect(fields.map((f) => f.name)).toEqual(['Authors', 'Keywords', 'Paper']);
    expect(fields[0]!.value).toBe(digest.selected[0]!.authors.join(', '));
    expect(JSON.stringify(cards[0]!.embeds[0]!.footer)).toContain('👍 Vote: react with 👍 on this message');
    // Every card is one embed of at most 1,500 characters, the paper's first message in the thread.
    for (const card of cards) {
      expect(card.embeds).toHaveLength(1);
      expect(embedLength(card.embeds[0] as APIEmbed)).toBeLessThanOrEqual(1500);
    }
    // Abstract, summary and critique as embeds after the card; the seed's headings become bold lines there.
    expect(inThread[0]!.id).toBe(cards[0]!.id);
    const first = JSON.stringify(inThread[1]!.embeds);
    expect(first).toContain('"title":"Abstract"');
    expect(first).toContain('"title":"Summary"');
    expect(first).toContain('"title":"Critique"');
    expect(first).toContain('**Strengths**');
    expect(first).not.toContain('### ');

    // The long paper needed more than one message: its parts follow its card, before the next paper.
    expect(inThread.length).toBeGreaterThan(digest.selected.length);
    const longIdx = inThread.findIndex((m) => m.embeds[0]?.url?.toString().includes(digest.selected[1]!.id));
    expect(inThread[longIdx + 1]!.embeds[0]!.url).toBeUndefined();

    // Every message Discord accepted is within its limits (the fake refuses what Discord refuses).
    for (const m of [...inChannel, ...inThread]) {
      expect(validateMessage({ content: m.content, embeds: m.embeds })).toBeUndefined();
      expect(m.embeds.length).toBeLessThanOrEqual(10);
    }
    expect(messagePosts().every((c) => c.status === 200)).toBe(true);

    // Each paper's first message is recorded where the votes are: the thread's message.
    const firstPaper = posted.papers[digest.selected[0]!.id]!;
    expect(firstPaper).toEqual({
      platform: 'discord',
      channelId: CHANNEL,
      threadId: posted.thread.threadId,
      messageId: cards[0]!.id,
    });
    expect(await ctx.store.get('messages', `discord:${posted.thread.threadId}:${cards[0]!.id}`)).toMatchObject({
      paperId: digest.selected[0]!.id,
    });
  });

  it('sends every message with allowed_mentions empty and a stable nonce, and disarms mentions in model text', async () => {
    const { ctx, adapter } = await setup();
    await postDigest(ctx.store, adapter, CHANNEL, seedDigest({ mentionPaper: 2 }), VOTE_EMOJI);
    const posts = messagePosts();
    expect(posts.length).toBeGreaterThan(5);
    for (const call of posts) {
      const body = call.body as Record<string, unknown>;
      expect(body.allowed_mentions).toEqual({ parse: [] });
      expect(typeof body.nonce).toBe('string');
      expect((body.nonce as string).length).toBeLessThanOrEqual(25);
      expect(body.enforce_nonce).toBe(true);
    }
    const everything = [...fake.messages.values()].map(allText).join('\n');
    expect(everything).toContain('@\u200Beveryone');
    expect(everything).toContain('@\u200Bhere');
    expect(everything).not.toMatch(/@(everyone|here)\b/);
    expect(everything).not.toMatch(/<@!?&?\d+>/);
    expect(everything).toContain('<@\u200B123456789012345678>');
  });

  it('posts nothing on a re-run of a digest already posted', async () => {
    const { ctx, adapter } = await setup();
    const digest = seedDigest();
    const first = await postDigest(ctx.store, adapter, CHANNEL, digest, VOTE_EMOJI);
    const calls = fake.calls.length;
    const messages = fake.messages.size;
    const again = await postDigest(ctx.store, adapter, CHANNEL, digest, VOTE_EMOJI);
    expect(again).toEqual(first);
    expect(fake.calls.length).toBe(calls);
    expect(fake.messages.size).toBe(messages);
  });

  it('resumes after a crash on the third paper without posting anything twice', async () => {
    const { ctx, adapter } = await setup();
    const digest = seedDigest();
    const third = digest.selected[2]!;
    // Discord fails the third paper's message (after the retries): the run stops there.
    fake.script({
      match: (c) =>
        c.method === 'POST' && JSON.stringify(c.body ?? '').includes(`"url":"https://arxiv.org/abs/${third.id}v`),
      times: 1,
      reply: { status: 500, body: { message: '500: Internal Server Error', code: 0 } },
    });
    const err = await postDigest(ctx.store, adapter, CHANNEL, digest, VOTE_EMOJI).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.ChatError });
    expect((err as Error).message).toMatch(/^discord: posting to channel \d+ failed: HTTP 500 POST/);
    const stored = await getPostedDigest(ctx.store, 'discord', CHANNEL, 'nlp', '2025-10-30');
    expect(stored?.complete).toBe(false);
    expect(Object.keys(stored?.papers ?? {})).toEqual([digest.selected[0]!.id, digest.selected[1]!.id]);

    // A new process (a fresh adapter over the same store) picks up where the crash left off.
    const { adapter: restarted } = await setup();
    const done = await postDigest(ctx.store, restarted, CHANNEL, digest, VOTE_EMOJI);
    expect(done.complete).toBe(true);
    expect(fake.messagesIn(CHANNEL)).toHaveLength(1);
    expect(fake.callsTo('POST', /\/threads$/)).toHaveLength(1);
    const cards = fake.messagesIn(done.thread.threadId).filter((m) => m.embeds[0]?.url);
    expect(cards.map((m) => m.embeds[0]!.url)).toEqual(
      digest.selected.map((p) => `https://arxiv.org/abs/${p.id}v${p.version}`),
    );
  });

  it('keeps a digest of very many papers to one channel message, the rest of its TL;DR opening the thread, after a crash too', async () => {
    const { ctx, adapter } = await setup();
    const base = seedDigest();
    const paper = base.selected[0]!;
    const selected = Array.from({ length: 40 }, (_, i) => ({ ...paper, id: `2510.${26100 + i}` }));
    const overview = {
      tldr: 'Forty papers.',
      themes: [
        {
          title: 'All of them',
          papers: selected.map((p) => ({
            id: p.id,
            shortName: `Paper ${p.id}`,
            insight: 'a long insight. '.repeat(10),
          })),
        },
      ],
      commonInsights: 'Shared.',
    };
    const few = { ...base, selected, overview };
    // The thread's first message (the TL;DR's continuation) fails once: the run stops after the parent and thread.
    fake.script({
      match: (c) => c.method === 'POST' && JSON.stringify(c.body ?? '').includes('TL;DR (continued)'),
      times: 1,
      reply: { status: 500, body: { message: '500: Internal Server Error', code: 0 } },
    });
    await expect(postDigest(ctx.store, adapter, CHANNEL, few, VOTE_EMOJI)).rejects.toThrow(/HTTP 500/);
    expect(fake.messagesIn(CHANNEL)).toHaveLength(1);

    const { adapter: restarted } = await setup();
    const done = await postDigest(ctx.store, restarted, CHANNEL, few, VOTE_EMOJI);
    expect(done.complete).toBe(true);
    // Exactly one message in the channel; the continuation is the thread's first message, posted once.
    expect(fake.messagesIn(CHANNEL)).toHaveLength(1);
    expect(fake.callsTo('POST', /\/threads$/)).toHaveLength(1);
    const thread = fake.messagesIn(done.thread.threadId);
    expect(thread[0]!.embeds[0]!.title).toBe('TL;DR (continued)');
    expect(thread.filter((m) => m.embeds[0]?.title === 'TL;DR (continued)')).toHaveLength(1);
    expect(fake.messagesIn(CHANNEL)[0]!.embeds[0]!.description).toMatch(/continued in the thread$/);
    expect(thread.filter((m) => typeof m.embeds[0]?.url === 'string')).toHaveLength(40);
  });

  it('creates no duplicate when Discord made the message but the answer was lost (enforced nonce)', async () => {
    const { ctx, adapter } = await setup();
    const digest = seedDigest();
    const third = digest.selected[2]!;
    fake.script({
      match: (c) =>
        c.method === 'POST' && JSON.stringify(c.body ?? '').includes(`"url":"https://arxiv.org/abs/${third.id}v`),
      times: 1,
      afterCommit: true,
      reply: { status: 502, body: { message: '502: Bad Gateway', code: 0 } },
    });
    await expect(postDigest(ctx.store, adapter, CHANNEL, digest, VOTE_EMOJI)).rejects.toThrow(/HTTP 502/);
    const done = await postDigest(ctx.store, adapter, CHANNEL, digest, VOTE_EMOJI);
    const cards = fake.messagesIn(done.thread.threadId).filter((m) => m.embeds[0]?.url);
    expect(cards).toHaveLength(digest.selected.length);
    const resent = fake
      .callsTo('POST', /^\/channels\/\d+\/messages$/)
      .filter((c) => JSON.stringify(c.body).includes(`"url":"https://arxiv.org/abs/${third.id}v`));
    expect(resent).toHaveLength(2);
    expect((resent[0]!.body as { nonce: string }).nonce).toBe((resent[1]!.body as { nonce: string }).nonce);
    expect(done.papers[third.id]?.messageId).toBe(cards[2]!.id);
  });

  it("creates no duplicate when @discordjs/rest resends a post without the core's nonce after a 5xx", async () => {
    const ctx = await fakeDiscordContext(fake);
    // The client's own retry of a 5xx, as in production (retries > 0).
    const adapter = createDiscordAdapter(ctx, { rest: { retries: 1, timeoutMs: 5000, rateLimitOffsetMs: 0 } })!;
    fake.script({
      match: (c) => c.method === 'POST' && /^\/channels\/\d+\/messages$/.test(c.path),
      times: 1,
      afterCommit: true,
      reply: { status: 500, body: { message: '500: Internal Server Error', code: 0 } },
    });
    // A command's answer in a digest's thread goes through send() with no nonce from the core.
    const posted = await adapter.send(CHANNEL, { content: 'Your vote is counted.', allowed_mentions: { parse: [] } });
    expect(fake.messagesIn(CHANNEL)).toHaveLength(1);
    expect(posted.messageId).toBe(fake.messagesIn(CHANNEL)[0]!.id);
    const [first, second] = messagePosts().map((c) => c.body as { nonce?: string; enforce_nonce?: boolean });
    expect(first?.nonce).toEqual(expect.any(String));
    expect(first?.nonce?.length).toBeLessThanOrEqual(25);
    expect(second?.nonce).toBe(first?.nonce);
    expect(second?.enforce_nonce).toBe(true);
  });

  it('uses the existing thread when the thread was started but not recorded (code 160004)', async () => {
    const { ctx, adapter } = await setup();
    const digest = seedDigest();
    fake.script({
      match: (c) => c.method === 'POST' && c.path.endsWith('/threads'),
      times: 1,
      afterCommit: true,
      reply: { status: 500, body: { message: '500: Internal Server Error', code: 0 } },
    });
    await expect(postDigest(ctx.store, adapter, CHANNEL, digest, VOTE_EMOJI)).rejects.toThrow(/starting a thread/);
    const done = await postDigest(ctx.store, adapter, CHANNEL, digest, VOTE_EMOJI);
    expect(fake.threads.size).toBe(1);
    expect(done.thread.threadId).toBe(fake.messagesIn(CHANNEL)[0]!.id);
    expect(fake.callsTo('GET', /^\/channels\/\d+\/messages\/\d+$/)).toHaveLength(1);
  });

  it('starts the thread of a parent Discord accepted before the run was killed (no parent, no thread recorded)', async () => {
    const { ctx, adapter } = await setup();
    const digest = seedDigest();
    // Discord made the top-level message; the run died before recording it or starting its thread.
    fake.script({
      match: (c) => c.method === 'POST' && c.path === `/channels/${CHANNEL}/messages`,
      times: 1,
      afterCommit: true,
      reply: { status: 502, body: { message: '502: Bad Gateway', code: 0 } },
    });
    await expect(postDigest(ctx.store, adapter, CHANNEL, digest, VOTE_EMOJI)).rejects.toThrow(/HTTP 502/);
    await ctx.store.delete(
      'posts',
      `${keys.postedPart(keys.posting('discord', CHANNEL, digest.name, digest.date), 'parent', 0)}:sending`,
    );
    const done = await postDigest(ctx.store, adapter, CHANNEL, digest, VOTE_EMOJI);
    expect(done.complete).toBe(true);
    const parent = fake.messagesIn(CHANNEL);
    expect(parent).toHaveLength(1);
    expect(fake.threads.has(parent[0]!.id)).toBe(true);
    expect(done.thread.threadId).toBe(parent[0]!.id);
    expect(fake.messagesIn(parent[0]!.id).filter((m) => m.embeds[0]?.url)).toHaveLength(digest.selected.length);
    expect(fake.calls.filter((c) => c.status === 404)).toEqual([
      expect.objectContaining({ method: 'GET', path: `/channels/${parent[0]!.id}/messages` }),
    ]);
  });

  it('starts the thread again when the recorded one was never started (Discord: Unknown Channel, 10003)', async () => {
    const { ctx, adapter } = await setup();
    const digest = seedDigest();
    fake.script({
      match: (c) => c.method === 'POST' && c.path.endsWith('/threads'),
      times: 1,
      reply: { status: 500, body: { message: '500: Internal Server Error', code: 0 } },
    });
    await expect(postDigest(ctx.store, adapter, CHANNEL, digest, VOTE_EMOJI)).rejects.toThrow(/starting a thread/);
    // A record left by an earlier version: the thread named after the parent, though Discord never started it.
    const base = keys.posting('discord', CHANNEL, digest.name, digest.date);
    const parentId = fake.messagesIn(CHANNEL)[0]!.id;
    await ctx.store.set('posts', keys.postThread(base), {
      platform: 'discord',
      channelId: CHANNEL,
      threadId: parentId,
    });
    const done = await postDigest(ctx.store, adapter, CHANNEL, digest, VOTE_EMOJI);
    expect(done.complete).toBe(true);
    expect(fake.threads.has(parentId)).toBe(true);
    expect(fake.messagesIn(parentId).filter((m) => m.embeds[0]?.url)).toHaveLength(digest.selected.length);
  });

  it('waits out a 429 (retry_after, X-RateLimit-*) and then posts once', async () => {
    const { ctx, adapter } = await setup();
    fake.rateLimit((c) => c.method === 'POST' && /^\/channels\/\d+\/messages$/.test(c.path), 0.05, 1);
    const limited: unknown[] = [];
    adapter.rest.on('rateLimited', (info) => limited.push(info));
    const posted = await postDigest(ctx.store, adapter, CHANNEL, seedDigest(), VOTE_EMOJI);
    expect(posted.complete).toBe(true);
    const parentPosts = fake.callsTo('POST', new RegExp(`^/channels/${CHANNEL}/messages$`));
    expect(parentPosts.map((c) => c.status)).toEqual([429, 200]);
    expect(fake.messagesIn(CHANNEL)).toHaveLength(1);
    expect(limited.length).toBeGreaterThanOrEqual(1);
  });

  it('posts a tally and a deep-dive into the digest thread exactly once', async () => {
    const { ctx, adapter } = await setup();
    const digest = seedDigest();
    const posted = await postDigest(ctx.store, adapter, CHANNEL, digest, VOTE_EMOJI);
    const winner = digest.selected[0]!;
    const tally = {
      kind: 'tally' as const,
      name: 'nlp',
      date: digest.date,
      totalVoters: 3,
      lines: digest.selected.map((p, i) => ({ paper: p, votes: 3 - Math.min(i, 3), winner: i === 0 })),
    };
    const deep = {
      kind: 'deep-dive' as const,
      paper: winner,
      text: `### Deep dive\n\n${'A long analysis. '.repeat(600)}`,
    };
    const t1 = await postInThread(ctx.store, adapter, posted, 'tally', tally);
    const d1 = await postInThread(ctx.store, adapter, posted, `deep:${winner.id}`, deep);
    const count = fake.messages.size;
    await postInThread(ctx.store, adapter, posted, 'tally', tally);
    await postInThread(ctx.store, adapter, posted, `deep:${winner.id}`, deep);
    expect(fake.messages.size).toBe(count);
    expect(t1[0]!.threadId).toBe(posted.thread.threadId);
    const tallyMsg = fake.messages.get(t1[0]!.messageId)!;
    expect(tallyMsg.content).toContain('## Vote results · nlp · 2025-10-30');
    expect(tallyMsg.content).toContain('3 members voted.');
    expect(tallyMsg.content).toContain('3 votes 🏆');
    expect(d1.length).toBeGreaterThanOrEqual(2);
    expect(fake.messages.get(d1[0]!.messageId)!.embeds[0]!.title).toBe(`Deep dive: ${winner.title}`);
  });
});

describe('readReactions', () => {
  it('counts each member once across vote emoji, without the bot, over several pages', async () => {
    const { ctx, adapter } = await setup();
    const posted = await postDigest(ctx.store, adapter, CHANNEL, seedDigest(), ['+1', 'fire']);
    const paper = Object.values(posted.papers)[0]!;
    const members = Array.from({ length: 150 }, (_, i) => String(1600000000000000000n + BigInt(i)));
    for (const id of members) fake.addReaction(paper.messageId, '👍', id);
    fake.addReaction(paper.messageId, '👍', fake.botUser.id);
    fake.addReaction(paper.messageId, '🔥', members[0]!); // the same member with a second vote emoji
    fake.addReaction(paper.messageId, '🔥', '1700000000000000001');
    fake.addReaction(paper.messageId, '👍🏽', '1700000000000000002'); // a skin tone counts as 👍
    fake.addReaction(paper.messageId, '😂', '1700000000000000003'); // not a vote emoji

    const voters = await adapter.readReactions(paper, ['+1', 'fire']);
    expect(voters).toHaveLength(152);
    expect(new Set(voters).size).toBe(152);
    expect(voters).not.toContain(fake.botUser.id);
    expect(voters).toEqual(expect.arrayContaining(['1700000000000000001', '1700000000000000002']));
    expect(voters).not.toContain('1700000000000000003');

    // Read from the thread (where the paper's message is), 👍 in two pages of at most 100 with `after`.
    const thumbs = fake.callsTo('GET', /\/reactions\/%F0%9F%91%8D$/);
    expect(thumbs).toHaveLength(2);
    expect(thumbs[0]!.path.startsWith(`/channels/${paper.threadId}/messages/${paper.messageId}/`)).toBe(true);
    expect(thumbs[0]!.query.get('limit')).toBe('100');
    expect(thumbs[0]!.query.get('after')).toBeNull();
    // Users come in id order: the bot's (older) id fills one place of the first page.
    expect(thumbs[1]!.query.get('after')).toBe(members[98]);
    expect(fake.callsTo('GET', /\/reactions\/%F0%9F%98%82$/)).toHaveLength(0);
    // The bot's id is asked once and cached.
    await adapter.readReactions(paper, ['+1']);
    expect(fake.callsTo('GET', /^\/users\/@me$/)).toHaveLength(1);
  });

  it('counts super reactions (burst, listed with type=1) as votes too', async () => {
    const { ctx, adapter } = await setup();
    const posted = await postDigest(ctx.store, adapter, CHANNEL, seedDigest(), VOTE_EMOJI);
    const paper: PostedMessage = Object.values(posted.papers)[2]!;
    fake.addReaction(paper.messageId, '👍', '1800000000000000001');
    fake.addReaction(paper.messageId, '👍', '1800000000000000002', { burst: true });
    fake.addReaction(paper.messageId, '👍', '1800000000000000001', { burst: true }); // both kinds: one vote
    const voters = await adapter.readReactions(paper, VOTE_EMOJI);
    expect(voters.sort()).toEqual(['1800000000000000001', '1800000000000000002']);
    const burstCalls = fake.callsTo('GET', /\/reactions\/%F0%9F%91%8D$/).filter((c) => c.query.get('type') === '1');
    expect(burstCalls).toHaveLength(1);
  });

  it('returns nobody for a message without vote reactions', async () => {
    const { ctx, adapter } = await setup();
    const posted = await postDigest(ctx.store, adapter, CHANNEL, seedDigest(), VOTE_EMOJI);
    const paper: PostedMessage = Object.values(posted.papers)[1]!;
    fake.addReaction(paper.messageId, '👍', fake.botUser.id);
    expect(await adapter.readReactions(paper, VOTE_EMOJI)).toEqual([]);
  });
});
