/**
 * The SQLite file deleted under a running process (issue 21): SQLite refuses every write as "read-only" and the
 * digest stayed half-posted. The store notices (the path no longer holds the file it opened), opens a new file,
 * says so once, and the post in flight starts again and adopts what the platform already shows: the digest is
 * finished, nothing is posted twice. A real SQLite file in a temporary directory.
 */
import { mkdtempSync, rmSync, unlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FoundDigest, PostedMessage, RenderedPart, ThreadRef } from '../../src/chat/types';
import { StoreReopenedError } from '../../src/app/errors';
import type { Assembly } from '../../src/jobs/assembly';
import { runDigest } from '../../src/jobs/run';
import { type Store, openStore } from '../../src/store';
import { DISCORD_CHANNEL, SLACK_CHANNEL } from '../fakes/bot-fixture';
import { makeWorld } from '../fakes/llm-world';
import { MemoryAdapter, MemoryPlatform } from '../fakes/memory-adapter';
import { type FakeOpenAi, startOpenAiServer } from '../fakes/openai-server';

let dir: string;
let ai: FakeOpenAi;
beforeAll(async () => {
  ai = await startOpenAiServer();
});
afterAll(() => ai.close());
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sqlite-deleted-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function deleteDb(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) if (existsSync(f)) unlinkSync(f);
}

/** A platform like Slack: no enforced nonce (a part sent twice is two messages), and a digest found by its nonces. */
class NonceKeepingAdapter extends MemoryAdapter {
  onSend: ((count: number) => void) | undefined;
  private sends = 0;
  override async send(channelId: string, part: RenderedPart, thread?: ThreadRef, options?: { nonce?: string }) {
    const messageId = this.world.newId();
    const posted: PostedMessage = { platform: this.platform, channelId, messageId };
    if (thread) posted.threadId = thread.threadId;
    this.world.sent.push({
      channelId,
      messageId,
      ...(thread ? { threadId: thread.threadId } : {}),
      message: part.message as never,
      ...(options?.nonce ? { nonce: options.nonce } : {}),
    });
    this.sends += 1;
    this.onSend?.(this.sends);
    return posted;
  }
  async findDigest(channelId: string, marker: { nonce: string }): Promise<FoundDigest | undefined> {
    const parent = this.sent.find((s) => s.channelId === channelId && !s.threadId && s.nonce === marker.nonce);
    if (!parent) return undefined;
    const msg = (m: (typeof this.sent)[number]): PostedMessage => ({
      platform: this.platform,
      channelId,
      messageId: m.messageId,
      ...(m.threadId ? { threadId: m.threadId } : {}),
    });
    return {
      parent: msg(parent),
      thread: { platform: this.platform, channelId, threadId: parent.messageId },
      named: [],
      replies: this.sent
        .filter((s) => s.threadId === parent.messageId)
        .map((s) => ({ message: msg(s), ...(s.nonce ? { nonce: s.nonce } : {}) })),
    };
  }
}

it('an operation on a deleted file reopens a new one, says so once, and names the deletion', async () => {
  const file = path.join(dir, 'bot.sqlite');
  const store = await openStore(`sqlite://${file}`);
  const told: string[] = [];
  store.onRepair?.((line) => told.push(line));
  await store.set('meta', 'a', 1);
  deleteDb(file);
  const err = await store.set('meta', 'b', 2).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(StoreReopenedError);
  expect((err as Error).message).toMatch(/\(the database file .*bot\.sqlite was deleted while it was open\)/);
  expect((err as Error).message).not.toMatch(/read-only/);
  expect(existsSync(file)).toBe(true);
  await store.set('meta', 'b', 2);
  expect(await store.get('meta', 'b')).toBe(2);
  expect(await store.get('meta', 'a')).toBeUndefined();
  expect(await store.ping()).toBe(true);
  expect(told).toEqual([
    expect.stringMatching(/^the SQLite file .*bot\.sqlite was deleted while the bot ran: a new one was opened there/),
  ]);
  await store.close();
});

it('a health check on a deleted file answers from the new one', async () => {
  const file = path.join(dir, 'bot.sqlite');
  const store = await openStore(`sqlite://${file}`);
  deleteDb(file);
  expect(await store.ping()).toBe(true);
  await store.close();
});

it('the digest half-posted when the file is deleted is finished, nothing posted twice', async () => {
  const file = path.join(dir, 'bot.sqlite');
  const store: Store = await openStore(`sqlite://${file}`);
  const world = await makeWorld({
    ai,
    store,
    digest: { channels: [{ slack: SLACK_CHANNEL }, { discord: DISCORD_CHANNEL }] },
  });
  const told: string[] = [];
  store.onRepair?.((line) => told.push(line));
  const slack = new NonceKeepingAdapter('slack', new MemoryPlatform(), 'UBOT');
  const discord = new NonceKeepingAdapter('discord', new MemoryPlatform(), '999999999999999999');
  slack.onSend = (n) => {
    if (n === 4) deleteDb(file);
  };
  const app: Assembly = { ctx: world.ctx, services: world.services, adapters: { slack, discord } };
  const digest = world.ctx.config.digests[0];
  if (!digest) throw new Error('no digest');
  const result = await runDigest(app, digest);
  expect(result.posted.map((p) => p.platform)).toEqual(['slack', 'discord']);
  expect(result.posted[0]?.adopted).toBe(true);
  for (const chat of [slack, discord]) {
    const nonces = chat.sent.map((s) => s.nonce);
    expect(new Set(nonces).size).toBe(nonces.length);
    expect(chat.ofKind('digest')).toHaveLength(1);
    expect(chat.ofKind('paper')).toHaveLength(result.digest.selected.length);
  }
  expect(told).toHaveLength(1);
  await store.close();
}, 30_000);
